package enginetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
)

// WriteStatements are statements in standard SQL that every engine must
// refuse with EFORBIDDEN without running them.
var WriteStatements = []string{
	"CREATE TABLE assessments.copy AS SELECT * FROM assessments.attempts",
	"CREATE VIEW assessments.v AS SELECT 1 AS one",
	"CREATE OR REPLACE VIEW assessments.attempts AS SELECT 1 AS hijacked",
	"CREATE SCHEMA other",
	"INSERT INTO assessments.attempts (user_exam_id) VALUES ('x')",
	"UPDATE assessments.attempts SET correct = 0",
	"DELETE FROM assessments.attempts",
	"DROP VIEW assessments.attempts",
	"DROP TABLE assessments.attempts",
	"DROP SCHEMA assessments CASCADE",
	"ALTER VIEW assessments.attempts RENAME TO gone",
	"SELECT 1; DROP VIEW assessments.attempts",
	"SELECT 1; SELECT 2",
	"CREATE OR REPLACE VIEW assessments.attempts AS SELECT 1 AS hijacked; SELECT 1",
	"BEGIN TRANSACTION",
}

func testWritesRefused(t *testing.T, l *Lake, e lakegate.Engine) {
	before := l.Files(t)
	for _, sql := range WriteStatements {
		_, err := Query(context.Background(), e, sql, nil)
		ExpectCode(t, sql, err, lakegate.EFORBIDDEN)
	}
	if got := Scalar(t, e, "SELECT count(*) FROM assessments.attempts", nil); got != "5" {
		t.Errorf("after refused writes: count = %s, want 5", got)
	}
	if _, err := Query(context.Background(), e, "SELECT * FROM assessments.copy", nil); lakegate.ErrorCode(err) != lakegate.ENOTFOUND {
		t.Errorf("a refused CREATE TABLE left a table behind: %v", err)
	}
	if after := l.Files(t); !slices.Equal(before, after) {
		t.Errorf("refused statements changed the lake:\nbefore %v\nafter  %v", before, after)
	}
}

func testErrors(t *testing.T, e lakegate.Engine) {
	for _, c := range []struct{ sql, code string }{
		{"SELECT * FROM assessments.nope", lakegate.ENOTFOUND},
		{"SELECT * FROM nowhere.attempts", lakegate.ENOTFOUND},
		{"SELEC 1", lakegate.EINVALID},
		{"SELECT no_such_column FROM assessments.attempts", lakegate.EINVALID},
		{"SELECT CAST('abc' AS INTEGER)", lakegate.EINVALID},
		{"", lakegate.EINVALID},
		{"   ", lakegate.EINVALID},
	} {
		_, err := Query(context.Background(), e, c.sql, nil)
		ExpectCode(t, c.sql, err, c.code)
		if msg := lakegate.ErrorMessage(err); c.code != lakegate.EINTERNAL && (msg == "" || msg == "internal error") {
			t.Errorf("%q: message %q does not say what is wrong", c.sql, msg)
		}
	}
	_, err := Query(context.Background(), e, "SELECT * FROM assessments.attempts WHERE exam_name = ?", []any{})
	ExpectCode(t, "missing parameter", err, lakegate.EINVALID)
	_, err = Query(context.Background(), e, "SELECT 1", "not params")
	ExpectCode(t, "params of a bad type", err, lakegate.EINVALID)
}

func testTimeout(t *testing.T, e lakegate.Engine, slow string) {
	if slow == "" {
		t.Skip("the harness gave no SlowSQL")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Query(ctx, e, slow, nil)
	ExpectCode(t, "slow query past its deadline", err, lakegate.ETIMEOUT)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the timed-out query returned after %v", d)
	}
	// The engine still answers afterwards.
	if got := Scalar(t, e, "SELECT count(*) FROM assessments.attempts", nil); got != "5" {
		t.Errorf("after a timeout: count = %s, want 5", got)
	}
}

func testCancel(t *testing.T, e lakegate.Engine, slow string) {
	if slow == "" {
		t.Skip("the harness gave no SlowSQL")
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err := Query(ctx, e, slow, nil)
	ExpectCode(t, "canceled query", err, lakegate.ECANCELED)
	var le *lakegate.Error
	if !errors.As(err, &le) {
		t.Errorf("canceled query: %T is not a *lakegate.Error", err)
	}
}
