package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Splitter limits. A record larger than maxRecordBytes is rejected as a
// damaged span; the raw text kept for any reject is capped at rawCap.
const (
	splitBufSize   = 1 << 20
	maxRecordBytes = 64 << 20
	rawCap         = 1 << 20
)

// span is one top-level record (or damaged span) found by the splitter.
// Data is only valid during the emit callback.
type span struct {
	N      int64  // 1-based record number in the file
	Offset int64  // byte offset of the span in the (decompressed) stream
	Data   []byte // the record's bytes; for damage, capped at rawCap
	Capped bool   // Data was cut at rawCap
	Damage string // non-empty: the span is not a record, and why
	Source string // source_file of the record when not the batch's (a stream's topic/partition)
}

// errNotJSON says the input is neither a JSON array nor NDJSON.
type errNotJSON struct {
	found  byte
	offset int64
}

func (e *errNotJSON) Error() string {
	return fmt.Sprintf("expected a JSON array (starting with '[') or NDJSON (one {...} object per line), but the first non-blank byte is %q at byte %d", e.found, e.offset)
}

// splitter scans a JSON array or NDJSON stream and yields each top-level
// record's raw bytes, bracket and quote aware, without decoding it.
//
// Resync rule: when a record is damaged (a line break inside a string, a
// closing bracket of the wrong kind, a new record starting before the
// current one closed, the file ending inside it), its span is reported as
// damage and scanning restarts at the next record boundary after the
// span's start. Records laid out one per line or pretty-printed
// ("line layout") restart at the next line whose first non-blank bytes are
// "{" or ",{" at the indentation records start at (learned from the first
// record that starts a line). Compact arrays on one line restart at the
// next ",{" followed by the first key of a record (learned from the first
// good record, else the damaged record's own first key).
type splitter struct {
	r    io.Reader
	buf  []byte
	pos  int   // next byte to scan
	end  int   // buf[:end] holds data
	keep int   // buf[keep:] must survive refills (start of the current span)
	base int64 // stream offset of buf[0]
	eof  bool
	err  error

	array      bool
	closed     bool   // array: the closing ']' was seen
	indent     int    // line layout indentation of records; -1: unknown/compact
	key        []byte // first key of a good record, quoted
	n          int64
	stack      []byte
	lastDamage bool // the last span ran to the end of the input

	// line state of the byte at pos: blanks before the first other byte
	lineWS    int
	lineOther bool
}

// split runs the splitter over r, calling emit for each span in order.
func split(r io.Reader, emit func(span) error) (notes []string, err error) {
	s := &splitter{r: r, buf: make([]byte, splitBufSize), indent: -1}
	return s.run(emit)
}

