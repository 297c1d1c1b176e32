package tenancy_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

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
