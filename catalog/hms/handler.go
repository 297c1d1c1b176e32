package hms

import (
	"context"
	"sort"
	"strings"

	"github.com/beltran/gohive/hive_metastore"

	"github.com/lakegate/lakegate"
)

// handler serves one connection: its tenant is the default until the
// client says who it is (set_ugi). Every read goes to the catalog as it
// is at the moment of the call.
type handler struct {
	unserved
	s      *Server
	tenant string
}

var _ hive_metastore.ThriftHiveMetastore = (*handler)(nil)

// view is the tenant's catalog and where its paths are.
func (h *handler) view() (lakegate.Catalog, locator, error) {
	if h.tenant == "" {
		return nil, nil, metaError("say which tenant you are: connect as the tenant's user (set_ugi; Spark: HADOOP_USER_NAME, Presto: the query's user with hive.metastore-impersonation-enabled)")
	}
	cat, store, err := h.s.opt.Tenants.Tenant(h.tenant)
	if err != nil {
		return nil, nil, metaFrom(err)
	}
	return cat, store.URI, nil
}

// metaFrom turns a lakegate error into the metastore's exceptions.
func metaFrom(err error) error {
	if lakegate.ErrorCode(err) == lakegate.ENOTFOUND {
		return noSuchObject(lakegate.ErrorMessage(err))
	}
	return metaError(lakegate.ErrorMessage(err))
}

func (h *handler) SetUgi(ctx context.Context, user string, groups []string) ([]string, error) {
	tenant, err := h.s.tenantOf(ctx, user)
	if err != nil {
		return nil, err
	}
	h.tenant = tenant
	return groups, nil
}

func (h *handler) GetAllDatabases(ctx context.Context) ([]string, error) {
	return h.GetDatabases(ctx, "*")
}

// defaultDB is Hive's database "default", which every Hive client takes
// for granted (Spark creates it otherwise): lakegate shows it, empty
// unless ingest made one of that name.
const defaultDB = "default"

// databases are the tenant's databases, "default" always among them.
func (h *handler) databases(ctx context.Context) ([]lakegate.Database, error) {
	cat, _, err := h.view()
	if err != nil {
		return nil, err
	}
	dbs, err := cat.Databases(ctx)
	if err != nil {
		return nil, metaFrom(err)
	}
	for _, d := range dbs {
		if d.Name == defaultDB {
			return dbs, nil
		}
	}
	return append([]lakegate.Database{{Name: defaultDB, Description: "Hive's default database", Location: defaultDB}}, dbs...), nil
}

func (h *handler) GetDatabases(ctx context.Context, pattern string) ([]string, error) {
	dbs, err := h.databases(ctx)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, d := range dbs {
		if matches(pattern, d.Name) {
			out = append(out, d.Name)
		}
	}
	return out, nil
}

func (h *handler) GetDatabase(ctx context.Context, name string) (*hive_metastore.Database, error) {
	_, loc, err := h.view()
	if err != nil {
		return nil, err
	}
	dbs, err := h.databases(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range dbs {
		if strings.EqualFold(d.Name, name) {
			return hiveDatabase(d, loc), nil
		}
	}
	return nil, noSuchObject("database " + name + " does not exist")
}

func (h *handler) GetAllTables(ctx context.Context, db string) ([]string, error) {
	return h.GetTables(ctx, db, "*")
}

func (h *handler) GetTables(ctx context.Context, db, pattern string) ([]string, error) {
	tables, err := h.tables(ctx, db)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, t := range tables {
		if matches(pattern, t.Name) {
			out = append(out, t.Name)
		}
	}
	return out, nil
}

// tables lists db's tables; an unknown database has none (as Hive).
func (h *handler) tables(ctx context.Context, db string) ([]lakegate.Table, error) {
	cat, _, err := h.view()
	if err != nil {
		return nil, err
	}
	ts, err := cat.Tables(ctx, strings.ToLower(db))
	if lakegate.ErrorCode(err) == lakegate.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, metaFrom(err)
	}
	return ts, nil
}

