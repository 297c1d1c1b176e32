package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
)

// queryLake generates and ingests a small lake for the query command.
func queryLake(t *testing.T) string {
	t.Helper()
	lake := t.TempDir()
	src := filepath.Join(t.TempDir(), "a.json")
	if code, _, errs := run(t, nil, "generate", "assessments", "--attempts", "1200", "-o", src); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, nil, "ingest", "assessments", src, "--lake", lake); code != 0 {
		t.Fatal(errs)
	}
	return lake
}

func TestQueryCommand(t *testing.T) {
	lake := queryLake(t)
	folder := t.TempDir()
	os.WriteFile(filepath.Join(folder, "exams_over.sql"), []byte(`-- name: exams_over
-- title: Exams with many attempts
-- description: Exams with more than n attempts.
-- param: n integer 50 -- fewest attempts
SELECT exam_name, count(*) AS attempts FROM assessments.attempts GROUP BY 1 HAVING count(*) > $n ORDER BY 2 DESC, 1`), 0o644)
	cat, err := catalog.OpenEmbedded(filepath.Join(lake, "_catalog"))
	if err != nil {
		t.Fatal(err)
	}
	mine := lakegate.SavedQuery{Name: "mine", Title: "Mine", SQL: "SELECT $word AS word",
		Params: []lakegate.Param{{Name: "word", Type: lakegate.ParamString, Default: "hello"}}}
	if err := cat.SavedQueries().Put(context.Background(), lakegate.DefaultTenant, mine); err != nil {
		t.Fatal(err)
	}
	cat.Close()

	for _, c := range []struct {
		name string
		args []string
		code int
		want string // a regular expression the output (stdout, then stderr) must match
	}{
		{"sql as a table", []string{"SELECT 1 AS a, 'xyz' AS long_name, NULL AS n"}, 0, `(?m)^a  long_name  n\n1  xyz        NULL\n\(1 rows\)\n$`},
		{"sql with a parameter", []string{"--format", "csv", "--param", "x=hi", "SELECT $x AS x"}, 0, `^x\nhi\n$`},
		{"saved with defaults", []string{"--saved", "course_takers"}, 0, `(?m)^attempts  takers\n\d+ +\d+\n\(1 rows\)`},
		{"saved with a parameter, csv", []string{"--saved", "pass_rate", "--param", "threshold=0.8", "--format", "csv"}, 0, `^pass_rate,passed,scored_attempts\n0\.\d+,\d+,\d+\n$`},
		{"saved as json", []string{"--saved", "top_courses", "--param", "n=2", "--format", "json"}, 0, `"row_count": 2`},
		{"saved from queries_dir", []string{"--queries-dir", folder, "--saved", "exams_over", "--param", "n=100", "--format", "csv"}, 0, `^exam_name,attempts\nLearning Git,\d+\n`},
		{"saved by a user", []string{"--saved", "mine", "--param", "word=bye", "--format", "csv"}, 0, `^word\nbye\n$`},
		{"list", []string{"--queries-dir", folder, "--list"}, 0, `(?s)NAME +SOURCE +PARAMETERS +TITLE\n.*exams_over +folder +n integer=50 .*pass_rate +builtin +threshold number=0.7 +Pass rate\n.*mine +saved +word string=hello +Mine\n$`},
		{"bad parameter", []string{"--saved", "pass_rate", "--param", "threshold=high"}, 1, `threshold: want a number such as 0.7, got "high"`},
		{"unknown parameter", []string{"--saved", "pass_rate", "--param", "colour=red"}, 1, `colour is not a parameter of pass_rate \(it has threshold\)`},
		{"unknown query", []string{"--saved", "nope"}, 1, `no saved query "nope"`},
		{"sql and saved", []string{"--saved", "pass_rate", "SELECT 1"}, 2, `either SQL or --saved`},
		{"missing folder", []string{"--queries-dir", filepath.Join(folder, "nope"), "--saved", "pass_rate"}, 1, `queries_dir .* is not a readable directory`},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := run(t, nil, append([]string{"query", "--lake", lake}, c.args...)...)
			if code != c.code || !regexp.MustCompile(c.want).MatchString(out+errs) {
				t.Fatalf("exit %d (want %d), output does not match %s:\n%s%s", code, c.code, c.want, out, errs)
			}
		})
	}
}

// TestQueryDirBadFile: a broken file in queries_dir stops the command with
// its name and line, rather than being skipped.
func TestQueryDirBadFile(t *testing.T) {
	lake := queryLake(t)
	folder := t.TempDir()
	os.WriteFile(filepath.Join(folder, "broken.sql"), []byte("-- name: broken\n-- param: n number many\nSELECT $n"), 0o644)
	code, out, errs := run(t, nil, "query", "--lake", lake, "--queries-dir", folder, "--list")
	if code != 1 || !strings.Contains(errs, "broken.sql") || !strings.Contains(errs, `bad default: want a number such as 0.7, got "many"`) {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
}
