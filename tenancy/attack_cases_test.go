package tenancy_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// The attacks of TestTenantIsolationAttacks, by category.
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