func (h *handler) GetTablesByType(ctx context.Context, db, pattern, tableType string) ([]string, error) {
	if tableType != "" && tableType != "EXTERNAL_TABLE" {
		return []string{}, nil // lakegate has external tables only, to Hive's eyes
	}
	return h.GetTables(ctx, db, pattern)
}

func (h *handler) GetTableMeta(ctx context.Context, dbPatterns, tablePatterns string, types []string) ([]*hive_metastore.TableMeta, error) {
	if len(types) > 0 && !contains(types, "EXTERNAL_TABLE") {
		return []*hive_metastore.TableMeta{}, nil
	}
	dbs, err := h.GetDatabases(ctx, dbPatterns)
	if err != nil {
		return nil, err
	}
	out := []*hive_metastore.TableMeta{}
	for _, db := range dbs {
		ts, err := h.tables(ctx, db)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if matches(tablePatterns, t.Name) {
				c := t.Description
				out = append(out, &hive_metastore.TableMeta{DbName: db, TableName: t.Name, TableType: "EXTERNAL_TABLE", Comments: &c})
			}
		}
	}
	return out, nil
}

func (h *handler) GetTable(ctx context.Context, db, name string) (*hive_metastore.Table, error) {
	cat, loc, err := h.view()
	if err != nil {
		return nil, err
	}
	t, err := cat.Table(ctx, strings.ToLower(db), strings.ToLower(name))
	if err != nil {
		return nil, metaFrom(err)
	}
	return hiveTable(t, loc), nil
}

func (h *handler) GetTableReq(ctx context.Context, req *hive_metastore.GetTableRequest) (*hive_metastore.GetTableResult_, error) {
	t, err := h.GetTable(ctx, req.DbName, req.TblName)
	if err != nil {
		return nil, err
	}
	return &hive_metastore.GetTableResult_{Table: t}, nil
}

func (h *handler) GetTableObjectsByName(ctx context.Context, db string, names []string) ([]*hive_metastore.Table, error) {
	out := []*hive_metastore.Table{}
	for _, n := range names {
		t, err := h.GetTable(ctx, db, n)
		if _, missing := err.(*hive_metastore.NoSuchObjectException); missing {
			continue // Hive leaves unknown names out
		}
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (h *handler) GetTableObjectsByNameReq(ctx context.Context, req *hive_metastore.GetTablesRequest) (*hive_metastore.GetTablesResult_, error) {
	names := req.TblNames
	if names == nil {
		all, err := h.GetTables(ctx, req.DbName, "*")
		if err != nil {
			return nil, err
		}
		names = all
	}
	ts, err := h.GetTableObjectsByName(ctx, req.DbName, names)
	if err != nil {
		return nil, err
	}
	return &hive_metastore.GetTablesResult_{Tables: ts}, nil
}

func (h *handler) GetFields(ctx context.Context, db, table string) ([]*hive_metastore.FieldSchema, error) {
	t, err := h.GetTable(ctx, db, table)
	if err != nil {
		return nil, err
	}
	return t.Sd.Cols, nil
}

func (h *handler) GetFieldsWithEnvironmentContext(ctx context.Context, db, table string, _ *hive_metastore.EnvironmentContext) ([]*hive_metastore.FieldSchema, error) {
	return h.GetFields(ctx, db, table)
}

func (h *handler) GetSchema(ctx context.Context, db, table string) ([]*hive_metastore.FieldSchema, error) {
	t, err := h.GetTable(ctx, db, table)
	if err != nil {
		return nil, err
	}
	return append(append([]*hive_metastore.FieldSchema{}, t.Sd.Cols...), t.PartitionKeys...), nil
}

func (h *handler) GetSchemaWithEnvironmentContext(ctx context.Context, db, table string, _ *hive_metastore.EnvironmentContext) ([]*hive_metastore.FieldSchema, error) {
	return h.GetSchema(ctx, db, table)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
