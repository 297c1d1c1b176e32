package queries

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lakegate/lakegate"
)

func TestEmbeddedQueriesParse(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"assessment_count", "attempts_per_day", "average_completion_minutes", "average_score",
		"course_popularity", "course_takers", "hardest_questions", "pass_rate", "top_courses"}
	var names []string
	for _, q := range all {
		names = append(names, q.Name)
		if q.Title == "" || q.Description == "" || !strings.HasPrefix(q.SQL, "SELECT") && !strings.HasPrefix(q.SQL, "WITH") {
			t.Errorf("%s: incomplete: %+v", q.Name, q)
		}
		if !q.Builtin || q.Source != lakegate.SourceBuiltin {
			t.Errorf("%s: builtin %v source %q", q.Name, q.Builtin, q.Source)
		}
		// Every canned query runs with its defaults alone.
		if _, err := Bind(q, nil); err != nil {
			t.Errorf("%s: %v", q.Name, err)
		}
	}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("canned queries %v, want %v", names, want)
	}
}

func TestParams(t *testing.T) {
	q, err := Parse(`-- name: p
-- param: threshold number 0.7 -- share needed to pass
-- param: exam string Learning Git -- the exam
-- param: n integer 10
-- param: on boolean true -- a flag
-- param: day date 2018-01-23
-- param: who string
-- param: empty string "" -- an empty default
SELECT $threshold, $exam, $n, $on, CAST($day AS DATE), $who, $empty, '$notaparam' -- $alsonot
/* $nor_this */`)
	if err != nil {
		t.Fatal(err)
	}
	want := []lakegate.Param{
		{Name: "threshold", Type: "number", Default: 0.7, Help: "share needed to pass"},
		{Name: "exam", Type: "string", Default: "Learning Git", Help: "the exam"},
		{Name: "n", Type: "integer", Default: int64(10)},
		{Name: "on", Type: "boolean", Default: true, Help: "a flag"},
		{Name: "day", Type: "date", Default: "2018-01-23"},
		{Name: "who", Type: "string"},
		{Name: "empty", Type: "string", Default: "", Help: "an empty default"},
	}
	if !reflect.DeepEqual(q.Params, want) {
		t.Fatalf("params\n%#v\nwant\n%#v", q.Params, want)
	}
	// Text writes what Parse reads back.
	again, err := Parse(Text(q))
	if err != nil || !reflect.DeepEqual(again, q) {
		t.Fatalf("round trip: %v\n%+v\n%+v", err, again, q)
	}
}

func TestBind(t *testing.T) {
	q, err := Parse("-- name: b\n-- param: t number 0.7\n-- param: n integer\n-- param: d date 2018-01-01\n-- param: f boolean false\nSELECT $t, $n, $d, $f")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Bind(q, map[string]any{"n": "5", "f": "true"})
	if err != nil || !reflect.DeepEqual(got, map[string]any{"t": 0.7, "n": int64(5), "d": "2018-01-01", "f": true}) {
		t.Fatalf("Bind = %v, %v", got, err)
	}
	got, err = Bind(q, map[string]any{"n": float64(7), "t": float64(1), "d": "2019-02-03"})
	if err != nil || got["n"] != int64(7) || got["t"] != 1.0 || got["d"] != "2019-02-03" {
		t.Fatalf("Bind JSON values = %v, %v", got, err)
	}
	for _, c := range []struct {
		values map[string]any
		want   []string
	}{
		{nil, []string{"n is missing"}},
		{map[string]any{"n": "x", "t": "high", "d": "23/01/2018", "f": "maybe", "z": 1}, []string{
			`n: want a whole number such as 10, got "x"`, `t: want a number such as 0.7, got "high"`,
			`d: want a date such as 2018-01-23, got "23/01/2018"`, `f: want true or false, got "maybe"`,
			"z is not a parameter of b (it has t, n, d, f)"}},
		{map[string]any{"n": 1.5}, []string{"n: want a whole number such as 10, got 1.5"}},
	} {
		_, err := Bind(q, c.values)
		if lakegate.ErrorCode(err) != lakegate.EINVALID {
			t.Fatalf("Bind(%v) = %v, want invalid", c.values, err)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Bind(%v) = %v, want it to say %q", c.values, err, w)
			}
		}
	}
}

