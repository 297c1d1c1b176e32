package duckdb

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/internal/sqlscan"
)

const readOnlyHelp = "only read-only queries (SELECT, WITH, VALUES, EXPLAIN, DESCRIBE, SHOW, SUMMARIZE) are allowed"

// checkReadOnly lets through exactly one SELECT or EXPLAIN statement,
// judged by DuckDB's own parser. It uses (*duckdb.Conn).Prepare, which
// refuses a text of several statements without running any of them;
// PrepareContext and QueryContext would run all but the last.
// It returns the statement's type and the names of its parameters, in
// order.
func (db *DB) checkReadOnly(conn *sql.Conn, text string) (verdict, error) {
	if err := screen(text); err != nil {
		return verdict{}, err
	}
	if readsQueryLog(text) { // every user statement passes here: show it every earlier query
		if err := db.qlog.flush(); err != nil {
			return verdict{}, err
		}
	}
	if v, ok := db.verdicts.get(text); ok {
		return v, nil
	}
	typ, params, err := inspect(conn, text)
	if err != nil {
		return verdict{}, err
	}
	switch typ {
	case duckdb.STATEMENT_TYPE_SELECT:
	case duckdb.STATEMENT_TYPE_EXPLAIN:
		if err := checkExplain(conn, text); err != nil {
			return verdict{}, err
		}
	default:
		return verdict{}, lakegate.Errorf(lakegate.EFORBIDDEN, "%s; got %s", readOnlyHelp, typeName(typ))
	}
	v := verdict{typ: typ, params: params}
	db.verdicts.put(text, v)
	return v, nil
}

// verdict is what the read-only check learned of a text.
type verdict struct {
	typ    duckdb.StmtType
	params []string // parameter names, in order
}

// verdicts remembers the texts that passed the read-only check, with their
// parameter names. Whether a text is one read-only statement depends on the
// text alone, so a repeated query (a canned one, a dashboard's) skips the
// check's Prepare, which binds the views and reads Parquet footers: about
// 3 ms of a 20 ms query (BENCHMARKS.md, HTTP overhead). Refusals are never
// remembered, and a remembered text that no longer binds (a dropped table)
// still fails when it runs, with the same error.
type verdicts struct {
	mu sync.Mutex
	m  map[string]verdict
}

// maxVerdicts bounds the memory of remembered texts; when full, the set
// starts over rather than tracking recency.
const maxVerdicts = 4096

func (v *verdicts) get(text string) (verdict, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	p, ok := v.m[text]
	return p, ok
}

func (v *verdicts) put(text string, vd verdict) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil || len(v.m) >= maxVerdicts {
		v.m = make(map[string]verdict)
	}
	v.m[text] = vd
}

// screen refuses, before anything is prepared, texts whose first keyword
// (or the first keyword of the statement an EXPLAIN explains) starts a
// write. Preparing is not free of effects: DuckDB's binder creates the
// directory of EXPORT DATABASE, and binding "INSERT INTO a_view" fails
// with a confusing binder error. The parser-based check still decides
// everything the screen lets through.
func screen(text string) error {
	if kw := writeKeyword(text); kw != "" {
		return lakegate.Errorf(lakegate.EFORBIDDEN, "%s; got %s", readOnlyHelp, kw)
	}
	for _, target := range explainTargets(text) {
		if kw := writeKeyword(target); kw != "" {
			return lakegate.Errorf(lakegate.EFORBIDDEN, "%s; got EXPLAIN of %s", readOnlyHelp, kw)
		}
	}
	return nil
}

// writeKeywords start statements that are never read-only.
var writeKeywords = map[string]bool{
	"INSERT": true, "UPDATE": true, "DELETE": true, "MERGE": true, "UPSERT": true, "TRUNCATE": true,
	"CREATE": true, "DROP": true, "ALTER": true, "COPY": true, "EXPORT": true, "IMPORT": true,
	"ATTACH": true, "DETACH": true, "INSTALL": true, "LOAD": true, "FORCE": true, "SET": true, "RESET": true,
	"PRAGMA": true, "CALL": true, "CHECKPOINT": true, "VACUUM": true, "ANALYZE": true, "USE": true,
	"BEGIN": true, "START": true, "COMMIT": true, "ROLLBACK": true, "ABORT": true, "END": true,
	"PREPARE": true, "EXECUTE": true, "DEALLOCATE": true, "COMMENT": true, "UPDATE_EXTENSIONS": true,
}

// writeKeyword returns the first keyword of text when it starts a write.
func writeKeyword(text string) string {
	if w := strings.ToUpper(firstWord(text)); writeKeywords[w] {
		return w
	}
	return ""
}

// firstWord is the keyword text starts with, after comments ("" if none).
func firstWord(text string) string {
	if t := sqlscan.First(text); t.Kind == sqlscan.Word {
		return t.Text
	}
	return ""
}

func isPivot(text string) bool {
	w := firstWord(text)
	return strings.EqualFold(w, "PIVOT") || strings.EqualFold(w, "UNPIVOT")
}

