//go:build !unix

package collector

import "os"

// lockDir cannot lock off unix (no flock): one process per log is then
// the operator's to ensure.
func lockDir(dir string) (*os.File, error) {
	return os.OpenFile(dir+"/lock", os.O_RDWR|os.O_CREATE, 0o644)
}
