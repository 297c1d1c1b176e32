// Package sqlscan splits SQL text into tokens, skipping what is not code:
// white space, -- and nested /* */ comments, string literals ('...',
// E'...' with backslash escapes, $$...$$ and $tag$...$tag$) and quoted
// identifiers ("..."). It is the one hand-written SQL scanner of lakegate,
// for what DuckDB's parser cannot answer: the first keyword of a text
// before anything is prepared (preparing has effects), the statement an
// EXPLAIN explains, and the $name parameters of a canned query where no
// engine is at hand. It never judges SQL; DuckDB does.
package sqlscan

import (
	"iter"
	"strings"
)

// Kind is what a token is.
type Kind int

const (
	Word       Kind = iota // a keyword or unquoted identifier (unicode letters included)
	Param                  // a named parameter: $name (Text is "name")
	Positional             // a positional parameter: $1 or ?
	String                 // a string literal of any quoting (Text is the raw literal)
	Ident                  // a quoted identifier (Text is the raw "...")
	Number                 // digits, with . and exponent
	Punct                  // any other byte: ( ) , ; . * ...
)

// Token is one token and the byte offset where it starts.
type Token struct {
	Kind Kind
	Text string
	Pos  int
}

// Tokens yields the tokens of sql in order. An unterminated literal or
// comment runs to the end of the text.
func Tokens(sql string) iter.Seq[Token] {
	return func(yield func(Token) bool) {
		for i := skip(sql, 0); i < len(sql); i = skip(sql, i) {
			t, next := token(sql, i)
			if !yield(t) {
				return
			}
			i = next
		}
	}
}

// token reads the token at i (not space nor comment) and returns the
// index after it.
func token(s string, i int) (Token, int) {
	c := s[i]
	switch {
	case c == '\'':
		return Token{String, "", i}.end(s, quoted(s, i, '\'', false))
	case (c == 'E' || c == 'e') && i+1 < len(s) && s[i+1] == '\'':
		return Token{String, "", i}.end(s, quoted(s, i+1, '\'', true))
	case c == '"':
		return Token{Ident, "", i}.end(s, quoted(s, i, '"', false))
	case c == '$':
		return dollar(s, i)
	case c == '?':
		return Token{Positional, "?", i}, i + 1
	case isWordStart(c):
		j := i + 1
		for j < len(s) && isWordByte(s[j]) {
			j++
		}
		return Token{Word, s[i:j], i}, j
	case c >= '0' && c <= '9':
		j := i + 1
		for j < len(s) && (isWordByte(s[j]) || s[j] == '.') {
			j++
		}
		return Token{Number, s[i:j], i}, j
	}
	return Token{Punct, s[i : i+1], i}, i + 1
}

func (t Token) end(s string, j int) (Token, int) {
	t.Text = s[t.Pos:j]
	return t, j
}

// dollar reads what starts with $ at i: a dollar-quoted string ($$...$$
// or $tag$...$tag$), a named parameter or a positional one.
func dollar(s string, i int) (Token, int) {
	j := i + 1
	for j < len(s) && isWordByte(s[j]) {
		j++
	}
	tag := s[i+1 : j]
	switch {
	case j < len(s) && s[j] == '$' && (tag == "" || isWordStart(tag[0])):
		delim := s[i : j+1]
		end := strings.Index(s[j+1:], delim)
		if end < 0 {
			return Token{String, s[i:], i}, len(s)
		}
		k := j + 1 + end + len(delim)
		return Token{String, s[i:k], i}, k
	case tag != "" && tag[0] >= '0' && tag[0] <= '9':
		return Token{Positional, s[i:j], i}, j
	case tag != "":
		return Token{Param, tag, i}, j
	}
	return Token{Punct, "$", i}, i + 1
}

// quoted returns the index after the literal opened by q at i: a doubled
// quote stands for itself, and with backslash also \q and \\.
func quoted(s string, i int, q byte, backslash bool) int {
	for j := i + 1; j < len(s); j++ {
		switch {
		case backslash && s[j] == '\\':
			j++
		case s[j] == q && j+1 < len(s) && s[j+1] == q:
			j++
		case s[j] == q:
			return j + 1
		}
	}
	return len(s)
}

// skip passes white space and comments from i.
func skip(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f' || s[i] == '\v':
			i++
		case strings.HasPrefix(s[i:], "--"):
			nl := strings.IndexByte(s[i:], '\n')
			if nl < 0 {
				return len(s)
			}
			i += nl + 1
		case strings.HasPrefix(s[i:], "/*"):
			i = blockComment(s, i)
		default:
			return i
		}
	}
	return i
}

// blockComment returns the index after the (possibly nested) /* */
// comment at i.
func blockComment(s string, i int) int {
	depth := 0
	for i < len(s) {
		switch {
		case strings.HasPrefix(s[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(s[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return i
}

// Unquoted identifiers may hold any non-ASCII letter (é, ü, 数): their
// UTF-8 bytes are all >= 0x80.
func isWordStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isWordByte(c byte) bool { return isWordStart(c) || c >= '0' && c <= '9' }

// First returns the first token of sql, or a zero Token (Kind Word, Text
// "") when it holds none.
func First(sql string) Token {
	for t := range Tokens(sql) {
		return t
	}
	return Token{Pos: len(sql)}
}

// Params returns the distinct $name parameters of sql in order of first
// use, outside literals, quoted identifiers and comments.
func Params(sql string) []string {
	var out []string
	seen := map[string]bool{}
	for t := range Tokens(sql) {
		if t.Kind == Param && !seen[t.Text] {
			seen[t.Text] = true
			out = append(out, t.Text)
		}
	}
	return out
}

// CloseParen returns the offset of the ")" that closes the "(" at i, or
// -1 when it is not closed.
func CloseParen(sql string, i int) int {
	depth := 0
	for t := range Tokens(sql[i:]) {
		switch t.Text {
		case "(":
			if t.Kind == Punct {
				depth++
			}
		case ")":
			if t.Kind == Punct {
				if depth--; depth == 0 {
					return i + t.Pos
				}
			}
		}
	}
	return -1
}
