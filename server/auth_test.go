package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/server"
)

// authFixture is a server that requires tokens, with one token per role
// (and one of a role this build does not know), on a clock the test moves.
type authFixture struct {
	*fixture
	store  *tokenStore
	tokens map[string]string // by role; "unknown" has a role nobody has
	mu     sync.Mutex
	now    time.Time
}

func newAuthFixture(t *testing.T, opt server.Options) *authFixture {
	t.Helper()
	a := &authFixture{store: &tokenStore{TokenStore: catalog.NewEmbeddedTokens(t.TempDir()), unknown: map[string]bool{}},
		tokens: map[string]string{}, now: time.Now()}
	opt.Auth.Tokens = a.store
	opt.Auth.Now = a.clock
	if opt.UI == nil {
		opt.UI = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>sign in</html>")) })
	}
	a.fixture = newFixture(t, opt)
	for _, role := range []string{lakegate.RoleSender, lakegate.RoleAnalyst, lakegate.RolePublisher, lakegate.RoleAdmin, "unknown"} {
		a.tokens[role] = a.mint(t, "u-"+role, role, 0)
	}
	return a
}

func (a *authFixture) clock() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.now
}

func (a *authFixture) advance(d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.now = a.now.Add(d)
}

// mint creates a token for user of tenant acme with role, valid for ttl
// (0: forever) from the fixture's clock.
func (a *authFixture) mint(t *testing.T, user, role string, ttl time.Duration) string {
	t.Helper()
	stored := role
	if role == "unknown" {
		stored = lakegate.RoleAdmin // stored valid, looked up as a role this build lacks
	}
	tok, r, err := lakegate.NewToken(lakegate.Principal{User: user, Tenant: "acme", Role: stored}, ttl, a.clock())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.store.Create(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if role == "unknown" {
		a.store.unknown[r.ID] = true
	}
	return tok
}

// tokenStore is the embedded token store, except that the tokens in
// unknown come back with a role from a newer lakegate, and fail makes
// every lookup fail as an unreachable store would.
type tokenStore struct {
	lakegate.TokenStore
	unknown map[string]bool
	fail    bool
}

func (s *tokenStore) Lookup(ctx context.Context, id string) (lakegate.TokenRecord, error) {
	if s.fail {
		return lakegate.TokenRecord{}, lakegate.Errorf(lakegate.EUNAVAILABLE, "the token store is down")
	}
	r, err := s.TokenStore.Lookup(ctx, id)
	if s.unknown[id] {
		r.Role = "auditor"
	}
	return r, err
}

// send makes one request with the given header lines ("Name: value"; a
// name may repeat).
func (a *authFixture) send(t *testing.T, method, target string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	body := ""
	if method == "POST" {
		body = "SELECT 1"
	}
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Add(k, v)
	}
	rec := httptest.NewRecorder()
	a.srv.Handler().ServeHTTP(rec, req)
	return rec
}

func bearer(tok string) string { return "Authorization: Bearer " + tok }

func basic(user, pass string) string {
	return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// wantError checks the status and the fixed error shape.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	var body struct {
		OK    *bool `json:"ok"`
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.OK == nil || *body.OK || body.Error.Code != code || body.Error.Message == "" {
		t.Fatalf("body %s, want {\"ok\":false,\"error\":{\"code\":%q,...}}", rec.Body, code)
	}
	if status == 401 && !strings.Contains(strings.Join(rec.Header().Values("WWW-Authenticate"), "|"), `Bearer realm="lakegate"`) {
		t.Fatalf("401 without a Bearer challenge: %v", rec.Header())
	}
}

// concrete fills a route's parameters so that it can be requested.
func concrete(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || p == "*" {
			parts[i] = "x"
		}
	}
	return strings.Join(parts, "/")
}

var lower = map[string][]string{ // roles below each role, and the unknown one
	lakegate.RoleSender:    {"unknown"},
	lakegate.RoleAnalyst:   {"unknown", lakegate.RoleSender},
	lakegate.RolePublisher: {"unknown", lakegate.RoleSender, lakegate.RoleAnalyst},
	lakegate.RoleAdmin:     {"unknown", lakegate.RoleSender, lakegate.RoleAnalyst, lakegate.RolePublisher},
}

