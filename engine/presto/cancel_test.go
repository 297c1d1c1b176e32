package presto_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/enginetest"
	"github.com/lakegate/lakegate/internal/prestotest"
)

// TestCancelKillsQuery: a deadline, a cancel (a client gone, a job
// deleted) and a cursor closed early each end the query on the
// coordinator, as system.runtime.queries (read by lakegate_admin) shows.
func TestCancelKillsQuery(t *testing.T) {
	e := open(t, lakeWithAttempts(t))
	for _, c := range []struct {
		name string
		run  func(sql string) error
	}{
		{"deadline", func(sql string) error {
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			_, err := enginetest.Query(ctx, e, sql, nil)
			return err
		}},
		{"cancel", func(sql string) error {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(500*time.Millisecond, cancel)
			_, err := enginetest.Query(ctx, e, sql, nil)
			return err
		}},
		{"close", func(sql string) error {
			rs, err := e.Query(context.Background(), lakegate.Query{ID: "t", SQL: sql})
			if err != nil {
				return err
			}
			return rs.Close()
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tag := "lakegate_cancel_" + strings.ReplaceAll(uuid.NewString(), "-", "")
			sql := strings.Replace(slowSQL, "SELECT count(*)", "SELECT count(*) AS "+tag, 1)
			err := c.run(sql)
			t.Logf("%s: %v", c.name, err)
			prestotest.WaitState(t, tag, "FAILED")
		})
	}
}

func lakeWithAttempts(t *testing.T) *enginetest.Lake {
	l := enginetest.NewLake(t)
	for _, d := range []string{"2026-01-02", "2026-01-03"} {
		l.Land(t, "assessments", "attempts", d, enginetest.Attempts[d])
	}
	return l
}
