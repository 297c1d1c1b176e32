// Command duckcopy is the baseline of the ingest benchmark: DuckDB's own
// read_json → COPY ... TO (FORMAT parquet) of the same flattening that
// `lakegate ingest assessments` does (attempts, questions, raw records).
// It does not deduplicate or reject, so it does less work than lakegate.
//
//	go run ./bench/duckcopy IN.ndjson OUTDIR
package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

const columns = `{keen_id: 'VARCHAR', keen_timestamp: 'VARCHAR', keen_created_at: 'VARCHAR',
 started_at: 'VARCHAR', base_exam_id: 'VARCHAR', user_exam_id: 'VARCHAR', exam_name: 'VARCHAR',
 certification: 'VARCHAR', max_attempts: 'VARCHAR',
 sequences: 'STRUCT(id VARCHAR, attempt BIGINT,
   counts STRUCT(correct BIGINT, incorrect BIGINT, incomplete BIGINT, submitted BIGINT, total BIGINT, unanswered BIGINT, all_correct BOOLEAN),
   questions STRUCT(id VARCHAR, user_correct BOOLEAN, user_incomplete BOOLEAN, user_submitted BOOLEAN, user_result VARCHAR,
     options STRUCT(id VARCHAR, checked BOOLEAN, correct BOOLEAN, submitted BIGINT, "at" VARCHAR)[])[])'}`

const attempts = `COPY (
SELECT keen_id, user_exam_id, base_exam_id, exam_name,
  certification::BOOLEAN AS certification, max_attempts::DOUBLE AS max_attempts,
  started_at::TIMESTAMP AS started_at,
  list_max(flatten(list_transform(sequences.questions, q -> list_transform(q.options, o -> o."at"::TIMESTAMP)))) AS completed_at,
  epoch(completed_at) - epoch(started_at::TIMESTAMP) AS duration_seconds,
  make_timestamp((keen_timestamp::DOUBLE * 1e6)::BIGINT) AS keen_timestamp,
  make_timestamp((keen_created_at::DOUBLE * 1e6)::BIGINT) AS keen_created_at,
  sequences.id AS sequence_id, sequences.attempt AS attempt, len(sequences.questions) AS question_count,
  sequences.counts.correct AS correct, sequences.counts.incorrect AS incorrect,
  sequences.counts.incomplete AS incomplete, sequences.counts.submitted AS submitted,
  sequences.counts.unanswered AS unanswered, sequences.counts.total AS total,
  sequences.counts.all_correct AS all_correct,
  sequences.counts.correct / nullif(sequences.counts.total, 0) AS score,
  base_exam_id = 'example-id' AS is_test
FROM read_json('%[1]s', format = 'newline_delimited', columns = %[3]s)
) TO '%[2]s/attempts.parquet' (FORMAT parquet, COMPRESSION zstd)`

const questions = `COPY (
SELECT keen_id, user_exam_id, base_exam_id, exam_name, position, q.id AS question_id,
  q.user_correct, q.user_incomplete, q.user_submitted, q.user_result,
  len(q.options) AS option_count,
  len(list_filter(q.options, o -> o.checked)) AS checked_count,
  len(list_filter(q.options, o -> o.correct)) AS correct_option_count,
  list_min(list_transform(q.options, o -> o."at"::TIMESTAMP)) AS first_answer_at,
  list_max(list_transform(q.options, o -> o."at"::TIMESTAMP)) AS last_answer_at
FROM (SELECT keen_id, user_exam_id, base_exam_id, exam_name,
        unnest(sequences.questions) AS q, generate_subscripts(sequences.questions, 1) AS position
      FROM read_json('%[1]s', format = 'newline_delimited', columns = %[3]s))
) TO '%[2]s/questions.parquet' (FORMAT parquet, COMPRESSION zstd)`

const raw = `COPY (
SELECT json FROM read_json_objects('%[1]s', format = 'newline_delimited')
) TO '%[2]s/raw.parquet' (FORMAT parquet, COMPRESSION zstd)`

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: duckcopy IN.ndjson OUTDIR")
		os.Exit(2)
	}
	in, out := os.Args[1], os.Args[2]
	if err := os.MkdirAll(out, 0o755); err != nil {
		fail(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		fail(err)
	}
	defer db.Close()
	start := time.Now()
	for _, stmt := range []struct{ name, sql string }{{"attempts", attempts}, {"questions", questions}, {"raw", raw}} {
		t := time.Now()
		q := fmt.Sprintf(stmt.sql, strings.ReplaceAll(in, "'", "''"), strings.ReplaceAll(out, "'", "''"), columns)
		if _, err := db.Exec(q); err != nil {
			fail(fmt.Errorf("%s: %w", stmt.name, err))
		}
		fmt.Printf("%s %.2fs\n", stmt.name, time.Since(t).Seconds())
	}
	var size int64
	filepath.Walk(out, func(_ string, fi os.FileInfo, _ error) error {
		if fi != nil && !fi.IsDir() {
			size += fi.Size()
		}
		return nil
	})
	fmt.Printf("total %.2fs, %d bytes of Parquet\n", time.Since(start).Seconds(), size)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "duckcopy:", err)
	os.Exit(1)
}
