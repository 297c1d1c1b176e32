package tenancy_test

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTenantIsolationAttacks is issue 5's attack suite: with two tenants
// holding distinguishable data, tenant acme's analyst tries every way
// into tenant beta's over HTTP, against the real server, pool, catalog
// and token store. Every attempt must answer no row of beta's and no
// name of beta's (fixture.markers), in its body or headers.
func TestTenantIsolationAttacks(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server over two tenants' lake")
	}
	f := newFixture(t)
	t.Run("controls", func(t *testing.T) { f.positiveControls(t) })
	// The query log and history first, while acme's hold only its
	// harmless queries: later attacks put beta's names there themselves.
	for _, a := range queryLogAttacks() {
		t.Run(a.category+"/"+a.name, func(t *testing.T) { f.run(t, a) })
	}
	t.Run("oracles", func(t *testing.T) { f.oracles(t) })
	for _, a := range attacks(f) {
		t.Run(a.category+"/"+a.name, func(t *testing.T) { f.run(t, a) })
	}
	t.Run("controls after", func(t *testing.T) { f.betaIntact(t) })
}

// attack is one request of acme's analyst.
type attack struct {
	category, name string
	method, path   string // default POST /v1/query
	sql            string // the body {"sql": sql} (or ?sql= for GET /v1/query.*)
	body           string // a raw body instead
	// auth is the Authorization header: "" acme's Bearer token, "-" none,
	// else the header's value. headers are sent too (and an
	// Authorization there replaces auth's).
	auth    string
	headers http.Header
	cwd     string // the process's directory during the request, relative to the lake
	// poll: the request makes a job (202); the answer checked is the job's
	// once it ended, and then its result's.
	poll    bool
	want    int  // the status required; 0: any
	wantErr bool // an error status (4xx or 503) required
	// wantCache and wantRows, when set, are X-Lakegate-Cache and the rows
	// (as JSON) required.
	wantCache, wantRows string
	echo                []string // more of the attacker's own words the answer may repeat
}

func (f *fixture) run(t *testing.T, a attack) {
	if a.cwd != "" {
		t.Chdir(filepath.Join(f.lake, filepath.FromSlash(a.cwd)))
	}
	method, path, body := a.method, a.path, a.body
	if method == "" {
		method = "POST"
	}
	if path == "" {
		path = "/v1/query"
	}
	if a.sql != "" && body == "" {
		body = jsonSQL(a.sql)
	}
	h := http.Header{}
	switch a.auth {
	case "":
		h.Set("Authorization", "Bearer "+f.tok[tokAcme])
	case "-":
	default:
		h.Set("Authorization", a.auth)
	}
	for k, vs := range a.headers {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	r := f.do(t, method, path, h, body)
	t.Logf("%s %s -> %d %.300s", method, path, r.status, r.body)
	if a.poll {
		r = f.pollJob(t, h, r)
	}

	var sent []string
	for _, vs := range h {
		sent = append(sent, vs...)
	}
	unescaped, _ := url.PathUnescape(path)
	echo := echoes(append(sent, a.sql, body, path, unescaped)...)
	echo = append(echo, a.sql, body, unescaped)
	route, _, _ := strings.Cut(unescaped, "?")
	echo = append(echo, strings.Split(route, "/")...)
	echo = append(echo, a.echo...)
	// The engine shows acme's own directory as <lake>.
	own := f.lake + "/tenants/acme"
	for _, e := range echo {
		if strings.Contains(e, own) {
			echo = append(echo, strings.ReplaceAll(e, own, "<lake>"))
		}
	}
	if m := f.leaked(r.text(), echo); m != "" {
		t.Errorf("LEAK: the answer holds beta's %q:\n%s", m, r.text())
	}
	if r.status >= 400 {
		// Error messages name nothing of the server's inside either: no
		// lake path, no tenants/ directory, no stored t__db name.
		for _, inside := range []string{f.lake, "tenants/", "acme__", "/_catalog"} {
			if shows(r.body, inside, echo) {
				t.Errorf("the error message shows %q: %s", inside, r.body)
			}
		}
	}
	if a.wantErr && r.status < 400 {
		t.Errorf("status %d, want an error: %s", r.status, r.body)
	}
	if a.want != 0 && r.status != a.want {
		t.Errorf("status %d, want %d: %s", r.status, a.want, r.body)
	}
	if r.status >= 500 && r.status != http.StatusServiceUnavailable {
		t.Errorf("status %d: an attack must not break the server: %s", r.status, r.body)
	}
	if a.wantCache != "" && r.header.Get("X-Lakegate-Cache") != a.wantCache {
		t.Errorf("X-Lakegate-Cache %q, want %q", r.header.Get("X-Lakegate-Cache"), a.wantCache)
	}
	if a.wantRows != "" {
		if r.status != http.StatusOK {
			t.Fatalf("status %d, want 200 with acme's rows", r.status)
		}
		if got := rowsOf(t, r); got != a.wantRows {
			t.Errorf("rows %s, want acme's %s (beta's are %s)", got, a.wantRows, f.betaCache)
		}
	}
}

// pollJob waits for the job a 202 answer made and returns its final
// status followed by its result (or the result's error).
func (f *fixture) pollJob(t *testing.T, h http.Header, r response) response {
	if r.status != http.StatusAccepted {
		return r
	}
	loc := r.header.Get("Location")
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		st := f.do(t, "GET", loc, h, "")
		if strings.Contains(st.body, `"state":"queued"`) || strings.Contains(st.body, `"state":"running"`) {
			continue
		}
		res := f.do(t, "GET", loc+"/result", h, "")
		t.Logf("job %s -> %.300s; result %d %.300s", loc, st.body, res.status, res.body)
		st.body += "\n" + res.body
		for k, vs := range res.header {
			st.header[k] = append(st.header[k], vs...)
		}
		return st
	}
	t.Fatalf("job %s did not end", loc)
	return r
}
