package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// pgLake lands two tenants' attempts (acme, beta), makes an analyst token
// for each and serves the lake with the PostgreSQL protocol on; it
// returns the HTTP base, the protocol's port and the tokens.
func pgLake(t *testing.T, serveArgs ...string) (base, port, acme, beta string) {
	t.Helper()
	lake := t.TempDir()
	for tenant, seed := range map[string]string{"acme": "1", "beta": "2"} {
		src := filepath.Join(t.TempDir(), tenant+".json")
		mustRun(t, "generate", "assessments", "--attempts", "150", "--seed", seed, "-o", src)
		mustRun(t, "ingest", "assessments", src, "--lake", lake, "--tenant", tenant)
	}
	acme = createToken(t, lake, "ana", "analyst")
	beta = strings.TrimSpace(mustRun(t, "token", "create", "--lake", lake, "--user", "bo", "--tenant", "beta", "--role", "analyst"))
	port = freePort(t)
	base, _ = startApp(t, append([]string{"serve", "--lake", lake, "--pg-addr", "127.0.0.1:" + port}, serveArgs...)...)
	return base, port, acme, beta
}

func pgConnect(t *testing.T, port, user, token string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), fmt.Sprintf("postgres://%s:%s@127.0.0.1:%s/lakegate?sslmode=disable", user, token, port))
	if err != nil {
		t.Fatalf("connect as %s: %v", user, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// pgState is the SQLSTATE of a PostgreSQL error ("" for none).
func pgState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestPGWireWithPgx(t *testing.T) {
	base, port, acme, beta := pgLake(t)
	ctx := context.Background()
	ana := pgConnect(t, port, "ana", acme)

	// A business question with a parameter, over the extended protocol,
	// answers what HTTP answers.
	sql := "SELECT exam_name, count(*) AS n FROM assessments.attempts WHERE exam_name <> $1 GROUP BY 1 ORDER BY 1"
	rows, err := ana.Query(ctx, sql, "nothing")
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	got.WriteString("exam_name,n\n")
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&got, "%s,%d\n", name, n)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	want := unquoteCSV(t, csvQuery(t, base, acme, strings.ReplaceAll(sql, "$1", "'nothing'"), ""))
	if got.String() != want {
		t.Errorf("pg answer:\n%s\nHTTP answer:\n%s", got.String(), want)
	}

	// The query log knows the protocol.
	if n := csvQuery(t, base, acme, "SELECT count(*) AS n FROM lakegate.query_log WHERE protocol = 'pg' AND username LIKE 'ana%'", ""); n == "n\n0\n" {
		t.Errorf("no query_log entry with protocol = 'pg': %s", n)
	}

	// The simple protocol too, and a tenant sees its own rows only.
	ids := "SELECT DISTINCT user_exam_id FROM assessments.attempts ORDER BY 1"
	for user, tok := range map[string]string{"ana": acme, "bo": beta} {
		c := pgConnect(t, port, user, tok)
		var list []string
		rows, err := c.Query(ctx, ids, pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			t.Fatal(err)
		}
		list, err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if want := csvQuery(t, base, tok, ids, ""); "user_exam_id\n"+strings.Join(list, "\n")+"\n" != want {
			t.Errorf("%s over pg sees %d ids, over HTTP %d", user, len(list), lines(want))
		}
	}
}

// unquoteCSV rewrites CSV without its quotes (values hold no commas).
func unquoteCSV(t *testing.T, text string) string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range recs {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return b.String()
}

func TestPGWireTypes(t *testing.T) {
	_, port, acme, _ := pgLake(t)
	ana := pgConnect(t, port, "ana", acme)
	var (
		i     int64
		f     float64
		s     string
		b     bool
		d     time.Time
		ts    time.Time
		js    map[string]any
		dec   string
		nulls *string
	)
	var arr2 []*int32 // the list holds a NULL
	err := ana.QueryRow(context.Background(), `SELECT 42::BIGINT, 1.5::DOUBLE, 'héllo', true, DATE '2026-01-02', TIMESTAMP '2026-01-02 03:04:05.5',
		[1, 2, NULL]::INTEGER[], {'a': 1, 'b': 'x'}, CAST(12.345 AS DECIMAL(10,3)), NULL::VARCHAR`).Scan(&i, &f, &s, &b, &d, &ts, &arr2, &js, &dec, &nulls)
	if err != nil {
		t.Fatal(err)
	}
	if i != 42 || f != 1.5 || s != "héllo" || !b || d.Format("2006-01-02") != "2026-01-02" || ts.Format("15:04:05.0") != "03:04:05.5" ||
		len(arr2) != 3 || *arr2[1] != 2 || arr2[2] != nil || js["b"] != "x" || dec != "12.345" || nulls != nil {
		t.Errorf("values: %v %v %q %v %v %v %v %v %q %v", i, f, s, b, d, ts, arr2, js, dec, nulls)
	}
}

func TestPGWireErrorsAndLimits(t *testing.T) {
	_, port, acme, _ := pgLake(t)
	ctx := context.Background()
	ana := pgConnect(t, port, "ana", acme)
	for sql, state := range map[string]string{
		"CREATE TABLE x AS SELECT 1":             "42501",
		"SELEC 1":                                "42601",
		"SELECT * FROM assessments.nothing_here": "42P01",
	} {
		if _, err := ana.Exec(ctx, sql); pgState(err) != state {
			t.Errorf("%s: %v, want SQLSTATE %s", sql, err, state)
		}
	}
	// The connection goes on after an error.
	var one int
	if err := ana.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("after errors: %v %d", err, one)
	}
	// A wrong token, or another user's, is refused with 28P01.
	for user, tok := range map[string]string{"ana": "lg_0000000000000000_" + strings.Repeat("0", 64), "bo": acme} {
		_, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s:%s@127.0.0.1:%s/lakegate?sslmode=disable", user, tok, port))
		if pgState(err) != "28P01" {
			t.Errorf("sign in as %s with a bad token: %v", user, err)
		}
	}
	// Cancelling the context sends a cancel request: the engine stops.
	qctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := ana.Exec(qctx, "SELECT sum(i) FROM range(100000000000) t(i)")
	if err == nil || time.Since(start) > 20*time.Second {
		t.Fatalf("a cancelled query: %v after %s", err, time.Since(start))
	}
}

