package hms

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// A partition filter in Hive's language, as Spark and Hive send it to
// get_partitions_by_filter: comparisons of partition keys with literals
// (=, !=, <>, <, <=, >, >=, LIKE), joined by AND and OR, in parentheses.
// A literal is a quoted string or a number; values compare as numbers when
// both sides are numbers, else as text (ISO dates compare right as text).

type filter func(values map[string]string) bool

// parseFilter parses expr; an empty filter accepts every partition.
func parseFilter(expr string) (filter, error) {
	toks, err := lexFilter(expr)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return func(map[string]string) bool { return true }, nil
	}
	p := &filterParser{toks: toks}
	f, err := p.or()
	if err == nil && p.i < len(p.toks) {
		err = fmt.Errorf("unexpected %q", p.toks[p.i].text)
	}
	return f, err
}

type token struct {
	kind byte // 'w' word, 's' string, 'n' number, 'o' operator, '(' or ')'
	text string
}

func lexFilter(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(' || c == ')':
			out = append(out, token{byte(c), string(c)})
			i++
		case c == '\'' || c == '"':
			end := strings.IndexRune(s[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("unterminated string at %d", i)
			}
			out = append(out, token{'s', s[i+1 : i+1+end]})
			i += end + 2
		case strings.ContainsRune("=!<>", c):
			j := i + 1
			for j < len(s) && strings.ContainsRune("=<>", rune(s[j])) {
				j++
			}
			out = append(out, token{'o', s[i:j]})
			i = j
		case unicode.IsDigit(c) || c == '-':
			j := i + 1
			for j < len(s) && (unicode.IsDigit(rune(s[j])) || s[j] == '.') {
				j++
			}
			out = append(out, token{'n', s[i:j]})
			i = j
		case unicode.IsLetter(c) || c == '_' || c == '`':
			j := i + 1
			for j < len(s) && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])) || s[j] == '_' || s[j] == '`') {
				j++
			}
			out = append(out, token{'w', strings.Trim(s[i:j], "`")})
			i = j
		default:
			return nil, fmt.Errorf("unexpected %q at %d", c, i)
		}
	}
	return out, nil
}

type filterParser struct {
	toks []token
	i    int
}

func (p *filterParser) peekWord(w string) bool {
	return p.i < len(p.toks) && p.toks[p.i].kind == 'w' && strings.EqualFold(p.toks[p.i].text, w)
}

func (p *filterParser) or() (filter, error) {
	left, err := p.and()
	for err == nil && p.peekWord("or") {
		p.i++
		var right filter
		if right, err = p.and(); err == nil {
			l, r := left, right
			left = func(v map[string]string) bool { return l(v) || r(v) }
		}
	}
	return left, err
}

func (p *filterParser) and() (filter, error) {
	left, err := p.term()
	for err == nil && p.peekWord("and") {
		p.i++
		var right filter
		if right, err = p.term(); err == nil {
			l, r := left, right
			left = func(v map[string]string) bool { return l(v) && r(v) }
		}
	}
	return left, err
}

func (p *filterParser) term() (filter, error) {
	if p.i < len(p.toks) && p.toks[p.i].kind == '(' {
		p.i++
		f, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.i >= len(p.toks) || p.toks[p.i].kind != ')' {
			return nil, fmt.Errorf("missing )")
		}
		p.i++
		return f, nil
	}
	if p.i+2 >= len(p.toks) {
		return nil, fmt.Errorf("incomplete comparison")
	}
	key, op, lit := p.toks[p.i], p.toks[p.i+1], p.toks[p.i+2]
	if key.kind != 'w' || (op.kind != 'o' && !(op.kind == 'w' && strings.EqualFold(op.text, "like"))) || (lit.kind != 's' && lit.kind != 'n') {
		return nil, fmt.Errorf("want KEY OP VALUE, got %s %s %s", key.text, op.text, lit.text)
	}
	p.i += 3
	return comparison(strings.ToLower(key.text), strings.ToLower(op.text), lit.text)
}

func comparison(key, op, lit string) (filter, error) {
	if op == "like" {
		re, err := regexp.Compile("(?s)^" + strings.NewReplacer("%", ".*", "_", ".").Replace(regexp.QuoteMeta(lit)) + "$")
		if err != nil {
			return nil, err
		}
		return func(v map[string]string) bool { return re.MatchString(v[key]) }, nil
	}
	want := map[string]func(int) bool{
		"=": func(c int) bool { return c == 0 }, "==": func(c int) bool { return c == 0 },
		"!=": func(c int) bool { return c != 0 }, "<>": func(c int) bool { return c != 0 },
		"<": func(c int) bool { return c < 0 }, "<=": func(c int) bool { return c <= 0 },
		">": func(c int) bool { return c > 0 }, ">=": func(c int) bool { return c >= 0 },
	}[op]
	if want == nil {
		return nil, fmt.Errorf("unknown operator %s", op)
	}
	return func(v map[string]string) bool {
		got, ok := v[key]
		return ok && want(compare(got, lit))
	}, nil
}

func compare(a, b string) int {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	switch {
	case errA == nil && errB == nil && x < y:
		return -1
	case errA == nil && errB == nil && x > y:
		return 1
	case errA == nil && errB == nil:
		return 0
	}
	return strings.Compare(a, b)
}

// matches tells whether name matches a Hive pattern: "*" any text, "|"
// alternatives, case-insensitive ("" and "*" match everything).
func matches(pattern, name string) bool {
	if pattern == "" {
		return true
	}
	for _, alt := range strings.Split(pattern, "|") {
		re := "(?i)^" + strings.ReplaceAll(regexp.QuoteMeta(strings.TrimSpace(alt)), `\*`, ".*") + "$"
		if ok, _ := regexp.MatchString(re, name); ok {
			return true
		}
	}
	return false
}
