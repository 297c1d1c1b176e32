package landing

import (
	"path/filepath"
	"strings"

	"github.com/lakegate/lakegate"
)

// Lake is a whole landing root, local or on HDFS, from which the parts of
// tenants are cut.
type Lake interface {
	lakegate.Store
	// Sub is the store of dir (a tenant's part), on the same backend;
	// it returns EINVALID for a path that leaves the lake.
	Sub(dir string) (Lake, error)
	// Dir is the local directory of the lake, or "" when its files are
	// not local (HDFS): engines then read them through a cache.
	Dir() string
	Close() error
}

// Open opens the lake named by the lake setting: hdfs://HOST:PORT/path,
// or a local directory.
func Open(spec string) (Lake, error) {
	if strings.HasPrefix(spec, "hdfs://") {
		return NewHDFS(spec)
	}
	if strings.Contains(spec, "://") {
		return nil, lakegate.Errorf(lakegate.EINVALID, "lake %q: only local directories and hdfs://HOST:PORT/path are supported", spec)
	}
	return NewLocal(spec)
}

// Sub is the store of dir inside the lake.
func (l *Local) Sub(dir string) (Lake, error) {
	c, err := CleanPath(dir)
	if err != nil {
		return nil, err
	}
	a, err := l.abs(c)
	if err != nil {
		return nil, err
	}
	return NewLocal(filepath.Join(filepath.Dir(a), filepath.Base(a)))
}

// Dir is the lake's directory.
func (l *Local) Dir() string { return l.root }

// Close does nothing: a local lake holds no connection.
func (l *Local) Close() error { return nil }
