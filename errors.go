// Package sabia holds what every layer of Sabiá shares: the domain error type
// with its stable codes. Concrete behaviour lives in the sub-packages (nlu,
// datasets, repository, training, api); only cmd/sabia wires them together.
package sabia

import (
	"errors"
	"fmt"
)

// Stable error codes. Clients may switch on them; the api package maps each to
// exactly one HTTP status.
const (
	EINVALID       = "invalid"       // malformed input: bad JSON, wrong types, bad UTF-8 (400)
	EUNAUTHORIZED  = "unauthorized"  // missing or unknown credentials (401)
	EFORBIDDEN     = "forbidden"     // credentials valid but not allowed (403)
	ENOTFOUND      = "not_found"     // the thing does not exist (404)
	ECONFLICT      = "conflict"      // duplicates and state conflicts (409)
	ETOOLARGE      = "too_large"     // body or text over a documented limit (413)
	EUNPROCESSABLE = "unprocessable" // well-formed but semantically invalid (422)
	EUNAVAILABLE   = "unavailable"   // not ready yet, e.g. a language never trained (400 on parse routes)
	ERATELIMITED   = "rate_limited"  // a token made more requests than its rate allows (429)
	EINTERNAL      = "internal"      // anything else; details are logged, never shown (500)
)

// Error is the one domain error type. Code is stable, Message is for humans,
// Err (optional) is the wrapped cause, never shown to API users for EINTERNAL.
type Error struct {
	Code    string
	Message string
	Err     error
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the wrapped cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of the first *Error in err's chain,
// or "internal error" so that internals never leak.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