// fill reads more input, keeping buf[keep:]. It reports whether any byte
// was added.
func (s *splitter) fill() bool {
	if s.eof {
		return false
	}
	if s.keep > 0 && s.keep >= len(s.buf)/2 || s.end == len(s.buf) && s.keep > 0 {
		n := copy(s.buf, s.buf[s.keep:s.end])
		s.base += int64(s.keep)
		s.pos -= s.keep
		s.end = n
		s.keep = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxRecordBytes+splitBufSize {
			return false // the caller checks the record size limit
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.err = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// shrink drops a buffer that grew for a big record once it is not needed.
func (s *splitter) shrink() {
	if len(s.buf) > splitBufSize && s.end-s.keep <= splitBufSize/2 {
		nb := make([]byte, splitBufSize)
		n := copy(nb, s.buf[s.keep:s.end])
		s.base += int64(s.keep)
		s.pos -= s.keep
		s.end, s.keep, s.buf = n, 0, nb
	}
}

// at returns the byte at pos, filling as needed; ok is false at the end.
func (s *splitter) at(pos int) (byte, int, bool) {
	for pos >= s.end {
		shift := s.keep
		if !s.fill() {
			return 0, pos, false
		}
		if s.keep == 0 && shift > 0 {
			pos -= shift
		}
	}
	return s.buf[pos], pos, true
}

func isBlank(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func (s *splitter) run(emit func(span) error) ([]string, error) {
	var notes []string
	// Skip blanks and a UTF-8 byte-order mark, then detect the format.
	s.keep = 0
	for {
		c, p, ok := s.at(s.pos)
		s.pos = p
		if !ok {
			return []string{"the file holds no records"}, s.err
		}
		if s.base+int64(s.pos) == 0 && c == 0xEF {
			s.pos += 3
			continue
		}
		if isBlank(c) {
			s.advanceBlank(c)
			s.pos++
			continue
		}
		switch c {
		case '[':
			s.array = true
			s.pos++
			s.lineOther = true
		case '{':
		default:
			return nil, &errNotJSON{found: c, offset: s.base + int64(s.pos)}
		}
		break
	}
	for {
		s.keep = s.pos
		s.shrink()
		c, p, ok := s.at(s.pos)
		s.pos = p
		if !ok {
			break
		}
		switch {
		case isBlank(c):
			s.advanceBlank(c)
			s.pos++
			continue
		case s.array && c == ',':
			s.pos++ // lenient about separators; records are checked one by one
			continue
		case s.array && c == ']' && !s.closed:
			s.closed = true
			s.lineOther = true
			s.pos++
			continue
		case c == '{' && !s.closed:
			if err := s.record(emit); err != nil {
				return notes, err
			}
		default:
			what := fmt.Sprintf("unexpected %q between records; expected '{' to start a record", c)
			if s.closed {
				what = fmt.Sprintf("unexpected %q after the end of the array", c)
			}
			if err := s.damage(emit, s.pos, s.pos, what); err != nil {
				return notes, err
			}
		}
	}
	if s.err != nil {
		return notes, s.err
	}
	if s.array && !s.closed && !s.lastDamage {
		notes = append(notes, "the JSON array is not closed with ']' (truncated file?); every complete record was read")
	}
	if s.n == 0 {
		notes = append(notes, "the file holds no records")
	}
	return notes, nil
}

func (s *splitter) advanceBlank(c byte) {
	if c == '\n' {
		s.lineWS, s.lineOther = 0, false
	} else if !s.lineOther {
		s.lineWS++
	}
}

// record scans one record starting at buf[pos] == '{'.
func (s *splitter) record(emit func(span) error) error {
	start := s.pos
	s.keep = start
	startsLine := !s.lineOther
	if s.indent < 0 && startsLine && s.key == nil {
		s.indent = s.lineWS
	}
	stack := s.stack[:0]
	inStr, esc := false, false
	for {
		if s.pos >= s.end {
			prevKeep := s.keep
			if !s.fill() {
				if !s.eof {
					return s.damage(emit, start, start+1, fmt.Sprintf("record larger than %d MB", maxRecordBytes>>20))
				}
				return s.damageToEnd(emit, start, "the input ends inside this record (truncated file?)")
			}
			start -= prevKeep - s.keep
			continue
		}
		c := s.buf[s.pos]
		if inStr {
			if !esc {
				// Fast path: jump to the closing quote when the string
				// has no escape and no line break.
				rest := s.buf[s.pos:s.end]
				q := bytes.IndexByte(rest, '"')
				limit := q
				if q < 0 {
					limit = len(rest)
				}
				stop := limit
				if i := bytes.IndexByte(rest[:stop], '\\'); i >= 0 {
					stop = i
				}
				if i := bytes.IndexByte(rest[:stop], '\n'); i >= 0 {
					stop = i
				}
				if stop == limit {
					s.pos += limit
					if q >= 0 {
						s.pos++
						inStr = false
					}
					continue
				}
				s.pos += stop
				c = s.buf[s.pos]
			}
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			case c == '\n':
				return s.damage(emit, start, start+1, fmt.Sprintf("line break inside a string at byte %d (unterminated string?)", s.base+int64(s.pos)))
			}
			s.pos++
			continue
		}
		switch c {
		case '"':
			inStr = true
			s.lineOther = true
		case '{', '[':
			if c == '{' && len(stack) > 0 && !s.lineOther && s.indent >= 0 && s.lineWS == s.indent {
				// A record starts here, so the current one never closed.
				s.stack = stack
				return s.damage(emit, start, s.pos, "the record is not closed before the next record starts")
			}
			stack = append(stack, c)
			s.lineOther = true
		case '}', ']':
			if len(stack) == 0 || stack[len(stack)-1] != c-2 { // '{'+2 == '}', '['+2 == ']'
				s.stack = stack
				return s.damage(emit, start, start+1, fmt.Sprintf("unexpected %q at byte %d", c, s.base+int64(s.pos)))
			}
			stack = stack[:len(stack)-1]
			s.lineOther = true
			if len(stack) == 0 {
				s.pos++
				s.stack = stack
				if s.key == nil {
					s.key = firstKey(s.buf[start:s.pos])
				}
				s.n++
				s.lastDamage = false
				if s.pos-start > maxRecordBytes {
					return s.emitDamage(emit, start, s.pos, fmt.Sprintf("record larger than %d MB", maxRecordBytes>>20))
				}
				return emit(span{N: s.n, Offset: s.base + int64(start), Data: s.buf[start:s.pos]})
			}
		case '\n':
			s.lineWS, s.lineOther = 0, false
		case ' ', '\t', '\r':
			if !s.lineOther {
				s.lineWS++
			}
		case ',':
		default:
			s.lineOther = true
		}
		s.pos++
	}
}

// firstKey returns the first key of an object, with its quotes, or nil.
func firstKey(b []byte) []byte {
	i := 1
	for i < len(b) && isBlank(b[i]) {
		i++
	}
	if i >= len(b) || b[i] != '"' {
		return nil
	}
	j := bytes.IndexByte(b[i+1:], '"')
	if j < 0 || bytes.IndexByte(b[i+1:i+1+j], '\\') >= 0 {
		return nil
	}
	return append([]byte(nil), b[i:i+j+2]...)
}

// damage reports the span from start up to the next record boundary found
// after from, and leaves pos at that boundary.
func (s *splitter) damage(emit func(span) error, start, from int, why string) error {
	key := s.key
	if key == nil && s.indent < 0 && start < s.end && s.buf[start] == '{' {
		key = firstKey(s.buf[start:s.end])
	}
	s.keep = start
	absStart := s.base + int64(start)
	var head []byte // set once the span outgrows rawCap
	abs := s.base + int64(from)
	if from == start {
		abs++
	}
	for {
		p := int(abs - s.base)
		if head == nil && abs-absStart > rawCap {
			head = append([]byte(nil), s.buf[s.keep:s.keep+rawCap]...)
		}
		if head != nil && p-s.keep > splitBufSize/2 {
			s.keep = p - 64 // keep a little look-behind for the boundary test
		}
		c, np, ok := s.at(p)
		abs = s.base + int64(np)
		if !ok {
			s.pos = np
			return s.finishDamage(emit, head, absStart, s.pos, why, true)
		}
		if s.isBoundary(abs, c, key) {
			s.pos = int(abs - s.base)
			s.lineWS, s.lineOther = 0, false
			if s.indent >= 0 {
				s.lineWS = s.indent
			}
			return s.finishDamage(emit, head, absStart, s.pos, fmt.Sprintf("%s; resumed at the next record at byte %d", why, abs), false)
		}
		abs++
	}
}

// isBoundary tests whether a record (or the array's end) starts at the
// stream offset abs, whose byte is c.
func (s *splitter) isBoundary(abs int64, c byte, key []byte) bool {
	if c != '{' && (c != ']' || s.closed || !s.array) {
		return false
	}
	p := int(abs - s.base)
	// Look behind on the same line for blanks and at most one comma.
	ws, comma, q := 0, false, p-1
	for ; q >= s.keep; q-- {
		b := s.buf[q]
		if b == '\n' {
			break
		}
		if b == ',' && !comma {
			comma = true
			continue
		}
		if b != ' ' && b != '\t' && b != '\r' {
			break
		}
		ws++
	}
	lineStart := q >= s.keep && s.buf[q] == '\n'
	if s.indent >= 0 {
		if !lineStart {
			return false
		}
		if c == ']' {
			return ws <= s.indent && !comma
		}
		return ws == s.indent || (!s.array && ws == 0)
	}
	if c != '{' {
		return false
	}
	if !comma {
		for ; q >= s.keep && isBlank(s.buf[q]); q-- {
		}
		if q < s.keep || s.buf[q] != ',' {
			return lineStart && !s.array && ws == 0
		}
	}
	if key == nil {
		return true
	}
	i := abs + 1
	for {
		b, np, ok := s.at(int(i - s.base))
		if !ok {
			return false
		}
		i = s.base + int64(np)
		if !isBlank(b) {
			break
		}
		i++
	}
	for k := range key {
		b, np, ok := s.at(int(i - s.base))
		if !ok || b != key[k] {
			return false
		}
		i = s.base + int64(np) + 1
	}
	return true
}

func (s *splitter) finishDamage(emit func(span) error, head []byte, off int64, end int, why string, toEnd bool) error {
	data := head
	capped := head != nil
	if data == nil {
		start := int(off - s.base)
		e := end
		for e > start && (isBlank(s.buf[e-1]) || s.buf[e-1] == ',') {
			e--
		}
		data = s.buf[start:e]
		if len(data) > rawCap {
			data, capped = data[:rawCap], true
		}
	}
	s.n++
	s.lastDamage = toEnd
	return emit(span{N: s.n, Offset: off, Data: data, Capped: capped, Damage: why})
}

func (s *splitter) damageToEnd(emit func(span) error, start int, why string) error {
	s.pos = s.end
	return s.finishDamage(emit, nil, s.base+int64(start), s.end, why, true)
}

// emitDamage reports buf[start:end] as damage without resyncing.
func (s *splitter) emitDamage(emit func(span) error, start, end int, why string) error {
	s.pos = end
	return s.finishDamage(emit, nil, s.base+int64(start), end, why, false)
}
