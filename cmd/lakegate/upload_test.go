package main

import (
	"compress/gzip"
	"os"
	"path/filepath"
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
