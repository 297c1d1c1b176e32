package tenancy_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
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

func attacks(f *fixture) []attack {
	var out []attack
	for _, group := range [][]attack{sameUserAttacks(f), logAttacks(f), nameAttacks(), fileAttacks(f), cacheAttacks(f), tokenAttacks(f), errorAttacks()} {
		out = append(out, group...)
	}
	return out
}

// nameAttacks reach for beta's table by every name form and through the
// engine's own catalog functions.
func nameAttacks() []attack {
	return fromMap("names", map[string]string{
		"plain":             `SELECT * FROM secret.plans`,
		"quoted":            `SELECT * FROM "secret"."plans"`,
		"upper":             `SELECT * FROM SECRET.PLANS`,
		"stored":            `SELECT * FROM beta__secret.plans`,
		"stored quoted":     `SELECT * FROM "beta__secret"."plans"`,
		"stored mixed case": `SELECT * FROM "BETA__SECRET".Plans`,
		"catalog qualified": `SELECT * FROM memory.beta__secret.plans`,
		"tenant qualified":  `SELECT * FROM beta.secret.plans`,
		"main dotted":       `SELECT * FROM memory.main."beta__secret.plans"`,
		"bare":              `SELECT * FROM plans`,
		"duckdb_views":      `SELECT * FROM duckdb_views()`,
		"duckdb_tables":     `SELECT * FROM duckdb_tables()`,
		"duckdb_columns":    `SELECT * FROM duckdb_columns()`,
		"duckdb_databases":  `SELECT * FROM duckdb_databases()`,
		"duckdb_schemas":    `SELECT * FROM duckdb_schemas()`,
		"duckdb_settings":   `SELECT name, value FROM duckdb_settings()`,
		"info tables":       `SELECT * FROM information_schema.tables`,
		"info columns":      `SELECT * FROM information_schema.columns`,
		"info schemata":     `SELECT * FROM information_schema.schemata`,
		"show all tables":   `SHOW ALL TABLES`,
		"describe":          `DESCRIBE secret.plans`,
		"describe stored":   `DESCRIBE beta__secret.plans`,
		"summarize":         `SUMMARIZE secret.plans`,
		"summarize stored":  `SUMMARIZE beta__secret.plans`,
		"pragma_table_info": `SELECT * FROM pragma_table_info('beta__secret.plans')`,
		"pragma_db_list":    `SELECT * FROM pragma_database_list()`,
		"pragma_storage":    `SELECT * FROM pragma_storage_info('secret.plans')`,
		"pragma statement":  `PRAGMA show_tables`,
		"explain":           `EXPLAIN SELECT * FROM assessments.attempts`,
		"union own":         `SELECT user_exam_id FROM assessments.attempts UNION ALL SELECT plan FROM secret.plans`,
		"attach":            `ATTACH ':memory:' AS x`,
	})
}

// fromMap makes SQL attacks of one category, in name order.
func fromMap(category string, m map[string]string) []attack {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]attack, len(names))
	for i, n := range names {
		out[i] = attack{category: category, name: n, sql: m[n]}
	}
	return out
}

