//go:build !linux

package collector

import "os"

// preallocate is a Linux optimisation (fallocate); elsewhere appends
// allocate blocks as they go.
func preallocate(*os.File, int64) {}
