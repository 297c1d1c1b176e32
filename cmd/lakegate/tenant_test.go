package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTenantsEndToEnd: two customers ingest into one lake with --tenant;
// each one's analyst sees exactly its own data under the same table names;
// the admin sees both, told apart by a tenant column.
func TestTenantsEndToEnd(t *testing.T) {
	lake := t.TempDir()
	for tenant, seed := range map[string]string{"acme": "1", "beta": "2"} {
		src := filepath.Join(t.TempDir(), tenant+".json")
		mustRun(t, "generate", "assessments", "--attempts", "150", "--seed", seed, "-o", src)
		mustRun(t, "ingest", "assessments", src, "--lake", lake, "--tenant", tenant)
	}
	if _, err := os.Stat(filepath.Join(lake, "tenants", "beta", "assessments", "attempts")); err != nil {
		t.Fatalf("beta's files are not under tenants/beta: %v", err)
	}
	ids := map[string]string{} // tenant -> its user_exam_ids, one per line
	for _, tenant := range []string{"acme", "beta"} {
		ids[tenant] = mustRun(t, "query", "--lake", lake, "--tenant", tenant, "--format", "csv",
			"SELECT DISTINCT user_exam_id FROM assessments.attempts ORDER BY 1")
		wantOut(t, "catalog ls --tenant "+tenant, mustRun(t, "catalog", "ls", "--lake", lake, "--tenant", tenant), "assessments.attempts")
	}
	if ids["acme"] == ids["beta"] {
		t.Fatal("the two tenants' data are not distinguishable")
	}
	if code, _, errs := run(t, nil, "ingest", "assessments", "x.json", "--lake", lake, "--tenant", "Bad-Name"); code == 0 || !strings.Contains(errs, "tenant name") {
		t.Errorf("bad tenant: exit %d %s", code, errs)
	}

	acme := createToken(t, lake, "ana", "analyst") // tenant acme
	code, out, errs := run(t, nil, "token", "create", "--lake", lake, "--user", "bo", "--tenant", "beta", "--role", "analyst")
	if code != 0 {
		t.Fatalf("token create: %s", errs)
	}
	beta := strings.TrimSpace(out)
	admin := createToken(t, lake, "root", "admin")
	base, _ := startApp(t, "serve", "--lake", lake)

	sql := "SELECT DISTINCT user_exam_id FROM assessments.attempts ORDER BY 1"
	for tenant, tok := range map[string]string{"acme": acme, "beta": beta} {
		if got := csvQuery(t, base, tok, sql, ""); got != ids[tenant] {
			t.Errorf("%s's analyst sees other rows than its own:\n%s\nwant\n%s", tenant, got, ids[tenant])
		}
		if status := statusOf(t, base, tok, "SELECT 1", "beta"); tenant == "acme" && status != 403 {
			t.Errorf("acme's analyst asking for ?tenant=beta: %d, want 403", status)
		}
	}
	all := csvQuery(t, base, admin, "SELECT tenant, count(DISTINCT user_exam_id) AS n FROM assessments.attempts GROUP BY 1 ORDER BY 1", "all")
	want := fmt.Sprintf("tenant,n\nacme,%d\nbeta,%d\n", lines(ids["acme"]), lines(ids["beta"]))
	if all != want {
		t.Errorf("admin across tenants:\n%s\nwant\n%s", all, want)
	}
	if got := csvQuery(t, base, admin, sql, "beta"); got != ids["beta"] {
		t.Errorf("admin with ?tenant=beta:\n%s", got)
	}

	// A publisher uploads into its own tenant; an analyst may not.
	code, out, errs = run(t, nil, "token", "create", "--lake", lake, "--user", "pub", "--tenant", "acme", "--role", "publisher")
	if code != 0 {
		t.Fatalf("token create: %s", errs)
	}
	pub := strings.TrimSpace(out)
	src := filepath.Join(t.TempDir(), "more.json")
	mustRun(t, "generate", "assessments", "--attempts", "40", "--seed", "3", "-o", src)
	if status, body := upload(t, base, acme, src, ""); status != 403 {
		t.Errorf("analyst upload: %d %s", status, body)
	}
	if status, body := upload(t, base, pub, src, "beta"); status != 403 {
		t.Errorf("publisher upload into another tenant: %d %s", status, body)
	}
	status, body := upload(t, base, pub, src, "")
	if status != 200 || !strings.Contains(body, `"tenant":"acme"`) || !strings.Contains(body, `"landed":`) {
		t.Fatalf("publisher upload: %d %s", status, body)
	}
	after := csvQuery(t, base, acme, sql, "")
	if lines(after) <= lines(ids["acme"]) || csvQuery(t, base, beta, sql, "") != ids["beta"] {
		t.Errorf("the upload did not land in acme only: acme %d -> %d rows", lines(ids["acme"]), lines(after))
	}
	if status, body := upload(t, base, pub, src, ""); status != 200 || !strings.Contains(body, `"skipped_files":1`) {
		t.Errorf("the same upload again: %d %s", status, body)
	}
}

// upload posts a file to /v1/ingest/assessments and returns the status and body.
func upload(t *testing.T, base, tok, path, scope string) (int, string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := base + "/v1/ingest/assessments"
	if scope != "" {
		u += "?tenant=" + scope
	}
	req, _ := http.NewRequest("POST", u, f)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// csvQuery runs sql as the token's holder (in tenant scope, if given) and
// returns the CSV answer.
func csvQuery(t *testing.T, base, tok, sql, scope string) string {
	t.Helper()
	res := queryAs(t, base, tok, sql, scope)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("%s: %d %s", sql, res.StatusCode, b)
	}
	return string(b)
}

func statusOf(t *testing.T, base, tok, sql, scope string) int {
	t.Helper()
	res := queryAs(t, base, tok, sql, scope)
	res.Body.Close()
	return res.StatusCode
}

func queryAs(t *testing.T, base, tok, sql, scope string) *http.Response {
	t.Helper()
	u := base + "/v1/query.csv?limit=0&sql=" + url.QueryEscape(sql)
	if scope != "" {
		u += "&tenant=" + scope
	}
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// lines counts the data lines of a CSV answer (its header excluded).
func lines(csv string) int { return strings.Count(strings.TrimSpace(csv), "\n") }
