package duckdb

import (
	"context"
	"errors"
	"regexp"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/lakegate/lakegate"
)

// mapError turns a DuckDB or driver error into an application error whose
// message is the engine's, minus server paths. The context is consulted
// first: an interrupted query reports why it was interrupted.
func (db *DB) mapError(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return lakegate.Wrap(lakegate.ETIMEOUT, err, "the query ran longer than its time limit; narrow it (filter on ingest_date, add LIMIT) or raise the timeout")
	case errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled):
		return lakegate.Wrap(lakegate.ECANCELED, err, "the query was canceled")
	}
	var le *lakegate.Error
	if errors.As(err, &le) {
		return err
	}
	var de *duckdb.Error
	if !errors.As(err, &de) {
		if strings.Contains(err.Error(), "could not bind parameter") || strings.Contains(err.Error(), "unsupported data type") {
			return lakegate.Wrap(lakegate.EINVALID, err, "%s", db.clean(err.Error()))
		}
		return lakegate.Wrap(lakegate.EINTERNAL, err, "duckdb engine failed")
	}
	if de.Type == duckdb.ErrorTypeOutOfMemory {
		return lakegate.Wrap(lakegate.ENOMEM, err, "the query needs more memory than memory_limit allows: %s; add filters or raise memory_limit",
			db.clean(firstLine(engineMessage(de))))
	}
	return lakegate.Wrap(errorCode(de), err, "%s", rewriteAdvice(db.clean(engineMessage(de))))
}

// settingAdvice finds DuckDB's advice to change a setting ("Use \"SET
// max_expression_depth TO x\" to ..."), which the gateway refuses.
var settingAdvice = regexp.MustCompile(`(?i:use|try|consider)\b[^.\n]*\bSET [a-z_]+[^.\n]*\.?`)

// adviceFor says what a client can do instead, per setting.
var adviceFor = map[string]string{
	"max_expression_depth": "The gateway keeps this limit: write the expression with less nesting (an IN list or a CASE instead of deeply nested calls, operators or parentheses), or split it into CTEs.",
}

// rewriteAdvice replaces DuckDB's advice to change a setting, which the
// gateway refuses, with what the user can do instead.
func rewriteAdvice(msg string) string {
	return settingAdvice.ReplaceAllStringFunc(msg, func(advice string) string {
		for name, say := range adviceFor {
			if strings.Contains(advice, name) {
				return say
			}
		}
		return "Settings cannot be changed through the gateway; change the query instead."
	})
}

// firstLine drops the advice DuckDB appends to some errors (such as "SET
// threads=X" after an out-of-memory error), which clients cannot follow.
func firstLine(msg string) string {
	line, _, _ := strings.Cut(msg, "\n")
	return strings.TrimSpace(line)
}

// errorCode classifies a DuckDB error by its type.
func errorCode(de *duckdb.Error) string {
	switch de.Type {
	case duckdb.ErrorTypeCatalog:
		if isMissingRelation(de.Msg) {
			return lakegate.ENOTFOUND
		}
		return lakegate.EINVALID // e.g. an unknown function
	case duckdb.ErrorTypeOutOfMemory:
		// Only what cannot spill fails: joins, sorts and GROUP BY spill to
		// DuckDB's temp directory; a huge list() or string_agg() cannot.
		return lakegate.ENOMEM
	case duckdb.ErrorTypePermission:
		return lakegate.EFORBIDDEN
	case duckdb.ErrorTypeInterrupt:
		return lakegate.ECANCELED // interrupted without a context: the engine closed
	case duckdb.ErrorTypeIO, duckdb.ErrorTypeNetwork, duckdb.ErrorTypeHTTP, duckdb.ErrorTypeConnection:
		return lakegate.EUNAVAILABLE
	case duckdb.ErrorTypeInternal, duckdb.ErrorTypeFatal, duckdb.ErrorTypeNullPointer, duckdb.ErrorTypeSerialization:
		return lakegate.EINTERNAL
	case duckdb.ErrorTypeInvalidInput:
		if strings.Contains(de.Msg, unavailableMarker) {
			return lakegate.EUNAVAILABLE // a broken table's view, see brokenView
		}
	}
	// Parser, binder, conversion, invalid input, out of range, division by
	// zero...: the query is at fault, and the engine's message says why.
	return lakegate.EINVALID
}

// isMissingRelation tells a missing table or schema, which is ENOTFOUND,
// from other catalog errors such as an unknown function.
func isMissingRelation(msg string) bool {
	for _, s := range []string{"Table with name", "Schema with name", "Catalog with name", "because schema"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// engineMessage is DuckDB's message without its "<Kind> Error: " prefix,
// which the application error code replaces.
func engineMessage(err error) string {
	msg := err.Error()
	var de *duckdb.Error
	if errors.As(err, &de) {
		msg = de.Msg
	}
	if prefix, rest, ok := strings.Cut(msg, ": "); ok && strings.HasSuffix(prefix, "Error") && !strings.Contains(prefix, "\n") {
		msg = rest
	}
	return strings.TrimSpace(msg)
}

// clean replaces the lake directory in an engine message with <lake>, so
// that server paths never reach clients.
func (db *DB) clean(msg string) string {
	return strings.ReplaceAll(msg, db.lake, "<lake>")
}
