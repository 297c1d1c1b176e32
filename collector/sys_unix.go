//go:build unix

package collector

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"

	"github.com/lakegate/lakegate"
)

// lockDir takes an exclusive flock on <dir>/lock for as long as the
// returned file stays open: two writers of one log would number their
// events alike, so a second process (or a second Log of this one) gets
// EUNAVAILABLE instead of corrupting it.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(dir+"/lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "events log %s cannot be locked", dir)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, lakegate.Errorf(lakegate.EUNAVAILABLE, "events log %s is in use by another lakegate process: give each gateway its own events_dir", dir)
		}
		return nil, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "events log %s cannot be locked", dir)
	}
	return f, nil
}
