package admin

import (
	"context"
	"path"
	"sort"
	"strings"

	"github.com/lakegate/lakegate"
)

// layout is what a table location holds on storage: Parquet files grouped
// into hive-style partitions by their key=value directories.
type layout struct {
	keys  []string         // partition key names in directory order; empty when unpartitioned
	first string           // the file that fixed keys, for error messages
	parts map[string]*part // by partition name ("" when unpartitioned)
	files int
}

type part struct {
	name   string
	values []string
	files  []lakegate.FileInfo // sorted by path
}

// sortedParts returns the partitions sorted by name.
func (l *layout) sortedParts() []*part {
	out := make([]*part, 0, len(l.parts))
	for _, p := range l.parts {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// skipped reports names lakegate never registers: hidden files, markers
// such as _SUCCESS, and lakegate's own _staging and _catalog directories.
func skipped(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// checkLocation validates a store-relative table location.
func checkLocation(loc string) (string, error) {
	c := path.Clean(loc)
	if loc == "" || c == "." || strings.HasPrefix(loc, "/") || c == ".." || strings.HasPrefix(c, "../") ||
		strings.ContainsAny(loc, "\\\x00\n") {
		return "", lakegate.Errorf(lakegate.EINVALID,
			"location %q must be a directory relative to the lake root, inside it and not the root itself, like \"sales/orders\"", loc)
	}
	if first, _, _ := strings.Cut(c, "/"); skipped(first) {
		return "", lakegate.Errorf(lakegate.EINVALID,
			"location %q is inside %s, which holds lakegate's own or hidden files; land the table elsewhere", loc, first)
	}
	return c, nil
}

// scan lists every Parquet file under loc (recursively) and groups them by
// partition. A missing location is an empty layout. Every file must sit
// under the same partition keys; a directory that is not key=value is
// EINVALID.
func scan(ctx context.Context, store lakegate.Store, loc string) (*layout, error) {
	l := &layout{parts: map[string]*part{}}
	if err := l.walk(ctx, store, loc, loc, nil); err != nil {
		return nil, err
	}
	for _, p := range l.parts {
		sort.Slice(p.files, func(i, j int) bool { return p.files[i].Path < p.files[j].Path })
	}
	return l, nil
}

func (l *layout) walk(ctx context.Context, store lakegate.Store, loc, dir string, kv [][2]string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := store.List(ctx, dir)
	if lakegate.ErrorCode(err) == lakegate.ENOTFOUND && dir == loc {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := path.Base(e.Path)
		switch {
		case skipped(name):
		case e.Dir:
			k, v, ok := strings.Cut(name, "=")
			if !ok || k == "" || v == "" {
				return lakegate.Errorf(lakegate.EINVALID,
					"directory %s is not a hive-style partition directory (key=value); move its files or register %s instead",
					e.Path, e.Path)
			}
			if err := l.walk(ctx, store, loc, e.Path, append(kv[:len(kv):len(kv)], [2]string{k, v})); err != nil {
				return err
			}
		case strings.HasSuffix(strings.ToLower(name), ".parquet"):
			if err := l.addFile(e, kv); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *layout) addFile(f lakegate.FileInfo, kv [][2]string) error {
	keys := make([]string, len(kv))
	values := make([]string, len(kv))
	names := make([]string, len(kv))
	for i, p := range kv {
		keys[i], values[i], names[i] = p[0], p[1], p[0]+"="+p[1]
	}
	if l.files == 0 {
		l.keys, l.first = keys, f.Path
	} else if strings.Join(keys, "/") != strings.Join(l.keys, "/") {
		return lakegate.Errorf(lakegate.EINVALID,
			"file %s is under partition keys (%s) but %s is under (%s); every file of a table needs the same key=value directories",
			f.Path, describeKeys(keys), l.first, describeKeys(l.keys))
	}
	l.files++
	name := strings.Join(names, "/")
	p, ok := l.parts[name]
	if !ok {
		p = &part{name: name, values: values}
		l.parts[name] = p
	}
	p.files = append(p.files, f)
	return nil
}

func describeKeys(keys []string) string {
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

// keyTypes infers partition key types from their values: DATE when every
// value is YYYY-MM-DD, BIGINT when every value is an integer, else VARCHAR.
func keyTypes(keys []string, parts []*part) []lakegate.Column {
	out := make([]lakegate.Column, len(keys))
	for i, k := range keys {
		typ := ""
		for _, p := range parts {
			typ = narrowest(typ, p.values[i])
		}
		out[i] = lakegate.Column{Name: k, Type: typ}
	}
	return out
}

// narrowest returns the narrowest of DATE, BIGINT, VARCHAR that holds both
// the values seen so far (typ, "" for none) and v.
func narrowest(typ, v string) string {
	fits := func(t string) bool { return valueFits(t, v) }
	switch {
	case (typ == "" || typ == "DATE") && fits("DATE"):
		return "DATE"
	case (typ == "" || typ == "BIGINT") && fits("BIGINT"):
		return "BIGINT"
	}
	return "VARCHAR"
}
