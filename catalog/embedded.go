// Package catalog implements lakegate.Catalog stores: the embedded,
// serverless store (a commit log in the lake's _catalog directory) and,
// later, PostgreSQL. The store-independent rules (validation, schema
// evolution, stats) live in State so that every store applies them alike.
package catalog

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/lakegate/lakegate"
)

// Embedded is the default catalog store: an append-only commit log
// <dir>/commits.log replayed into memory. One process may write while others
// read: writers serialize on an flock of <dir>/lock, readers never lock and
// pick up new commits by reading only the log's new tail.
//
// It is safe for concurrent use by goroutines.
type Embedded struct {
	dir      string
	logPath  string
	log      *os.File // commits.log, read-write unless the directory is read-only
	lockFile *os.File // <dir>/lock; nil when read-only
	writers  chan struct{}

	// tailMu serializes reading and appending the log; it guards the fields
	// below it. Lock order: tailMu, then mu.
	tailMu sync.Mutex
	offset int64 // end of the last applied line
	lines  int   // applied lines
	broken error // a corrupt log: every call reports it
	closed bool

	// mu guards state: tail readers and commits change it holding tailMu
	// and mu; reads hold mu.RLock.
	mu    sync.RWMutex
	state *State
}

var _ lakegate.Catalog = (*Embedded)(nil)

// Names of the files in the catalog directory.
const (
	LogFile  = "commits.log"
	LockFile = "lock"
)

// OpenEmbedded opens (creating if missing) the catalog in dir, e.g.
// <lake>/_catalog, and replays its commit log. A read-only directory opens
// for reading only; Commit then returns EUNAVAILABLE.
func OpenEmbedded(dir string) (*Embedded, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "catalog directory %s cannot be created", dir)
	}
	e := &Embedded{
		dir: dir, logPath: filepath.Join(dir, LogFile),
		writers: make(chan struct{}, 1), state: NewState(),
	}
	if err := e.openFiles(); err != nil {
		return nil, err
	}
	if err := e.refresh(context.Background()); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

func (e *Embedded) openFiles() error {
	_, statErr := os.Stat(e.logPath)
	f, err := os.OpenFile(e.logPath, os.O_RDWR|os.O_CREATE, 0o644)
	if errors.Is(err, fs.ErrPermission) || isReadOnlyFS(err) {
		f, err = os.Open(e.logPath)
		if err != nil {
			return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "catalog log %s cannot be opened", e.logPath)
		}
		e.log = f
		return nil
	}
	if err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "catalog log %s cannot be opened", e.logPath)
	}
	e.log = f
	if errors.Is(statErr, fs.ErrNotExist) {
		// Make the new file's name durable before anything is committed to it.
		if err := syncDir(e.dir); err != nil {
			f.Close()
			return err
		}
	}
	lf, err := os.OpenFile(filepath.Join(e.dir, LockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		f.Close()
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "catalog lock file in %s cannot be opened", e.dir)
	}
	e.lockFile = lf
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err == nil {
		err = d.Sync()
		d.Close()
	}
	if err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "catalog directory %s cannot be synced", dir)
	}
	return nil
}

// Dir is the catalog directory.
func (e *Embedded) Dir() string { return e.dir }

// refresh applies the commits other writers appended since the last call.
// The common case (nothing new) costs one fstat.
func (e *Embedded) refresh(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.tailMu.Lock()
	defer e.tailMu.Unlock()
	_, err := e.catchUpLocked()
	return err
}

