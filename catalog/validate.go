package catalog

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/lakegate/lakegate"
)

// MaxNameLength bounds database, table, column and partition-key names.
const MaxNameLength = 128

var nameRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

func checkName(where, what, name string) error {
	switch {
	case name == "":
		return lakegate.Errorf(lakegate.EINVALID, "%s: %s name is empty", where, what)
	case len(name) > MaxNameLength:
		return lakegate.Errorf(lakegate.EINVALID, "%s: %s name %q is longer than %d characters", where, what, name, MaxNameLength)
	case !nameRE.MatchString(name):
		return lakegate.Errorf(lakegate.EINVALID,
			"%s: %s name %q must match ^[a-z_][a-z0-9_]*$ (lowercase letters, digits and underscores, not starting with a digit)",
			where, what, name)
	}
	return nil
}

// checkSchema validates the columns and partition keys of a table change:
// at least one column, valid unique names, non-empty types, and no partition
// key that is also a data column (as in Hive).
func checkSchema(where string, cols, keys []lakegate.Column) error {
	if len(cols) == 0 {
		return lakegate.Errorf(lakegate.EINVALID, "%s: the table has no columns; send its full schema with every change", where)
	}
	seen := map[string]string{}
	check := func(what string, list []lakegate.Column) error {
		for i, c := range list {
			w := fmt.Sprintf("%s.%s[%d]", where, what, i)
			if err := checkName(w, what, c.Name); err != nil {
				return err
			}
			if strings.TrimSpace(c.Type) == "" {
				return lakegate.Errorf(lakegate.EINVALID, "%s: %s %q has no type", w, what, c.Name)
			}
			if prev, dup := seen[c.Name]; dup {
				return lakegate.Errorf(lakegate.EINVALID, "%s: %s %q is already a %s", w, what, c.Name, prev)
			}
			seen[c.Name] = what
		}
		return nil
	}
	if err := check("column", cols); err != nil {
		return err
	}
	return check("partition key", keys)
}

// checkTableType accepts the Hive table types; empty means managed (for a
// new table) or unchanged (for an existing one).
func checkTableType(where, typ string) error {
	switch typ {
	case "", lakegate.TableManaged, lakegate.TableExternal:
		return nil
	}
	return lakegate.Errorf(lakegate.EINVALID, "%s: table type %q must be %q or %q",
		where, typ, lakegate.TableManaged, lakegate.TableExternal)
}

// Limits on table properties, so that one table cannot bloat every reader.
const (
	MaxPropertyKeyLength   = 256
	MaxPropertyValueLength = 4096
	MaxProperties          = 256
)

func checkProperties(where string, props map[string]string) error {
	if len(props) > MaxProperties {
		return lakegate.Errorf(lakegate.EINVALID, "%s: %d properties; at most %d are allowed", where, len(props), MaxProperties)
	}
	for k, v := range props {
		switch {
		case strings.TrimSpace(k) == "":
			return lakegate.Errorf(lakegate.EINVALID, "%s: a property has an empty key", where)
		case len(k) > MaxPropertyKeyLength || strings.ContainsAny(k, "\x00\n"):
			return lakegate.Errorf(lakegate.EINVALID,
				"%s: property key %.40q must be at most %d bytes without NUL or newline", where, k, MaxPropertyKeyLength)
		case len(v) > MaxPropertyValueLength || strings.Contains(v, "\x00"):
			return lakegate.Errorf(lakegate.EINVALID,
				"%s: property %q: the value must be at most %d bytes without NUL", where, k, MaxPropertyValueLength)
		}
	}
	return nil
}

// checkPartition validates a partition entry against its table's keys. A
// table without partition keys keeps its files in one partition named "".
func checkPartition(where string, t *lakegate.Table, p lakegate.Partition) error {
	keys := t.PartitionKeys
	if len(p.Values) != len(keys) {
		return lakegate.Errorf(lakegate.EINVALID,
			"%s: partition %q has %d values but table %q has %d partition keys (%s)",
			where, p.Name, len(p.Values), t.FullName(), len(keys), describeColumns(keys))
	}
	for i, v := range p.Values {
		if v == "" || strings.ContainsAny(v, "/\\\x00\n") {
			return lakegate.Errorf(lakegate.EINVALID,
				"%s: partition value %q for key %q must be non-empty and contain no slash or control character",
				where, v, keys[i].Name)
		}
	}
	if len(keys) > 0 && p.Name == "" {
		return lakegate.Errorf(lakegate.EINVALID, "%s: partition name is empty; want %q",
			where, hivePartitionName(keys, p.Values))
	}
	if want := hivePartitionName(keys, p.Values); p.Name != want {
		return lakegate.Errorf(lakegate.EINVALID,
			"%s: partition name %q does not match its values; want %q (key=value joined by /)", where, p.Name, want)
	}
	return nil
}

