package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lakegate/lakegate/bench/internal/baseline"
)

// pgQuestions are the canned queries (queries/*.sql, default parameters)
// in PostgreSQL's dialect: round() takes numeric, median is
// percentile_cont, and COLUMNS() is the overall row.
var pgQuestions = map[string]string{
	"assessment_count": `SELECT count(*) AS attempts, count(DISTINCT base_exam_id) AS assessments,
		count(DISTINCT exam_name) AS exam_names FROM attempts WHERE NOT is_test`,
	"attempts_per_day": `SELECT CAST(started_at AS DATE) AS day, count(*) AS attempts,
		count(DISTINCT user_exam_id) AS takers FROM attempts
		WHERE started_at IS NOT NULL AND NOT is_test GROUP BY 1 ORDER BY 1`,
	"average_completion_minutes": `SELECT round((avg(duration_seconds) / 60)::numeric, 2) AS average_minutes,
		round((percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_seconds) / 60)::numeric, 2) AS median_minutes,
		count(duration_seconds) AS timed_attempts
		FROM attempts WHERE duration_seconds IS NOT NULL AND NOT is_test`,
	"average_score": `SELECT round(avg(score)::numeric, 4) AS average_score, count(score) AS scored_attempts
		FROM attempts WHERE score IS NOT NULL AND NOT is_test`,
	"course_popularity": `WITH counts AS (SELECT exam_name, count(*) AS attempts FROM attempts
		WHERE NOT is_test GROUP BY exam_name)
		SELECT CASE WHEN attempts = (SELECT max(attempts) FROM counts) THEN 'most' ELSE 'least' END AS rank,
		exam_name, attempts FROM counts
		WHERE attempts = (SELECT max(attempts) FROM counts) OR attempts = (SELECT min(attempts) FROM counts)
		ORDER BY attempts DESC, exam_name`,
	"course_takers": `SELECT count(*) AS attempts, count(DISTINCT user_exam_id) AS takers
		FROM attempts WHERE exam_name = 'Learning Git' AND NOT is_test`,
	"hardest_questions": `SELECT question_id, exam_name, attempts, correct, share_correct FROM (
		SELECT question_id, exam_name, count(*) AS attempts,
		count(*) FILTER (WHERE user_correct) AS correct,
		round((count(*) FILTER (WHERE user_correct))::numeric / count(*), 4) AS share_correct,
		row_number() OVER (ORDER BY (count(*) FILTER (WHERE user_correct))::float8 / count(*), count(*) DESC, question_id) AS position
		FROM questions WHERE base_exam_id IS DISTINCT FROM 'example-id'
		GROUP BY question_id, exam_name HAVING count(*) >= 20) AS ranked
		WHERE position <= 20 ORDER BY position`,
	"pass_rate": `SELECT round(avg(CASE WHEN score >= 0.7 THEN 1.0 ELSE 0.0 END), 4) AS pass_rate,
		count(*) FILTER (WHERE score >= 0.7) AS passed, count(*) AS scored_attempts
		FROM attempts WHERE score IS NOT NULL AND NOT is_test`,
	"top_courses": `SELECT * FROM (SELECT rank() OVER (ORDER BY count(*) DESC) AS rank, exam_name,
		count(*) AS attempts, count(DISTINCT user_exam_id) AS takers, round(avg(score)::numeric, 4) AS average_score
		FROM attempts WHERE NOT is_test GROUP BY exam_name) AS ranked WHERE rank <= 10
		ORDER BY attempts DESC, exam_name`,
}

// pgIndexes are what a careful user adds for these questions: the
// selective one (one exam's takers) answers from an index alone.
var pgIndexes = []string{
	`CREATE INDEX ON attempts (exam_name) INCLUDE (user_exam_id, is_test)`,
	`CREATE INDEX ON attempts (started_at)`,
	`CREATE INDEX ON questions (question_id)`,
}

