package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
)

type noEngine struct{}

func (noEngine) Name() string { return "none" }
func (noEngine) Query(context.Context, lakegate.Query) (lakegate.Rows, error) {
	return nil, lakegate.Errorf(lakegate.EUNAVAILABLE, "no engine")
}
func (noEngine) Close() error { return nil }

// A route someone registers without listing it in roleTable needs admin:
// the server fails closed, and Unlisted names it.
func TestUnlistedRouteNeedsAdmin(t *testing.T) {
	cat, err := catalog.OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	store := cat.Tokens()
	s := New(Options{Engine: noEngine{}, Catalog: cat, Auth: AuthOptions{Tokens: store}})
	s.echo.GET("/v1/extra", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	if un := s.Unlisted(); len(un) != 1 || un[0].Path != "/v1/extra" || un[0].Role != lakegate.RoleAdmin {
		t.Fatalf("Unlisted = %+v", un)
	}
	for role, want := range map[string]int{lakegate.RoleAnalyst: 403, lakegate.RolePublisher: 403, lakegate.RoleAdmin: 200} {
		tok, r, err := lakegate.NewToken(lakegate.Principal{User: "u", Tenant: "t", Role: role}, 0, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := store.Create(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("GET", "/v1/extra", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("%s on an unlisted route: %d, want %d", role, rec.Code, want)
		}
	}
}

// The in-flight bound frees its slot when the request ends.
func TestQuotaInFlight(t *testing.T) {
	q := newQuotas(AuthOptions{MaxConcurrentPerToken: 2})
	e := echo.New()
	ctx := func() echo.Context { return e.NewContext(httptest.NewRequest("GET", "/", nil), httptest.NewRecorder()) }
	r1, err1 := q.admit(ctx(), "a")
	r2, err2 := q.admit(ctx(), "a")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	c := ctx()
	if _, err := q.admit(c, "a"); lakegate.ErrorCode(err) != lakegate.EBUSY || c.Response().Header().Get("Retry-After") == "" {
		t.Fatalf("third request in flight: %v %v", err, c.Response().Header())
	}
	if r, err := q.admit(ctx(), "b"); err != nil {
		t.Fatalf("another token: %v", err)
	} else {
		r()
	}
	r1()
	r3, err := q.admit(ctx(), "a")
	if err != nil {
		t.Fatalf("after one ended: %v", err)
	}
	r2()
	r3()
	if len(q.inFlight) != 0 {
		t.Errorf("in-flight counts left: %v", q.inFlight)
	}
}
