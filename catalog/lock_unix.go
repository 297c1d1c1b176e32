//go:build unix

package catalog

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/lakegate/lakegate"
)

// lockFile takes an exclusive flock on f, polling so that ctx can end the
// wait. Lock holders only append one line, so waits are short.
func lockFile(ctx context.Context, f *os.File, dir string) (func(), error) {
	fd := int(f.Fd())
	wait := 100 * time.Microsecond
	for {
		err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { _ = unix.Flock(fd, unix.LOCK_UN) }, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			return nil, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "catalog %s cannot be locked for writing", dir)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		wait = min(wait*2, 5*time.Millisecond)
	}
}

func isReadOnlyFS(err error) bool { return errors.Is(err, syscall.EROFS) }