// Every registered route, including those added after this test was
// written: open ones answer strangers, the others answer 401 without (or
// with bad) credentials, 403 to every role below theirs, and let their
// own role through.
func TestAuthEveryRoute(t *testing.T) {
	a := newAuthFixture(t, server.Options{})
	if un := a.srv.Unlisted(); len(un) > 0 {
		t.Errorf("routes missing from the role table in server/auth_roles.go (they need admin until listed): %+v", un)
	}
	routes := a.srv.Routes()
	if len(routes) < 15 {
		t.Fatalf("only %d routes: %+v", len(routes), routes)
	}
	for _, r := range routes {
		target := concrete(r.Path)
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			if r.Role == "" {
				if rec := a.send(t, r.Method, target); rec.Code == 401 || rec.Code == 403 {
					t.Fatalf("open route answered %d: %s", rec.Code, rec.Body)
				}
				return
			}
			wantError(t, a.send(t, r.Method, target), 401, lakegate.EUNAUTHORIZED)
			wantError(t, a.send(t, r.Method, target, bearer(forge(a.tokens[r.Role]))), 401, lakegate.EUNAUTHORIZED)
			wantError(t, a.send(t, r.Method, target, basic("u-"+r.Role, forge(a.tokens[r.Role]))), 401, lakegate.EUNAUTHORIZED)
			for _, low := range lower[r.Role] {
				wantError(t, a.send(t, r.Method, target, bearer(a.tokens[low])), 403, lakegate.EFORBIDDEN)
			}
			for _, ok := range []string{r.Role, lakegate.RoleAdmin} {
				if rec := a.send(t, r.Method, target, bearer(a.tokens[ok])); rec.Code == 401 || rec.Code == 403 {
					t.Fatalf("%s token: %d %s", ok, rec.Code, rec.Body)
				}
			}
		})
	}
}

// forge changes the token's last digit: the right ID, the wrong secret.
func forge(tok string) string {
	if strings.HasSuffix(tok, "0") {
		return tok[:len(tok)-1] + "1"
	}
	return tok[:len(tok)-1] + "0"
}