// catchUpLocked reads and applies the log's new tail. It returns the log's
// size; a size past e.offset means a torn or in-progress last line.
func (e *Embedded) catchUpLocked() (int64, error) {
	if e.closed {
		return 0, errClosed()
	}
	if e.broken != nil {
		return 0, e.broken
	}
	fi, err := e.log.Stat()
	if err != nil {
		return 0, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "catalog log %s cannot be read", e.logPath)
	}
	size := fi.Size()
	switch {
	case size == e.offset:
		return size, nil
	case size < e.offset:
		e.broken = lakegate.Errorf(lakegate.EINTERNAL,
			"catalog log %s shrank from %d to %d bytes: it was truncated or replaced outside lakegate; restore it and restart",
			e.logPath, e.offset, size)
		return 0, e.broken
	}
	section := io.NewSectionReader(e.log, e.offset, size-e.offset)
	res, err := readTail(section, size-e.offset, e.logPath, e.lines+1, e.state.Version()+1,
		func(r record, c lakegate.Change) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			return e.state.Apply(c, r.V, r.At)
		})
	e.offset += res.consumed
	e.lines += res.lines
	if err != nil {
		if lakegate.ErrorCode(err) == lakegate.EINTERNAL {
			e.broken = err
		}
		return 0, err
	}
	return size, nil
}

func (e *Embedded) checkOpen() error {
	e.tailMu.Lock()
	defer e.tailMu.Unlock()
	if e.closed {
		return errClosed()
	}
	return nil
}

func errClosed() error { return lakegate.Errorf(lakegate.EUNAVAILABLE, "the catalog is closed") }

// Version returns the latest committed version, catching up with other
// writers first.
func (e *Embedded) Version(ctx context.Context) (int64, error) {
	if err := e.refresh(ctx); err != nil {
		return 0, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.state.Version(), nil
}

// Databases returns all databases sorted by name.
func (e *Embedded) Databases(ctx context.Context) ([]lakegate.Database, error) {
	if err := e.refresh(ctx); err != nil {
		return nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.state.Databases(), nil
}

// Tables returns the tables of a database sorted by name; ENOTFOUND for an
// unknown database.
func (e *Embedded) Tables(ctx context.Context, database string) ([]lakegate.Table, error) {
	if err := e.refresh(ctx); err != nil {
		return nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.state.Tables(database)
}

// Table returns one table; ENOTFOUND when the database or table is unknown.
func (e *Embedded) Table(ctx context.Context, database, name string) (lakegate.Table, error) {
	if err := e.refresh(ctx); err != nil {
		return lakegate.Table{}, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.state.Table(database, name)
}

// Partitions returns a table's partitions sorted by name; ENOTFOUND when the
// database or table is unknown.
func (e *Embedded) Partitions(ctx context.Context, database, table string) ([]lakegate.Partition, error) {
	if err := e.refresh(ctx); err != nil {
		return nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.state.Partitions(database, table)
}

// Batches returns the committed batches whose source had this checksum,
// oldest first.
func (e *Embedded) Batches(ctx context.Context, checksum string) ([]lakegate.Batch, error) {
	if err := e.refresh(ctx); err != nil {
		return nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.state.Batches(checksum), nil
}

// Offsets returns the stream's landed positions, after catching up with
// other writers.
func (e *Embedded) Offsets(ctx context.Context, stream string) ([]lakegate.StreamOffset, error) {
	if err := e.refresh(ctx); err != nil {
		return nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.state.Offsets(stream), nil
}

// Changes returns what changed after version since, catching up with other
// writers first: the cost is reading their new log lines and the changed
// tables' headers, never partitions. EINVALID when since is negative or
// ahead of the catalog.
func (e *Embedded) Changes(ctx context.Context, since int64) (lakegate.Delta, error) {
	if err := e.refresh(ctx); err != nil {
		return lakegate.Delta{}, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.state.Changes(since)
}

// Close waits for a commit in progress, then releases the files. Calls after
// Close return EUNAVAILABLE.
func (e *Embedded) Close() error {
	e.writers <- struct{}{}
	defer func() { <-e.writers }()
	e.tailMu.Lock()
	defer e.tailMu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	err := e.log.Close()
	if e.lockFile != nil {
		if lerr := e.lockFile.Close(); err == nil {
			err = lerr
		}
	}
	if err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "catalog %s did not close cleanly", e.dir)
	}
	return nil
}

// now is the commit clock: UTC, so that a replayed time equals the
// in-memory one exactly.
func now() time.Time { return time.Now().UTC() }
