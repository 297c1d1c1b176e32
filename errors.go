package lakegate

import (
	"context"
	"errors"
	"fmt"
)

// Application error codes. Every error that reaches a client carries one of
// these; anything else is reported as EINTERNAL with its details withheld.
const (
	EINVALID      = "invalid"            // the request is malformed or names bad values
	EUNAUTHORIZED = "unauthorized"       // credentials are missing or wrong
	EFORBIDDEN    = "forbidden"          // the caller may not do this (e.g. a write statement)
	ENOTFOUND     = "not_found"          // a database, table or object does not exist
	ECONFLICT     = "conflict"           // the change collides with the current state
	ETIMEOUT      = "timeout"            // a deadline passed
	ECANCELED     = "canceled"           // the caller went away
	EUNAVAILABLE  = "unavailable"        // a dependency is down; retry later
	EBUSY         = "busy"               // too many queries queued or running; retry after a pause
	ETOOLARGE     = "too_large"          // a request body or upload is over its size limit
	EMETHOD       = "method_not_allowed" // the route exists, but not for this HTTP method
	ENOMEM        = "out_of_memory"      // the query needs more memory than the engine may use
	EINTERNAL     = "internal"           // a bug or an unexpected failure
)

// Error is the one application error type. Message is safe to show to a
// client; Err keeps the underlying cause for logs only.
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an application error with a formatted client-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an application error that keeps err as its hidden cause.
func Wrap(code string, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of the first application error in err's chain.
// Context errors map to ETIMEOUT and ECANCELED; anything else is EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	case errors.Is(err, context.DeadlineExceeded):
		return ETIMEOUT
	case errors.Is(err, context.Canceled):
		return ECANCELED
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err. Internal errors get a
// generic message so that paths, hosts and stack details never leak.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	case errors.Is(err, context.DeadlineExceeded):
		return "the operation timed out"
	case errors.Is(err, context.Canceled):
		return "the operation was canceled"
	}
	return "internal error"
}
