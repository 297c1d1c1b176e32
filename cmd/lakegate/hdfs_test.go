package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate/internal/peertest"
	"github.com/lakegate/lakegate/queries"
)

// hdfsLake is a fresh lake on the HDFS peer, with the flags every command
// needs for it: the lake, a local cache folder and an embedded catalog.
func hdfsLake(t *testing.T) []string {
	t.Helper()
	base := peertest.Env(t, "LAKEGATE_TEST_HDFS", "hdfs")
	lake := fmt.Sprintf("%s/lakegate-e2e/%d", base, time.Now().UnixNano())
	dir := t.TempDir()
	return []string{"--lake", lake, "--lake-cache-dir", filepath.Join(dir, "cache"), "--catalog", "embedded:" + filepath.Join(dir, "catalog")}
}

// TestHDFSLakeAnswersAsLocal: the same file ingested into a local lake and
// an HDFS lake gives the same answer to every canned query.
func TestHDFSLakeAnswersAsLocal(t *testing.T) {
	onHDFS := hdfsLake(t)
	local := []string{"--lake", t.TempDir()}
	src := filepath.Join(t.TempDir(), "attempts.json")
	mustRun(t, "generate", "assessments", "--attempts", "1500", "--seed", "5", "-o", src)
	for _, lake := range [][]string{local, onHDFS} {
		out := mustRun(t, append([]string{"ingest", "assessments", src}, lake...)...)
		wantOut(t, "ingest", out, "landed")
	}
	wantOut(t, "catalog ls on HDFS", mustRun(t, append([]string{"catalog", "ls"}, onHDFS...)...), "assessments.attempts")
	canned, err := queries.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range canned {
		args := []string{"query", "--saved", q.Name, "--format", "csv"}
		want := mustRun(t, append(args, local...)...)
		if got := mustRun(t, append(args, onHDFS...)...); got != want {
			t.Errorf("%s on HDFS:\n%s\nlocal:\n%s", q.Name, got, want)
		}
	}
}

// TestHDFSTenantsApart: two tenants on one HDFS lake see their own rows
// only, and one cannot read the other's copies in the cache either.
func TestHDFSTenantsApart(t *testing.T) {
	lake := hdfsLake(t)
	for tenant, seed := range map[string]string{"acme": "1", "beta": "2"} {
		src := filepath.Join(t.TempDir(), tenant+".json")
		mustRun(t, "generate", "assessments", "--attempts", "60", "--seed", seed, "-o", src)
		mustRun(t, append([]string{"ingest", "assessments", src, "--tenant", tenant}, lake...)...)
	}
	ids := map[string]string{}
	for _, tenant := range []string{"acme", "beta"} {
		ids[tenant] = mustRun(t, append([]string{"query", "--tenant", tenant, "--format", "csv",
			"SELECT DISTINCT user_exam_id FROM assessments.attempts ORDER BY 1"}, lake...)...)
	}
	if ids["acme"] == ids["beta"] {
		t.Fatal("the tenants' rows are not told apart")
	}
	code, out, errs := run(t, nil, append([]string{"query", "--tenant", "acme",
		fmt.Sprintf("SELECT count(*) FROM read_parquet('%s/tenants/beta/**/*.parquet')", lake[3])}, lake...)...)
	if code == 0 || !strings.Contains(out+errs, "disabled by configuration") {
		t.Errorf("acme read beta's cached copies: exit %d\n%s%s", code, out, errs)
	}
}