func TestBadFiles(t *testing.T) {
	tests := []struct{ name, file, text, want string }{
		{"no name", "a.sql", "SELECT 1", "needs"},
		{"unknown header", "a.sql", "-- name: a\n-- colour: red\nSELECT 1", `unknown header "colour"`},
		{"name mismatch", "a.sql", "-- name: b\nSELECT 1", "must match"},
		{"no sql", "a.sql", "-- name: a\n", "needs"},
		{"bad name", "A b.sql", "-- name: A b\nSELECT 1", "query name \"A b\""},
		{"unknown type", "a.sql", "-- name: a\n-- param: x float 1\nSELECT $x", `unknown type "float"`},
		{"bad default", "a.sql", "-- name: a\n-- param: x integer ten\nSELECT $x", `bad default: want a whole number such as 10, got "ten"`},
		{"bad date default", "a.sql", "-- name: a\n-- param: x date 2018-13-01\nSELECT $x", "bad default: want a date"},
		{"undeclared", "a.sql", "-- name: a\nSELECT $x", "uses $x but does not declare it"},
		{"unused", "a.sql", "-- name: a\n-- param: x integer 1\nSELECT 1", "declares parameter x but its SQL never uses $x"},
		{"twice", "a.sql", "-- name: a\n-- param: x integer 1\n-- param: x integer 2\nSELECT $x", "declared twice"},
		{"reserved", "a.sql", "-- name: a\n-- param: format string csv\nSELECT $format", "reserved"},
		{"no type", "a.sql", "-- name: a\n-- param: x\nSELECT $x", "NAME TYPE"},
		{"bad quote", "a.sql", "-- name: a\n-- param: x string \"abc\nSELECT $x", "well-quoted"},
		{"bad chart", "a.sql", "-- name: a\n-- chart: sparkles\nSELECT 1", `unknown chart "sparkles"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(fstest.MapFS{tt.file: {Data: []byte(tt.text)}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPlaceholders(t *testing.T) {
	for sql, want := range map[string][]string{
		"SELECT $a, $b_2, $a":                          {"a", "b_2"},
		"SELECT '$x', \"$y\", $1, ? -- $z\n, $w":       {"w"},
		"SELECT 'it''s $q', $ok /* $c\n */ , $ok::int": {"ok"},
		"SELECT 1": {},
		"SELECT $$ $x $$, $tag$ it's $y $tag$, $z": {"z"},
		"SELECT E'\\' $x', $y /* /* $n */ $m */":   {"y"},
		"SELECT $prénom, \"$col\"":                 {"prénom"},
	} {
		if got := Placeholders(sql); !reflect.DeepEqual(got, want) {
			t.Errorf("Placeholders(%q) = %v, want %v", sql, got, want)
		}
	}
}

func TestFolder(t *testing.T) {
	folder, err := Load(fstest.MapFS{"mine.sql": {Data: []byte("-- name: mine\nSELECT 1")}})
	if err != nil || len(folder) != 1 || folder[0].Source != lakegate.SourceFolder || !folder[0].Builtin || folder[0].Title != "mine" {
		t.Fatalf("Load = %+v, %v", folder, err)
	}
	all, _ := All()
	if _, err := NewLibrary(nil, all, folder); err != nil {
		t.Fatal(err)
	}
	clash, _ := Load(fstest.MapFS{"pass_rate.sql": {Data: []byte("-- name: pass_rate\nSELECT 1")}})
	if _, err := NewLibrary(nil, all, clash); err == nil || !strings.Contains(err.Error(), "pass_rate") {
		t.Fatalf("a folder query named like a built-in: %v", err)
	}
}

func TestDialects(t *testing.T) {
	text := `-- name: d
-- param: n integer 3
SELECT * FROM t QUALIFY row_number() OVER () <= $n
-- dialect: presto
SELECT * FROM (SELECT *, row_number() OVER () AS r FROM t) WHERE r <= $n
`
	q, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(q.SQL, "<= $n") || strings.Contains(q.SQL, "dialect") || !strings.Contains(q.Dialects["presto"], "row_number() OVER () AS r") {
		t.Errorf("SQL %q, dialects %v", q.SQL, q.Dialects)
	}
	again, err := Parse(Text(q))
	if err != nil || !reflect.DeepEqual(again.Dialects, q.Dialects) || again.SQL != q.SQL {
		t.Errorf("Text does not round-trip: %v %+v", err, again)
	}
	for bad, want := range map[string]string{
		"-- name: d\nSELECT 1\n-- dialect: spark\nSELECT 2":                          `unknown dialect "spark"`,
		"-- name: d\nSELECT 1\n-- dialect: presto\n":                                 "dialect presto has no SQL",
		"-- name: d\n-- param: n integer 1\nSELECT $n\n-- dialect: presto\nSELECT 1": "must use the same",
	} {
		if _, err := Parse(bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", bad, err, want)
		}
	}
}
