package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lakegate/lakegate/internal/kafkatest"
)

// compactRecords is each record of a JSON array file as compact JSON,
// sorted: what jq -c '.[]' would publish.
func compactRecords(t *testing.T, file string) []string {
	t.Helper()
	data, _ := os.ReadFile(file)
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range raws {
		var b bytes.Buffer
		json.Compact(&b, r)
		out = append(out, b.String())
	}
	slices.Sort(out)
	return out
}

// TestPublish: `lakegate publish` sends a generated array file one compact
// message per record, as jq -c | kcat would (kcat reads them back, and
// ingest kafka lands them); NDJSON from standard input too.
func TestPublish(t *testing.T) {
	brokers, topic := kafkatest.Topic(t, 2)
	dir := t.TempDir()
	file, lake := filepath.Join(dir, "a.json"), filepath.Join(dir, "lake")
	mustRun(t, "generate", "assessments", "--attempts", "500", "--seed", "5", "-o", file)
	out := mustRun(t, "publish", "--brokers", brokers, "--topic", topic, file)
	wantOut(t, "publish", out, file+": 500 messages", "to "+topic, "messages/s")
	if got, want := kafkatest.Read(t, brokers, topic), compactRecords(t, file); !slices.Equal(got, want) {
		t.Fatalf("the topic holds %d messages, not the file's %d records as compact JSON", len(got), len(want))
	}
	got := mustRun(t, "ingest", "kafka", "--brokers", brokers, "--topic", topic, "--lake", lake)
	wantOut(t, "ingest kafka", got, "read        500 records")

	_, events := kafkatest.Topic(t, 1)
	var stdout, stderr bytes.Buffer
	a := &app{stdout: &stdout, stderr: &stderr, stdin: strings.NewReader("{\"event_type\": \"a\"}\n\n  {\"event_type\":\"b\", \"n\": 1}\r\n"),
		environ: []string{"LAKEGATE_KAFKA_BROKERS=" + brokers}} // the setting, without --brokers
	if code := a.main(context.Background(), []string{"publish", "--topic", events, "-"}); code != 0 {
		t.Fatalf("publish -: exit %d: %s", code, stderr.String())
	}
	wantOut(t, "publish -", stdout.String(), "standard input: 2 messages")
	if got := kafkatest.Read(t, brokers, events); !slices.Equal(got, []string{`{"event_type":"a"}`, `{"event_type":"b","n":1}`}) {
		t.Errorf("from standard input: %q", got)
	}
}

// A file with a record that is not JSON is refused before anything is
// sent, naming the file and the record, even when another file is good.
func TestPublishRefusesBrokenFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.ndjson")
	os.WriteFile(good, []byte("{\"a\":1}\n"), 0o644)
	for _, tt := range []struct{ name, body, want string }{
		{"bad.ndjson", "{\"a\":1}\n\n{broken\n", "bad.ndjson: line 3 (record 2) is not JSON; nothing was sent"},
		{"bad.json", "[{\"a\":1},\n {\"b\":2},\n {\"c\":}]", "bad.json: record 3 of the JSON array is not JSON"},
		{"open.json", "[{\"a\":1}, {\"b\":2}", "open.json: the JSON array is not closed after record 2"},
		{"tail.json", "[{\"a\":1}] x", "tail.json: text follows the JSON array's end (after record 1)"},
	} {
		bad := filepath.Join(dir, tt.name)
		os.WriteFile(bad, []byte(tt.body), 0o644)
		// The broker is never reached: nothing is sent.
		code, out, errs := run(t, nil, "publish", "--brokers", "127.0.0.1:9", "--topic", "t", good, bad)
		if code == 0 || !strings.Contains(errs, tt.want) || out != "" {
			t.Errorf("%s: exit %d, printed %q, error %s", tt.name, code, out, errs)
		}
	}
	code, _, errs := run(t, nil, "publish", good)
	if code == 0 || !strings.Contains(errs, "publish needs --brokers (or the kafka_brokers setting) and --topic") {
		t.Errorf("no brokers: exit %d, %s", code, errs)
	}
}
