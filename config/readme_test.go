package config

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the README's settings table")

// TestREADMESettings: the README's table of settings is MarkdownTable,
// between its markers; -update rewrites it.
func TestREADMESettings(t *testing.T) {
	const begin, end = "<!-- settings: made by go test ./config -update -->\n", "<!-- /settings -->\n"
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %q ... %q markers", begin, end)
	}
	got, want := readme[i+len(begin):j], MarkdownTable()
	if got == want {
		return
	}
	if !*update {
		t.Fatalf("README.md's settings table differs from config.Settings; run go test ./config -update.\nwant:\n%s", want)
	}
	readme = readme[:i+len(begin)] + want + readme[j:]
	if err := os.WriteFile("../README.md", []byte(readme), 0o644); err != nil {
		t.Fatal(err)
	}
}