// inspect prepares text without executing it and returns its type and
// parameter names.
func inspect(conn *sql.Conn, text string) (duckdb.StmtType, []string, error) {
	typ := duckdb.STATEMENT_TYPE_INVALID
	var params []string
	err := conn.Raw(func(dc any) error {
		st, err := dc.(*duckdb.Conn).Prepare(text)
		if err != nil {
			return err
		}
		defer st.Close()
		ds := st.(*duckdb.Stmt)
		if typ, err = ds.StatementType(); err != nil {
			return err
		}
		for i := 1; i <= ds.NumInput(); i++ {
			name, err := ds.ParamName(i)
			if err != nil {
				return err
			}
			params = append(params, name)
		}
		return nil
	})
	var de *duckdb.Error
	if err != nil && !errors.As(err, &de) {
		// The driver's sentinels are unexported; these texts are those of
		// the pinned duckdb-go version and are covered by tests.
		switch msg := err.Error(); {
		case strings.Contains(msg, "missing context for multi-statement query") && isPivot(text):
			return typ, nil, lakegate.Errorf(lakegate.EINVALID, "PIVOT without an IN list runs several statements; list the values: PIVOT t ON col IN ('a', 'b') USING count(*)")
		case strings.Contains(msg, "missing context for multi-statement query"):
			return typ, nil, lakegate.Errorf(lakegate.EFORBIDDEN, "send one statement per request")
		case strings.Contains(msg, "empty query"):
			return typ, nil, lakegate.Errorf(lakegate.EINVALID, "missing SQL: the text holds no statement, only comments or semicolons")
		}
	}
	return typ, params, err
}

// checkExplain refuses EXPLAIN of anything but a SELECT: EXPLAIN ANALYZE
// runs its statement, so "EXPLAIN ANALYZE COPY ... TO" would write. DuckDB
// does not report the explained statement's type, so explainTargets finds
// the candidate texts after the EXPLAIN prefix and each one DuckDB accepts
// must be a SELECT.
func checkExplain(conn *sql.Conn, text string) error {
	parsed := false
	for _, target := range explainTargets(text) {
		typ, _, err := inspect(conn, target)
		if err != nil {
			continue
		}
		if typ != duckdb.STATEMENT_TYPE_SELECT {
			return lakegate.Errorf(lakegate.EFORBIDDEN, "%s; got EXPLAIN of %s", readOnlyHelp, typeName(typ))
		}
		parsed = true
	}
	if !parsed {
		return lakegate.Errorf(lakegate.EFORBIDDEN, "%s; cannot tell what this EXPLAIN runs: EXPLAIN a single SELECT", readOnlyHelp)
	}
	return nil
}

// explainTargets returns the texts that may be the statement an EXPLAIN
// explains: what follows EXPLAIN, ANALYZE/ANALYSE, VERBOSE and option
// lists in parentheses, and, since "(" may also open a parenthesised
// query, the text from each "(" on. It only skips tokens; DuckDB parses.
func explainTargets(text string) []string {
	if !strings.EqualFold(firstWord(text), "EXPLAIN") {
		return nil
	}
	var out []string
	skipTo := 0 // tokens before this offset belong to an option list
	for t := range sqlscan.Tokens(text) {
		switch {
		case t.Pos < skipTo:
		case t.Kind == sqlscan.Word && (strings.EqualFold(t.Text, "EXPLAIN") || strings.EqualFold(t.Text, "ANALYZE") ||
			strings.EqualFold(t.Text, "ANALYSE") || strings.EqualFold(t.Text, "VERBOSE")):
		case t.Kind == sqlscan.Punct && t.Text == "(":
			out = append(out, text[t.Pos:])
			end := sqlscan.CloseParen(text, t.Pos)
			if end < 0 {
				return out
			}
			skipTo = end + 1
		default:
			return append(out, text[t.Pos:])
		}
	}
	return out
}

var typeNames = map[duckdb.StmtType]string{
	duckdb.STATEMENT_TYPE_INVALID: "INVALID", duckdb.STATEMENT_TYPE_SELECT: "SELECT",
	duckdb.STATEMENT_TYPE_INSERT: "INSERT", duckdb.STATEMENT_TYPE_UPDATE: "UPDATE",
	duckdb.STATEMENT_TYPE_EXPLAIN: "EXPLAIN", duckdb.STATEMENT_TYPE_DELETE: "DELETE",
	duckdb.STATEMENT_TYPE_PREPARE: "PREPARE", duckdb.STATEMENT_TYPE_CREATE: "CREATE",
	duckdb.STATEMENT_TYPE_EXECUTE: "EXECUTE", duckdb.STATEMENT_TYPE_ALTER: "ALTER",
	duckdb.STATEMENT_TYPE_TRANSACTION: "TRANSACTION", duckdb.STATEMENT_TYPE_COPY: "COPY",
	duckdb.STATEMENT_TYPE_ANALYZE: "ANALYZE", duckdb.STATEMENT_TYPE_VARIABLE_SET: "SET",
	duckdb.STATEMENT_TYPE_CREATE_FUNC: "CREATE FUNCTION", duckdb.STATEMENT_TYPE_DROP: "DROP",
	duckdb.STATEMENT_TYPE_EXPORT: "EXPORT", duckdb.STATEMENT_TYPE_PRAGMA: "PRAGMA",
	duckdb.STATEMENT_TYPE_VACUUM: "VACUUM", duckdb.STATEMENT_TYPE_CALL: "CALL",
	duckdb.STATEMENT_TYPE_SET: "SET", duckdb.STATEMENT_TYPE_LOAD: "LOAD/INSTALL",
	duckdb.STATEMENT_TYPE_RELATION: "RELATION", duckdb.STATEMENT_TYPE_EXTENSION: "EXTENSION",
	duckdb.STATEMENT_TYPE_LOGICAL_PLAN: "LOGICAL PLAN", duckdb.STATEMENT_TYPE_ATTACH: "ATTACH",
	duckdb.STATEMENT_TYPE_DETACH: "DETACH", duckdb.STATEMENT_TYPE_MULTI: "MULTI",
}

func typeName(t duckdb.StmtType) string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("statement type %d", t)
}
