package duckdb

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"strings"
)

// System.query_log is the name users know the query log by, but DuckDB
// reserves the catalog "system" (see QueryLogSchema). So a statement that
// names system.query_log is rewritten on its syntax tree, never on its
// text: DuckDB's parser serializes it (json_serialize_sql), the table
// references schema "system", table "query_log" are renamed to the
// lakegate schema, and DuckDB turns the tree back into SQL
// (json_deserialize_sql). The result then goes through the read-only check
// like any other text. Statements the serializer cannot express (EXPLAIN,
// DESCRIBE, several statements) stay as written and fail to bind as before.

// aliasQueryLog returns text with system.query_log renamed, or text
// unchanged when it does not name it or cannot be rewritten.
func aliasQueryLog(ctx context.Context, conn *sql.Conn, text string) string {
	low := strings.ToLower(text)
	if !strings.Contains(low, "system") || !strings.Contains(low, QueryLogTable) {
		return text
	}
	var tree string
	if err := conn.QueryRowContext(ctx, "SELECT json_serialize_sql(?::VARCHAR)::VARCHAR", text).Scan(&tree); err != nil {
		return text
	}
	renamed, ok := renameSystemLog(tree)
	if !ok {
		return text
	}
	var out string
	if err := conn.QueryRowContext(ctx, "SELECT json_deserialize_sql(?::JSON)", renamed).Scan(&out); err != nil {
		return text
	}
	return out
}

// renameSystemLog renames every system.query_log reference in a
// serialized statement; ok is false when there was none or the tree is an
// error or holds more than one statement. Numbers stay json.Number so
// constants survive the round trip exactly.
func renameSystemLog(tree string) (string, bool) {
	dec := json.NewDecoder(strings.NewReader(tree))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil || doc["error"] == true {
		return "", false
	}
	if stmts, _ := doc["statements"].([]any); len(stmts) != 1 {
		return "", false
	}
	if !renameRefs(doc) {
		return "", false
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return "", false
	}
	return buf.String(), true
}

// renameRefs walks the tree and renames matching BASE_TABLE references.
func renameRefs(node any) bool {
	found := false
	switch n := node.(type) {
	case map[string]any:
		if n["type"] == "BASE_TABLE" && n["catalog_name"] == "" &&
			strings.EqualFold(str(n["schema_name"]), "system") && strings.EqualFold(str(n["table_name"]), QueryLogTable) {
			n["schema_name"], n["table_name"] = QueryLogSchema, QueryLogTable
			found = true
		}
		for _, v := range n {
			found = renameRefs(v) || found
		}
	case []any:
		for _, v := range n {
			found = renameRefs(v) || found
		}
	}
	return found
}

func str(v any) string { s, _ := v.(string); return s }
