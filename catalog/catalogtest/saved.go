package catalogtest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
)

// OpenSaved returns a new, empty saved-query store for each call, and a
// function that opens another handle on the same backing store (another
// gateway process). Every handle is closed by t.Cleanup.
type OpenSaved func(t *testing.T) (s lakegate.SavedStore, another func(t *testing.T) lakegate.SavedStore)

// RunSaved is the conformance suite of lakegate.SavedStore.
func RunSaved(t *testing.T, open OpenSaved) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s lakegate.SavedStore, another func(t *testing.T) lakegate.SavedStore)
	}{
		{"Empty", testSavedEmpty},
		{"PutGetListDelete", testSavedRoundTrip},
		{"Conflict", testSavedConflict},
		{"TenantsAreSeparate", testSavedTenants},
		{"NotFound", testSavedNotFound},
		{"Invalid", testSavedInvalid},
		{"SeenByAnotherHandle", testSavedAnother},
		{"ConcurrentPuts", testSavedConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, another := open(t)
			tt.fn(t, s, another)
		})
	}
}

// SampleSaved is a saved query with a parameter of every type.
func SampleSaved(name string) lakegate.SavedQuery {
	return lakegate.SavedQuery{
		Name: name, Title: "Sample " + name, Description: "a <sample> & \"query\"", Chart: "bar",
		SQL: "SELECT $s, $i, $n, $b, CAST($d AS DATE), $r",
		Params: []lakegate.Param{
			{Name: "s", Type: lakegate.ParamString, Default: "Learning Git", Help: "a string"},
			{Name: "i", Type: lakegate.ParamInteger, Default: int64(10)},
			{Name: "n", Type: lakegate.ParamNumber, Default: 1.0},
			{Name: "b", Type: lakegate.ParamBoolean, Default: true},
			{Name: "d", Type: lakegate.ParamDate, Default: "2018-01-23"},
			{Name: "r", Type: lakegate.ParamNumber, Help: "required"},
		},
		Owner: "ann", Created: time.Date(2026, 11, 21, 12, 0, 0, 123e6, time.UTC),
	}
}

func bg() context.Context { return context.Background() }

func mustPutSaved(t *testing.T, s lakegate.SavedStore, tenant string, q lakegate.SavedQuery) {
	t.Helper()
	if err := s.Put(bg(), tenant, q); err != nil {
		t.Fatalf("Put(%s, %s): %v", tenant, q.Name, err)
	}
}

func wantSavedCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if lakegate.ErrorCode(err) != code {
		t.Fatalf("%s: err = %v, want %s", what, err, code)
	}
}

// stored is q as a store returns it.
func storedSaved(q lakegate.SavedQuery, tenant string) lakegate.SavedQuery {
	q.Tenant, q.Source, q.Builtin = tenant, lakegate.SourceSaved, false
	return q
}

func sameSaved(t *testing.T, what string, got, want lakegate.SavedQuery) {
	t.Helper()
	if !got.Created.Equal(want.Created) {
		t.Errorf("%s: created %v, want %v", what, got.Created, want.Created)
	}
	got.Created, want.Created = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %#v\nwant %#v", what, got, want)
	}
}

func savedNames(qs []lakegate.SavedQuery) []string {
	out := []string{}
	for _, q := range qs {
		out = append(out, q.Name)
	}
	return out
}

func testSavedEmpty(t *testing.T, s lakegate.SavedStore, _ func(*testing.T) lakegate.SavedStore) {
	qs, err := s.List(bg(), lakegate.DefaultTenant)
	if err != nil || qs == nil || len(qs) != 0 {
		t.Fatalf("List on an empty store = %#v, %v; want an empty, non-nil list", qs, err)
	}
}

func testSavedRoundTrip(t *testing.T, s lakegate.SavedStore, _ func(*testing.T) lakegate.SavedStore) {
	for _, n := range []string{"zeta", "alpha", "mid"} {
		mustPutSaved(t, s, "acme", SampleSaved(n))
	}
	q, err := s.Get(bg(), "acme", "alpha")
	if err != nil {
		t.Fatal(err)
	}
	sameSaved(t, "Get", q, storedSaved(SampleSaved("alpha"), "acme"))
	qs, err := s.List(bg(), "acme")
	if err != nil || fmt.Sprint(savedNames(qs)) != "[alpha mid zeta]" {
		t.Fatalf("List = %v, %v; want sorted by name", savedNames(qs), err)
	}
	sameSaved(t, "List", qs[2], storedSaved(SampleSaved("zeta"), "acme"))
	if err := s.Delete(bg(), "acme", "mid"); err != nil {
		t.Fatal(err)
	}
	qs, _ = s.List(bg(), "acme")
	if fmt.Sprint(savedNames(qs)) != "[alpha zeta]" {
		t.Fatalf("after Delete: %v", savedNames(qs))
	}
	_, err = s.Get(bg(), "acme", "mid")
	wantSavedCode(t, "Get after Delete", err, lakegate.ENOTFOUND)
	mustPutSaved(t, s, "acme", SampleSaved("mid")) // the name is free again
}

