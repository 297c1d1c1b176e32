//go:build duckdbbench

package ingest

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// BenchmarkDuckDBCopy is the yardstick for BenchmarkIngest: DuckDB's own
// read_json → flatten → Parquet on the same file and cores. Build with
// -tags duckdbbench (it links DuckDB):
//
//	go test -tags duckdbbench -run XXX -bench 'Ingest|DuckDB' -benchtime 3x ./ingest
func BenchmarkDuckDBCopy(b *testing.B) {
	p, size := benchInput(b)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("SET threads = 2"); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ResetTimer()
	for i := range b.N {
		out := filepath.Join(b.TempDir(), fmt.Sprintf("a%d.parquet", i))
		q := fmt.Sprintf(`COPY (SELECT keen_id, user_exam_id, base_exam_id, exam_name,
			certification::BOOLEAN AS certification, max_attempts::DOUBLE AS max_attempts,
			started_at::TIMESTAMP AS started_at, to_timestamp(keen_timestamp::DOUBLE)::TIMESTAMP AS keen_timestamp,
			sequences.id AS sequence_id, sequences.attempt AS attempt, len(sequences.questions) AS question_count,
			sequences.counts.correct AS correct, sequences.counts.total AS total,
			sequences.counts.correct / nullif(sequences.counts.total, 0) AS score,
			base_exam_id = 'example-id' AS is_test
			FROM read_json('%s', format = 'newline_delimited')) TO '%s' (FORMAT parquet, COMPRESSION zstd)`, p, out)
		if _, err := db.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size)*float64(b.N)/1e6/b.Elapsed().Seconds(), "MB/s")
}
