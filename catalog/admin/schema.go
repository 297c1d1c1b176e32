package admin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/lakegate/lakegate"
)

// fileMeta is what one Parquet file contributes: its catalog entry (size,
// rows from the footer, sha256) and its columns.
type fileMeta struct {
	file lakegate.File
	cols []lakegate.Column
}

// readFile reads the footer of one Parquet file and hashes its bytes.
// EINVALID when it is not Parquet or has a column type DuckDB views
// cannot carry.
func readFile(ctx context.Context, store lakegate.Store, p string) (fileMeta, error) {
	rf, err := store.Open(ctx, p)
	if err != nil {
		return fileMeta{}, err
	}
	defer rf.Close()
	pr, err := file.NewParquetReader(rf)
	if err != nil {
		return fileMeta{}, lakegate.Wrap(lakegate.EINVALID, err,
			"file %s is not a readable Parquet file (bad footer); remove it or replace it with a valid one", p)
	}
	defer pr.Close()
	md := pr.MetaData()
	sc, err := pqarrow.FromParquet(md.Schema, nil, md.KeyValueMetadata())
	if err != nil {
		return fileMeta{}, lakegate.Wrap(lakegate.EINVALID, err, "file %s: its Parquet schema cannot be read", p)
	}
	cols := make([]lakegate.Column, 0, len(sc.Fields()))
	for _, f := range sc.Fields() {
		t, err := duckType(f.Type)
		if err != nil {
			return fileMeta{}, lakegate.Errorf(lakegate.EINVALID,
				"file %s: column %q has type %s, which lakegate cannot register (%v)", p, f.Name, f.Type, err)
		}
		cols = append(cols, lakegate.Column{Name: f.Name, Type: t, Nullable: f.Nullable})
	}
	// Hash through a section reader: the Parquet reader may have moved the
	// file offset.
	h := sha256.New()
	if _, err := io.Copy(h, &ctxReader{ctx: ctx, r: io.NewSectionReader(rf, 0, rf.Size())}); err != nil {
		if ctx.Err() != nil {
			return fileMeta{}, ctx.Err()
		}
		return fileMeta{}, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "file %s cannot be read", p)
	}
	return fileMeta{
		file: lakegate.File{Path: p, Bytes: rf.Size(), Rows: pr.NumRows(), Checksum: hex.EncodeToString(h.Sum(nil))},
		cols: cols,
	}, nil
}

// ctxReader stops a long hash when the caller goes away.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// duckType names an Arrow type as DuckDB spells it when it reads the same
// Parquet column, so the catalog's columns match what the view returns.
// Fixed-size binary is refused: DuckDB writes INTERVAL that way, and the
// Arrow schema no longer says which it was.
func duckType(t arrow.DataType) (string, error) {
	if s, ok := simpleTypes[t.ID()]; ok {
		return s, nil
	}
	switch t := t.(type) {
	case *arrow.TimestampType:
		switch {
		case t.TimeZone != "":
			return "TIMESTAMP WITH TIME ZONE", nil // adjusted to UTC in Parquet
		case t.Unit == arrow.Nanosecond:
			return "TIMESTAMP_NS", nil
		}
		return "TIMESTAMP", nil
	case arrow.ExtensionType:
		if t.ExtensionName() == "arrow.uuid" {
			return "UUID", nil
		}
	case *arrow.Decimal128Type:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale), nil
	case *arrow.Decimal64Type:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale), nil
	case *arrow.Decimal32Type:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale), nil
	case *arrow.ListType:
		return listOf(t.Elem())
	case *arrow.LargeListType:
		return listOf(t.Elem())
	case *arrow.FixedSizeListType:
		return listOf(t.Elem())
	case *arrow.MapType:
		k, err := duckType(t.KeyType())
		if err != nil {
			return "", err
		}
		v, err := duckType(t.ItemType())
		if err != nil {
			return "", err
		}
		return "MAP(" + k + ", " + v + ")", nil
	case *arrow.StructType:
		fields := make([]string, len(t.Fields()))
		for i, f := range t.Fields() {
			ft, err := duckType(f.Type)
			if err != nil {
				return "", err
			}
			fields[i] = `"` + strings.ReplaceAll(f.Name, `"`, `""`) + `" ` + ft
		}
		return "STRUCT(" + strings.Join(fields, ", ") + ")", nil
	}
	return "", fmt.Errorf("no DuckDB equivalent of Arrow type %s", t)
}

