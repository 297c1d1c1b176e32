package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/lakegate/lakegate"
)

// DocFile is one small JSON document (API tokens, saved queries) kept whole
// in one file of an embedded catalog directory, beside the commit log.
//
// Readers take no lock: writers replace the file atomically (write a temp
// file, fsync it, rename it over the document, fsync the directory), so a
// reader sees the old or the new document, never a torn one. Writers
// serialize on the catalog's flock (<dir>/lock, the one Embedded.Commit
// takes), so two processes sharing the lake never lose each other's update.
// Keep documents small: every update rewrites the whole file.
//
// It is safe for concurrent use by goroutines.
type DocFile[T any] struct {
	dir, path string
	perm      os.FileMode
	// mu makes this instance's updates one at a time: flock does not
	// exclude two goroutines of one process that share a descriptor, and
	// each update opens its own, but one at a time is also cheaper.
	mu sync.Mutex
}

// NewDocFile returns the document <dir>/<name>, created with perm on its
// first update. dir is an embedded catalog directory (Embedded.Dir()).
func NewDocFile[T any](dir, name string, perm os.FileMode) *DocFile[T] {
	return &DocFile[T]{dir: dir, path: filepath.Join(dir, name), perm: perm}
}

// Path is the document's file.
func (d *DocFile[T]) Path() string { return d.path }

// Read returns the latest document; the zero T when it was never written.
//
// Errors: EUNAVAILABLE when the file cannot be read, EINTERNAL when it is
// not valid JSON for T (edited by hand?), ETIMEOUT/ECANCELED when ctx has
// ended.
func (d *DocFile[T]) Read(ctx context.Context) (T, error) {
	var doc T
	if err := ctx.Err(); err != nil {
		return doc, err
	}
	data, err := os.ReadFile(d.path)
	if errors.Is(err, fs.ErrNotExist) {
		return doc, nil
	}
	if err != nil {
		return doc, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "catalog document %s cannot be read", d.path)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return doc, lakegate.Wrap(lakegate.EINTERNAL, err,
			"catalog document %s is not valid JSON; restore it from a backup", d.path)
	}
	return doc, nil
}

// Update reads the latest document under the catalog's write lock, lets fn
// change it and writes it back atomically. When fn returns an error nothing
// is written and Update returns that error unchanged, so fn can report
// ENOTFOUND, ECONFLICT and the like to the caller. fn must not call
// Update or Embedded.Commit: both take the same lock.
//
// Errors: fn's, Read's, EUNAVAILABLE when the directory is read-only or the
// file cannot be written (the old document stays), ETIMEOUT/ECANCELED when
// ctx ends while waiting for the lock.
func (d *DocFile[T]) Update(ctx context.Context, fn func(doc *T) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	lf, err := os.OpenFile(filepath.Join(d.dir, LockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err,
			"catalog %s cannot be locked for writing (read-only?)", d.dir)
	}
	defer lf.Close()
	unlock, err := lockFile(ctx, lf, d.dir)
	if err != nil {
		return err
	}
	defer unlock()
	d.removeTemps() // left by a writer that crashed; we hold the lock
	doc, err := d.Read(ctx)
	if err != nil {
		return err
	}
	if err := fn(&doc); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ") // operators may read it
	if err := enc.Encode(doc); err != nil {
		return lakegate.Wrap(lakegate.EINTERNAL, err, "catalog document %s cannot be encoded", d.path)
	}
	return d.replace(buf.Bytes())
}

// replace writes data to a temp file and renames it over the document.
func (d *DocFile[T]) replace(data []byte) error {
	fail := func(err error) error {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "catalog document %s cannot be written", d.path)
	}
	tmp, err := os.CreateTemp(d.dir, filepath.Base(d.path)+".tmp-*")
	if err != nil {
		return fail(err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(d.perm); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), d.path); err != nil {
		return fail(err)
	}
	done = true
	return syncDir(d.dir)
}

func (d *DocFile[T]) removeTemps() {
	left, _ := filepath.Glob(d.path + ".tmp-*")
	for _, p := range left {
		os.Remove(p)
	}
}