// fileAttacks read beta's files and the catalog's by path: absolute,
// relative, globbed, traversing, through symlinks planted in acme's part.
func fileAttacks(f *fixture) []attack {
	lake := f.lake
	beta := lake + "/tenants/beta"
	part := beta + "/secret/plans/part-0.parquet"
	acme := lake + "/tenants/acme"
	var out []attack
	add := func(name, q, cwd string) {
		out = append(out, attack{category: "files", name: name, sql: q, cwd: cwd})
	}
	for _, c := range []struct{ name, q, cwd string }{
		{"read_parquet abs", `SELECT * FROM read_parquet('` + part + `')`, ""},
		{"replacement scan", `SELECT * FROM '` + part + `'`, ""},
		{"read_csv abs", `SELECT * FROM read_csv('` + beta + `/plans.csv')`, ""},
		{"read_json abs", `SELECT * FROM read_json('` + beta + `/plans.json')`, ""},
		{"read_text abs", `SELECT * FROM read_text('` + beta + `/plans.csv')`, ""},
		{"read_blob abs", `SELECT * FROM read_blob('` + part + `')`, ""},
		{"parquet_metadata", `SELECT * FROM parquet_metadata('` + part + `')`, ""},
		{"parquet_schema", `SELECT * FROM parquet_schema('` + part + `')`, ""},
		{"glob beta", `SELECT * FROM glob('` + beta + `/**')`, ""},
		{"glob tenants", `SELECT * FROM glob('` + lake + `/tenants/*')`, ""},
		{"glob every secret", `SELECT * FROM glob('` + lake + `/tenants/*/secret/**')`, ""},
		{"read_parquet tenants glob", `SELECT * FROM read_parquet('` + lake + `/tenants/*/secret/plans/*.parquet')`, ""},
		{"read_parquet lake glob", `SELECT * FROM read_parquet('` + lake + `/**/*.parquet')`, ""},
		{"read_text lake glob", `SELECT filename FROM read_text('` + lake + `/**')`, ""},
		{"dotdot from acme", `SELECT * FROM read_parquet('` + acme + `/../beta/secret/plans/part-0.parquet')`, ""},
		{"dotdot deep", `SELECT * FROM read_parquet('` + acme + `/assessments/../../beta/secret/plans/*.parquet')`, ""},
		{"dotdot glob", `SELECT * FROM glob('` + acme + `/../*/secret/**')`, ""},
		{"rel dotdot", `SELECT * FROM read_parquet('../beta/secret/plans/part-0.parquet')`, "tenants/acme"},
		{"rel dot dotdot", `SELECT * FROM read_csv('./../beta/plans.csv')`, "tenants/acme"},
		{"rel tenants", `SELECT * FROM read_parquet('tenants/beta/secret/plans/part-0.parquet')`, "."},
		{"rel lake", `SELECT * FROM read_parquet('lake/tenants/beta/secret/plans/*.parquet')`, ".."},
		{"rel replacement", `SELECT * FROM 'tenants/acme/../beta/plans.csv'`, "."},
		{"catalog tokens", `SELECT * FROM read_text('` + lake + `/_catalog/tokens.json')`, ""},
		{"catalog saved", `SELECT * FROM read_text('` + lake + `/_catalog/saved.json')`, ""},
		{"catalog glob", `SELECT * FROM read_text('` + lake + `/_catalog/*')`, ""},
		{"catalog log csv", `SELECT * FROM read_csv('` + lake + `/_catalog/commits.log')`, ""},
		{"catalog dotdot", `SELECT * FROM read_text('` + acme + `/../../_catalog/tokens.json')`, ""},
		{"catalog rel", `SELECT * FROM read_text('../../_catalog/saved.json')`, "tenants/acme"},
		{"symlink file", `SELECT * FROM read_parquet('` + lake + "/" + linkFile + `')`, ""},
		{"symlink file scan", `SELECT * FROM '` + lake + "/" + linkFile + `'`, ""},
		{"symlink dir", `SELECT * FROM read_parquet('` + lake + "/" + linkDir + `/secret/plans/*.parquet')`, ""},
		{"symlink rel dir", `SELECT * FROM read_parquet('` + lake + "/" + linkRelDir + `/part-0.parquet')`, ""},
		{"symlink csv", `SELECT * FROM read_csv('` + lake + "/" + linkCSV + `')`, ""},
		{"symlink text", `SELECT * FROM read_text('` + lake + "/" + linkCSV + `')`, ""},
		{"symlink glob", `SELECT * FROM glob('` + acme + `/**')`, ""},
		{"symlink glob parquet", `SELECT * FROM read_parquet('` + acme + `/*/**/*.parquet')`, ""},
		{"symlink relative", `SELECT * FROM read_parquet('shortcut_dir/secret/plans/part-0.parquet')`, "tenants/acme"},
		{"file url", `SELECT * FROM read_parquet('file://` + part + `')`, ""},
		{"double slashes", `SELECT * FROM read_parquet('` + lake + `//tenants//beta//secret/plans/part-0.parquet')`, ""},
		{"dot segments", `SELECT * FROM read_parquet('` + acme + `/./.././beta/secret/plans/part-0.parquet')`, ""},
		{"list with own file", `SELECT * FROM read_parquet(['` + acme + `/assessments/attempts/*/*.parquet', '` + part + `'], union_by_name=true)`, ""},
		{"sniff_csv", `SELECT * FROM sniff_csv('` + beta + `/plans.csv')`, ""},
		{"read_ndjson_objects", `SELECT * FROM read_ndjson_objects('` + beta + `/plans.json')`, ""},
		{"parquet_kv_metadata", `SELECT * FROM parquet_kv_metadata('` + part + `')`, ""},
		{"parquet_file_metadata", `SELECT * FROM parquet_file_metadata('` + lake + `/tenants/*/secret/plans/*.parquet')`, ""},
		{"query()", `SELECT * FROM query('SELECT * FROM read_text(''` + beta + `/plans.csv'')')`, ""},
		{"query_table", `SELECT * FROM query_table('beta__secret.plans')`, ""},
		{"describe query", `DESCRIBE SELECT * FROM read_parquet('` + part + `')`, ""},
		{"summarize query", `SUMMARIZE SELECT * FROM '` + part + `'`, ""},
		{"explain analyze", `EXPLAIN ANALYZE SELECT * FROM read_parquet('` + part + `')`, ""},
		{"subquery in own", `SELECT (SELECT plan FROM read_parquet('` + part + `')) AS p FROM assessments.attempts LIMIT 1`, ""},
		{"spill glob", `SELECT * FROM glob('` + f.spill + `/**')`, ""},
		{"spill jobs", `SELECT * FROM read_text('` + f.spill + `/lakegate-jobs-*/*')`, ""},
		{"beta's job file", `SELECT * FROM read_text('` + f.jobFile + `')`, ""},
		{"beta's job file json", `SELECT * FROM read_json('` + f.jobFile + `')`, ""},
		{"spill engines", `SELECT * FROM read_parquet('` + f.spill + `/lakegate-spill-*/**/*.parquet')`, ""},
	} {
		add(c.name, c.q, c.cwd)
	}
	// The table an operator registered in acme's catalog through a
	// planted symlink (fixture.registerLinked).
	out = append(out,
		attack{category: "files", name: "symlink registered query", sql: `SELECT * FROM linked.plans`},
		attack{category: "files", name: "symlink registered describe", sql: `DESCRIBE linked.plans`},
		attack{category: "files", name: "symlink registered catalog", method: "GET", path: "/v1/catalog/tables/linked/plans"},
		attack{category: "files", name: "symlink registered partitions", method: "GET", path: "/v1/catalog/tables/linked/plans/partitions"},
	)
	for _, format := range []string{"csv", "ndjson", "tsv", "arrow", "parquet"} {
		out = append(out, attack{category: "files", name: "GET query." + format, method: "GET",
			path: "/v1/query." + format + "?sql=" + url.QueryEscape(`SELECT * FROM read_parquet('`+part+`')`)})
	}
	out = append(out, attack{category: "files", name: "path as parameter", path: "/v1/query",
		body: `{"sql":"SELECT * FROM read_parquet($p)","params":{"p":"` + part + `"}}`})
	for _, format := range []string{"json", "parquet"} {
		out = append(out, attack{category: "files", name: "job " + format, path: "/v1/jobs", poll: true,
			body: `{"format":"` + format + `","sql":"SELECT * FROM read_parquet('` + lake + `/tenants/*/secret/plans/*.parquet')"}`})
	}
	out = append(out, attack{category: "files", name: "job symlink", path: "/v1/jobs", poll: true,
		body: jsonSQL(`SELECT * FROM read_parquet('` + lake + "/" + linkFile + `')`)})
	return out
}

