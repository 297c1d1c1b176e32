// Package report holds what the benchmark commands share when they
// write BENCHMARKS.md: the splice of a generated section between its
// markers, and a process's peak memory.
package report

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Splice replaces the section of doc between begin and end (markers
// included) with section; ok is false when doc has no such section.
func Splice(doc, begin, end, section string) (out string, ok bool) {
	i := strings.Index(doc, begin)
	if i < 0 {
		return doc, false
	}
	j := strings.Index(doc[i:], end)
	if j < 0 {
		return doc, false
	}
	rest := strings.TrimPrefix(doc[i+j+len(end):], "\n")
	return doc[:i] + section + rest, true
}

// PeakMB is a running process's peak resident set (VmHWM) in MB, 0 when
// it cannot be read.
func PeakMB(pid int) float64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