func testSavedConflict(t *testing.T, s lakegate.SavedStore, _ func(*testing.T) lakegate.SavedStore) {
	mustPutSaved(t, s, "acme", SampleSaved("q"))
	other := SampleSaved("q")
	other.SQL = "SELECT 2"
	wantSavedCode(t, "Put of an existing name", s.Put(bg(), "acme", other), lakegate.ECONFLICT)
	q, _ := s.Get(bg(), "acme", "q")
	if q.SQL != SampleSaved("q").SQL {
		t.Fatalf("a refused Put changed the query: %q", q.SQL)
	}
}

func testSavedTenants(t *testing.T, s lakegate.SavedStore, _ func(*testing.T) lakegate.SavedStore) {
	mustPutSaved(t, s, "acme", SampleSaved("q"))
	mustPutSaved(t, s, "globex", SampleSaved("q")) // the same name in another tenant
	mustPutSaved(t, s, "globex", SampleSaved("only_globex"))
	a, _ := s.List(bg(), "acme")
	g, _ := s.List(bg(), "globex")
	if fmt.Sprint(savedNames(a)) != "[q]" || fmt.Sprint(savedNames(g)) != "[only_globex q]" || a[0].Tenant != "acme" || g[1].Tenant != "globex" {
		t.Fatalf("acme %v, globex %v", a, g)
	}
	_, err := s.Get(bg(), "acme", "only_globex")
	wantSavedCode(t, "Get of another tenant's query", err, lakegate.ENOTFOUND)
	wantSavedCode(t, "Delete of another tenant's query", s.Delete(bg(), "acme", "only_globex"), lakegate.ENOTFOUND)
	if err := s.Delete(bg(), "acme", "q"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(bg(), "globex", "q"); err != nil {
		t.Fatalf("deleting acme's q removed globex's: %v", err)
	}
}

func testSavedNotFound(t *testing.T, s lakegate.SavedStore, _ func(*testing.T) lakegate.SavedStore) {
	_, err := s.Get(bg(), "acme", "nope")
	wantSavedCode(t, "Get", err, lakegate.ENOTFOUND)
	wantSavedCode(t, "Delete", s.Delete(bg(), "acme", "nope"), lakegate.ENOTFOUND)
}

func testSavedInvalid(t *testing.T, s lakegate.SavedStore, _ func(*testing.T) lakegate.SavedStore) {
	wantSavedCode(t, "Put without a tenant", s.Put(bg(), "", SampleSaved("q")), lakegate.EINVALID)
	wantSavedCode(t, "Put without a name", s.Put(bg(), "acme", SampleSaved("")), lakegate.EINVALID)
}

func testSavedAnother(t *testing.T, s lakegate.SavedStore, another func(*testing.T) lakegate.SavedStore) {
	b := another(t)
	mustPutSaved(t, s, "acme", SampleSaved("q"))
	q, err := b.Get(bg(), "acme", "q")
	if err != nil {
		t.Fatalf("another handle does not see the query: %v", err)
	}
	sameSaved(t, "Get on another handle", q, storedSaved(SampleSaved("q"), "acme"))
	wantSavedCode(t, "Put of the same name on another handle", b.Put(bg(), "acme", SampleSaved("q")), lakegate.ECONFLICT)
	if err := b.Delete(bg(), "acme", "q"); err != nil {
		t.Fatal(err)
	}
	_, err = s.Get(bg(), "acme", "q")
	wantSavedCode(t, "Get after another handle deleted it", err, lakegate.ENOTFOUND)
}

// testSavedConcurrent: puts from two handles at once all land, and of two
// puts of one name exactly one wins.
func testSavedConcurrent(t *testing.T, s lakegate.SavedStore, another func(*testing.T) lakegate.SavedStore) {
	handles := []lakegate.SavedStore{s, another(t)}
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, 2*n+2)
	for i := range n {
		for h, st := range handles {
			wg.Go(func() { errs <- st.Put(bg(), "acme", SampleSaved(fmt.Sprintf("q%d_%d", h, i))) })
		}
	}
	for _, st := range handles {
		wg.Go(func() { errs <- st.Put(bg(), "acme", SampleSaved("same")) })
	}
	wg.Wait()
	close(errs)
	var conflicts int
	for err := range errs {
		switch lakegate.ErrorCode(err) {
		case "":
		case lakegate.ECONFLICT:
			conflicts++
		default:
			t.Errorf("concurrent Put: %v", err)
		}
	}
	qs, err := s.List(bg(), "acme")
	if err != nil || len(qs) != 2*n+1 || conflicts != 1 {
		t.Fatalf("after concurrent puts: %d queries (want %d), %d conflicts (want 1), %v", len(qs), 2*n+1, conflicts, err)
	}
}