// queryLogAttacks look for beta's queries in acme's query log and history.
func queryLogAttacks() []attack {
	return []attack{
		{category: "log", name: "system.query_log", sql: `SELECT * FROM system.query_log`},
		{category: "log", name: "lakegate.query_log", sql: `SELECT * FROM lakegate.query_log`},
		{category: "log", name: "query_log like", sql: `SELECT * FROM lakegate.query_log WHERE sql LIKE '%plans%'`},
		{category: "log", name: "history", method: "GET", path: "/v1/history", want: 200},
		{category: "log", name: "query_log others", sql: `SELECT * FROM system.query_log WHERE username <> 'ana@acme'`, wantRows: "[]"},
	}
}

// sameUserAttacks come from acme's own bob, who shares beta's user's name:
// history, jobs, saved queries and the cache are keyed by user, so they
// must be keyed by tenant too.
func sameUserAttacks(f *fixture) []attack {
	bob := "Bearer " + f.tok[tokAcmeBob]
	j, s := "/v1/jobs/"+f.betaJob, "/v1/saved/"+betaSavedName
	return []attack{
		{category: "same user", name: "history", auth: bob, method: "GET", path: "/v1/history", want: 200},
		{category: "same user", name: "jobs", auth: bob, method: "GET", path: "/v1/jobs", want: 200},
		{category: "same user", name: "beta's job", auth: bob, method: "GET", path: j, want: 404},
		{category: "same user", name: "beta's job result", auth: bob, method: "GET", path: j + "/result", want: 404},
		{category: "same user", name: "beta's saved", auth: bob, method: "GET", path: s, want: 404},
		{category: "same user", name: "run beta's saved", auth: bob, method: "POST", path: s + "/run", body: `{}`, want: 404},
		{category: "same user", name: "delete beta's saved", auth: bob, method: "DELETE", path: s, want: 404},
		{category: "same user", name: "cache", auth: bob, sql: f.cacheSQL, wantRows: f.acmeCache},
		{category: "same user", name: "secret", auth: bob, sql: `SELECT plan FROM secret.plans WHERE plan LIKE 'beta-secret-%'`},
	}
}

