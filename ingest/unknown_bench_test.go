package ingest

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/lakegate/lakegate/generate"
)

func BenchmarkUnknownFields(b *testing.B) {
	var buf bytes.Buffer
	generate.Assessments(&buf, generate.Options{Attempts: 50, Seed: 1, Format: "ndjson"})
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	var recs [][]byte
	total := 0
	for _, l := range lines {
		var c bytes.Buffer
		json.Compact(&c, l)
		recs = append(recs, c.Bytes())
		total += c.Len()
	}
	b.SetBytes(int64(total))
	for b.Loop() {
		for _, r := range recs {
			unknownFields(r)
		}
	}
}