// pgTypes maps DuckDB's column types to PostgreSQL's; other columns (the
// hive partition, nested values) are not loaded.
var pgTypes = map[string]string{"VARCHAR": "text", "BIGINT": "bigint", "INTEGER": "integer", "DOUBLE": "double precision",
	"BOOLEAN": "boolean", "TIMESTAMP": "timestamp", "DATE": "date"}

const pgDatabase = "lakegate_bench"

// loadPostgres copies the lake's attempts and questions (through the
// in-process DuckDB's views) into PostgreSQL with COPY, indexes them and
// runs VACUUM ANALYZE; it returns a pool on that database.
func loadPostgres(c *config, r *results, duck *sql.DB, size int) (*pgxpool.Pool, error) {
	ctx := context.Background()
	if err := createDatabase(ctx, c.pgURL); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(c.pgURL)
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.Database = pgDatabase
	cfg.ConnConfig.RuntimeParams["work_mem"] = "256MB"
	cfg.MaxConns = 32
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	for _, table := range []string{"attempts", "questions"} {
		if err := copyTable(ctx, c, pool, duck, table); err != nil {
			pool.Close()
			return nil, fmt.Errorf("postgres %s: %w", table, err)
		}
	}
	for _, s := range append(pgIndexes, "VACUUM ANALYZE attempts", "VACUUM ANALYZE questions") {
		if _, err := pool.Exec(ctx, s); err != nil {
			pool.Close()
			return nil, fmt.Errorf("%s: %w", s, err)
		}
	}
	r.Ingest = append(r.Ingest, ingestRun{Size: size, System: "postgres", Seconds: []float64{time.Since(start).Seconds()},
		Detail: "COPY of the flattened attempts and questions (CSV from the lake), indexes, VACUUM ANALYZE: not from the nested JSON"})
	return pool, nil
}

func createDatabase(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("postgres (LAKEGATE_TEST_PG_URL): %w", err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", pgDatabase).Scan(&n); err != nil || n > 0 {
		return err
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgDatabase)
	return err
}

// copyTable recreates table in PostgreSQL with the view's scalar columns
// and loads it with COPY FROM STDIN from a CSV DuckDB writes.
func copyTable(ctx context.Context, c *config, pool *pgxpool.Pool, duck *sql.DB, table string) error {
	cols, defs, err := scalarColumns(ctx, duck, table)
	if err != nil {
		return err
	}
	csv := filepath.Join(c.dir, table+".csv")
	defer os.Remove(csv)
	if _, err := duck.ExecContext(ctx, fmt.Sprintf("COPY (SELECT %s FROM assessments.%s) TO %s (FORMAT csv, HEADER)",
		strings.Join(cols, ", "), baseline.QuoteIdent(table), baseline.QuoteString(csv))); err != nil {
		return err
	}
	stmts := []string{"DROP TABLE IF EXISTS " + table, fmt.Sprintf("CREATE TABLE %s (%s)", table, strings.Join(defs, ", "))}
	for _, s := range stmts {
		if _, err := pool.Exec(ctx, s); err != nil {
			return err
		}
	}
	f, err := os.Open(csv)
	if err != nil {
		return err
	}
	defer f.Close()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	_, err = conn.Conn().PgConn().CopyFrom(ctx, f, fmt.Sprintf("COPY %s (%s) FROM STDIN WITH (FORMAT csv, HEADER)", table, strings.Join(cols, ", ")))
	return err
}

func scalarColumns(ctx context.Context, duck *sql.DB, table string) (cols, defs []string, err error) {
	rows, err := duck.QueryContext(ctx, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'assessments' AND table_name = ? ORDER BY ordinal_position", table)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, nil, err
		}
		if pt, ok := pgTypes[typ]; ok && name != "ingest_date" {
			cols, defs = append(cols, baseline.QuoteIdent(name)), append(defs, baseline.QuoteIdent(name)+" "+pt)
		}
	}
	return cols, defs, rows.Err()
}

// pgQuery runs text and reads every row.
func pgQuery(ctx context.Context, pool *pgxpool.Pool, text string) (int, error) {
	rows, err := pool.Query(ctx, text)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}