// logAttacks look for beta's queries, jobs and saved queries in acme's
// views of the query log, history, jobs, saved queries and catalog.
func logAttacks(f *fixture) []attack {
	j, s := "/v1/jobs/"+f.betaJob, "/v1/saved/"+betaSavedName
	return []attack{
		{category: "log", name: "query_log others later", sql: `SELECT * FROM system.query_log WHERE username <> 'ana@acme'`, wantRows: "[]"},
		{category: "jobs", name: "get beta's job", method: "GET", path: j, want: 404},
		{category: "jobs", name: "beta's job result", method: "GET", path: j + "/result", want: 404},
		{category: "jobs", name: "beta's job result csv", method: "GET", path: j + "/result?format=csv", want: 404},
		{category: "jobs", name: "delete beta's job", method: "DELETE", path: j, want: 404},
		{category: "jobs", name: "list jobs", method: "GET", path: "/v1/jobs", want: 200},
		{category: "saved", name: "get beta's saved", method: "GET", path: s, want: 404},
		{category: "saved", name: "run beta's saved", method: "GET", path: s + "/run", want: 404},
		{category: "saved", name: "post run beta's saved", method: "POST", path: s + "/run", body: `{}`, want: 404},
		{category: "saved", name: "delete beta's saved", method: "DELETE", path: s, want: 404},
		{category: "saved", name: "list saved", method: "GET", path: "/v1/saved", want: 200},
		{category: "saved", name: "save beta's name", method: "POST", path: "/v1/saved", want: 201,
			body: `{"name":"` + betaSavedName + `","sql":"SELECT count(*) AS n FROM assessments.attempts"}`},
		{category: "saved", name: "run own of beta's name", method: "GET", path: s + "/run", want: 200},
		{category: "catalog", name: "tables", method: "GET", path: "/v1/tables", want: 200},
		{category: "catalog", name: "databases", method: "GET", path: "/v1/catalog/databases", want: 200},
		{category: "catalog", name: "beta's database", method: "GET", path: "/v1/catalog/databases/secret/tables", want: 404},
		{category: "catalog", name: "beta's table", method: "GET", path: "/v1/catalog/tables/secret/plans", want: 404},
		{category: "catalog", name: "beta's stored table", method: "GET", path: "/v1/catalog/tables/beta__secret/plans", want: 404},
		{category: "catalog", name: "beta's partitions", method: "GET", path: "/v1/catalog/tables/secret/plans/partitions", want: 404},
		{category: "catalog", name: "traversal", method: "GET", path: "/v1/catalog/tables/..%2Fbeta__secret/plans", want: 404},
		{category: "scope", name: "tenant=beta", path: "/v1/query?tenant=beta", sql: `SELECT * FROM secret.plans`, want: 403},
		{category: "scope", name: "tenant=all", path: "/v1/query?tenant=all", sql: `SELECT * FROM assessments.attempts`, want: 403},
		{category: "scope", name: "tenant=*", path: "/v1/query?tenant=*", sql: `SELECT * FROM assessments.attempts`, want: 403},
		{category: "scope", name: "tenant=BETA", path: "/v1/query?tenant=BETA", sql: `SELECT * FROM secret.plans`, want: 403},
		{category: "scope", name: "tables tenant=beta", method: "GET", path: "/v1/tables?tenant=beta", want: 403},
		{category: "scope", name: "catalog tenant=all", method: "GET", path: "/v1/catalog/databases?tenant=all", want: 403},
		{category: "scope", name: "job tenant=beta", method: "POST", path: "/v1/jobs?tenant=beta", sql: `SELECT * FROM secret.plans`, want: 403},
		{category: "scope", name: "beta's job tenant=beta", method: "GET", path: j + "?tenant=beta", want: 0},
		{category: "scope", name: "saved run tenant=beta", method: "GET", path: "/v1/saved/" + betaSavedName + "/run?tenant=beta", wantErr: true},
		{category: "scope", name: "query.csv tenant=beta", method: "GET", path: "/v1/query.csv?tenant=beta&sql=" + url.QueryEscape("SELECT * FROM secret.plans"), want: 403},
		{category: "scope", name: "tenant twice acme first", path: "/v1/query?tenant=acme&tenant=beta", sql: `SELECT * FROM secret.plans`},
		{category: "scope", name: "tenant twice beta first", path: "/v1/query?tenant=beta&tenant=acme", sql: `SELECT * FROM secret.plans`},
		{category: "scope", name: "tenant in body", sql: `SELECT * FROM secret.plans`, body: `{"sql":"SELECT * FROM secret.plans","tenant":"beta"}`, want: 400},
		{category: "scope", name: "metrics", method: "GET", path: "/metrics", want: 403},
		{category: "scope", name: "page tenant=beta", method: "GET", path: "/?tenant=beta"},
		{category: "scope", name: "page traversal", method: "GET", path: "/ui/..%2f..%2f_catalog%2ftokens.json"},
		{category: "scope", name: "page dotdot", method: "GET", path: "/ui/../../_catalog/saved.json"},
		{category: "scope", name: "healthz", method: "GET", path: "/healthz", auth: "-"},
	}
}

