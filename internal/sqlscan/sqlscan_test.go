package sqlscan

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func kinds(sql string) string {
	var b []string
	for t := range Tokens(sql) {
		b = append(b, fmt.Sprintf("%d:%s", t.Kind, t.Text))
	}
	return strings.Join(b, " ")
}

func TestTokens(t *testing.T) {
	for _, c := range []struct{ sql, want string }{
		{"SELECT 1", "0:SELECT 5:1"},
		{"  -- c\n /* a /* nested */ still */ drop", "0:drop"},
		{"SELECT 'it''s $x' , $y", "0:SELECT 3:'it''s $x' 6:, 1:y"},
		{`SELECT E'it\'s $x', $y`, `0:SELECT 3:E'it\'s $x' 6:, 1:y`},
		{`SELECT e'\\', $y`, `0:SELECT 3:e'\\' 6:, 1:y`},
		{"SELECT $$ it's $x $$, $y", "0:SELECT 3:$$ it's $x $$ 6:, 1:y"},
		{"SELECT $tag$ $$ $x $tag$ $y", "0:SELECT 3:$tag$ $$ $x $tag$ 1:y"},
		{`SELECT "$x"" """, $y`, `0:SELECT 4:"$x"" """ 6:, 1:y`},
		{"SELECT $1, ?, $2x", "0:SELECT 2:$1 6:, 2:? 6:, 2:$2x"},
		{"SELECT prénom, 数 FROM über", "0:SELECT 0:prénom 6:, 0:数 0:FROM 0:über"},
		{"SELECT 1.5e3 x", "0:SELECT 5:1.5e3 0:x"},
		{"SELECT 'open", "0:SELECT 3:'open"},
		{"/* open", ""},
		{"SELECT $", "0:SELECT 6:$"},
	} {
		if got := kinds(c.sql); got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.sql, got, c.want)
		}
	}
}

func TestParams(t *testing.T) {
	for _, c := range []struct {
		sql  string
		want []string
	}{
		{"SELECT $b, $a, $b", []string{"b", "a"}},
		{"SELECT $$ $x $$", nil},
		{"SELECT $q$ ' $x $q$ , $y", []string{"y"}},
		{"SELECT E'\\' $x', $y", []string{"y"}},
		{"/* /* $x */ $y */ SELECT $z -- $w\n", []string{"z"}},
		{`SELECT "col$x", $ünïcode`, []string{"ünïcode"}},
	} {
		if got := Params(c.sql); !slices.Equal(got, c.want) {
			t.Errorf("%q: %v, want %v", c.sql, got, c.want)
		}
	}
}

func TestFirstAndCloseParen(t *testing.T) {
	if f := First("/* x */ -- y\n  Drop table t"); f.Text != "Drop" {
		t.Errorf("first %q", f.Text)
	}
	if f := First(" -- only a comment"); f.Text != "" {
		t.Errorf("first %q", f.Text)
	}
	s := "(SELECT ')', $$)$$, \")\" /* ) */ FROM (t)) tail"
	if got := CloseParen(s, 0); s[got+1:] != " tail" {
		t.Errorf("close paren at %d: %q", got, s[got:])
	}
	if CloseParen("(SELECT 1", 0) != -1 {
		t.Error("an open paren was closed")
	}
}
