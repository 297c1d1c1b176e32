package main

import (
	"compress/gzip"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestUploadGzipBomb: a small gzip upload that unpacks past
// max_ingest_decompressed_bytes is refused with 413 naming the setting,
// and nothing of it lands.
func TestUploadGzipBomb(t *testing.T) {
	lake := t.TempDir()
	src := filepath.Join(t.TempDir(), "one.json")
	mustRun(t, "generate", "assessments", "--attempts", "1", "--format", "ndjson", "-o", src)
	record, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	bomb := filepath.Join(t.TempDir(), "bomb.json.gz")
	f, _ := os.Create(bomb)
	zw := gzip.NewWriter(f)
	for written := 0; written < 8<<20; written += len(record) { // 8 MB of one record, again and again
		zw.Write(record)
	}
	zw.Close()
	f.Close()
	if st, _ := os.Stat(bomb); st.Size() > 1<<20 {
		t.Fatalf("the bomb is %d bytes packed", st.Size())
	}
	base, _ := startApp(t, "serve", "--lake", lake, "--auth", "none", "--max-ingest-decompressed-bytes", "2000000")
	status, body := upload(t, base, "", bomb, "")
	if status != 413 || !strings.Contains(body, `"code":"too_large"`) || !strings.Contains(body, "max_ingest_decompressed_bytes (2000000 bytes)") {
		t.Fatalf("status %d: %s", status, body)
	}
	if out := mustRun(t, "catalog", "ls", "--lake", lake); !strings.Contains(out, "no tables") {
		t.Errorf("the bomb landed something:\n%s", out)
	}
}

// TestUploadSourceName: an upload's rows record its name (?name=, base
// name only), or http-upload:<id>, never the server's temporary file.
func TestUploadSourceName(t *testing.T) {
	lake := t.TempDir()
	base, _ := startApp(t, "serve", "--lake", lake, "--auth", "none")
	for i, name := range []string{"?name=../../tmp/morning.json", ""} {
		src := filepath.Join(t.TempDir(), "a.json")
		mustRun(t, "generate", "assessments", "--attempts", "5", "--seed", fmt.Sprint(i+10), "-o", src)
		f, _ := os.Open(src)
		res, err := http.Post(base+"/v1/ingest/assessments"+name, "application/json", f)
		f.Close()
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("upload: %v %v", res, err)
		}
		res.Body.Close()
	}
	got := mustRun(t, "query", "--lake", lake, "--format", "csv",
		"SELECT DISTINCT source_file FROM assessments.attempts ORDER BY 1")
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 3 || !regexp.MustCompile(`^http-upload:[0-9a-f-]{36}$`).MatchString(lines[1]) || lines[2] != "morning.json" {
		t.Errorf("source files:\n%s", got)
	}
}
