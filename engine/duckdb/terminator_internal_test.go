package duckdb

import "testing"

func TestStripTerminator(t *testing.T) {
	for in, want := range map[string]string{
		"SELECT 1;":                       "SELECT 1",
		"SELECT 1 ; ; -- end\n":           "SELECT 1 ",
		"SELECT ';'":                      "SELECT ';'",
		"SELECT $$;$$; /* ; */":           "SELECT $$;$$",
		"SELECT E'\\';' AS s;":            "SELECT E'\\';' AS s",
		"SELECT 1; SELECT 2":              "SELECT 1; SELECT 2",
		"SELECT \"a;\" FROM t /* ; */ ;;": "SELECT \"a;\" FROM t /* ; */ ",
	} {
		if got := stripTerminator(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
