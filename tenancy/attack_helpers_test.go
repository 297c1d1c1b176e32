package tenancy_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // a plain DuckDB writes beta's secret table

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/catalog/admin"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/generate"
	"github.com/lakegate/lakegate/ingest"
	"github.com/lakegate/lakegate/landing"
	"github.com/lakegate/lakegate/queries"
	"github.com/lakegate/lakegate/server"
	"github.com/lakegate/lakegate/tenancy"
	"github.com/lakegate/lakegate/web"
)

// The attack fixture: one lake and embedded catalog shared by tenant acme
// (the attacker) and tenant beta (the victim), served by the real server
// wired as cmd/lakegate's serve wires it (tenancy.Pool, token auth, the
// saved-query library).

// secretMarker is the one value of beta's secret.plans table.
const secretMarker = "beta-secret-7f3a"

// betaSavedName is beta's saved query.
const betaSavedName = "plans_7f3a"

// Token names in fixture.tok.
const (
	tokAcme    = "acme"    // ana, analyst of acme: the attacker
	tokBeta    = "beta"    // bob, analyst of beta: the victim
	tokAdmin   = "admin"   // root, admin (tenant ops)
	tokExpired = "expired" // bob's, expired
	tokRevoked = "revoked" // bob's, revoked
	tokAcmeBob = "acmebob" // bob, analyst of acme: beta's user's name in the attacker's tenant
)

type fixture struct {
	lake    string // absolute lake root
	spill   string // spill_dir of the engines and the server's jobs
	jobFile string // where beta's job result lies in spill_dir
	url     string // the server's base URL
	tok     map[string]string
	tokID   map[string]string
	betaJob string
	// markers are strings of beta's that no answer to acme may hold.
	markers []string
	// acmeIDs are user_exam_ids of acme's own rows (positive controls).
	acmeIDs []string
	// cacheSQL was run by beta (and beta's admin scope) before any attack.
	cacheSQL string
	// acmeCache is acme's own answer to cacheSQL (its rows, as JSON).
	acmeCache string
	betaCache string
	// pgAddr is the same server's PostgreSQL protocol (attack_pg_test.go).
	pgAddr string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	base := t.TempDir()
	lake := filepath.Join(base, "lake")
	if err := os.MkdirAll(lake, 0o755); err != nil {
		t.Fatal(err)
	}
	lake, err := filepath.EvalSymlinks(lake)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(lake, "beta") || strings.Contains(lake, "acme") {
		t.Fatalf("the temp dir %s names a tenant; the marker search would be meaningless", lake)
	}
	shared, err := catalog.OpenEmbedded(filepath.Join(lake, "_catalog"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shared.Close() })
	f := &fixture{lake: lake, tok: map[string]string{}, tokID: map[string]string{}}

	f.land(t, ctx, shared, base, "acme", 11)
	f.land(t, ctx, shared, base, "beta", 22)
	f.writeSecret(t, ctx, shared)
	f.plantSymlinks(t)
	f.registerLinked(t, ctx, shared)
	f.makeTokens(t, ctx, shared.Tokens())

	// As serve.go: one spill_dir for every engine's exports and the
	// server's job results.
	f.spill = filepath.Join(base, "spill")
	pool, err := tenancy.New(shared, localLake(t, lake), nil, duckdb.Options{Threads: 2, SpillDir: f.spill})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	// As serve.go: the configured tenant's engine and catalog name the
	// engine and answer /healthz; every request works in its own scope.
	eng, err := pool.Engine(ctx, lakegate.DefaultTenant)
	if err != nil {
		t.Fatal(err)
	}
	defCat, err := catalog.ForTenant(shared, lakegate.DefaultTenant)
	if err != nil {
		t.Fatal(err)
	}
	builtin, err := queries.All()
	if err != nil {
		t.Fatal(err)
	}
	lib, err := queries.NewLibrary(shared.SavedQueries(), builtin)
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Options{
		Engine: eng, Catalog: defCat, Tenancy: pool, UI: web.Handler(),
		Logger:     slog.New(slog.DiscardHandler),
		CacheBytes: 64 << 20, SpillDir: f.spill,
		Auth:    server.AuthOptions{Tokens: shared.Tokens()},
		Queries: lib,
	})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	})
	f.url = hs.URL
	f.pgAddr = startPG(t, srv)
	f.betaActivity(t)
	f.collectMarkers(t)
	return f
}