func listOf(elem arrow.DataType) (string, error) {
	e, err := duckType(elem)
	if err != nil {
		return "", err
	}
	return e + "[]", nil
}

var simpleTypes = map[arrow.Type]string{
	arrow.BOOL:         "BOOLEAN",
	arrow.INT8:         "TINYINT",
	arrow.INT16:        "SMALLINT",
	arrow.INT32:        "INTEGER",
	arrow.INT64:        "BIGINT",
	arrow.UINT8:        "UTINYINT",
	arrow.UINT16:       "USMALLINT",
	arrow.UINT32:       "UINTEGER",
	arrow.UINT64:       "UBIGINT",
	arrow.FLOAT32:      "FLOAT",
	arrow.FLOAT64:      "DOUBLE",
	arrow.STRING:       "VARCHAR",
	arrow.LARGE_STRING: "VARCHAR",
	arrow.STRING_VIEW:  "VARCHAR",
	arrow.BINARY:       "BLOB",
	arrow.LARGE_BINARY: "BLOB",
	arrow.BINARY_VIEW:  "BLOB",
	arrow.DATE32:       "DATE",
	arrow.DATE64:       "DATE",
	arrow.TIME32:       "TIME",
	arrow.TIME64:       "TIME",
}

// widerOf holds the widenings the catalog accepts: a column may hold
// INTEGER in one file and BIGINT in another (the table becomes BIGINT).
var widerOf = map[[2]string]string{
	{"INTEGER", "BIGINT"}: "BIGINT", {"BIGINT", "INTEGER"}: "BIGINT",
	{"FLOAT", "DOUBLE"}: "DOUBLE", {"DOUBLE", "FLOAT"}: "DOUBLE",
}

// schema is the union of the columns of several files, in first-seen order.
type schema struct {
	cols  []lakegate.Column
	index map[string]int
	from  map[string]string // column -> the file (or "the catalog") that set its type
	files int
}

func newSchema() *schema { return &schema{index: map[string]int{}, from: map[string]string{}} }

// seed starts the union from the table's registered columns.
func (s *schema) seed(cols []lakegate.Column) {
	for _, c := range cols {
		s.index[c.Name] = len(s.cols)
		s.cols = append(s.cols, c)
		s.from[c.Name] = "the catalog"
	}
	s.files = 1
}

// add merges one file's columns: new ones append as nullable (older files
// lack them), columns missing from the file become nullable, and a type
// clash is ECONFLICT naming both sides.
func (s *schema) add(p string, cols []lakegate.Column) error {
	seen := map[string]bool{}
	for _, c := range cols {
		seen[c.Name] = true
		i, ok := s.index[c.Name]
		if !ok {
			if s.files > 0 {
				c.Nullable = true
			}
			s.index[c.Name] = len(s.cols)
			s.cols = append(s.cols, c)
			s.from[c.Name] = p
			continue
		}
		old := s.cols[i]
		switch {
		case old.Type == c.Type:
		case widerOf[[2]string{old.Type, c.Type}] != "":
			s.cols[i].Type = widerOf[[2]string{old.Type, c.Type}]
		default:
			return lakegate.Errorf(lakegate.ECONFLICT,
				"file %s: column %q has type %s but %s has it as %s; rewrite the file with type %s or register it as another table",
				p, c.Name, c.Type, s.from[c.Name], old.Type, old.Type)
		}
		if c.Nullable {
			s.cols[i].Nullable = true
		}
	}
	for i, c := range s.cols {
		if !seen[c.Name] {
			s.cols[i].Nullable = true
		}
	}
	s.files++
	return nil
}
