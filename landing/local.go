// Package landing implements landing stores: a local directory (the embedded
// default) and, later, HDFS.
package landing

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/lakegate/lakegate"
)

// Local is a landing store rooted at a local directory.
type Local struct {
	root string // absolute
	real string // root with its symbolic links resolved, for inside
}

var _ Lake = (*Local)(nil)

// NewLocal opens (creating if needed) a lake rooted at dir.
func NewLocal(dir string) (*Local, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EINVALID, err, "lake %q: not a usable path", dir)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "lake %q: cannot create the directory", dir)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "lake %q: cannot resolve the directory", dir)
	}
	return &Local{root: abs, real: real}, nil
}

// Root is the absolute directory of the lake.
func (l *Local) Root() string { return l.root }

// CleanPath checks that p is a relative, slash-separated path that stays
// inside the store, and returns it cleaned. Every Store uses this rule.
func CleanPath(p string) (string, error) {
	c := path.Clean(strings.TrimPrefix(p, "./"))
	if p == "" || strings.HasPrefix(p, "/") || c == ".." || strings.HasPrefix(c, "../") || strings.Contains(p, "\\") {
		return "", lakegate.Errorf(lakegate.EINVALID, "store path %q must be relative and stay inside the lake", p)
	}
	return c, nil
}

// join is p's absolute path, without looking at the file system.
func (l *Local) join(p string) (string, error) {
	c, err := CleanPath(p)
	if err != nil {
		return "", err
	}
	return filepath.Join(l.root, filepath.FromSlash(c)), nil
}

// abs is p's absolute path for a file operation. A symbolic link on the
// way that leads out of the root is refused (EFORBIDDEN): tenants' stores
// are directories of one lake, and a link planted in one must not let its
// ingest, register or repair list, read, write or delete another's files.
func (l *Local) abs(p string) (string, error) {
	a, err := l.join(p)
	if err != nil {
		return "", err
	}
	if err := l.inside(a, p); err != nil {
		return "", err
	}
	return a, nil
}

// inside checks that the deepest existing ancestor of a (a itself when it
// exists) resolves to the root or below it. A link swapped in between the
// check and the use is not caught; only the lake's owner can plant one.
func (l *Local) inside(a, p string) error {
	root := l.real
	for at := a; ; at = filepath.Dir(at) {
		real, err := filepath.EvalSymlinks(at)
		if errors.Is(err, fs.ErrNotExist) && at != l.root {
			continue
		}
		if err != nil {
			return ioError(err, "resolve %s", p)
		}
		if real != root && !strings.HasPrefix(real, root+string(filepath.Separator)) {
			return lakegate.Errorf(lakegate.EFORBIDDEN, "store path %q leads out of its directory through a symbolic link; replace the link by the files", p)
		}
		return nil
	}
}

// URI returns the absolute file path an engine reads p from. The engine
// itself refuses links out of the directories it may read.
func (l *Local) URI(p string) string {
	a, err := l.join(p)
	if err != nil {
		return ""
	}
	return a
}

// Create opens a new file for writing, creating its directories. It refuses
// to overwrite: landed files are immutable.
func (l *Local) Create(ctx context.Context, p string) (io.WriteCloser, error) {
	a, err := l.abs(p)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(a), 0o755); err != nil {
		return nil, ioError(err, "create %s", p)
	}
	f, err := os.OpenFile(a, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, ioError(err, "create %s", p)
	}
	return &syncFile{File: f}, nil
}

// syncFile makes Close durable: data reaches the disk before a rename
// publishes the file.
type syncFile struct{ *os.File }

func (f *syncFile) Close() error {
	if err := f.File.Sync(); err != nil {
		f.File.Close()
		return ioError(err, "sync %s", f.Name())
	}
	return f.File.Close()
}

// Rename moves from to to atomically and syncs the target directory so the
// new name survives a crash.
func (l *Local) Rename(ctx context.Context, from, to string) error {
	af, err := l.abs(from)
	if err != nil {
		return err
	}
	at, err := l.abs(to)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(at); err == nil {
		return lakegate.Errorf(lakegate.ECONFLICT, "rename %s: %s already exists", from, to)
	}
	if err := os.MkdirAll(filepath.Dir(at), 0o755); err != nil {
		return ioError(err, "rename %s", from)
	}
	if err := os.Rename(af, at); err != nil {
		return ioError(err, "rename %s to %s", from, to)
	}
	return syncDir(filepath.Dir(at))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return ioError(err, "sync directory")
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return ioError(err, "sync directory")
	}
	return nil
}

// List returns the entries directly under dir, sorted by name.
func (l *Local) List(ctx context.Context, dir string) ([]lakegate.FileInfo, error) {
	a, err := l.abs(dir)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(a)
	if err != nil {
		return nil, ioError(err, "list %s", dir)
	}
	out := make([]lakegate.FileInfo, 0, len(entries))
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			continue // removed while listing
		}
		out = append(out, lakegate.FileInfo{
			Path: path.Join(dir, e.Name()), Size: info.Size(),
			Modified: info.ModTime(), Dir: e.IsDir(),
		})
	}
	return out, nil
}

// Open opens a file for reading.
func (l *Local) Open(ctx context.Context, p string) (lakegate.ReadFile, error) {
	a, err := l.abs(p)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(a)
	if err != nil {
		return nil, ioError(err, "open %s", p)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, ioError(err, "open %s", p)
	}
	return &readFile{File: f, size: info.Size()}, nil
}

type readFile struct {
	*os.File
	size int64
}

func (r *readFile) Size() int64 { return r.size }

// Remove deletes a file, or a directory with everything under it.
func (l *Local) Remove(ctx context.Context, p string) error {
	a, err := l.abs(p)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(a); err != nil {
		return ioError(err, "remove %s", p)
	}
	if err := os.RemoveAll(a); err != nil {
		return ioError(err, "remove %s", p)
	}
	return nil
}

// ioError maps an OS error to an application error; the OS details (which
// carry absolute paths) stay in the hidden cause.
func ioError(err error, format string, args ...any) error {
	code, why := lakegate.EUNAVAILABLE, "the lake storage failed"
	switch {
	case errors.Is(err, fs.ErrNotExist):
		code, why = lakegate.ENOTFOUND, "no such file or directory"
	case errors.Is(err, fs.ErrExist):
		code, why = lakegate.ECONFLICT, "already exists"
	}
	e := lakegate.Wrap(code, err, format, args...)
	e.Message += ": " + why
	return e
}