// cacheAttacks send the very text beta's answer is cached under.
func cacheAttacks(f *fixture) []attack {
	q := f.cacheSQL
	get := "/v1/query.json?sql=" + url.QueryEscape(q)
	noCache := http.Header{"Cache-Control": {"no-cache"}}
	return []attack{
		{category: "cache", name: "same text first", sql: q, wantCache: "miss", wantRows: f.acmeCache},
		{category: "cache", name: "same text again", sql: q, wantCache: "hit", wantRows: f.acmeCache},
		{category: "cache", name: "same text own scope", path: "/v1/query?tenant=acme", sql: q, wantCache: "hit", wantRows: f.acmeCache},
		{category: "cache", name: "same text no-cache", sql: q, headers: noCache, wantCache: "bypass", wantRows: f.acmeCache},
		{category: "cache", name: "same text GET", method: "GET", path: get, wantRows: f.acmeCache},
		{category: "cache", name: "NUL in text", body: `{"sql":"SELECT 1\u0000\u0000duckdb@beta\u0000json"}`},
		{category: "cache", name: "beta's secret text", sql: "SELECT plan FROM secret.plans WHERE plan LIKE 'beta-secret-%'"},
	}
}

// tokenAttacks present wrong, stolen-looking, expired and revoked
// credentials, and smuggle identities in other headers.
func tokenAttacks(f *fixture) []attack {
	acmeTok, betaID := f.tok[tokAcme], f.tokID[tokBeta]
	acmeSecret := acmeTok[len("lg_")+16+1:]
	secretQ := `SELECT * FROM secret.plans`
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	forged := "lg_0123456789abcdef_" + strings.Repeat("ab", 32)
	var out []attack
	add := func(name, auth string, h http.Header, q string, want int, echo ...string) {
		out = append(out, attack{category: "tokens", name: name, auth: auth, headers: h, sql: q, want: want, echo: echo})
	}
	add("none", "-", nil, secretQ, 401)
	add("forged", "Bearer "+forged, nil, secretQ, 401)
	add("beta's id acme's secret", "Bearer lg_"+betaID+"_"+acmeSecret, nil, secretQ, 401, betaID)
	add("expired", "Bearer "+f.tok[tokExpired], nil, secretQ, 401, f.tokID[tokExpired])
	add("revoked", "Bearer "+f.tok[tokRevoked], nil, secretQ, 401, f.tokID[tokRevoked])
	add("upper case token", "Bearer "+strings.ToUpper(acmeTok), nil, secretQ, 401)
	add("empty bearer", "Bearer ", nil, secretQ, 401)
	add("unknown scheme", "Token "+acmeTok, nil, secretQ, 401)
	add("basic bob with acme's token", basic("bob", acmeTok), nil, secretQ, 401)
	add("basic ana with forged", basic("ana", forged), nil, secretQ, 401)
	add("basic expired as user", basic(f.tok[tokExpired], ""), nil, secretQ, 401, f.tokID[tokExpired])
	add("basic revoked as password", basic("", f.tok[tokRevoked]), nil, secretQ, 401, f.tokID[tokRevoked])
	add("basic not base64", "Basic bob:"+acmeTok, nil, secretQ, 401)
	add("basic acme's token as user", basic(acmeTok, ""), nil, secretQ, 0)
	add("lower-case bearer", "bearer "+acmeTok, nil, secretQ, 0)
	add("two headers acme beta-expired", "", http.Header{"Authorization": {"Bearer " + acmeTok, "Bearer " + f.tok[tokExpired]}}, secretQ, 401, f.tokID[tokExpired])
	add("two headers forged acme", "", http.Header{"Authorization": {"Bearer " + forged, "Bearer " + acmeTok}}, secretQ, 401)
	add("bearer and basic", "", http.Header{"Authorization": {"Bearer " + acmeTok, basic("bob", forged)}}, secretQ, 401)
	add("two tokens one header", "Bearer "+acmeTok+", Bearer "+forged, nil, secretQ, 401)
	add("X-Test-User", "", http.Header{"X-Test-User": {"bob"}}, secretQ, 0)
	add("X-Test-User alone", "-", http.Header{"X-Test-User": {"bob"}}, secretQ, 401)
	add("X-Lakegate-Tenant", "", http.Header{"X-Lakegate-Tenant": {"beta"}}, secretQ, 0)
	add("X-Lakegate-Tenant alone", "-", http.Header{"X-Lakegate-Tenant": {"beta"}, "X-Lakegate-User": {"bob"}}, secretQ, 401)
	add("X-Forwarded-User", "", http.Header{"X-Forwarded-User": {"bob"}, "X-Remote-User": {"bob"}, "X-Tenant": {"beta"}}, secretQ, 0)
	add("X-Original-URL", "", http.Header{"X-Original-Url": {"/v1/query?tenant=beta"}, "X-Rewrite-Url": {"/v1/query?tenant=beta"}}, secretQ, 0)
	add("method override", "", http.Header{"X-Http-Method-Override": {"DELETE"}}, secretQ, 0)
	out = append(out,
		attack{category: "tokens", name: "X-Lakegate-Tenant on beta's job", method: "GET", path: "/v1/jobs/" + f.betaJob,
			headers: http.Header{"X-Lakegate-Tenant": {"beta"}, "X-Test-User": {"bob"}}, want: 404},
		attack{category: "tokens", name: "query param token", auth: "-", method: "GET",
			path: "/v1/query.json?access_token=" + f.tok[tokExpired] + "&sql=" + url.QueryEscape(secretQ), want: 401, echo: []string{f.tokID[tokExpired]}},
	)
	return out
}

