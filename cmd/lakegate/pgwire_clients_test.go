package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/lakegate/lakegate/internal/peertest"
)

// TestPGWireWithPsycopgAndPandas runs psycopg 3 and pandas.read_sql
// (SQLAlchemy) from the python peer against the PostgreSQL port.
func TestPGWireWithPsycopgAndPandas(t *testing.T) {
	py := peertest.Env(t, "LAKEGATE_TEST_PYTHON", "python")
	base, port, acme, _ := pgLake(t)
	out, err := exec.Command(py, "testdata/pg_clients.py", port, "ana", acme, "200000").CombinedOutput()
	if err != nil {
		t.Fatalf("pg_clients.py: %v\n%s", err, out)
	}
	takers := strings.Split(csvQuery(t, base, acme,
		"SELECT count(DISTINCT user_exam_id) FROM assessments.attempts WHERE exam_name = 'Learning Git'", ""), "\n")[1]
	wantOut(t, "pg_clients.py", string(out), "takers "+takers+"\n", "paged 200000 19999900000\n", "pandas 3 exam_name,n int64\n")
}

// TestPGWireWithJDBC runs the PostgreSQL JDBC driver (DBeaver's and
// Metabase's) against the PostgreSQL port: the metadata calls those tools
// make when they browse, a prepared query, a fetch-size cursor.
func TestPGWireWithJDBC(t *testing.T) {
	jdbc := peertest.Env(t, "LAKEGATE_TEST_PGJDBC", "python")
	java := peertest.Env(t, "LAKEGATE_TEST_JAVA_HOME", "python") + "/bin/java"
	base, port, acme, _ := pgLake(t)
	out, err := exec.Command(java, "-cp", jdbc, "testdata/PgJdbc.java", port, "ana", acme, "200000").CombinedOutput()
	if err != nil {
		t.Fatalf("PgJdbc.java: %v\n%s", err, out)
	}
	takers := strings.Split(csvQuery(t, base, acme,
		"SELECT count(DISTINCT user_exam_id) FROM assessments.attempts WHERE exam_name = 'Learning Git'", ""), "\n")[1]
	wantOut(t, "PgJdbc.java", string(out), "product PostgreSQL 15\n", "schema assessments\n", "table assessments.attempts\n",
		"table assessments.questions\n", "column exam_name varchar\n", "column ingest_date date\n", "takers "+takers+"\n", "fetched 200000 19999900000\n")
	if strings.Contains(string(out), "pgcompat") || strings.Contains(string(out), "query_log") {
		t.Errorf("JDBC sees lakegate's internals:\n%s", out)
	}
}
