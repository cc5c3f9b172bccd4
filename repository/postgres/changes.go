package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ChangeKind names what a Change touched.
type ChangeKind string

// The kinds of Change. ChangeLost is never sent: Listen reports it after it
// had to reconnect, when notifications may have been missed, so that the
// listener drops everything it holds in memory.
const (
	ChangeRepository        ChangeKind = "repository"         // settings: threshold, languages, pattern entities…
	ChangeRepositoryDeleted ChangeKind = "repository_deleted" // with everything in it
	ChangeModel             ChangeKind = "model"              // a model was saved (Version, Language, Model)
	ChangeDocuments         ChangeKind = "documents"          // a content document was added or deleted
	ChangeToken             ChangeKind = "token"              // Token was revoked
	ChangeVersions          ChangeKind = "versions"           // a version was created as the default, renamed, made the default or deleted (Version: the deleted one)
	ChangeLost              ChangeKind = "lost"
)

// Change is a write by another process sharing the database that may make
// what this process holds in memory stale: cached settings, models, content
// indexes and authenticated tokens. Every Store sends one, with PostgreSQL's
// NOTIFY, in the transaction of each such write, so it arrives only once the
// write is committed; Listen delivers those of other processes.
type Change struct {
	Kind       ChangeKind `json:"kind"`
	Repository string     `json:"repository,omitempty"`
	Version    int64      `json:"version,omitempty"`
	Language   string     `json:"language,omitempty"`
	Model      int64      `json:"model,omitempty"`
	Token      string     `json:"token,omitempty"`
	// Origin identifies the Store that made the change; Listen skips its
	// own (the process already updated its memory).
	Origin string `json:"origin"`
}

// changesChannel is the NOTIFY channel of Changes.
const changesChannel = "sabia_changes"

// newOrigin returns a random identifier for a Store.
func newOrigin() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// notify sends c from this Store within tx: PostgreSQL delivers it when tx
// commits, and never if it rolls back.
func (s *Store) notify(ctx context.Context, tx *sql.Tx, c Change) error {
	c.Origin = s.origin
	payload, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encoding change: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, changesChannel, string(payload)); err != nil {
		return fmt.Errorf("notifying %s change: %w", c.Kind, err)
	}
	return nil
}

// Listen connects to the database on a connection of its own and calls fn,
// from one goroutine, with every Change committed by other processes until
// ctx ends. It returns once it listens (or the error of that first
// connection). When the connection breaks later it reports the error to
// onError, connects again with growing pauses (up to 30 s) and then calls fn
// with ChangeLost, since changes made meanwhile were not heard.
func (s *Store) Listen(ctx context.Context, fn func(Change), onError func(error)) error {
	conn, err := s.listenConn(ctx)
	if err != nil {
		return err
	}
	go func() {
		pause := time.Second
		for {
			err := s.receive(ctx, conn, fn)
			_ = conn.Close(context.WithoutCancel(ctx))
			if ctx.Err() != nil {
				return
			}
			onError(err)
			for {
				select {
				case <-ctx.Done():
					return
				case <-time.After(pause):
				}
				pause = min(2*pause, 30*time.Second)
				if conn, err = s.listenConn(ctx); err == nil {
					break
				}
				if ctx.Err() != nil {
					return
				}
				onError(err)
			}
			pause = time.Second
			fn(Change{Kind: ChangeLost})
		}
	}()
	return nil
}

// listenConn opens a connection that LISTENs on the changes channel.
func (s *Store) listenConn(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, s.dsn)
	if err != nil {
		return nil, fmt.Errorf("connecting to listen for changes: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		_ = conn.Close(ctx)
		return nil, fmt.Errorf("listening for changes: %w", err)
	}
	return conn, nil
}

// listenProbe is how long the listener waits for a change before it pings
// the server: a connection cut without a reset (a failover, a NAT that
// forgot it) would otherwise look like a quiet one for the 15 minutes TCP
// keepalives take to notice, and changes would be missed meanwhile.
var listenProbe = 30 * time.Second

// receive passes the changes of other Stores to fn until the connection or
// ctx fails, and returns why.
func (s *Store) receive(ctx context.Context, conn *pgx.Conn, fn func(Change)) error {
	for {
		wait, cancel := context.WithTimeout(ctx, listenProbe)
		n, err := conn.WaitForNotification(wait)
		cancel()
		if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			ping, cancel := context.WithTimeout(ctx, 10*time.Second)
			err = conn.Ping(ping)
			cancel()
			if err != nil {
				return fmt.Errorf("probing the connection that listens for changes: %w", err)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("waiting for changes: %w", err)
		}
		var c Change
		if err := json.Unmarshal([]byte(n.Payload), &c); err != nil || c.Kind == "" {
			// Not ours to read (another program on the channel, or a newer
			// Sabiá): be safe and forget everything.
			c = Change{Kind: ChangeLost}
		}
		if c.Origin == s.origin {
			continue
		}
		fn(c)
	}
}
