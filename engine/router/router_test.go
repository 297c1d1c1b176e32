package router

import (
	"fmt"
	"testing"
)

func TestTableRefs(t *testing.T) {
	for sql, want := range map[string]string{
		`SELECT * FROM assessments.attempts a JOIN assessments.questions q ON a.x = q.x`: "[{assessments attempts} {assessments questions} {a x} {q x}]",
		`SELECT 'assessments.attempts' -- assessments.raw`:                               "[]",
		`SELECT * FROM "Assessments"."At""tempts", hive.assessments.attempts`:            `[{Assessments At"tempts} {assessments attempts}]`,
		`WITH c AS (SELECT 1) SELECT * FROM c`:                                           "[]",
	} {
		if got := fmt.Sprint(tableRefs(sql)); got != want {
			t.Errorf("%s: %s, want %s", sql, got, want)
		}
	}
}

func TestHuman(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 10 << 30: "10.0 GiB", 3 << 40: "3.0 TiB"} {
		if got := human(n); got != want {
			t.Errorf("human(%d) = %s, want %s", n, got, want)
		}
	}
}
