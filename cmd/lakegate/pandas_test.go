package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/lakegate/lakegate/internal/peertest"
)

// pandasPython finds a python that has pandas: the python peer of
// scripts/peers (LAKEGATE_TEST_PYTHON), or a python3 on the machine.
func pandasPython(t *testing.T) string {
	t.Helper()
	for _, py := range []string{os.Getenv("LAKEGATE_TEST_PYTHON"), "python3", "/usr/bin/python3"} {
		if py != "" && exec.Command(py, "-c", "import pandas").Run() == nil {
			return py
		}
	}
	return peertest.Env(t, "LAKEGATE_TEST_PYTHON", "python") // skips, or fails under CI=true
}

// TestPandasReadsCSV runs the README's pandas line against a live demo.
func TestPandasReadsCSV(t *testing.T) {
	py := pandasPython(t)
	base := startDemo(t, t.TempDir(), "400")
	script := "import pandas as pd; df = pd.read_csv('" + base +
		"/v1/query.csv?sql=SELECT+count(*)+AS+n,+min(started_at)+AS+first+FROM+assessments.attempts', parse_dates=['first']); print(int(df['n'][0]), df['first'][0].year)"
	out, err := exec.Command(py, "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("pandas: %v\n%s", err, out)
	}
	fields := strings.Fields(string(out))
	if len(fields) != 2 || fields[0] == "0" || !strings.HasPrefix(fields[1], "20") { // a datetime pandas parsed

		t.Fatalf("pandas read %q", out)
	}
}
