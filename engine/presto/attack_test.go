package presto_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/enginetest"
	"github.com/lakegate/lakegate/internal/prestotest"
)

// marker is in beta's secret table only; no answer to acme may show it.
const marker = "beta-secret-7f3a"

// twoTenants lands acme's attempts and beta's secret plans in two lakes
// and serves both; it returns acme's engine and the lakes.
func twoTenants(t *testing.T) (lakegate.Engine, *enginetest.Lake, *enginetest.Lake) {
	acme, beta := enginetest.NewLake(t), enginetest.NewLake(t)
	for _, d := range []string{"2026-01-02", "2026-01-03"} {
		acme.Land(t, "assessments", "attempts", d, enginetest.Attempts[d])
	}
	beta.Land(t, "secret", "plans", "2026-01-02", `SELECT * FROM (VALUES ('`+marker+`', 42)) AS t(plan, price)`)
	beta.Land(t, "assessments", "attempts", "2026-01-02", `SELECT '`+marker+`' AS user_exam_id, 'x' AS exam_name`)
	e := openTenants(t, prestotest.Tenants{
		"acme": {Catalog: acme.Catalog, Store: acme.Store},
		"beta": {Catalog: beta.Catalog, Store: beta.Store},
	}, "acme")
	return e, acme, beta
}

// prestoAttacks are Presto's own ways in, on top of the engine-neutral
// write statements.
var prestoAttacks = []string{
	"CALL system.runtime.kill_query('x', 'y')",
	"SET SESSION query_max_run_time = '1h'",
	"RESET SESSION query_max_run_time",
	"EXECUTE IMMEDIATE 'DROP TABLE assessments.attempts'",
	"PREPARE p FROM DROP TABLE assessments.attempts",
	"CREATE TABLE assessments.copy AS SELECT * FROM assessments.attempts",
	"INSERT INTO assessments.attempts SELECT * FROM assessments.attempts",
	"DELETE FROM assessments.attempts WHERE true",
	"DROP TABLE assessments.attempts",
	"ALTER TABLE assessments.attempts RENAME TO gone",
	"GRANT SELECT ON assessments.attempts TO beta",
	"REVOKE SELECT ON assessments.attempts FROM acme",
	"CREATE SCHEMA hive.stolen",
	"START TRANSACTION",
	"USE system.runtime",
}

// sessionOnly statements Presto itself answers for any user: they change
// the client's session alone (headers the client may send back). lakegate
// refuses them and opens a fresh session for every query, so they reach
// nothing.
var sessionOnly = map[string]bool{
	"SET SESSION query_max_run_time = '1h'":          true,
	"RESET SESSION query_max_run_time":               true,
	"PREPARE p FROM DROP TABLE assessments.attempts": true,
	"USE system.runtime":                             true,
}

// probes read; each must answer nothing of beta's and nothing of the
// system, whether refused or answered.
var probes = []string{
	"SELECT * FROM secret.plans",
	"SELECT * FROM hive.secret.plans",
	`SELECT * FROM "secret"."plans$partitions"`,
	`SELECT * FROM "secret"."plans$files"`,
	`SELECT * FROM assessments."attempts$partitions"`,
	"SELECT * FROM information_schema.tables",
	"SELECT * FROM information_schema.schemata",
	"SELECT * FROM information_schema.columns",
	"SELECT * FROM hive.information_schema.tables WHERE table_schema = 'secret'",
	"SHOW SCHEMAS",
	"SHOW TABLES FROM secret",
	"SHOW CATALOGS",
	"DESCRIBE secret.plans",
	"SELECT * FROM system.runtime.queries",
	"SELECT * FROM system.runtime.nodes",
	"SELECT * FROM system.metadata.catalogs",
	"SELECT * FROM jmx.current.\"java.lang:type=runtime\"",
	"SELECT * FROM tpch.tiny.nation",
	"EXPLAIN SELECT * FROM secret.plans",
	"SELECT user_exam_id FROM assessments.attempts UNION ALL SELECT plan FROM secret.plans",
}

// TestAttacks runs every write and probe as acme, through the engine
// (lakegate's check first) and straight at Presto as acme's user (Presto's
// own access control and the metastore's tenant view alone).
func TestAttacks(t *testing.T) {
	e, acme, beta := twoTenants(t)
	before := [2][]string{acme.Files(t), beta.Files(t)}
	writes := append(slices.Clone(enginetest.WriteStatements), prestoAttacks...)
	for _, q := range writes {
		_, err := enginetest.Query(context.Background(), e, q, nil)
		enginetest.ExpectCode(t, "engine: "+q, err, lakegate.EFORBIDDEN)
		rows, err := raw(t, "acme", q)
		if err == nil && !sessionOnly[q] {
			t.Errorf("presto ran %q for acme: %v", q, rows)
		}
	}
	for _, q := range probes {
		res, err := enginetest.Query(context.Background(), e, q, nil)
		noLeak(t, "engine: "+q, fmt.Sprint(res.Rows), err)
		rows, err := raw(t, "acme", q)
		noLeak(t, "presto: "+q, rows, err)
	}
	if got := enginetest.Scalar(t, e, "SELECT count(*) FROM assessments.attempts", nil); got != "5" {
		t.Errorf("acme's attempts after the attacks: %s rows, want 5", got)
	}
	if after := [2][]string{acme.Files(t), beta.Files(t)}; !slices.Equal(before[0], after[0]) || !slices.Equal(before[1], after[1]) {
		t.Errorf("the attacks changed a lake:\nbefore %v\nafter  %v", before, after)
	}
}

// noLeak fails when an answer shows beta's marker or the system's tables.
func noLeak(t *testing.T, what, rows string, err error) {
	t.Helper()
	text := rows
	if err != nil {
		text += " " + err.Error()
	}
	for _, bad := range []string{marker, "secret", "plans", "coordinator", "runtime.queries", "tpch"} {
		if strings.Contains(strings.ToLower(rows), bad) || bad == marker && strings.Contains(text, bad) {
			t.Errorf("%s shows %q: %s", what, bad, text)
		}
	}
}

// TestTenantsApart: each tenant reads its own attempts under the same name.
func TestTenantsApart(t *testing.T) {
	e, _, _ := twoTenants(t)
	if got := enginetest.Scalar(t, e, "SELECT count(*) FROM assessments.attempts", nil); got != "5" {
		t.Errorf("acme: %s attempts, want 5", got)
	}
	rows, err := raw(t, "beta", "SELECT user_exam_id FROM assessments.attempts")
	if err != nil || !strings.Contains(rows, marker) {
		t.Errorf("beta reads its own attempts: %s %v", rows, err)
	}
	if _, err := raw(t, "gamma", "SELECT count(*) FROM assessments.attempts"); err == nil {
		t.Errorf("an unknown tenant's user read a table")
	}
}

// raw runs q on the Presto peer as user, bypassing lakegate.
func raw(t *testing.T, user, q string) (string, error) { return prestotest.Run(t, user, q) }
