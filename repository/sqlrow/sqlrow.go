// Package sqlrow holds what the SQL stores (repository/sqlite,
// repository/postgres) share: row types and their conversion to the domain,
// column scanners and encoders, and the assembly of filter conditions.
package sqlrow

import (
	"database/sql"
	"time"
)

// Row is what the scan functions read: a *sql.Row or *sql.Rows.
type Row interface{ Scan(...any) error }

// A TimeDecoder turns the value a driver returns for a non-NULL time column
// into a time.Time; it is where the stores differ (SQLite returns text,
// PostgreSQL a time.Time).
type TimeDecoder func(v any) (time.Time, error)

// Reader reads rows into domain values, decoding their time columns with
// the store's TimeDecoder.
type Reader struct{ decodeTime TimeDecoder }

// NewReader returns a Reader that decodes time columns with d.
func NewReader(d TimeDecoder) Reader { return Reader{decodeTime: d} }

// Time returns a scanner of a time column into *t, in UTC.
func (r Reader) Time(t *time.Time) sql.Scanner { return timeCol{t, r.decodeTime} }

// NullTime returns a scanner of a nullable time column into *t: nil for
// NULL.
func (r Reader) NullTime(t **time.Time) sql.Scanner { return nullTimeCol{t, r.decodeTime} }

// timeCol scans a time column into a time.Time.
type timeCol struct {
	t      *time.Time
	decode TimeDecoder
}

// Scan implements sql.Scanner.
func (c timeCol) Scan(v any) error {
	t, err := c.decode(v)
	if err != nil {
		return err
	}
	*c.t = t.UTC()
	return nil
}

// nullTimeCol scans a nullable time column into a *time.Time.
type nullTimeCol struct {
	t      **time.Time
	decode TimeDecoder
}

// Scan implements sql.Scanner.
func (c nullTimeCol) Scan(v any) error {
	if v == nil {
		*c.t = nil
		return nil
	}
	var t time.Time
	if err := (timeCol{&t, c.decode}).Scan(v); err != nil {
		return err
	}
	*c.t = &t
	return nil
}
