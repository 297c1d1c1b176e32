package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// pandasPython finds a python3 that has pandas (Debian's python3-pandas
// lives beside /usr/bin/python3, which may not be first on PATH).
func pandasPython(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import pandas").Run() == nil {
			return py
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI must test the README's pandas line, but no python3 has pandas; .ci/run installs python3-pandas")
	}
	t.Skip("no python3 with pandas here; .ci/run installs python3-pandas")
	return ""
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
