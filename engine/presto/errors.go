package presto

import (
	"context"
	"errors"
	"strings"

	presto "github.com/prestodb/presto-go-client/v2"

	"github.com/lakegate/lakegate"
)

// mapError gives Presto's errors lakegate's codes; every message says
// Presto answered. The context is consulted first, as DuckDB's engine
// does.
func mapError(ctx context.Context, err error, url string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return lakegate.Wrap(lakegate.ETIMEOUT, err, "presto: the query ran longer than its time limit; narrow it or raise the timeout")
	case errors.Is(ctx.Err(), context.Canceled):
		return lakegate.Wrap(lakegate.ECANCELED, err, "presto: the query was canceled")
	}
	var qe *presto.QueryError
	if errors.As(err, &qe) {
		return lakegate.Wrap(queryCode(qe), err, "presto: %s", qe.Message)
	}
	return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "presto at %s cannot be reached", url)
}

// queryCode classifies a query's error by Presto's name and type.
func queryCode(qe *presto.QueryError) string {
	name := qe.ErrorName
	switch {
	case name == "PERMISSION_DENIED":
		return lakegate.EFORBIDDEN
	case name == "EXCEEDED_TIME_LIMIT" || name == "EXCEEDED_CPU_LIMIT":
		return lakegate.ETIMEOUT
	case strings.Contains(name, "MEMORY"):
		return lakegate.ENOMEM
	case name == "USER_CANCELED" || name == "ADMINISTRATIVELY_KILLED":
		return lakegate.ECANCELED
	case name == "SYNTAX_ERROR" && strings.HasSuffix(qe.Message, " does not exist"):
		// Presto 0.28x names a missing table or schema a syntax error.
		return lakegate.ENOTFOUND
	case strings.HasSuffix(name, "_NOT_FOUND") || name == "MISSING_TABLE" || name == "MISSING_SCHEMA" || name == "MISSING_CATALOG":
		return lakegate.ENOTFOUND
	case name == "SERVER_STARTING_UP" || name == "NO_NODES_AVAILABLE" || qe.ErrorType == "EXTERNAL":
		return lakegate.EUNAVAILABLE
	case qe.ErrorType == "USER_ERROR":
		return lakegate.EINVALID
	case qe.ErrorType == "INSUFFICIENT_RESOURCES":
		return lakegate.ENOMEM
	}
	return lakegate.EINTERNAL
}