// checkPath accepts clean, relative, slash-separated paths that stay inside
// the lake: the same rule as landing.CleanPath, plus canonical form so that one
// file cannot be registered twice under two spellings.
func checkPath(where, what, p string) error {
	c := path.Clean(p)
	if p == "" || p != c || strings.HasPrefix(p, "/") || c == "." || c == ".." ||
		strings.HasPrefix(c, "../") || strings.ContainsAny(p, "\\\x00\n") {
		return lakegate.Errorf(lakegate.EINVALID,
			"%s: %s %q must be a clean relative slash-separated path inside the lake, like \"db/table/ingest_date=2026-11-21/part-0.parquet\"",
			where, what, p)
	}
	return nil
}

// typeAliases maps DuckDB type aliases to one spelling for comparisons.
var typeAliases = map[string]string{
	"INT": "INTEGER", "INT4": "INTEGER", "SIGNED": "INTEGER",
	"INT8": "BIGINT", "LONG": "BIGINT",
	"FLOAT4": "FLOAT", "REAL": "FLOAT",
	"FLOAT8": "DOUBLE",
	"STRING": "VARCHAR", "TEXT": "VARCHAR", "CHAR": "VARCHAR", "BPCHAR": "VARCHAR",
	"BOOL": "BOOLEAN", "LOGICAL": "BOOLEAN",
}

func normType(t string) string {
	u := strings.ToUpper(strings.TrimSpace(t))
	if a, ok := typeAliases[u]; ok {
		return a
	}
	return u
}

// widens reports whether a column of type from may become type to.
func widens(from, to string) bool {
	from, to = normType(from), normType(to)
	return from == to || (from == "INTEGER" && to == "BIGINT") || (from == "FLOAT" && to == "DOUBLE")
}

func sameColumns(a, b []lakegate.Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || normType(a[i].Type) != normType(b[i].Type) {
			return false
		}
	}
	return true
}

func describeColumns(cols []lakegate.Column) string {
	if len(cols) == 0 {
		return "none"
	}
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c.Name + " " + c.Type
	}
	return strings.Join(parts, ", ")
}

// evolveColumns merges an incoming schema into a table's columns. Columns
// keep their order; new ones append as nullable; INTEGER->BIGINT and
// FLOAT->DOUBLE widen the table. Data narrower than the table (BIGINT table,
// INTEGER file) is compatible and leaves the table unchanged. Any other type
// change, or a column missing from the incoming schema, is ECONFLICT.
func evolveColumns(table string, old, in []lakegate.Column) ([]lakegate.Column, bool, error) {
	incoming := make(map[string]lakegate.Column, len(in))
	for _, c := range in {
		incoming[c.Name] = c
	}
	out := cloneSlice(old)
	changed := false
	for i, o := range out {
		n, ok := incoming[o.Name]
		if !ok {
			return nil, false, lakegate.Errorf(lakegate.ECONFLICT,
				"table %q: column %q (%s) is missing from the new schema (type %s -> none); dropping a column is not allowed, keep sending it",
				table, o.Name, o.Type, o.Type)
		}
		switch {
		case normType(o.Type) == normType(n.Type), widens(n.Type, o.Type):
			// same type, or narrower data: the table type still holds it
		case widens(o.Type, n.Type):
			out[i].Type = n.Type
			changed = true
		default:
			return nil, false, lakegate.Errorf(lakegate.ECONFLICT,
				"table %q: column %q cannot change type from %s to %s; only INTEGER->BIGINT and FLOAT->DOUBLE widenings are allowed",
				table, o.Name, o.Type, n.Type)
		}
		if n.Nullable && !o.Nullable {
			out[i].Nullable = true
			changed = true
		}
		if n.Comment != "" {
			out[i].Comment = n.Comment
		}
		delete(incoming, o.Name)
	}
	for _, c := range in {
		if _, isNew := incoming[c.Name]; isNew {
			c.Nullable = true // older files lack it
			out = append(out, c)
			changed = true
		}
	}
	return out, changed, nil
}
