package hms

import (
	"context"
	"strings"

	"github.com/beltran/gohive/hive_metastore"

	"github.com/lakegate/lakegate"
)

// partitions reads a table's partitions, the ones keep accepts, at most
// max (max < 0: all, as Hive's -1).
func (h *handler) partitions(ctx context.Context, db, table string, max int16, keep func(lakegate.Table, lakegate.Partition) bool) ([]*hive_metastore.Partition, error) {
	c, err := h.table(ctx, db, table)
	if err != nil {
		return nil, err
	}
	out := []*hive_metastore.Partition{}
	for i, p := range c.parts {
		if max >= 0 && len(out) >= int(max) {
			break
		}
		if p.Name != "" && (keep == nil || keep(c.table, p)) {
			out = append(out, c.hive[i])
		}
	}
	return out, nil
}

func (h *handler) GetPartitions(ctx context.Context, db, table string, max int16) ([]*hive_metastore.Partition, error) {
	return h.partitions(ctx, db, table, max, nil)
}

func (h *handler) GetPartitionsWithAuth(ctx context.Context, db, table string, max int16, _ string, _ []string) ([]*hive_metastore.Partition, error) {
	return h.partitions(ctx, db, table, max, nil)
}

// byValues accepts the partitions whose values match vals, where an empty
// value matches anything (a partial specification, as Hive's *_ps).
func byValues(vals []string) func(lakegate.Table, lakegate.Partition) bool {
	return func(_ lakegate.Table, p lakegate.Partition) bool {
		for i, v := range vals {
			if v != "" && (i >= len(p.Values) || p.Values[i] != v) {
				return false
			}
		}
		return true
	}
}

func (h *handler) GetPartitionsPs(ctx context.Context, db, table string, vals []string, max int16) ([]*hive_metastore.Partition, error) {
	return h.partitions(ctx, db, table, max, byValues(vals))
}

func (h *handler) GetPartitionsPsWithAuth(ctx context.Context, db, table string, vals []string, max int16, _ string, _ []string) ([]*hive_metastore.Partition, error) {
	return h.partitions(ctx, db, table, max, byValues(vals))
}

func (h *handler) GetPartitionNames(ctx context.Context, db, table string, max int16) ([]string, error) {
	return h.names(ctx, db, table, max, nil)
}

func (h *handler) GetPartitionNamesPs(ctx context.Context, db, table string, vals []string, max int16) ([]string, error) {
	return h.names(ctx, db, table, max, byValues(vals))
}

func (h *handler) names(ctx context.Context, db, table string, max int16, keep func(lakegate.Table, lakegate.Partition) bool) ([]string, error) {
	var names []string
	_, err := h.partitions(ctx, db, table, max, func(t lakegate.Table, p lakegate.Partition) bool {
		if keep == nil || keep(t, p) {
			names = append(names, p.Name)
			return true
		}
		return false
	})
	if names == nil {
		names = []string{}
	}
	return names, err
}

func (h *handler) GetPartitionsByNames(ctx context.Context, db, table string, names []string) ([]*hive_metastore.Partition, error) {
	c, err := h.table(ctx, db, table)
	if err != nil {
		return nil, err
	}
	out := []*hive_metastore.Partition{}
	seen := map[string]bool{}
	for _, n := range names {
		if i, ok := c.byName[n]; ok && !seen[n] {
			seen[n] = true
			out = append(out, c.hive[i])
		}
	}
	return out, nil
}

func (h *handler) GetPartitionsByNamesReq(ctx context.Context, req *hive_metastore.GetPartitionsByNamesRequest) (*hive_metastore.GetPartitionsByNamesResult_, error) {
	ps, err := h.GetPartitionsByNames(ctx, req.DbName, req.TblName, req.Names)
	if err != nil {
		return nil, err
	}
	return &hive_metastore.GetPartitionsByNamesResult_{Partitions: ps}, nil
}

func (h *handler) GetPartitionsByFilter(ctx context.Context, db, table, expr string, max int16) ([]*hive_metastore.Partition, error) {
	f, err := parseFilter(expr)
	if err != nil {
		return nil, metaError("get_partitions_by_filter: cannot read the filter " + expr + ": " + err.Error())
	}
	return h.partitions(ctx, db, table, max, func(t lakegate.Table, p lakegate.Partition) bool {
		values := map[string]string{}
		for i, k := range t.PartitionKeys {
			if i < len(p.Values) {
				values[strings.ToLower(k.Name)] = p.Values[i]
			}
		}
		return f(values)
	})
}

func (h *handler) GetNumPartitionsByFilter(ctx context.Context, db, table, expr string) (int32, error) {
	ps, err := h.GetPartitionsByFilter(ctx, db, table, expr, -1)
	return int32(len(ps)), err
}

func (h *handler) GetPartition(ctx context.Context, db, table string, vals []string) (*hive_metastore.Partition, error) {
	ps, err := h.partitions(ctx, db, table, -1, func(_ lakegate.Table, p lakegate.Partition) bool {
		return strings.Join(p.Values, "\x00") == strings.Join(vals, "\x00")
	})
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, noSuchObject("partition " + strings.Join(vals, "/") + " of " + db + "." + table + " does not exist")
	}
	return ps[0], nil
}

func (h *handler) GetPartitionWithAuth(ctx context.Context, db, table string, vals []string, _ string, _ []string) (*hive_metastore.Partition, error) {
	return h.GetPartition(ctx, db, table, vals)
}

func (h *handler) GetPartitionByName(ctx context.Context, db, table, name string) (*hive_metastore.Partition, error) {
	ps, err := h.GetPartitionsByNames(ctx, db, table, []string{name})
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, noSuchObject("partition " + name + " of " + db + "." + table + " does not exist")
	}
	return ps[0], nil
}

// lakegate keeps row, file and byte counts per table and partition (in
// their parameters), not per column: column statistics are empty.

func (h *handler) GetTableStatisticsReq(ctx context.Context, req *hive_metastore.TableStatsRequest) (*hive_metastore.TableStatsResult_, error) {
	if _, err := h.GetTable(ctx, req.DbName, req.TblName); err != nil {
		return nil, err
	}
	return &hive_metastore.TableStatsResult_{TableStats: []*hive_metastore.ColumnStatisticsObj{}}, nil
}

func (h *handler) GetPartitionsStatisticsReq(ctx context.Context, req *hive_metastore.PartitionsStatsRequest) (*hive_metastore.PartitionsStatsResult_, error) {
	if _, err := h.GetTable(ctx, req.DbName, req.TblName); err != nil {
		return nil, err
	}
	return &hive_metastore.PartitionsStatsResult_{PartStats: map[string][]*hive_metastore.ColumnStatisticsObj{}}, nil
}

func (h *handler) GetTableColumnStatistics(ctx context.Context, db, table, column string) (*hive_metastore.ColumnStatistics, error) {
	if _, err := h.GetTable(ctx, db, table); err != nil {
		return nil, err
	}
	return nil, noSuchObject("lakegate keeps no statistics of column " + column + " of " + db + "." + table + " (the table's numRows, numFiles and totalSize are in its parameters)")
}
