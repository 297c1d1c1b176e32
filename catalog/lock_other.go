//go:build !unix

package catalog

import (
	"context"
	"os"

	"github.com/lakegate/lakegate"
)

// lockFile is not implemented off unix: the embedded catalog needs flock to
// let several processes share it.
func lockFile(ctx context.Context, f *os.File, dir string) (func(), error) {
	return nil, lakegate.Errorf(lakegate.EUNAVAILABLE, "catalog %s: writing needs flock, which this platform lacks", dir)
}

func isReadOnlyFS(err error) bool { return false }
