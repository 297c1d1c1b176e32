package main

import (
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// biStatement is one statement DBeaver or Metabase sends (testdata/bi).
type biStatement struct{ label, id, sql string }

var biLabelRE = regexp.MustCompile(`^-- (?:Metabase|DBeaver|Metabase/DBeaver)\b.*\[([A-Z]\d+)\]\s*$`)

func biStatements(t *testing.T) []biStatement {
	t.Helper()
	b, err := os.ReadFile("testdata/bi/queries.sql")
	if err != nil {
		t.Fatal(err)
	}
	var out []biStatement
	for _, line := range strings.Split(string(b), "\n") {
		if m := biLabelRE.FindStringSubmatch(line); m != nil {
			out = append(out, biStatement{label: line, id: m[1]})
			continue
		}
		if len(out) > 0 && !strings.HasPrefix(line, "--") {
			out[len(out)-1].sql += line + "\n"
		}
	}
	return out
}

// TestPGWireBIToolQueries runs every statement DBeaver and Metabase send
// on connect and while browsing (their sources' SQL, testdata/bi), over
// the protocol with pgx's extended protocol: none fails, and those that
// list schemas, tables and columns list lakegate's.
func TestPGWireBIToolQueries(t *testing.T) {
	_, port, acme, _ := pgLake(t)
	ctx := context.Background()
	ana := pgConnect(t, port, "ana", acme)
	oid := func(q string) string {
		var v int64
		if err := ana.QueryRow(ctx, q).Scan(&v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return strconv.FormatInt(v, 10)
	}
	ours := strings.NewReplacer(
		"16385", oid("SELECT oid FROM pg_catalog.pg_database LIMIT 1"),
		"16386", oid("SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'assessments'"),
		"16395", oid("SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'assessments' AND c.relname = 'attempts'"))
	// What lists lakegate's own objects must find them.
	atLeast := map[string]int{"M7": 1, "M9": 1, "M11": 20, "M12": 20, "M13": 20, "D4": 1, "D13": 10, "D15": 1, "D17": 20, "D23": 20, "D27": 100, "D32": 1}
	stmts := biStatements(t)
	if len(stmts) < 50 {
		t.Fatalf("%d statements in testdata/bi/queries.sql", len(stmts))
	}
	for _, s := range stmts {
		rows, err := ana.Query(ctx, ours.Replace(s.sql), pgx.QueryExecModeCacheDescribe)
		n := 0
		if err == nil {
			for rows.Next() {
				n++
			}
			err = rows.Err()
		}
		if err != nil {
			t.Errorf("%s\n  %v", s.label, err)
		} else if n < atLeast[s.id] {
			t.Errorf("%s\n  %d rows, want at least %d", s.label, n, atLeast[s.id])
		}
	}
}
