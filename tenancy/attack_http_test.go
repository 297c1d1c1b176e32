package tenancy_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// HTTP helpers of the attack suite, and the search for beta's markers in
// an answer.

// response is one HTTP answer.
type response struct {
	status int
	header http.Header
	body   string
}

// text is everything the client received: status line, headers, body.
func (r response) text() string {
	var b strings.Builder
	keys := make([]string, 0, len(r.header))
	for k := range r.header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(r.header[k], ", "))
	}
	b.WriteString("\n")
	b.WriteString(r.body)
	return b.String()
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("bad JSON %q: %v", r.body, err)
	}
}

func mustStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
}

// rowsOf is the rows of a JSON query answer, as JSON.
func rowsOf(t *testing.T, r response) string {
	t.Helper()
	var out struct{ Rows json.RawMessage }
	r.decode(t, &out)
	return string(out.Rows)
}

// bearer is an Authorization header with tok.
func bearer(tok string) http.Header {
	return http.Header{"Authorization": {"Bearer " + tok}}
}

// noStore keeps a fixture's own query out of the result cache, so that
// it learns the truth and leaves the cache as the attacks expect it.
func noStore(h http.Header) http.Header {
	h.Set("Cache-Control", "no-store")
	return h
}

func jsonSQL(q string) string {
	b, _ := json.Marshal(map[string]string{"sql": q})
	return string(b)
}

func (f *fixture) query(t *testing.T, h http.Header, q string) response {
	t.Helper()
	return f.do(t, "POST", "/v1/query", h, jsonSQL(q))
}

// do sends one request with exactly the headers h (several values of a
// header go as several header lines).
func (f *fixture) do(t *testing.T, method, path string, h http.Header, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

// inputRE splits what the attacker sent into the pieces an answer may
// quote back (an engine names the table or file it was asked for): whole
// string literals, identifiers, dotted names and their parts.
var inputRE = regexp.MustCompile(`[^\s(),;'"=&?\[\]{}:\\]+`)

// echoes lists the strings of the attacker's own request that an answer
// may repeat without telling the attacker anything.
func echoes(parts ...string) []string {
	var out []string
	for _, p := range parts {
		for _, lit := range regexp.MustCompile(`'([^']*)'`).FindAllStringSubmatch(p, -1) {
			out = append(out, lit[1])
		}
		// Identifiers come back unquoted ("a"."b" as a.b), and a
		// qualified name by any of its dotted runs (m.a.b as a.b).
		for _, w := range inputRE.FindAllString(strings.ReplaceAll(p, `"`, ""), -1) {
			parts := strings.Split(w, ".")
			for i := range parts {
				for j := i + 1; j <= len(parts); j++ {
					out = append(out, strings.Join(parts[i:j], "."))
				}
			}
		}
	}
	return out
}

// jsonText undoes the JSON escapes that could hide a marker.
var jsonText = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&", `\"`, `"`, `\/`, "/")

// lineRE matches DuckDB's excerpt of the query text at an error ("LINE 1:
// SELECT ... FROM glob('/very/long/pa..."), which quotes the attacker's
// own SQL, cut where no echo can match it.
var lineRE = regexp.MustCompile(`LINE \d+: (?:[^\\"]|\\[^n])*`)

// shows reports whether text shows m once the attacker's own words that
// contain m (echo) and the engine's excerpts of the attacker's SQL are
// removed. A string the attacker never sent is looked for in the text as
// it is.
func shows(raw, m string, echo []string) bool {
	text := jsonText.Replace(raw)
	if !strings.Contains(text, m) {
		return false
	}
	var own []string
	for _, e := range echo {
		if strings.Contains(e, m) {
			own = append(own, e)
		}
	}
	if len(own) == 0 {
		return true
	}
	text = jsonText.Replace(lineRE.ReplaceAllString(raw, "LINE"))
	sort.Slice(own, func(i, j int) bool { return len(own[i]) > len(own[j]) })
	for _, e := range own {
		text = strings.ReplaceAll(text, e, "")
	}
	return strings.Contains(text, m)
}

// leaked returns the first marker text shows (see shows), or "".
func (f *fixture) leaked(text string, echo []string) string {
	for _, m := range f.markers {
		if m != "" && shows(text, m, echo) {
			return m
		}
	}
	return ""
}