func TestAuthGolden(t *testing.T) {
	a := newAuthFixture(t, server.Options{})
	rec := a.send(t, "GET", "/v1/tables")
	wantError(t, rec, 401, lakegate.EUNAUTHORIZED)
	golden(t, "auth_unauthorized", rec.Body.Bytes())
	if got := rec.Header().Values("WWW-Authenticate"); len(got) != 2 || !strings.HasPrefix(got[1], "Basic ") {
		t.Errorf("challenges %q, want Bearer and Basic", got)
	}
	rec = a.send(t, "GET", "/metrics", bearer(a.tokens[lakegate.RoleAnalyst]))
	wantError(t, rec, 403, lakegate.EFORBIDDEN)
	golden(t, "auth_forbidden", rec.Body.Bytes())
	rec = a.send(t, "GET", "/metrics", bearer(a.tokens[lakegate.RoleAdmin]))
	for _, want := range []string{`lakegate_auth_denied_total{code="unauthorized"} 1`, `lakegate_auth_denied_total{code="forbidden"} 1`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if !strings.Contains(a.logs.String(), `"msg":"request denied","code":"forbidden"`) {
		t.Errorf("a 403 is not logged:\n%s", a.logs)
	}
	// A client that tried Bearer, or a page's script, is not offered Basic
	// (no browser login box over the page's own sign-in dialog).
	for _, h := range []string{bearer(forge(a.tokens[lakegate.RoleAnalyst])), "Sec-Fetch-Dest: empty"} {
		rec = a.send(t, "GET", "/v1/tables", h)
		if got := rec.Header().Values("WWW-Authenticate"); len(got) != 1 {
			t.Errorf("challenges with %q: %q, want only Bearer", h, got)
		}
	}
}

func TestAuthAccepts(t *testing.T) {
	a := newAuthFixture(t, server.Options{})
	tok := a.mint(t, "ana", lakegate.RoleAnalyst, 0)
	for name, h := range map[string]string{
		"bearer":                 bearer(tok),
		"scheme in any case":     "Authorization: bEARER " + tok,
		"basic user and token":   basic("ana", tok),
		"basic token as user":    basic(tok, ""),
		"basic token, no user":   basic("", tok),
		"basic scheme lowercase": strings.Replace(basic("ana", tok), "Basic", "basic", 1),
	} {
		if rec := a.send(t, "POST", "/v1/query", h); rec.Code != 200 {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	if !strings.Contains(a.logs.String(), `"user":"ana`) { // "ana", or "ana@acme" once queries name the tenant
		t.Errorf("queries are not logged as the token's user:\n%s", a.logs)
	}
}

// Forged, expired, revoked and smuggled credentials are all 401; headers
// other than Authorization never name the caller.
func TestAuthRejects(t *testing.T) {
	a := newAuthFixture(t, server.Options{})
	tok := a.mint(t, "ana", lakegate.RoleAnalyst, time.Hour)
	admin := a.tokens[lakegate.RoleAdmin]
	revoked := a.mint(t, "bo", lakegate.RoleAnalyst, 0)
	id, _, _ := lakegate.ParseToken(revoked)
	if rec := a.send(t, "GET", "/v1/tables", bearer(revoked)); rec.Code != 200 {
		t.Fatalf("before revocation: %d", rec.Code)
	}
	if err := a.store.Revoke(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := map[string][]string{
		"nothing":                   nil,
		"empty":                     {"Authorization: "},
		"scheme only":               {"Authorization: Bearer"},
		"scheme and space":          {"Authorization: Bearer "},
		"two spaces":                {"Authorization: Bearer  " + tok},
		"tab":                       {"Authorization: Bearer\t" + tok},
		"trailing space":            {"Authorization: Bearer " + tok + " "},
		"leading space":             {"Authorization:  Bearer " + tok},
		"token twice":               {"Authorization: Bearer " + tok + " " + tok},
		"bearer then basic":         {"Authorization: Bearer " + tok + ", Basic " + b64("ana:"+tok)},
		"basic then bearer":         {"Authorization: Basic " + b64("ana:"+tok) + ", Bearer " + tok},
		"two headers, both good":    {bearer(tok), bearer(tok)},
		"two headers, bad and good": {bearer("nope"), bearer(admin)},
		"basic and bearer headers":  {basic("ana", tok), bearer(admin)},
		"upper-case token":          {bearer(strings.ToUpper(tok))},
		"upper-case prefix":         {bearer("LG" + tok[2:])},
		"other scheme":              {"Authorization: Token " + tok},
		"digest":                    {"Authorization: Digest username=\"ana\""},
		"forged":                    {bearer(forge(tok))},
		"unknown id":                {bearer("lg_0123456789abcdef_" + tok[len(tok)-64:])},
		"revoked":                   {bearer(revoked)},
		"revoked basic":             {basic("bo", revoked)},
		"basic wrong user":          {basic("u-admin", tok)},
		"basic forged":              {basic("ana", forge(tok))},
		"basic no colon":            {"Authorization: Basic " + b64(tok)},
		"basic unpadded":            {"Authorization: Basic " + strings.TrimRight(b64("ana:"+tok), "=")},
		"basic not base64":          {"Authorization: Basic !!!"},
		"basic with spaces":         {basic(" ana", " "+tok)},
		"x-test-user":               {"X-Test-User: u-admin"},
		"proxy headers": {"X-Forwarded-User: u-admin", "X-Remote-User: u-admin", "Remote-User: u-admin",
			"X-Auth-Request-User: u-admin", "X-User: u-admin", "X-Lakegate-User: u-admin", "X-Lakegate-Role: admin"},
		"proxy-authorization": {"Proxy-Authorization: Bearer " + admin},
		"cookie":              {"Cookie: token=" + admin},
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			wantError(t, a.send(t, "GET", "/v1/tables", h...), 401, lakegate.EUNAUTHORIZED)
		})
	}
	for _, q := range []string{"token", "access_token", "api_key"} {
		wantError(t, a.send(t, "GET", "/v1/tables?"+q+"="+admin), 401, lakegate.EUNAUTHORIZED)
	}
	// An analyst cannot raise its role with headers either.
	wantError(t, a.send(t, "GET", "/metrics", bearer(tok), "X-Test-User: u-admin", "X-Lakegate-Role: admin"), 403, lakegate.EFORBIDDEN)

	for _, tok := range []string{tok, admin, revoked} {
		if strings.Contains(a.logs.String(), tok[len(tok)-64:]) {
			t.Fatalf("a token's secret reached the logs:\n%s", a.logs)
		}
	}
	a.advance(2 * time.Hour)
	rec := a.send(t, "GET", "/v1/tables", bearer(tok))
	wantError(t, rec, 401, lakegate.EUNAUTHORIZED)
	if !strings.Contains(rec.Body.String(), "expired") {
		t.Errorf("an expired token is not told so: %s", rec.Body)
	}
	wantError(t, a.send(t, "GET", "/v1/tables", basic("ana", tok)), 401, lakegate.EUNAUTHORIZED)
}

// A token store that cannot be reached is 503, not a 401 that would tell
// good callers their tokens are bad.
func TestAuthStoreDown(t *testing.T) {
	a := newAuthFixture(t, server.Options{})
	a.store.fail = true
	wantError(t, a.send(t, "GET", "/v1/tables", bearer(a.tokens[lakegate.RoleAnalyst])), 503, lakegate.EUNAVAILABLE)
	if rec := a.send(t, "GET", "/healthz"); rec.Code != 200 {
		t.Errorf("/healthz without credentials: %d", rec.Code)
	}
}

// Without a token store and without None the server lets nobody in.
func TestAuthFailsClosed(t *testing.T) {
	f := newFixture(t, server.Options{})
	srv := server.New(server.Options{Engine: failingEngine{}, Catalog: f.lake.Catalog, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	for _, target := range []string{"/v1/tables", "/metrics", "/v1/history"} {
		req := httptest.NewRequest("GET", target, nil)
		req.Header.Set("X-Test-User", "admin")
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		wantError(t, rec, 401, lakegate.EUNAUTHORIZED)
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != 200 {
		t.Errorf("/healthz: %d", rec.Code)
	}
}

func TestAuthRateLimit(t *testing.T) {
	a := newAuthFixture(t, server.Options{Auth: server.AuthOptions{RateLimit: 1, RateBurst: 2}})
	ana, bo := a.tokens[lakegate.RoleAnalyst], a.tokens[lakegate.RolePublisher]
	for i := range 2 {
		if rec := a.send(t, "GET", "/v1/tables", bearer(ana)); rec.Code != 200 {
			t.Fatalf("request %d within the burst: %d", i, rec.Code)
		}
	}
	rec := a.send(t, "GET", "/v1/tables", bearer(ana))
	wantError(t, rec, 429, lakegate.EBUSY)
	if ra := rec.Header().Get("Retry-After"); ra != "1" {
		t.Errorf("Retry-After %q, want 1", ra)
	}
	if rec := a.send(t, "GET", "/v1/tables", bearer(bo)); rec.Code != 200 {
		t.Errorf("another token was limited too: %d", rec.Code)
	}
	a.advance(time.Second)
	if rec := a.send(t, "GET", "/v1/tables", bearer(ana)); rec.Code != 200 {
		t.Errorf("after a second: %d %s", rec.Code, rec.Body)
	}
}

func TestAuthConcurrencyPerToken(t *testing.T) {
	a := newAuthFixture(t, server.Options{Auth: server.AuthOptions{MaxConcurrentPerToken: 1}, MaxConcurrent: 4})
	ana, bo := a.tokens[lakegate.RoleAnalyst], a.tokens[lakegate.RolePublisher]
	ctx, cancel := context.WithCancel(context.Background())
	slow := background(t, ctx, a.fixture, "/v1/query", slowSQL, "Authorization", "Bearer "+ana)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if active, _ := server.Slots(a.srv); active == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the slow query never started")
		}
	}
	rec := a.send(t, "GET", "/v1/tables", bearer(ana))
	wantError(t, rec, 429, lakegate.EBUSY)
	if rec.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if rec := a.send(t, "GET", "/v1/tables", bearer(bo)); rec.Code != 200 {
		t.Errorf("another token: %d", rec.Code)
	}
	cancel()
	<-slow
	if rec := a.send(t, "GET", "/v1/tables", bearer(ana)); rec.Code != 200 {
		t.Errorf("after the slow query ended: %d %s", rec.Code, rec.Body)
	}
}
