package server_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoEngineDriver: the server sees engines only through lakegate's
// interfaces and engine-neutral values, so a second engine needs no
// change here.
func TestNoEngineDriver(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "duckdb") || strings.Contains(dep, "presto") || strings.HasPrefix(dep, "github.com/lakegate/lakegate/engine") {
			t.Errorf("server depends on %s", dep)
		}
	}
}
