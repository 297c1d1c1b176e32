package hms

import (
	"context"
	"strings"

	"github.com/beltran/gohive/hive_metastore"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/lakegate/lakegate"
)

// A table's partitions, converted for the metastore once per table
// version: clients ask for a few partitions of tables that have
// thousands (get_partitions_by_names), and every call checks the table's
// version, so an answer is never older than the catalog at the call.

// cachedTables is how many tables' partitions are kept (about 1 KB a
// partition).
const cachedTables = 64

type tableKey struct{ tenant, db, table string }

type cachedTable struct {
	version int64
	table   lakegate.Table
	parts   []lakegate.Partition
	hive    []*hive_metastore.Partition // parts, converted
	byName  map[string]int
}

func newTableCache() *lru.Cache[tableKey, *cachedTable] {
	c, _ := lru.New[tableKey, *cachedTable](cachedTables)
	return c
}

// table returns db.table with its partitions as the catalog has them now.
func (h *handler) table(ctx context.Context, db, table string) (*cachedTable, error) {
	cat, loc, err := h.view()
	if err != nil {
		return nil, err
	}
	db, table = strings.ToLower(db), strings.ToLower(table)
	t, err := cat.Table(ctx, db, table)
	if err != nil {
		return nil, metaFrom(err)
	}
	key := tableKey{h.tenant, db, table}
	if c, ok := h.s.tables.Get(key); ok && c.version == t.Version {
		return c, nil
	}
	parts, err := cat.Partitions(ctx, db, table)
	if err != nil {
		return nil, metaFrom(err)
	}
	c := &cachedTable{version: t.Version, table: t, parts: parts, byName: make(map[string]int, len(parts))}
	for i, p := range parts {
		c.hive = append(c.hive, hivePartition(t, p, loc))
		c.byName[p.Name] = i
	}
	h.s.tables.Add(key, c)
	return c, nil
}
