// Package typename reads column type names as DuckDB writes them (the
// names every engine reports: DECIMAL(10,2), MAP(VARCHAR, BIGINT),
// STRUCT("a b" INTEGER, c VARCHAR[])), for the code that maps them to
// another system's types (Hive's, Arrow's, Presto's).
package typename

import "strings"

// SplitArgs splits a type's argument list at the commas outside
// parentheses and double quotes, each part trimmed.
func SplitArgs(s string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i, c := range s {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}