func TestPGWireCatalogIsTheTenants(t *testing.T) {
	_, port, acme, _ := pgLake(t)
	ana := pgConnect(t, port, "ana", acme)
	rows, err := ana.Query(context.Background(),
		"SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(names, ","), "assessments.attempts") || strings.Contains(strings.Join(names, ","), "query_log") {
		t.Errorf("information_schema.tables: %v", names)
	}
}

// TestPGWireLimitsAndTLS: the connection limits answer 53300, an idle
// connection is closed, an oversized message ends only its connection,
// and with a certificate the protocol speaks TLS.
func TestPGWireLimitsAndTLS(t *testing.T) {
	cert, key, pool := selfSigned(t)
	_, port, acme, _ := pgLake(t, "--pg-max-conns-per-user", "2", "--pg-idle-timeout", "1s", "--tls-cert", cert, "--tls-key", key)
	ctx := context.Background()
	url := fmt.Sprintf("postgres://ana:%s@127.0.0.1:%s/lakegate", acme, port)
	cfg, err := pgx.ParseConfig(url + "?sslmode=verify-full")
	if err != nil {
		t.Fatal(err)
	}
	cfg.TLSConfig.RootCAs, cfg.TLSConfig.ServerName = pool, "127.0.0.1"
	first, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("TLS connect: %v", err)
	}
	defer first.Close(ctx)
	var one int
	if err := first.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		t.Fatalf("a query over TLS: %v", err)
	}
	second, err := pgx.Connect(ctx, url+"?sslmode=require")
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close(ctx)
	if _, err := pgx.Connect(ctx, url+"?sslmode=require"); pgState(err) != "53300" {
		t.Errorf("a third connection of a user allowed two: %v", err)
	}
	// Both are idle past 1s: the server closes them.
	time.Sleep(1500 * time.Millisecond)
	if err := first.Ping(ctx); err == nil {
		t.Error("an idle connection outlived pg_idle_timeout")
	}
	third, err := pgx.Connect(ctx, url+"?sslmode=require")
	if err != nil {
		t.Fatalf("after the idle ones closed: %v", err)
	}
	defer third.Close(ctx)
	big := strings.Repeat("x", 5<<20)
	if _, err := third.Exec(ctx, "SELECT '"+big+"'"); err == nil {
		t.Error("a 5 MB message was taken")
	}
	fresh, err := pgx.Connect(ctx, url+"?sslmode=require")
	if err != nil {
		t.Fatalf("the server after an oversized message: %v", err)
	}
	fresh.Close(ctx)
}

