package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lakegate/lakegate/internal/testlog"
)

// syncBuffer is a log buffer safe for the server's goroutines and the test.
type syncBuffer = testlog.Buffer

// generatedUnique counts the distinct records of the demo's generated file
// independently of the generator: the array format has one record a line.
func generatedUnique(t *testing.T, lake string) string {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(lake, "_incoming", "*.json"))
	if len(matches) != 1 {
		t.Fatalf("want one generated file, got %v", matches)
	}
	seen := map[string]bool{}
	addRecords(t, matches[0], seen)
	return strconv.Itoa(len(seen))
}

// addRecords adds the distinct records of a generated array file (one
// record a line) to seen, independently of the generator and the ingest.
func addRecords(t *testing.T, file string, seen map[string]bool) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := strings.TrimSuffix(strings.TrimSpace(sc.Text()), ",")
		if strings.HasPrefix(line, "{") {
			seen[line] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}
