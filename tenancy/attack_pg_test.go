package tenancy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/pgwire"
	"github.com/lakegate/lakegate/server"
)

// startPG serves srv's pipeline over the PostgreSQL protocol, as serve
// does with pg_addr, and returns its address.
func startPG(t *testing.T, srv *server.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pg := pgwire.New(pgwire.Options{Gateway: srv, Metadata: duckdb.NewPGCatalog()})
	go pg.Serve(ln)
	t.Cleanup(func() { pg.Close() })
	return ln.Addr().String()
}

// pgConn connects as user with token over the PostgreSQL protocol.
func (f *fixture) pgConn(t *testing.T, user, token string) (*pgx.Conn, error) {
	host, port, _ := net.SplitHostPort(f.pgAddr)
	c, err := pgx.Connect(context.Background(), fmt.Sprintf("postgres://%s:%s@%s:%s/lakegate?sslmode=disable", user, token, host, port))
	if err == nil {
		t.Cleanup(func() { c.Close(context.Background()) })
	}
	return c, err
}

// pgAnswer is everything a client reads for sql: its columns, its rows
// as text, or its error.
func pgAnswer(c *pgx.Conn, sql string) string {
	rows, err := c.Query(context.Background(), sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return "ERROR " + err.Error()
	}
	defer rows.Close()
	var b strings.Builder
	for _, fd := range rows.FieldDescriptions() {
		b.WriteString(fd.Name + "\t")
	}
	b.WriteString("\n")
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return b.String() + "ERROR " + err.Error()
		}
		fmt.Fprintln(&b, vals...)
	}
	if err := rows.Err(); err != nil {
		b.WriteString("ERROR " + err.Error())
	}
	return b.String()
}

// TestTenantIsolationAttacksOverPG runs the attack suite's SQL through the
// PostgreSQL protocol as acme's analyst, with the catalog queries that
// only this protocol answers (pg_catalog, information_schema, psql's \dt
// and \d), and the sign-ins of one tenant's user with another's token.
func TestTenantIsolationAttacksOverPG(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server over two tenants' lake")
	}
	f := newFixture(t)
	acme, err := f.pgConn(t, "ana", f.tok[tokAcme])
	if err != nil {
		t.Fatal(err)
	}
	if got := pgAnswer(acme, "SELECT user_exam_id FROM assessments.attempts ORDER BY 1 LIMIT 3"); !strings.Contains(got, f.acmeIDs[0]) {
		t.Fatalf("acme does not see its own rows over pg: %s", got)
	}
	if got := pgAnswer(acme, "SELECT table_schema, table_name FROM information_schema.tables"); !strings.Contains(got, "attempts") {
		t.Fatalf("acme does not see its own tables over pg: %s", got)
	}
	var sqls []string
	for _, a := range append(queryLogAttacks(), attacks(f)...) {
		if a.sql != "" && a.method == "" && a.path == "" && a.auth == "" && a.cwd == "" && !a.poll {
			sqls = append(sqls, a.sql)
		}
	}
	sqls = append(sqls, pgCatalogProbes...)
	for _, sql := range sqls {
		got := pgAnswer(acme, sql)
		t.Logf("%s -> %.200s", sql, got)
		// As a JSON string, the answer reads as the HTTP suite's bodies
		// do, so that shows tells the attacker's own SQL from a leak.
		raw, _ := json.Marshal(got)
		echo := append(echoes(sql), sql)
		own := f.lake + "/tenants/acme" // the engine shows acme's own directory as <lake>
		for _, e := range echo {
			if strings.Contains(e, own) {
				echo = append(echo, strings.ReplaceAll(e, own, "<lake>"))
			}
		}
		if m := f.leaked(string(raw), echo); m != "" {
			t.Errorf("LEAK over pg: %s answers beta's %q:\n%s", sql, m, got)
		}
		if strings.HasPrefix(got, "ERROR") {
			for _, inside := range []string{f.lake, "tenants/", "acme__", "/_catalog"} {
				if shows(string(raw), inside, echo) {
					t.Errorf("the error message of %s shows %q: %s", sql, inside, got)
				}
			}
		}
	}
	for user, tok := range map[string]string{"ana": f.tok[tokBeta], "bob": f.tok[tokAcme], "root": "lg_0123456789abcdef_" + strings.Repeat("0", 64)} {
		if _, err := f.pgConn(t, user, tok); err == nil || !strings.Contains(err.Error(), "28P01") {
			t.Errorf("sign in as %s with another's token: %v", user, err)
		}
	}
}

// pgCatalogProbes reach for beta's names through the catalog queries
// the PostgreSQL protocol answers from lakegate's catalog.
var pgCatalogProbes = []string{
	`SELECT * FROM pg_catalog.pg_class`,
	`SELECT * FROM pg_catalog.pg_namespace`,
	`SELECT * FROM pg_catalog.pg_attribute`,
	`SELECT * FROM pg_catalog.pg_description`,
	`SELECT * FROM pg_catalog.pg_tables`,
	`SELECT * FROM pg_catalog.pg_views`,
	`SELECT * FROM pg_catalog.pg_database`,
	`SELECT * FROM information_schema.tables`,
	`SELECT * FROM information_schema.columns`,
	`SELECT * FROM information_schema.schemata`,
	`SELECT * FROM pg_class WHERE relname = 'plans'`,
	`SELECT current_schema(), current_database(), version()`,
	`SELECT * FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname OPERATOR(pg_catalog.~) '^(secret)$'`,
	`SELECT * FROM duckdb_tables() WHERE 'pg_class' IS NOT NULL`,
	`SELECT * FROM read_parquet('tenants/beta/secret/plans/*.parquet'), pg_catalog.pg_class LIMIT 1`,
	`SELECT * FROM pg_catalog.pg_settings`,
	`SET lakegate.engine = 'duckdb'`,
	`SHOW ALL`,
}