// TestPGWirePresto: SET lakegate.engine = 'presto' sends the session's
// queries to the Presto peer, as "engine": "presto" does over HTTP.
func TestPGWirePresto(t *testing.T) {
	port := freePort(t)
	base := prestoGateway(t, "--pg-addr", "127.0.0.1:"+port)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, "postgres://anyone@127.0.0.1:"+port+"/lakegate?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SET lakegate.engine = 'presto'"); err != nil {
		t.Fatal(err)
	}
	var onPresto, onDuck int64
	if err := conn.QueryRow(ctx, "SELECT count(*) AS presto_count FROM assessments.attempts").Scan(&onPresto); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "SET lakegate.engine TO duckdb"); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM assessments.attempts").Scan(&onDuck); err != nil {
		t.Fatal(err)
	}
	if onPresto != onDuck || onPresto == 0 {
		t.Errorf("count: presto %d, duckdb %d", onPresto, onDuck)
	}
	_, a, _ := ask(t, "POST", base+"/v1/query", `{"sql":"SELECT engine FROM lakegate.query_log WHERE protocol = 'pg' AND sql LIKE '%presto_count%' AND code IS NULL"}`)
	if len(a.Rows) == 0 || a.Rows[len(a.Rows)-1][0] != "presto" {
		t.Errorf("the query log of the pg query: %+v", a)
	}
}

// TestPGWireSignInMethods: by default the server asks for a SCRAM-SHA-256
// proof (the token never travels); with --pg-auth password it asks for
// the token in clear. pgx signs in both ways; a revoked token is refused
// with 28P01 and says so.
func TestPGWireSignInMethods(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		args []string
		want pgproto3.BackendMessage
	}{
		{nil, &pgproto3.AuthenticationSASL{}},
		{[]string{"--pg-auth", "password"}, &pgproto3.AuthenticationCleartextPassword{}},
	} {
		_, port, acme, _ := pgLake(t, c.args...)
		if got := firstAuthRequest(t, port); fmt.Sprintf("%T", got) != fmt.Sprintf("%T", c.want) {
			t.Errorf("%v: the server asks %T, want %T", c.args, got, c.want)
		}
		if got, ok := firstAuthRequest(t, port).(*pgproto3.AuthenticationSASL); ok && strings.Join(got.AuthMechanisms, ",") != "SCRAM-SHA-256" {
			t.Errorf("mechanisms %v, want SCRAM-SHA-256", got.AuthMechanisms)
		}
		ana := pgConnect(t, port, "ana", acme)
		var one int
		if err := ana.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
			t.Errorf("%v: %v", c.args, err)
		}
	}
	lake := t.TempDir()
	tok := createToken(t, lake, "ana", "analyst")
	mustRun(t, "token", "revoke", "--lake", lake, tokenID(t, tok))
	port := freePort(t)
	startApp(t, "serve", "--lake", lake, "--pg-addr", "127.0.0.1:"+port)
	_, err := pgx.Connect(ctx, fmt.Sprintf("postgres://ana:%s@127.0.0.1:%s/lakegate?sslmode=disable", tok, port))
	if pgState(err) != "28P01" || !strings.Contains(err.Error(), "revoked") {
		t.Errorf("a revoked token over SCRAM: %v", err)
	}
}

// firstAuthRequest sends a startup message as ana and returns the
// server's first answer.
func firstAuthRequest(t *testing.T, port string) pgproto3.BackendMessage {
	t.Helper()
	nc, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	fe := pgproto3.NewFrontend(nc, nc)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: map[string]string{"user": "ana", "database": "lakegate"}})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	msg, err := fe.Receive()
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// TestPGWireOutOfMemory: a query past the engine's memory_limit answers
// SQLSTATE 53200, and the connection goes on.
func TestPGWireOutOfMemory(t *testing.T) {
	_, port, acme, _ := pgLake(t, "--memory-limit", "64MB")
	ctx := context.Background()
	ana := pgConnect(t, port, "ana", acme)
	// One 50-million-element list: an aggregate state DuckDB cannot spill.
	_, err := ana.Exec(ctx, "SELECT length(list(range)) FROM range(50000000)")
	if pgState(err) != "53200" {
		t.Fatalf("a query past memory_limit: %v, want SQLSTATE 53200", err)
	}
	var one int
	if err := ana.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Errorf("after running out of memory: %v", err)
	}
}
