package hms

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/beltran/gohive/hive_metastore"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/internal/typename"
)

// Tables look like what Spark writes to a Hive metastore: external Parquet
// tables with Hive's Parquet formats and SerDe, partition keys, and
// Hive's statistics parameters.
const (
	parquetInput  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
	parquetOutput = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
	parquetSerDe  = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
	owner         = "lakegate"
)

// locator turns a store path into the URI clients read (file:/... or
// hdfs://...).
type locator func(path string) string

func (l locator) uri(path string) string {
	u := l(path)
	if strings.HasPrefix(u, "/") {
		return "file:" + u
	}
	return u
}

func hiveDatabase(d lakegate.Database, loc locator) *hive_metastore.Database {
	o, typ := owner, hive_metastore.PrincipalType_USER
	created := int32(d.Created.Unix())
	params := map[string]string{}
	for k, v := range d.Properties {
		params[k] = v
	}
	return &hive_metastore.Database{Name: d.Name, Description: d.Description, LocationUri: loc.uri(d.Name),
		Parameters: params, OwnerName: &o, OwnerType: &typ, CreateTime: &created}
}

func hiveTable(t lakegate.Table, loc locator) *hive_metastore.Table {
	params := map[string]string{
		"EXTERNAL": "TRUE", "numRows": strconv.FormatInt(t.Stats.Rows, 10),
		"numFiles": strconv.FormatInt(t.Stats.Files, 10), "totalSize": strconv.FormatInt(t.Stats.Bytes, 10),
		"transient_lastDdlTime": strconv.FormatInt(t.Updated.Unix(), 10),
		"lakegate.version":      strconv.FormatInt(t.Version, 10),
	}
	if t.Description != "" {
		params["comment"] = t.Description
	}
	for k, v := range t.Properties {
		params[k] = v
	}
	return &hive_metastore.Table{
		TableName: t.Name, DbName: t.Database, Owner: owner, CreateTime: int32(t.Created.Unix()),
		Sd: storage(fields(t.Columns), loc.uri(t.Location)), PartitionKeys: fields(t.PartitionKeys),
		Parameters: params, TableType: "EXTERNAL_TABLE", OwnerType: hive_metastore.PrincipalType_USER,
	}
}

func hivePartition(t lakegate.Table, p lakegate.Partition, loc locator) *hive_metastore.Partition {
	return &hive_metastore.Partition{
		Values: p.Values, DbName: t.Database, TableName: t.Name, CreateTime: int32(p.Created.Unix()),
		Sd: storage(fields(t.Columns), loc.uri(p.Location)),
		Parameters: map[string]string{
			"numRows": strconv.FormatInt(p.Rows, 10), "numFiles": strconv.Itoa(len(p.Files)),
			"totalSize": strconv.FormatInt(p.Bytes, 10), "transient_lastDdlTime": strconv.FormatInt(p.Created.Unix(), 10),
		},
	}
}

func storage(cols []*hive_metastore.FieldSchema, location string) *hive_metastore.StorageDescriptor {
	no := false
	return &hive_metastore.StorageDescriptor{
		Cols: cols, Location: location, InputFormat: parquetInput, OutputFormat: parquetOutput,
		NumBuckets: -1, BucketCols: []string{}, SortCols: []*hive_metastore.Order{}, Parameters: map[string]string{},
		SerdeInfo: &hive_metastore.SerDeInfo{SerializationLib: parquetSerDe,
			Parameters: map[string]string{"serialization.format": "1"}},
		SkewedInfo:             &hive_metastore.SkewedInfo{SkewedColNames: []string{}, SkewedColValues: [][]string{}},
		StoredAsSubDirectories: &no,
	}
}

func fields(cols []lakegate.Column) []*hive_metastore.FieldSchema {
	out := make([]*hive_metastore.FieldSchema, len(cols))
	for i, c := range cols {
		out[i] = &hive_metastore.FieldSchema{Name: c.Name, Type: HiveType(c.Type), Comment: c.Comment}
	}
	return out
}

// hiveTypes are DuckDB's scalar type names in Hive's words.
var hiveTypes = map[string]string{
	"VARCHAR": "string", "TEXT": "string", "UUID": "string", "JSON": "string", "ENUM": "string",
	"BIGINT": "bigint", "INTEGER": "int", "SMALLINT": "smallint", "TINYINT": "tinyint",
	"UBIGINT": "decimal(20,0)", "UINTEGER": "bigint", "USMALLINT": "int", "UTINYINT": "smallint",
	"HUGEINT": "decimal(38,0)", "DOUBLE": "double", "FLOAT": "float", "BOOLEAN": "boolean",
	"TIMESTAMP": "timestamp", "TIMESTAMP_MS": "timestamp", "TIMESTAMP_NS": "timestamp", "TIMESTAMP_S": "timestamp",
	"TIMESTAMPTZ": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamp", "DATE": "date", "BLOB": "binary",
	"INTERVAL": "string", "TIME": "string",
}

// HiveType maps a lakegate column type (DuckDB's name) to Hive's:
// DECIMAL(p,s), lists as array<>, STRUCT as struct<>, MAP as map<>.
func HiveType(t string) string {
	t = strings.TrimSpace(t)
	u := strings.ToUpper(t)
	switch {
	case strings.HasSuffix(t, "[]"):
		return "array<" + HiveType(t[:len(t)-2]) + ">"
	case strings.HasPrefix(u, "DECIMAL"), strings.HasPrefix(u, "NUMERIC"):
		return "decimal" + strings.ReplaceAll(t[strings.IndexAny(t+"(", "("):], " ", "")
	case strings.HasPrefix(u, "STRUCT(") && strings.HasSuffix(t, ")"):
		return "struct<" + structFields(t[7:len(t)-1]) + ">"
	case strings.HasPrefix(u, "MAP(") && strings.HasSuffix(t, ")"):
		kv := typename.SplitArgs(t[4 : len(t)-1])
		if len(kv) == 2 {
			return "map<" + HiveType(kv[0]) + "," + HiveType(kv[1]) + ">"
		}
	}
	if h, ok := hiveTypes[u]; ok {
		return h
	}
	return "string"
}

// structFields maps `"a" INTEGER, "b" VARCHAR` to `a:int,b:string`.
func structFields(s string) string {
	var out []string
	for _, f := range typename.SplitArgs(s) {
		f = strings.TrimSpace(f)
		name, typ := f, "VARCHAR"
		if strings.HasPrefix(f, `"`) {
			if end := strings.Index(f[1:], `"`); end >= 0 {
				name, typ = f[1:end+1], f[end+2:]
			}
		} else if sp := strings.IndexByte(f, ' '); sp > 0 {
			name, typ = f[:sp], f[sp+1:]
		}
		out = append(out, fmt.Sprintf("%s:%s", name, HiveType(typ)))
	}
	return strings.Join(out, ",")
}
