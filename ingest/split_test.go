package ingest

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// got is what the splitter yields, in a comparable form: a record's text,
// or "!" and the start of the damage reason.
type got struct {
	n    int64
	off  int64
	text string
}

func splitAll(t *testing.T, in string) ([]got, []string, error) {
	t.Helper()
	var out []got
	notes, err := split(strings.NewReader(in), func(s span) error {
		text := string(s.Data)
		if s.Damage != "" {
			text = "!" + text
		}
		out = append(out, got{s.N, s.Offset, text})
		return nil
	})
	return out, notes, err
}

func TestSplit(t *testing.T) {
	pretty := "[\n  {\n    \"k\": 1,\n    \"q\": [\n      {\"id\": \"[x]\"}\n    ]\n  },\n  {\n    \"k\": 2\n  }\n]\n"
	for _, tc := range []struct {
		name string
		in   string
		want []string // records; "!" prefix marks damage with that raw text
		note string   // a note that must be present
	}{
		{"compact array", `[{"a":1},{"a":2},{"a":3}]`, []string{`{"a":1}`, `{"a":2}`, `{"a":3}`}, ""},
		{"empty array", " [ ] ", nil, "no records"},
		{"empty file", "  \n", nil, "no records"},
		{"pretty array", pretty, []string{"{\n    \"k\": 1,\n    \"q\": [\n      {\"id\": \"[x]\"}\n    ]\n  }", "{\n    \"k\": 2\n  }"}, ""},
		{"array one per line", "[\n{\"a\":1},\n{\"a\":2}\n]", []string{`{"a":1}`, `{"a":2}`}, ""},
		{"ndjson blank lines and CRLF", "{\"a\":1}\r\n\r\n\n{\"a\":2}\r\n{\"a\":3}", []string{`{"a":1}`, `{"a":2}`, `{"a":3}`}, ""},
		{"byte order mark", "\xEF\xBB\xBF{\"a\":1}\n", []string{`{"a":1}`}, ""},
		{"brackets and escaped quotes in strings", `[{"s":"]}{[\"x\\"},{"s":"\\"}]`, []string{`{"s":"]}{[\"x\\"}`, `{"s":"\\"}`}, ""},
		{"broken string mid ndjson", "{\"k\":1}\n{\"k\":\"bad}\n{\"k\":3}\n", []string{`{"k":1}`, `!{"k":"bad}`, `{"k":3}`}, ""},
		{"unclosed object mid ndjson", "{\"k\":1}\n{\"k\":{\"x\":1}\n{\"k\":3}\n", []string{`{"k":1}`, `!{"k":{"x":1}`, `{"k":3}`}, ""},
		{"wrong bracket mid ndjson", "{\"k\":1}\n{\"k\":[1}\n{\"k\":3}\n", []string{`{"k":1}`, `!{"k":[1}`, `{"k":3}`}, ""},
		{"garbage line in ndjson", "{\"k\":1}\nhello\n{\"k\":3}\n", []string{`{"k":1}`, `!hello`, `{"k":3}`}, ""},
		{"broken element mid pretty array",
			"[\n  {\n    \"k\": 1\n  },\n  {\n    \"k\": \"bro\n  },\n  {\n    \"k\": 3\n  }\n]\n",
			[]string{"{\n    \"k\": 1\n  }", "!{\n    \"k\": \"bro\n  }", "{\n    \"k\": 3\n  }"}, ""},
		{"unclosed element mid pretty array",
			"[\n  {\n    \"k\": 1,\n    \"q\": [\n  },\n  {\n    \"k\": 3\n  }\n]\n",
			[]string{"!{\n    \"k\": 1,\n    \"q\": [\n  }", "{\n    \"k\": 3\n  }"}, ""},
		{"broken element mid compact array",
			`[{"k":1,"q":[{"id":1}]},{"k":2,"q":[{"id":1]},{"k":3,"q":[{"id":1}]}]`,
			[]string{`{"k":1,"q":[{"id":1}]}`, `!{"k":2,"q":[{"id":1]}`, `{"k":3,"q":[{"id":1}]}`}, ""},
		{"truncated array", `[{"k":1},{"k":2`, []string{`{"k":1}`, `!{"k":2`}, ""},
		{"unclosed array", `[{"k":1},{"k":2}`, []string{`{"k":1}`, `{"k":2}`}, "not closed"},
		{"truncated ndjson", "{\"k\":1}\n{\"k\":", []string{`{"k":1}`, `!{"k":`}, ""},
		{"junk after the array", `[{"k":1}] junk`, []string{`{"k":1}`, `!junk`}, ""},
		{"scalar element", "[\n{\"k\":1},\n42,\n{\"k\":3}\n]", []string{`{"k":1}`, `!42`, `{"k":3}`}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, notes, err := splitAll(t, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			var texts []string
			for i, g := range out {
				texts = append(texts, g.text)
				if g.n != int64(i+1) {
					t.Errorf("record %d numbered %d", i+1, g.n)
				}
				text := strings.TrimPrefix(g.text, "!")
				if g.off < 0 || int(g.off)+len(text) > len(tc.in) || tc.in[g.off:int(g.off)+len(text)] != text {
					t.Errorf("record %d: offset %d does not point at its text", i+1, g.off)
				}
			}
			if strings.Join(texts, "\n---\n") != strings.Join(tc.want, "\n---\n") {
				t.Errorf("got\n%q\nwant\n%q", texts, tc.want)
			}
			if tc.note != "" && !strings.Contains(strings.Join(notes, "; "), tc.note) {
				t.Errorf("notes %q lack %q", notes, tc.note)
			}
		})
	}
}

func TestSplitNotJSON(t *testing.T) {
	for _, in := range []string{"x", "hello", "\n\n  42", `"str"`} {
		_, _, err := splitAll(t, in)
		if _, ok := err.(*errNotJSON); !ok {
			t.Errorf("%q: got %v, want errNotJSON", in, err)
		}
	}
}

// TestSplitBig checks records larger than the read buffer and a damaged
// span larger than the raw cap.
func TestSplitBig(t *testing.T) {
	big := `{"k":"` + strings.Repeat("x", 3*splitBufSize) + `"}`
	out, _, err := splitAll(t, big+"\n"+`{"k":2}`)
	if err != nil || len(out) != 2 || out[0].text != big || out[1].off != int64(len(big)+1) {
		t.Fatalf("big record: err %v, %d spans", err, len(out))
	}
	huge := `{"k":` + strings.Repeat(`[1,`, rawCap) + "\n"
	var capped bool
	var n int
	_, err = split(strings.NewReader(huge+`{"k":2}`+"\n"), func(s span) error {
		n++
		if s.Damage != "" {
			capped = s.Capped && len(s.Data) == rawCap
		} else if string(s.Data) != `{"k":2}` {
			t.Errorf("after the damage: %q", s.Data)
		}
		return nil
	})
	if err != nil || n != 2 || !capped {
		t.Fatalf("huge damage: err %v, %d spans, capped %v", err, n, capped)
	}
}

func TestInputGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("{\"k\":1}\n{\"k\":2}\n"))
	zw.Close()
	p := filepath.Join(t.TempDir(), "x.json.gz")
	os.WriteFile(p, buf.Bytes(), 0o644)
	in, err := openInput(p, p, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var n int
	if _, err := split(in, func(s span) error { n++; return nil }); err != nil || n != 2 || !in.gzip {
		t.Fatalf("gzip: err %v, %d records, gzip %v", err, n, in.gzip)
	}
}
