package duckdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	_ "embed"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/internal/sqlscan"
)

// PGCatalog answers the PostgreSQL catalog queries that clients send on
// connect and when browsing (pg_catalog.pg_class, information_schema
// .columns, psql's \dt and \d, JDBC's getTables) from lakegate's
// catalog: a tenant's tables are created, empty and with their columns'
// types, in a private in-memory DuckDB whose own pg_catalog emulation
// then answers. Nothing of an engine is in it: no data, no query log, no
// other tenant's tables. It is pgwire's Metadata.
type PGCatalog struct {
	mirrors *lru.Cache[string, *mirror]
}

// mirror is one tenant's tables at one catalog version.
type mirror struct{ db *sql.DB }

// mirrorCacheSize bounds the mirrors kept (tenants × versions in use).
const mirrorCacheSize = 32

// NewPGCatalog makes an empty PGCatalog; mirrors are built on first use.
func NewPGCatalog() *PGCatalog {
	c, _ := lru.NewWithEvict[string, *mirror](mirrorCacheSize, func(_ string, m *mirror) {
		// A query may still read an evicted mirror: close it later.
		time.AfterFunc(time.Minute, func() { m.db.Close() })
	})
	return &PGCatalog{mirrors: c}
}

// Query runs one read-only statement over the mirror of tables. It
// returns EFORBIDDEN for anything but one SELECT or EXPLAIN, EINVALID
// for SQL DuckDB's catalog cannot answer.
func (p *PGCatalog) Query(ctx context.Context, tables []lakegate.Table, version int64, text string, params []any) (lakegate.Rows, error) {
	m, err := p.mirror(ctx, tables, version)
	if err != nil {
		return nil, err
	}
	conn, err := m.db.Conn(ctx)
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "pg catalog: no connection")
	}
	text = rewriteCatalogSQL(text)
	if err := checkMirrorSQL(conn, text); err != nil {
		conn.Close()
		return nil, err
	}
	rs, err := conn.QueryContext(ctx, text, params...)
	if err != nil {
		conn.Close()
		return nil, mirrorError(err)
	}
	r, err := newMirrorRows(conn, rs)
	if err != nil {
		rs.Close()
		conn.Close()
		return nil, mirrorError(err)
	}
	return r, nil
}

// checkMirrorSQL lets through one SELECT or EXPLAIN, as the engine does:
// a mirror is shared by a tenant's connections.
func checkMirrorSQL(conn *sql.Conn, text string) error {
	if err := screen(text); err != nil {
		return err
	}
	typ, _, err := inspect(conn, text)
	if err != nil {
		return mirrorError(err)
	}
	if typ != duckdb.STATEMENT_TYPE_SELECT && typ != duckdb.STATEMENT_TYPE_EXPLAIN {
		return lakegate.Errorf(lakegate.EFORBIDDEN, "%s; got %s", readOnlyHelp, typeName(typ))
	}
	return nil
}

func mirrorError(err error) error {
	if lakegate.ErrorCode(err) != lakegate.EINTERNAL {
		return err
	}
	return lakegate.Wrap(lakegate.EINVALID, err, "catalog query: %s", firstLine(engineMessage(err)))
}

// mirror returns the tables' mirror, building it on first use.
func (p *PGCatalog) mirror(ctx context.Context, tables []lakegate.Table, version int64) (*mirror, error) {
	key := mirrorKey(tables, version)
	if m, ok := p.mirrors.Get(key); ok {
		return m, nil
	}
	m, err := buildMirror(ctx, tables)
	if err != nil {
		return nil, err
	}
	p.mirrors.Add(key, m)
	return m, nil
}

// mirrorKey names a set of tables by all a mirror shows of them (names,
// columns, descriptions): two tenants share a mirror only when it shows
// the same for both, so nothing of one can reach the other.
func mirrorKey(tables []lakegate.Table, version int64) string {
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = fmt.Sprintf("%q.%q@%d %q %v %v", t.Database, t.Name, t.Version, t.Description, t.Columns, t.PartitionKeys)
	}
	sort.Strings(names)
	h := sha256.Sum256([]byte(strings.Join(names, "\n")))
	return fmt.Sprintf("%d/%s", version, hex.EncodeToString(h[:8]))
}

