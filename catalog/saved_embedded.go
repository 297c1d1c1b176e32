package catalog

import (
	"context"
	"sort"

	"github.com/lakegate/lakegate"
)

// SavedFile is the saved-query document in the catalog directory.
const SavedFile = "saved.json"

// SavedQueries is the store of users' saved queries that lives beside the
// catalog: the document <dir>/saved.json (a DocFile: replaced atomically,
// updated under the catalog's lock, so processes sharing the lake never see
// half a file or lose each other's writes).
func (e *Embedded) SavedQueries() lakegate.SavedStore {
	return &savedDoc{doc: NewDocFile[savedContents](e.dir, SavedFile, 0o644)}
}

type savedDoc struct{ doc *DocFile[savedContents] }

var _ lakegate.SavedStore = (*savedDoc)(nil)

// savedContents is the document: tenant -> name -> query.
type savedContents map[string]map[string]lakegate.SavedQuery

func (d *savedDoc) read(ctx context.Context) (savedContents, error) {
	c, err := d.doc.Read(ctx)
	if c == nil {
		c = savedContents{}
	}
	return c, err
}

// update runs fn on the document under the lock and writes the result.
func (d *savedDoc) update(ctx context.Context, fn func(savedContents) error) error {
	return d.doc.Update(ctx, func(c *savedContents) error {
		if *c == nil {
			*c = savedContents{}
		}
		return fn(*c)
	})
}

func (d *savedDoc) List(ctx context.Context, tenant string) ([]lakegate.SavedQuery, error) {
	c, err := d.read(ctx)
	if err != nil {
		return nil, err
	}
	out := []lakegate.SavedQuery{}
	for _, q := range c[tenant] {
		if err := fromDoc(&q, tenant); err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (d *savedDoc) Get(ctx context.Context, tenant, name string) (lakegate.SavedQuery, error) {
	c, err := d.read(ctx)
	if err != nil {
		return lakegate.SavedQuery{}, err
	}
	q, ok := c[tenant][name]
	if !ok {
		return q, savedNotFound(tenant, name)
	}
	return q, fromDoc(&q, tenant)
}

func (d *savedDoc) Put(ctx context.Context, tenant string, q lakegate.SavedQuery) error {
	if err := checkSavedKey(tenant, q.Name); err != nil {
		return err
	}
	return d.update(ctx, func(c savedContents) error {
		if _, ok := c[tenant][q.Name]; ok {
			return savedExists(tenant, q.Name)
		}
		if c[tenant] == nil {
			c[tenant] = map[string]lakegate.SavedQuery{}
		}
		c[tenant][q.Name] = toDoc(q, tenant)
		return nil
	})
}

func (d *savedDoc) Delete(ctx context.Context, tenant, name string) error {
	return d.update(ctx, func(c savedContents) error {
		if _, ok := c[tenant][name]; !ok {
			return savedNotFound(tenant, name)
		}
		delete(c[tenant], name)
		if len(c[tenant]) == 0 {
			delete(c, tenant)
		}
		return nil
	})
}

// The rules both stores share.

func checkSavedKey(tenant, name string) error {
	if tenant == "" || name == "" {
		return lakegate.Errorf(lakegate.EINVALID, "a saved query needs a tenant and a name (got tenant %q, name %q)", tenant, name)
	}
	return nil
}

func savedNotFound(tenant, name string) error {
	return lakegate.Errorf(lakegate.ENOTFOUND, "tenant %s has no saved query %q", tenant, name)
}

func savedExists(tenant, name string) error {
	return lakegate.Errorf(lakegate.ECONFLICT, "tenant %s already has a saved query %q", tenant, name)
}

// toDoc is what a store keeps of a query.
func toDoc(q lakegate.SavedQuery, tenant string) lakegate.SavedQuery {
	q.Tenant, q.Source, q.Builtin = tenant, lakegate.SourceSaved, false
	q.Params = append([]lakegate.Param{}, q.Params...)
	return q
}

// fromDoc restores a stored query: typed defaults, its tenant and source.
func fromDoc(q *lakegate.SavedQuery, tenant string) error {
	q.Tenant, q.Source, q.Builtin = tenant, lakegate.SourceSaved, false
	if q.Params == nil {
		q.Params = []lakegate.Param{}
	}
	if err := q.NormalizeDefaults(); err != nil {
		return lakegate.Wrap(lakegate.EINTERNAL, err, "saved query %s of tenant %s is damaged", q.Name, tenant)
	}
	return nil
}
