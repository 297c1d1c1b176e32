package server_test

import (
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/lakegate/lakegate/server"
)

// TestHugeColumnName: a 20,000-branch unaliased CASE makes a ~600 KB
// column name. Python's http.client (pandas, requests) refuses header
// lines over 64 KB, so the name must travel in the body only; the
// answer is read whole by that very client.
func TestHugeColumnName(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is missing")
		}
		t.Skip("python3 is missing")
	}
	f := newFixture(t, server.Options{})
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	var b strings.Builder
	b.WriteString("SELECT CASE")
	for i := range 20000 {
		fmt.Fprintf(&b, " WHEN 1 = %d THEN 'branch %d'", i, i)
	}
	b.WriteString(" ELSE 'none' END")
	sql := b.String()
	if len(sql) < 500_000 {
		t.Fatalf("the query is only %d bytes", len(sql))
	}
	script := `
import http.client, json, sys, urllib.parse
host = urllib.parse.urlparse(sys.argv[1]).netloc
sql = sys.stdin.read()
for path in ("/v1/query", "/v1/query?format=csv", "/v1/query?format=arrow"):
    c = http.client.HTTPConnection(host, timeout=60)
    c.request("POST", path, body=sql.encode(), headers={"Content-Type": "application/sql"})
    r = c.getresponse()
    body = r.read()
    assert r.status == 200, (path, r.status, body[:300])
    for k, v in r.getheaders():
        assert len(k) + len(v) < 16384, (path, k, len(v))
    if path == "/v1/query":
        a = json.loads(body)
        assert a["rows"] == [["branch 1"]], a["rows"]
        assert len(a["columns"][0]["name"]) > 500000
print("ok")
`
	cmd := exec.Command(py, "-c", script, ts.URL)
	cmd.Stdin = strings.NewReader(sql)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("python's http.client: %v\n%s", err, out)
	}
}
