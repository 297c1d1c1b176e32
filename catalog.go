package lakegate

import (
	"context"
	"time"
)

// Column is one column of a table or a query result. Type is a SQL type name
// as DuckDB spells it (VARCHAR, BIGINT, DOUBLE, BOOLEAN, TIMESTAMP, DATE).
type Column struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

// Database groups tables, like a Hive database.
type Database struct {
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Location    string            `json:"location"`
	Owner       string            `json:"owner,omitempty"`
	Properties  map[string]string `json:"properties,omitempty"`
	Created     time.Time         `json:"created"`
}

// Table types, as in Hive: dropping a managed table removes its files,
// dropping an external one (registered over files someone else landed)
// leaves them.
const (
	TableManaged  = "managed"
	TableExternal = "external"
)

// Table describes one landed table. Location and file paths are relative to
// the landing store's root, so the same catalog works on a local lake and
// on HDFS.
type Table struct {
	Database      string            `json:"database"`
	Name          string            `json:"name"`
	Description   string            `json:"description,omitempty"`
	Type          string            `json:"type"` // TableManaged (default) or TableExternal
	Location      string            `json:"location"`
	Format        string            `json:"format"`
	Properties    map[string]string `json:"properties,omitempty"`
	Columns       []Column          `json:"columns"`
	PartitionKeys []Column          `json:"partition_keys"`
	Created       time.Time         `json:"created"`
	Updated       time.Time         `json:"updated"`
	SchemaVersion int               `json:"schema_version"`
	Version       int64             `json:"version"` // catalog version of the table's last change
	Stats         TableStats        `json:"stats"`
}

// FullName is the name queries use: database.table.
func (t Table) FullName() string { return t.Database + "." + t.Name }

// TableStats sums the table's partitions.
type TableStats struct {
	Rows       int64 `json:"rows"`
	Bytes      int64 `json:"bytes"`
	Files      int64 `json:"files"`
	Partitions int64 `json:"partitions"`
}

// Partition is one hive-style partition of a table, e.g. ingest_date=2026-11-21.
// Values line up with the table's PartitionKeys.
type Partition struct {
	Name     string    `json:"name"`
	Values   []string  `json:"values"`
	Location string    `json:"location"`
	Files    []File    `json:"files"`
	Rows     int64     `json:"rows"`
	Bytes    int64     `json:"bytes"`
	Created  time.Time `json:"created"`
}

// File is one data file of a partition.
type File struct {
	Path     string `json:"path"`
	Bytes    int64  `json:"bytes"`
	Rows     int64  `json:"rows"`
	Checksum string `json:"checksum"`
}

// Batch records one ingest run, so that re-ingesting a source is detected.
type Batch struct {
	ID         string    `json:"id"`
	Source     string    `json:"source"`
	Checksum   string    `json:"checksum"` // sha256 of the source bytes
	Bytes      int64     `json:"bytes"`
	Read       int64     `json:"read"`
	Landed     int64     `json:"landed"`
	Duplicates int64     `json:"duplicates"`
	Rejected   int64     `json:"rejected"`
	Committed  time.Time `json:"committed"`
}

// TableChange is what one commit does to one table: create it if missing
// (from Table), and add Files to the partitions named in Partitions.
type TableChange struct {
	Table      Table       `json:"table"`
	Partitions []Partition `json:"partitions"`
}

// TableRef names a table.
type TableRef struct {
	Database string `json:"database"`
	Name     string `json:"name"`
}

// PartitionRef names one partition of a table (Name as in Partition.Name).
type PartitionRef struct {
	Database string `json:"database"`
	Table    string `json:"table"`
	Name     string `json:"name"`
}

// Change is one atomic catalog commit: all of its tables, partitions, files,
// batches and drops take effect together, or none of them do. Drops are
// applied before additions.
type Change struct {
	Tables         []TableChange  `json:"tables,omitempty"`
	Batches        []Batch        `json:"batches,omitempty"`
	DropTables     []TableRef     `json:"drop_tables,omitempty"`
	DropPartitions []PartitionRef `json:"drop_partitions,omitempty"`
	// Offsets advance streams' landed positions with the rest of the
	// change (see StreamOffset: a stale From is ECONFLICT).
	Offsets []StreamOffset `json:"offsets,omitempty"`
}

// Delta is what changed after a catalog version: engines refresh from it
// and read nothing that did not change.
type Delta struct {
	Version int64      `json:"version"` // the version the delta brings its reader to
	Tables  []Table    `json:"tables"`  // tables created or changed since, as they are now
	Dropped []TableRef `json:"dropped"` // tables dropped since (and not re-created)
}

// Catalog is the metastore: it describes every landed table.
//
// Reads return ENOTFOUND for an unknown database or table. Commit returns
// EINVALID for a malformed change, ECONFLICT when the change cannot be
// applied to the current state (an incompatible schema, a file registered
// twice), and EUNAVAILABLE when the backing store cannot be reached.
type Catalog interface {
	// Version increases with every committed change; it is cheap to read.
	Version(ctx context.Context) (int64, error)
	Databases(ctx context.Context) ([]Database, error)
	Tables(ctx context.Context, database string) ([]Table, error)
	Table(ctx context.Context, database, name string) (Table, error)
	Partitions(ctx context.Context, database, table string) ([]Partition, error)
	// Batches returns the committed batches whose source had this checksum.
	Batches(ctx context.Context, checksum string) ([]Batch, error)
	// Commit applies the change atomically and returns the new version.
	// Drops apply before additions; dropping a missing table or partition
	// is ENOTFOUND.
	Commit(ctx context.Context, c Change) (int64, error)
	// Changes returns what changed after version since: the tables created or
	// changed (as they are now) and the tables dropped, plus the current version.
	// Its cost is proportional to what changed, not to the catalog's size.
	// EINVALID when since is negative or ahead of the catalog's version.
	Changes(ctx context.Context, since int64) (Delta, error)
	// Offsets returns the landed positions of the stream's partitions that
	// have landed anything, by partition; empty (not nil) when none.
	// EUNAVAILABLE when the store cannot be reached.
	Offsets(ctx context.Context, stream string) ([]StreamOffset, error)
	Close() error
}