// errorAttacks make acme's queries fail in ways whose messages could name
// what the engine hides: missing tables, bad paths, type errors.
func errorAttacks() []attack {
	return fromMap("errors", map[string]string{
		"missing table":     `SELECT * FROM no_such_table`,
		"missing in db":     `SELECT * FROM assessments.no_such`,
		"missing database":  `SELECT * FROM nodb.attempts`,
		"missing column":    `SELECT no_such_column FROM assessments.attempts`,
		"bad path":          `SELECT * FROM read_parquet('nowhere/x.parquet')`,
		"type error":        `SELECT user_exam_id + 1 FROM assessments.attempts`,
		"cast error":        `SELECT CAST(user_exam_id AS INTEGER) FROM assessments.attempts`,
		"bad function":      `SELECT no_such_function(1)`,
		"syntax":            `SELEC 1`,
		"error() own path":  `SELECT error(current_setting('allowed_directories')::VARCHAR)`,
		"file_search_path":  `SELECT current_setting('file_search_path')`,
		"home directory":    `SELECT * FROM read_text('~/x')`,
		"dropped view text": `SELECT sql FROM duckdb_views() WHERE NOT internal`,
	})
}

// positiveControls show the suite does not pass vacuously: the tenants'
// own data and the admin's views are reachable.
func (f *fixture) positiveControls(t *testing.T) {
	acme, bob, root := bearer(f.tok[tokAcme]), bearer(f.tok[tokBeta]), bearer(f.tok[tokAdmin])
	r := f.query(t, acme, "SELECT user_exam_id FROM assessments.attempts ORDER BY 1 LIMIT 3")
	mustStatus(t, r, 200)
	if !strings.Contains(r.body, f.acmeIDs[0]) {
		t.Errorf("acme does not see its own rows: %s", r.body)
	}
	r = f.query(t, bob, "SELECT plan FROM secret.plans")
	mustStatus(t, r, 200)
	if !strings.Contains(r.body, secretMarker) {
		t.Errorf("beta does not see its secret: %s", r.body)
	}
	r = f.do(t, "POST", "/v1/query?tenant=all", root, jsonSQL("SELECT tenant, count(*) AS n FROM assessments.attempts GROUP BY ALL ORDER BY 1"))
	mustStatus(t, r, 200)
	if !strings.Contains(r.body, `"name":"tenant"`) || !strings.Contains(r.body, `["acme",`) || !strings.Contains(r.body, `["beta",`) {
		t.Errorf("the admin over all tenants does not see both with a tenant column: %s", r.body)
	}
	r = f.do(t, "POST", "/v1/query?tenant=all", root, jsonSQL("SELECT tenant, plan FROM secret.plans"))
	mustStatus(t, r, 200)
	if !strings.Contains(r.body, `["beta","`+secretMarker+`"]`) {
		t.Errorf("the admin over all tenants does not see beta's secret: %s", r.body)
	}
	r = f.do(t, "POST", "/v1/query?tenant=beta", root, jsonSQL("SELECT plan FROM secret.plans"))
	mustStatus(t, r, 200)
	if !strings.Contains(r.body, secretMarker) {
		t.Errorf("the admin in beta's scope does not see the secret: %s", r.body)
	}
	f.betaIntact(t)
}

