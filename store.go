package lakegate

import (
	"context"
	"io"
	"time"
)

// FileInfo describes one object in a landing store.
type FileInfo struct {
	Path     string // relative to the store root, slash-separated
	Size     int64
	Modified time.Time
	Dir      bool
}

// ReadFile is an open store object; Parquet readers need ReadAt and Size.
type ReadFile interface {
	io.ReadSeekCloser
	io.ReaderAt
	Size() int64
}

// Store is a landing store: the local lake directory or HDFS. Paths are
// slash-separated and relative to the store root; ".." is refused.
//
// Create returns EINVALID for a bad path. Rename returns ENOTFOUND when the
// source is missing and ECONFLICT when the target exists. Open, List and
// Remove return ENOTFOUND for a missing path. Failures of the backing system
// are EUNAVAILABLE.
type Store interface {
	// Create opens a new object for writing; Close makes it durable.
	Create(ctx context.Context, path string) (io.WriteCloser, error)
	// Rename moves an object atomically: readers see the old name or the new.
	Rename(ctx context.Context, from, to string) error
	// List returns the entries directly under dir.
	List(ctx context.Context, dir string) ([]FileInfo, error)
	Open(ctx context.Context, path string) (ReadFile, error)
	Remove(ctx context.Context, path string) error
	// URI is the location an engine reads path from (an absolute file path
	// or an hdfs:// URL).
	URI(path string) string
}

// LocalFiles makes a remote lake's files (HDFS) readable by an engine
// that reads local files only: each file's copy lives at a fixed local
// path, fetched on demand into a size-bounded folder.
//
// Fetch copies the files missing there (each file once, however many
// queries want it) and keeps them until release is called; it returns
// EUNAVAILABLE when the lake cannot be read, naming it.
type LocalFiles interface {
	// Dir is the local folder the engine may read, and nothing else.
	Dir() string
	// Path is where the copy of f lives (or will), inside Dir.
	Path(f File) string
	Fetch(ctx context.Context, files []File) (release func(), err error)
}
