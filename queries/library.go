package queries

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/lakegate/lakegate"
)

// Library is every query a tenant can run: the read-only ones (embedded
// and from the queries_dir folder), then the tenant's saved ones. It
// applies the rules the store does not know: saved names never shadow a
// read-only query, only owners and admins delete.
type Library struct {
	readOnly []Query
	store    lakegate.SavedStore // nil: nothing can be saved
}

// NewLibrary combines the read-only queries (e.g. All() and Load of the
// folder); two with one name are an error naming it.
func NewLibrary(store lakegate.SavedStore, readOnly ...[]Query) (*Library, error) {
	l := &Library{store: store}
	seen := map[string]string{}
	for _, qs := range readOnly {
		for _, q := range qs {
			if src, ok := seen[q.Name]; ok {
				return nil, lakegate.Errorf(lakegate.EINVALID, "query %s (%s) has the name of a %s query; rename one of them", q.Name, q.Source, src)
			}
			seen[q.Name] = q.Source
			q.Builtin = true
			l.readOnly = append(l.readOnly, q)
		}
	}
	sort.Slice(l.readOnly, func(i, j int) bool { return l.readOnly[i].Name < l.readOnly[j].Name })
	return l, nil
}

// ReadOnly returns the read-only queries sorted by name.
func (l *Library) ReadOnly() []Query { return append([]Query(nil), l.readOnly...) }

// List returns the read-only queries, then the tenant's saved ones, each
// group sorted by name.
func (l *Library) List(ctx context.Context, tenant string) ([]Query, error) {
	out := l.ReadOnly()
	if l.store == nil {
		return out, nil
	}
	saved, err := l.store.List(ctx, tenant)
	if err != nil {
		return nil, err
	}
	return append(out, saved...), nil
}

func (l *Library) builtin(name string) (Query, bool) {
	for _, q := range l.readOnly {
		if q.Name == name {
			return q, true
		}
	}
	return Query{}, false
}

// Get returns the query name as the tenant sees it: ENOTFOUND when there
// is none.
func (l *Library) Get(ctx context.Context, tenant, name string) (Query, error) {
	if q, ok := l.builtin(name); ok {
		return q, nil
	}
	if l.store != nil {
		q, err := l.store.Get(ctx, tenant, name)
		if lakegate.ErrorCode(err) != lakegate.ENOTFOUND {
			return q, err
		}
	}
	return Query{}, lakegate.Errorf(lakegate.ENOTFOUND, "no saved query %q; GET /v1/saved lists them (lakegate query --list)", name)
}

// Save validates q and stores it for who's tenant: EINVALID for a bad
// query, ECONFLICT when the name is taken by a read-only query or one the
// tenant saved before, EFORBIDDEN when nothing can be saved here.
func (l *Library) Save(ctx context.Context, who lakegate.Principal, q Query) (Query, error) {
	if l.store == nil {
		return Query{}, lakegate.Errorf(lakegate.EFORBIDDEN, "this gateway has no store for saved queries")
	}
	q.Name = strings.TrimSpace(q.Name)
	if err := Validate(&q); err != nil {
		return Query{}, err
	}
	if b, ok := l.builtin(q.Name); ok {
		return Query{}, lakegate.Errorf(lakegate.ECONFLICT, "%q is the name of a %s query, which cannot be replaced; save under another name", q.Name, b.Source)
	}
	q.Builtin, q.Source = false, lakegate.SourceSaved
	q.Tenant, q.Owner, q.Created = who.Tenant, who.User, time.Now().UTC().Truncate(time.Millisecond)
	if err := l.store.Put(ctx, who.Tenant, q); err != nil {
		if lakegate.ErrorCode(err) == lakegate.ECONFLICT {
			return Query{}, lakegate.Wrap(lakegate.ECONFLICT, err, "a saved query named %q exists; delete it first or save under another name", q.Name)
		}
		return Query{}, err
	}
	return q, nil
}

// Delete removes a saved query of who's tenant. Read-only queries are
// EFORBIDDEN, and so are other users' queries unless who is an admin.
func (l *Library) Delete(ctx context.Context, who lakegate.Principal, name string) error {
	if b, ok := l.builtin(name); ok {
		why := "shipped in the binary"
		if b.Source == lakegate.SourceFolder {
			why = "read from the queries_dir folder; remove its file there"
		}
		return lakegate.Errorf(lakegate.EFORBIDDEN, "query %s is read-only (%s) and cannot be deleted", name, why)
	}
	q, err := l.Get(ctx, who.Tenant, name)
	if err != nil {
		return err
	}
	if q.Owner != who.User && !who.Can(lakegate.RoleAdmin) {
		return lakegate.Errorf(lakegate.EFORBIDDEN, "query %s was saved by %s; only its owner or an admin may delete it", name, q.Owner)
	}
	return l.store.Delete(ctx, who.Tenant, name)
}
