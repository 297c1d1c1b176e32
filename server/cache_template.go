package server

import "slices"

// A cached JSON answer is replayed with three top-level values changed:
// query_id (this request's), elapsed_ms (this request's) and cached
// (true). The body is scanned once, when stored, into the parts between
// those values, so a hit only writes slices.

type holeKind int

const (
	holeQueryID holeKind = iota
	holeCached
	holeElapsed
	holeKinds
)

// template is a body cut around its holes: parts[0] hole[0] parts[1] ...
type template struct {
	parts [][]byte
	holes []holeKind
}

// member is one top-level member of a JSON object: its key and the span
// of its value.
type member struct {
	key        string
	start, end int
}

// newTemplate cuts a JSON object at its query_id, cached and elapsed_ms
// values. Without a "cached" member, one is inserted after query_id (or
// after the first member). It returns nil for a body it cannot scan,
// which is then replayed as it is.
func newTemplate(body []byte) *template {
	ms, ok := topMembers(body)
	if !ok || len(ms) == 0 {
		return nil
	}
	type edit struct {
		start, end int
		kind       holeKind
		prefix     string // inserted before the hole
	}
	var edits []edit
	hasCached := false
	after := ms[0].end // where an absent "cached" goes
	for _, m := range ms {
		switch m.key {
		case "query_id":
			edits = append(edits, edit{start: m.start, end: m.end, kind: holeQueryID})
			after = m.end
		case "cached":
			edits = append(edits, edit{start: m.start, end: m.end, kind: holeCached})
			hasCached = true
		case "elapsed_ms":
			edits = append(edits, edit{start: m.start, end: m.end, kind: holeElapsed})
		}
	}
	if !hasCached {
		edits = append(edits, edit{start: after, end: after, kind: holeCached, prefix: `,"cached":`})
		slices.SortStableFunc(edits, func(a, b edit) int { return a.start - b.start })
	}
	t := &template{}
	prev := 0
	for _, e := range edits {
		t.parts = append(t.parts, append(body[prev:e.start:e.start], e.prefix...))
		t.holes = append(t.holes, e.kind)
		prev = e.end
	}
	t.parts = append(t.parts, body[prev:])
	return t
}

// topMembers scans the top-level members of a JSON object without
// decoding their values.
func topMembers(b []byte) ([]member, bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	var ms []member
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return ms, true
	}
	for i < len(b) {
		if b[i] != '"' {
			return nil, false
		}
		end := skipString(b, i)
		if end < 0 {
			return nil, false
		}
		key := string(b[i+1 : end-1]) // the keys looked for have no escapes
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return nil, false
		}
		start := skipSpace(b, i+1)
		stop := skipValue(b, start)
		if stop < 0 {
			return nil, false
		}
		ms = append(ms, member{key: key, start: start, end: stop})
		i = skipSpace(b, stop)
		if i >= len(b) {
			return nil, false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return ms, true
		default:
			return nil, false
		}
	}
	return nil, false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"',
// or -1.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// skipValue returns the index after the value starting at b[i], or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				if j = skipString(b, j); j < 0 {
					return -1
				}
				j--
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}