func buildMirror(ctx context.Context, tables []lakegate.Table) (*mirror, error) {
	// Every connection sets the search path, whose schemas must exist:
	// the first one (which then runs the DDL) creates them.
	init := mirrorSearchPath(tables)
	connector, err := duckdb.NewConnector("", func(ex driver.ExecerContext) error {
		for _, s := range init {
			if _, err := ex.ExecContext(context.Background(), s, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EINTERNAL, err, "pg catalog: cannot open DuckDB")
	}
	db := sql.OpenDB(connector)
	for _, s := range mirrorDDL(tables) {
		if _, err := db.ExecContext(ctx, s); err != nil {
			db.Close()
			return nil, lakegate.Wrap(lakegate.EINTERNAL, err, "pg catalog: %s", s)
		}
	}
	return &mirror{db: db}, nil
}

//go:embed pgcompat.sql
var pgcompatSQL string

var (
	operatorRE   = regexp.MustCompile(`(?i)OPERATOR\(\s*pg_catalog\.([^)\s]+)\s*\)`)
	collateRE    = regexp.MustCompile(`(?i)\bCOLLATE\s+(?:pg_catalog\.)?"?default"?`)
	pgCatalogRE  = regexp.MustCompile(`(?i)\bpg_catalog\.`)
	infoSchemaRE = regexp.MustCompile(`(?i)\binformation_schema\.(tables|columns|schemata|views)\b`)
	expandRE     = regexp.MustCompile(`(?i)\binformation_schema\._pg_expandarray\b`)
	arrayAllRE   = regexp.MustCompile(`(?i)\b(ALL|ANY)\s*\(\s*'\{([^'{}]*)\}'(?:\s*::\s*\w+\s*\[\])?\s*\)`)
	castOpenRE   = regexp.MustCompile(`(?i)\bCAST\s*\(`)
	asRegclassRE = regexp.MustCompile(`(?i)\s+AS\s+REGCLASS\s*$`)
	regclassRE   = regexp.MustCompile(`(?i)'([\w.]+)'\s*::\s*regclass\b`)
)

// castRegclass turns CAST(expr AS REGCLASS) into to_regclass(expr), as
// regclassRE does for a literal (Metabase's describe-fields casts a
// format()ted name).
func castRegclass(text string) string {
	var out strings.Builder
	for {
		loc := castOpenRE.FindStringIndex(text)
		if loc == nil {
			return out.String() + text
		}
		end := sqlscan.CloseParen(text, loc[1]-1) // loc[1]-1: CAST's "("
		inner := ""
		if end >= 0 {
			inner = text[loc[1]:end]
		}
		if end < 0 || !asRegclassRE.MatchString(inner) {
			out.WriteString(text[:loc[1]])
			text = text[loc[1]:]
			continue
		}
		out.WriteString(text[:loc[0]] + "to_regclass(" + castRegclass(asRegclassRE.ReplaceAllString(inner, "")) + ")")
		text = text[end+1:]
	}
}

// rewriteCatalogSQL turns PostgreSQL's catalog SQL into what the mirror
// answers: OPERATOR(pg_catalog.~) is ~, COLLATE default goes, and
// pg_catalog. is dropped so that pgcompat's objects, first on the search
// path, stand in for what DuckDB's pg_catalog lacks; information_schema's
// main views become pgcompat's, which hide the mirror's own schemas.
func rewriteCatalogSQL(text string) string {
	text = operatorRE.ReplaceAllString(text, "$1")
	text = collateRE.ReplaceAllString(text, "")
	text = pgCatalogRE.ReplaceAllString(text, "")
	text = infoSchemaRE.ReplaceAllString(text, "pgcompat.information_schema_$1")
	text = expandRE.ReplaceAllString(text, "pgcompat._pg_expandarray") // JDBC's getPrimaryKeys
	// x <> ALL ('{a,b}'::text[]): an array literal, which DuckDB compares with a
	// list only (JDBC's getSQLKeywords, for DBeaver).
	text = arrayAllRE.ReplaceAllString(text, "$1 (SELECT unnest(string_split('$2', ',')))")
	text = castRegclass(text)
	// 'pg_class'::regclass (JDBC's getTables) names a relation: regclass
	// is a number here, so the name is looked up.
	text = regclassRE.ReplaceAllString(text, "to_regclass('$1')")
	// psql's \d reads a publication's columns as prattrs[s] with s a
	// generate_series alias, which DuckDB takes as the whole row.
	return strings.ReplaceAll(text, "prattrs[s]", "prattrs[s.generate_series]")
}

// mirrorDDL creates each table's schema and the table, then confines the
// DuckDB: no files, no extensions, settings frozen.
func mirrorDDL(tables []lakegate.Table) []string {
	var stmts []string
	var lines []string
	for _, l := range strings.Split(pgcompatSQL, "\n") {
		if !strings.HasPrefix(l, "--") {
			lines = append(lines, l)
		}
	}
	for _, s := range strings.Split(strings.Join(lines, "\n"), ";\n") {
		if s = strings.TrimSpace(s); s != "" {
			stmts = append(stmts, s)
		}
	}
	schemas := map[string]bool{}
	for _, t := range tables {
		if !schemas[t.Database] {
			schemas[t.Database] = true
			stmts = append(stmts, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(t.Database))
		}
		stmts = append(stmts, tableDDL(t)...)
	}
	names := make([]string, 0, len(schemas))
	for s := range schemas {
		names = append(names, s)
	}
	sort.Strings(names)
	current := "public"
	if len(names) > 0 {
		current = names[0]
	}
	// current_schema() names the first database, not pgcompat (first on
	// the search path). No lock_configuration: each new connection sets
	// its search path, and clients' SET statements never reach a mirror
	// (checkMirrorSQL lets SELECT and EXPLAIN through only).
	stmts = append(stmts, "CREATE MACRO pgcompat.current_schema() AS "+quoteString(current))
	return append(stmts, "SET threads=1", "SET memory_limit='256MB'", "SET enable_external_access=false",
		"SET autoinstall_known_extensions=false", "SET autoload_known_extensions=false")
}

// mirrorSearchPath creates the schemas and puts pgcompat first on the
// search path, then the tables' databases.
func mirrorSearchPath(tables []lakegate.Table) []string {
	seen := map[string]bool{}
	path := []string{"pgcompat"}
	for _, t := range tables {
		if !seen[t.Database] {
			seen[t.Database] = true
			path = append(path, t.Database)
		}
	}
	sort.Strings(path[1:])
	var stmts []string
	for _, s := range path {
		stmts = append(stmts, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(s))
	}
	return append(stmts, "SET search_path="+quoteString(strings.Join(append(path, "main"), ",")))
}

func tableDDL(t lakegate.Table) []string {
	name := quoteIdent(t.Database) + "." + quoteIdent(t.Name)
	var cols []string
	seen := map[string]bool{}
	var comments []string
	for _, c := range append(append([]lakegate.Column(nil), t.Columns...), t.PartitionKeys...) {
		if seen[c.Name] {
			continue
		}
		seen[c.Name] = true
		cols = append(cols, quoteIdent(c.Name)+" "+mirrorType(c.Type))
		if c.Comment != "" {
			comments = append(comments, "COMMENT ON COLUMN "+name+"."+quoteIdent(c.Name)+" IS "+quoteString(c.Comment))
		}
	}
	stmts := []string{"CREATE TABLE " + name + " (" + strings.Join(cols, ", ") + ")"}
	if t.Description != "" {
		stmts = append(stmts, "COMMENT ON TABLE "+name+" IS "+quoteString(t.Description))
	}
	return append(stmts, comments...)
}

// mirrorType is a column's type as DuckDB declares it; a catalog type
// DuckDB does not know (Hive's string, a Presto row) becomes VARCHAR.
func mirrorType(typ string) string {
	t := strings.TrimSpace(typ)
	if t == "" || strings.ContainsAny(t, ";'\"") {
		return "VARCHAR"
	}
	switch strings.ToLower(t) {
	case "string":
		return "VARCHAR"
	case "int":
		return "INTEGER"
	}
	if strings.HasPrefix(strings.ToLower(t), "array<") || strings.HasPrefix(strings.ToLower(t), "struct<") || strings.HasPrefix(strings.ToLower(t), "map<") {
		return "VARCHAR"
	}
	return t
}

// mirrorRows is a cursor over a mirror's answer; it owns its connection.
type mirrorRows struct {
	scanner
	conn *sql.Conn
}

func newMirrorRows(conn *sql.Conn, rs *sql.Rows) (*mirrorRows, error) {
	s, err := newScanner(rs)
	if err != nil {
		return nil, err
	}
	return &mirrorRows{scanner: s, conn: conn}, nil
}

func (r *mirrorRows) Err() error {
	if err := r.scanErr(); err != nil {
		return mirrorError(err)
	}
	return nil
}

func (r *mirrorRows) Close() error {
	r.rs.Close()
	return r.conn.Close()
}
