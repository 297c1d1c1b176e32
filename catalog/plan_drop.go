package catalog

import (
	"fmt"

	"github.com/lakegate/lakegate"
)

// prepareDrops validates the drops of a change against the state. Dropped
// tables are remembered so that a later entry of the same change creates
// them anew; dropped partitions start the plan of their table, with its
// stats reduced and its version bumped.
func (p *Plan) prepareDrops(tables []lakegate.TableRef, parts []lakegate.PartitionRef) error {
	for i, ref := range tables {
		where := fmt.Sprintf("change.drop_tables[%d]", i)
		if err := checkRef(where, ref.Database, ref.Name); err != nil {
			return err
		}
		full := ref.Database + "." + ref.Name
		if p.dropped[full] {
			return lakegate.Errorf(lakegate.EINVALID, "%s: table %q is listed twice among the drops", where, full)
		}
		if _, err := p.state.table(ref.Database, ref.Name); err != nil {
			return lakegate.Errorf(lakegate.ENOTFOUND, "%s: %s; there is nothing to drop", where, lakegate.ErrorMessage(err))
		}
		if p.dropped == nil {
			p.dropped = map[string]bool{}
		}
		p.dropped[full] = true
		p.drops = append(p.drops, ref)
	}
	for i, ref := range parts {
		if err := p.prepareDropPartition(fmt.Sprintf("change.drop_partitions[%d]", i), ref); err != nil {
			return err
		}
	}
	return nil
}

func (p *Plan) prepareDropPartition(where string, ref lakegate.PartitionRef) error {
	if err := checkRef(where, ref.Database, ref.Table); err != nil {
		return err
	}
	full := ref.Database + "." + ref.Table
	if p.dropped[full] {
		return lakegate.Errorf(lakegate.EINVALID,
			"%s: partition %q of table %q: the same change drops the whole table; drop either the table or its partitions",
			where, ref.Name, full)
	}
	tp := p.byName[full]
	if tp == nil {
		ts, err := p.state.table(ref.Database, ref.Table)
		if err != nil {
			return lakegate.Errorf(lakegate.ENOTFOUND, "%s: %s; there is nothing to drop", where, lakegate.ErrorMessage(err))
		}
		tp = &tablePlan{db: p.state.dbs[ref.Database].db, existing: ts, table: copyTable(ts.t), dropParts: map[string]bool{}}
		tp.table.Version, tp.table.Updated = p.version, p.at
		p.byName[full] = tp
		p.tables = append(p.tables, tp)
	}
	if tp.dropParts[ref.Name] {
		return lakegate.Errorf(lakegate.EINVALID,
			"%s: partition %q of table %q is listed twice among the drops", where, ref.Name, full)
	}
	part, ok := tp.existing.parts[ref.Name]
	if !ok {
		return lakegate.Errorf(lakegate.ENOTFOUND,
			"%s: partition %q of table %q not found; there is nothing to drop", where, ref.Name, full)
	}
	tp.dropParts[ref.Name] = true
	tp.dropNames = append(tp.dropNames, ref.Name)
	st := &tp.table.Stats
	st.Partitions--
	st.Files -= int64(len(part.Files))
	st.Rows -= part.Rows
	st.Bytes -= part.Bytes
	return nil
}

func checkRef(where, db, table string) error {
	if err := checkName(where, "database", db); err != nil {
		return err
	}
	return checkName(where, "table", table)
}