// betaIntact checks beta's job and saved query are there for beta, so
// acme's 404s are not because they were never made (or were deleted).
func (f *fixture) betaIntact(t *testing.T) {
	bob := bearer(f.tok[tokBeta])
	r := f.do(t, "GET", "/v1/jobs/"+f.betaJob+"/result", bob, "")
	mustStatus(t, r, 200)
	if !strings.Contains(r.body, secretMarker) {
		t.Errorf("beta's job result lacks the secret: %s", r.body)
	}
	r = f.do(t, "GET", "/v1/saved/"+betaSavedName+"/run", bob, "")
	mustStatus(t, r, 200)
	if !strings.Contains(r.body, secretMarker) {
		t.Errorf("beta's saved query does not answer the secret: %s", r.body)
	}
	r = f.query(t, bob, "SELECT sql FROM system.query_log")
	mustStatus(t, r, 200)
	if !strings.Contains(r.body, "secret.plans") {
		t.Errorf("beta's query log lacks beta's queries: %s", r.body)
	}
}

// oracles check that acme cannot tell beta's things from things that do
// not exist: each pair of requests, one naming something of beta's and
// one naming nothing, must get the same answer but for the name sent.
func (f *fixture) oracles(t *testing.T) {
	beta, gamma := f.lake+"/tenants/beta", f.lake+"/tenants/gamma"
	acme := bearer(f.tok[tokAcme])
	forged := func(id string) http.Header {
		return bearer("lg_" + id + "_" + strings.Repeat("0f", 32))
	}
	for _, o := range []struct {
		name         string
		method, a, b string // paths, or SQL for POST /v1/query
		ha, hb       http.Header
		real, fake   string // the names that differ
	}{
		{"file exists", "SQL", `SELECT * FROM read_parquet('` + beta + `/secret/plans/part-0.parquet')`,
			`SELECT * FROM read_parquet('` + beta + `/secret/plans/nope-0.parquet')`, acme, acme, "part", "nope"},
		{"tenant exists", "SQL", `SELECT * FROM read_parquet('` + beta + `/secret/plans/part-0.parquet')`,
			`SELECT * FROM read_parquet('` + gamma + `/secret/plans/part-0.parquet')`, acme, acme, "beta", "gamma"},
		{"tenant dir glob", "SQL", `SELECT * FROM glob('` + beta + `/*')`, `SELECT * FROM glob('` + gamma + `/*')`, acme, acme, "beta", "gamma"},
		{"schema exists", "SQL", `SELECT * FROM secret.plans`, `SELECT * FROM nosuch.plans`, acme, acme, "secret", "nosuch"},
		{"stored schema exists", "SQL", `SELECT * FROM beta__secret.plans`, `SELECT * FROM gamma__secret.plans`, acme, acme, "beta", "gamma"},
		{"job exists", "GET", "/v1/jobs/" + f.betaJob, "/v1/jobs/00000000-0000-4000-8000-000000000000", acme, acme, f.betaJob, "00000000-0000-4000-8000-000000000000"},
		{"saved exists", "GET", "/v1/saved/" + betaSavedName + "/run", "/v1/saved/nope_7f3a/run", acme, acme, betaSavedName, "nope_7f3a"},
		{"catalog table exists", "GET", "/v1/catalog/tables/secret/plans", "/v1/catalog/tables/nosuch/plans", acme, acme, "secret", "nosuch"},
		{"tenant scope", "GET", "/v1/tables?tenant=beta", "/v1/tables?tenant=gamma", acme, acme, "beta", "gamma"},
		{"token id exists", "GET", "/v1/tables", "/v1/tables", forged(f.tokID[tokBeta]), forged("0123456789abcdef"), f.tokID[tokBeta], "0123456789abcdef"},
		{"revoked token id", "GET", "/v1/tables", "/v1/tables", forged(f.tokID[tokRevoked]), forged("0123456789abcdef"), f.tokID[tokRevoked], "0123456789abcdef"},
	} {
		t.Run(o.name, func(t *testing.T) {
			send := func(target string, h http.Header) response {
				if o.method == "SQL" {
					return f.do(t, "POST", "/v1/query", h, jsonSQL(target))
				}
				return f.do(t, o.method, target, h, "")
			}
			ra, rb := send(o.a, o.ha), send(o.b, o.hb)
			na, nb := normalize(ra, o.real), normalize(rb, o.fake)
			if ra.status != rb.status || na != nb {
				t.Errorf("acme can tell beta's from nothing:\n%d %s\n%d %s", ra.status, ra.body, rb.status, rb.body)
			}
		})
	}
}

var queryIDRE = regexp.MustCompile(`"query_id":"[^"]*"`)

// normalize is an answer's body with the name sent replaced by X and its
// query ID dropped.
func normalize(r response, name string) string {
	body := strings.ReplaceAll(r.body, name, "X")
	return queryIDRE.ReplaceAllString(body, "")
}