// land generates attempts with seed and ingests them through tenant's own
// store and catalog view, as `lakegate ingest --tenant` does.
func (f *fixture) land(t *testing.T, ctx context.Context, shared lakegate.Catalog, base, tenant string, seed int64) {
	t.Helper()
	src := filepath.Join(base, tenant+".json")
	var buf bytes.Buffer
	if _, err := generate.Assessments(&buf, generate.Options{Attempts: 150, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := tenancy.Store(localLake(t, f.lake), tenant)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.ForTenant(shared, tenant)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Assessments(ctx, ingest.Options{Store: store, Catalog: cat}, src); err != nil {
		t.Fatalf("ingest %s: %v", tenant, err)
	}
}

// writeSecret lands beta's secret.plans: Parquet under
// tenants/beta/secret/plans/ registered through beta's catalog.
func (f *fixture) writeSecret(t *testing.T, ctx context.Context, shared lakegate.Catalog) {
	t.Helper()
	dir := filepath.Join(f.lake, "tenants", "beta", "secret", "plans")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	q := fmt.Sprintf(`COPY (SELECT '%s' AS plan, 42 AS amount, 'x' AS beta_note) TO '%s' (FORMAT parquet)`,
		secretMarker, filepath.Join(dir, "part-0.parquet"))
	if _, err := w.Exec(q); err != nil {
		t.Fatal(err)
	}
	// A CSV and a JSON file of beta's too, for read_csv and read_json.
	for name, body := range map[string]string{"plans.csv": "plan\n" + secretMarker + "\n", "plans.json": `{"plan":"` + secretMarker + `"}` + "\n"} {
		if err := os.WriteFile(filepath.Join(f.lake, "tenants", "beta", name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	store, err := tenancy.Store(localLake(t, f.lake), "beta")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.ForTenant(shared, "beta")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Register(ctx, cat, store, "secret", "plans", "secret/plans"); err != nil {
		t.Fatalf("register beta's secret.plans: %v", err)
	}
}

// Symlinks planted in acme's part of the lake (by a careless operator or
// a compromised landing job), pointing into beta's.
const (
	linkFile   = "tenants/acme/shortcut.parquet"  // -> beta's part-0.parquet (absolute)
	linkDir    = "tenants/acme/shortcut_dir"      // -> tenants/beta (absolute)
	linkRelDir = "tenants/acme/shortcut_rel"      // -> ../beta/secret/plans (relative)
	linkCSV    = "tenants/acme/shortcut_text.csv" // -> beta's plans.csv
)

func (f *fixture) plantSymlinks(t *testing.T) {
	t.Helper()
	beta := filepath.Join(f.lake, "tenants", "beta")
	for link, target := range map[string]string{
		linkFile:   filepath.Join(beta, "secret", "plans", "part-0.parquet"),
		linkDir:    beta,
		linkRelDir: "../beta/secret/plans",
		linkCSV:    filepath.Join(beta, "plans.csv"),
	} {
		if err := os.Symlink(target, filepath.Join(f.lake, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
}

// registerLinked is an operator registering, at acme's request, acme's
// directory that holds a planted symlink into beta's part of the lake
// (`lakegate catalog register --tenant acme linked.plans shortcut_rel`;
// `catalog repair` lists and reads files the same way). Refusing is right;
// if it is accepted, acme's linked.plans must still show nothing of
// beta's: no rows (DuckDB refuses to read through the link), but also no
// column name, row count or checksum in acme's catalog.
func (f *fixture) registerLinked(t *testing.T, ctx context.Context, shared lakegate.Catalog) {
	t.Helper()
	store, err := tenancy.Store(localLake(t, f.lake), "acme")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.ForTenant(shared, "acme")
	if err != nil {
		t.Fatal(err)
	}
	_, err = admin.Register(ctx, cat, store, "linked", "plans", "shortcut_rel")
	t.Logf("registering acme's linked.plans through a symlink into beta's files: %v", err)
}

// makeTokens creates the tokens through the token store, as `lakegate
// token create` does.
func (f *fixture) makeTokens(t *testing.T, ctx context.Context, store lakegate.TokenStore) {
	t.Helper()
	now := time.Now()
	for _, tc := range []struct {
		name string
		p    lakegate.Principal
		at   time.Time
		ttl  time.Duration
	}{
		{tokAcme, lakegate.Principal{User: "ana", Tenant: "acme", Role: lakegate.RoleAnalyst}, now, 0},
		{tokBeta, lakegate.Principal{User: "bob", Tenant: "beta", Role: lakegate.RoleAnalyst}, now, 0},
		{tokAdmin, lakegate.Principal{User: "root", Tenant: "ops", Role: lakegate.RoleAdmin}, now, 0},
		{tokExpired, lakegate.Principal{User: "bob", Tenant: "beta", Role: lakegate.RoleAnalyst}, now.Add(-2 * time.Hour), time.Hour},
		{tokRevoked, lakegate.Principal{User: "bob", Tenant: "beta", Role: lakegate.RoleAnalyst}, now, 0},
		{tokAcmeBob, lakegate.Principal{User: "bob", Tenant: "acme", Role: lakegate.RoleAnalyst}, now, 0},
	} {
		tok, rec, err := lakegate.NewToken(tc.p, tc.ttl, tc.at)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.Create(ctx, rec); err != nil {
			t.Fatal(err)
		}
		f.tok[tc.name], f.tokID[tc.name] = tok, rec.ID
	}
	if err := store.Revoke(ctx, f.tokID[tokRevoked]); err != nil {
		t.Fatal(err)
	}
}

// betaActivity is what beta does before the attacks: a saved query, an
// async job, queries in its query log and the result cache.
func (f *fixture) betaActivity(t *testing.T) {
	t.Helper()
	bob := bearer(f.tok[tokBeta])
	r := f.do(t, "POST", "/v1/saved", bob, `{"name":"`+betaSavedName+`","title":"beta plans","sql":"SELECT plan FROM secret.plans"}`)
	mustStatus(t, r, http.StatusCreated)
	r = f.do(t, "POST", "/v1/jobs", bob, `{"sql":"SELECT plan, amount FROM secret.plans"}`)
	mustStatus(t, r, http.StatusAccepted)
	var job struct {
		JobID string `json:"job_id"`
	}
	r.decode(t, &job)
	f.betaJob = job.JobID
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		r = f.do(t, "GET", "/v1/jobs/"+f.betaJob, bob, "")
		if strings.Contains(r.body, `"state":"succeeded"`) {
			break
		}
		if strings.Contains(r.body, `"state":"failed"`) || time.Now().After(deadline) {
			t.Fatalf("beta's job did not succeed: %s", r.body)
		}
	}
	files, err := filepath.Glob(filepath.Join(f.spill, "lakegate-jobs-*", "*"))
	if err != nil || len(files) != 1 {
		t.Fatalf("beta's job result is not one file in spill_dir: %v %v", files, err)
	}
	f.jobFile = files[0]
	r = f.do(t, "POST", "/v1/query", bob, `{"sql":"SELECT plan FROM secret.plans WHERE plan LIKE 'beta-secret-%'"}`)
	mustStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, secretMarker) {
		t.Fatalf("beta cannot read its own secret: %s", r.body)
	}
	// The cache collision: beta (and an admin in beta's scope) answer the
	// text acme will send, so the cache holds beta's answer under it.
	f.cacheSQL = "SELECT min(user_exam_id) AS u, max(keen_id) AS k, count(*) AS n FROM assessments.attempts"
	r = f.query(t, bob, f.cacheSQL)
	mustStatus(t, r, http.StatusOK)
	f.betaCache = rowsOf(t, r)
	r = f.do(t, "POST", "/v1/query?tenant=beta", bearer(f.tok[tokAdmin]), jsonSQL(f.cacheSQL))
	mustStatus(t, r, http.StatusOK)
	if rowsOf(t, r) != f.betaCache {
		t.Fatalf("the admin in beta's scope sees %s, beta sees %s", rowsOf(t, r), f.betaCache)
	}
}

// collectMarkers gathers beta's names and values that acme must never see,
// and checks that acme's own data holds none of them (otherwise the search
// would fail on acme's rows, or the markers would prove nothing).
func (f *fixture) collectMarkers(t *testing.T) {
	t.Helper()
	ids := func(tok, scope string) (exams, keens map[string]bool) {
		r := f.do(t, "POST", "/v1/query"+scope, noStore(bearer(tok)), jsonSQL("SELECT user_exam_id, keen_id FROM assessments.attempts"))
		mustStatus(t, r, http.StatusOK)
		var out struct{ Rows [][]any }
		r.decode(t, &out)
		exams, keens = map[string]bool{}, map[string]bool{}
		for _, row := range out.Rows {
			if s, ok := row[0].(string); ok && s != "" {
				exams[s] = true
			}
			if s, ok := row[1].(string); ok && s != "" {
				keens[s] = true
			}
		}
		return exams, keens
	}
	acmeExams, acmeKeens := ids(f.tok[tokAcme], "")
	betaExams, betaKeens := ids(f.tok[tokAdmin], "?tenant=beta")
	for id := range acmeExams {
		f.acmeIDs = append(f.acmeIDs, id)
	}
	sort.Strings(f.acmeIDs)
	f.markers = []string{
		"beta", secretMarker, "secret.plans", "secret/plans", `"secret"."plans"`, betaSavedName,
		filepath.Join(f.lake, "tenants", "beta"), f.betaJob, sha256File(t, filepath.Join(f.lake, "tenants", "beta", "secret", "plans", "part-0.parquet")),
		f.tokID[tokBeta], f.tokID[tokExpired], f.tokID[tokRevoked],
	}
	f.markers = append(f.markers, only(betaExams, acmeExams, 5)...)
	f.markers = append(f.markers, only(betaKeens, acmeKeens, 5)...)
	if len(f.markers) < 18 || len(f.acmeIDs) < 10 {
		t.Fatalf("too few markers %q or acme ids %d: the tenants' data do not differ", f.markers, len(f.acmeIDs))
	}
	// Acme's whole data, as acme reads it, is free of the markers.
	for _, table := range []string{"attempts", "questions", "raw"} {
		r := f.query(t, noStore(bearer(f.tok[tokAcme])), "SELECT * FROM assessments."+table)
		mustStatus(t, r, http.StatusOK)
		if m := f.leaked(r.text(), nil); m != "" {
			t.Fatalf("acme's own assessments.%s holds the marker %q: pick other markers", table, m)
		}
	}
	// Acme's own answer, computed without the cache (no-store), so that
	// the cache attacks meet an empty slot on acme's side.
	acmeRows := f.query(t, noStore(bearer(f.tok[tokAcme])), f.cacheSQL)
	mustStatus(t, acmeRows, http.StatusOK)
	f.acmeCache = rowsOf(t, acmeRows)
	if f.acmeCache == f.betaCache {
		t.Fatalf("acme and beta have the same answer %s to the cache query: it proves nothing", f.acmeCache)
	}
}

// sha256File is the checksum a catalog keeps of a file.
func sha256File(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// only returns up to n sorted keys of a that are not in b.
func only(a, b map[string]bool, n int) []string {
	var out []string
	for k := range a {
		if !b[k] && len(k) >= 8 {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out[:min(n, len(out))]
}

// localLake opens the local lake at dir.
func localLake(t *testing.T, dir string) landing.Lake {
	t.Helper()
	l, err := landing.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
