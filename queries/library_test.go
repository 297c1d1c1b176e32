package queries_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/queries"
)

func library(t *testing.T) *queries.Library {
	t.Helper()
	cat, err := catalog.OpenEmbedded(filepath.Join(t.TempDir(), "_catalog"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	all, err := queries.All()
	if err != nil {
		t.Fatal(err)
	}
	lib, err := queries.NewLibrary(cat.SavedQueries(), all)
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func TestLibraryTenants(t *testing.T) {
	ctx := context.Background()
	lib := library(t)
	ann := lakegate.Principal{User: "ann", Tenant: "acme", Role: lakegate.RoleAnalyst}
	bob := lakegate.Principal{User: "bob", Tenant: "acme", Role: lakegate.RoleAnalyst}
	eve := lakegate.Principal{User: "eve", Tenant: "globex", Role: lakegate.RoleAdmin}
	q := queries.Query{Name: "mine", SQL: "SELECT $n AS n", Params: []lakegate.Param{{Name: "n", Type: "integer", Default: float64(3)}}}
	saved, err := lib.Save(ctx, ann, q)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Owner != "ann" || saved.Tenant != "acme" || saved.Source != lakegate.SourceSaved || saved.Builtin ||
		saved.Params[0].Default != int64(3) || saved.Title != "mine" || saved.Created.IsZero() {
		t.Fatalf("saved = %+v", saved)
	}
	got, err := lib.Get(ctx, "acme", "mine")
	if err != nil || got.Params[0].Default != int64(3) {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	// Another tenant neither sees nor deletes it, and may use the name.
	if _, err := lib.Get(ctx, "globex", "mine"); lakegate.ErrorCode(err) != lakegate.ENOTFOUND {
		t.Fatalf("globex sees acme's query: %v", err)
	}
	if err := lib.Delete(ctx, eve, "mine"); lakegate.ErrorCode(err) != lakegate.ENOTFOUND {
		t.Fatalf("globex's admin deletes acme's query: %v", err)
	}
	if _, err := lib.Save(ctx, eve, q); err != nil {
		t.Fatalf("globex saves the same name: %v", err)
	}
	list, _ := lib.List(ctx, "acme")
	if n := len(list); n != 10 || list[n-1].Name != "mine" || !list[0].Builtin {
		t.Fatalf("acme's list has %d queries, last %s", n, list[n-1].Name)
	}
	// Names: taken by a canned query, taken in the tenant, invalid.
	for _, c := range []struct {
		q    queries.Query
		code string
		want string
	}{
		{queries.Query{Name: "pass_rate", SQL: "SELECT 1"}, lakegate.ECONFLICT, "builtin query"},
		{q, lakegate.ECONFLICT, "exists"},
		{queries.Query{Name: "x", SQL: "SELECT $y"}, lakegate.EINVALID, "does not declare"},
	} {
		_, err := lib.Save(ctx, bob, c.q)
		if lakegate.ErrorCode(err) != c.code || !strings.Contains(lakegate.ErrorMessage(err), c.want) {
			t.Errorf("Save(%s) = %v, want %s saying %q", c.q.Name, err, c.code, c.want)
		}
	}
	// Deleting: not another user's, never a canned one.
	if err := lib.Delete(ctx, bob, "mine"); lakegate.ErrorCode(err) != lakegate.EFORBIDDEN {
		t.Fatalf("bob deletes ann's query: %v", err)
	}
	if err := lib.Delete(ctx, eve, "pass_rate"); lakegate.ErrorCode(err) != lakegate.EFORBIDDEN {
		t.Fatalf("deleting a canned query: %v", err)
	}
	if err := lib.Delete(ctx, ann, "mine"); err != nil {
		t.Fatal(err)
	}
}

func TestLibraryWithoutStore(t *testing.T) {
	all, _ := queries.All()
	lib, err := queries.NewLibrary(nil, all)
	if err != nil {
		t.Fatal(err)
	}
	list, err := lib.List(context.Background(), "acme")
	if err != nil || len(list) != len(all) {
		t.Fatalf("List = %d, %v", len(list), err)
	}
	_, err = lib.Save(context.Background(), lakegate.Anonymous, queries.Query{Name: "x", SQL: "SELECT 1"})
	if lakegate.ErrorCode(err) != lakegate.EFORBIDDEN {
		t.Fatalf("Save without a store: %v", err)
	}
}
