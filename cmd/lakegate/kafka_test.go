package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lakegate/lakegate/internal/kafkatest"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/lakegate/lakegate/landing"
	"github.com/lakegate/lakegate/queries"
)

// kcatPublish publishes a generated array file as the seeds did:
// jq -c '.[]' FILE | kcat -P -b BROKERS -t TOPIC.
func kcatPublish(t *testing.T, brokers, topic, file string) {
	t.Helper()
	sh := fmt.Sprintf("set -o pipefail; jq -c '.[]' %q | kcat -P -b %q -t %q", file, brokers, topic)
	if out, err := exec.Command("bash", "-c", sh).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", sh, err, out)
	}
}

// TestKafkaSeedsFlow: kcat publishes 100,000 assessment records, `lakegate
// ingest kafka` lands them, and every canned question answers exactly as
// for the same file ingested directly. A second run lands nothing.
func TestKafkaSeedsFlow(t *testing.T) {
	brokers, topic := kafkatest.Topic(t, 3)
	dir := t.TempDir()
	file := filepath.Join(dir, "assessments.json")
	mustRun(t, "generate", "assessments", "--attempts", "100000", "--seed", "7", "-o", file)
	kcatPublish(t, brokers, topic, file)

	fromKafka, fromFile := filepath.Join(dir, "kafka-lake"), filepath.Join(dir, "file-lake")
	out := mustRun(t, "ingest", "kafka", "--brokers", brokers, "--topic", topic, "--lake", fromKafka)
	wantOut(t, "ingest kafka", out, "read        100000 records")
	mustRun(t, "ingest", "assessments", file, "--lake", fromFile)
	sameCanned(t, fromFile, fromKafka)

	again := mustRun(t, "ingest", "kafka", "--brokers", brokers, "--topic", topic, "--lake", fromKafka)
	wantOut(t, "a second ingest kafka", again, "read        0 records")
	lineage := mustRun(t, "query", "--lake", fromKafka, "--format", "csv",
		"SELECT count(DISTINCT source_file) AS parts, count(*) AS n, count(DISTINCT (source_file, source_offset)) AS places FROM assessments.raw")
	if !strings.HasPrefix(lineage, "parts,n,places\n3,") {
		t.Errorf("lineage: %q, want 3 partitions", lineage)
	}
	if f := strings.Split(strings.TrimSpace(lineage), "\n")[1]; strings.Split(f, ",")[1] != strings.Split(f, ",")[2] {
		t.Errorf("lineage: %q, want one row per (partition, offset)", lineage)
	}
}

// sameCanned runs every canned question on two lakes and wants the same
// CSV.
func sameCanned(t *testing.T, want, got string) {
	t.Helper()
	all, err := queries.All()
	if err != nil {
		t.Fatal(err)
	}
	runs := map[string][]string{"course_takers": {"--param", "exam_name=Learning Git"}, "average_score": {"--param", "by_course=true"}}
	for _, q := range all {
		args := append([]string{"query", "--format", "csv", "--saved", q.Name}, runs[q.Name]...)
		w := mustRun(t, append(args, "--lake", want)...)
		g := mustRun(t, append(args, "--lake", got)...)
		if w != g || len(strings.Split(w, "\n")) < 3 {
			t.Errorf("%s: from Kafka\n%s\nfrom the file\n%s", q.Name, head(g), head(w))
		}
	}
}

func head(s string) string {
	lines := strings.SplitN(s, "\n", 6)
	return strings.Join(lines[:min(5, len(lines))], "\n")
}

// producer sends the records of a generated array file to a topic in
// small bursts over about d, like the seeds' producers, and closes done.
func producer(t *testing.T, brokers, topic, file string, d time.Duration, sent *atomic.Int64, done chan<- struct{}) {
	defer close(done)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Error(err)
		return
	}
	var recs [][]byte
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(strings.TrimSpace(line), ",")
		if strings.HasPrefix(line, "{") {
			recs = append(recs, []byte(line))
		}
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.DefaultProduceTopic(topic), kgo.RequiredAcks(kgo.AllISRAcks()))
	if err != nil {
		t.Error(err)
		return
	}
	defer cl.Close()
	const bursts = 50
	for i := range bursts {
		lo, hi := i*len(recs)/bursts, (i+1)*len(recs)/bursts
		rs := make([]*kgo.Record, 0, hi-lo)
		for _, v := range recs[lo:hi] {
			rs = append(rs, &kgo.Record{Value: v})
		}
		if err := cl.ProduceSync(context.Background(), rs...).FirstErr(); err != nil {
			t.Errorf("produce: %v", err)
			return
		}
		sent.Add(int64(len(rs)))
		time.Sleep(d / bursts)
	}
}

// TestKafkaKillLoop kills `lakegate ingest kafka --follow` with SIGKILL at
// random times while producers send, five times or more, then lets a run
// read to the end: every record is landed exactly once, and every file a
// Hive reader would read is one the catalog committed.
func TestKafkaKillLoop(t *testing.T) {
	brokers, topic := kafkatest.Topic(t, 3)
	bin := buildLakegate(t)
	dir := t.TempDir()
	file, lake := filepath.Join(dir, "a.json"), filepath.Join(dir, "lake")
	mustRun(t, "generate", "assessments", "--attempts", "30000", "--seed", "11", "-o", file)
	seen := map[string]bool{}
	addRecords(t, file, seen)
	var sent atomic.Int64
	done := make(chan struct{})
	go producer(t, brokers, topic, file, 12*time.Second, &sent, done)
	follow := []string{"ingest", "kafka", "--follow", "--trigger", "500ms", "--brokers", brokers, "--topic", topic, "--lake", lake}
	kills := 0
	for kills < 5 {
		cmd := exec.Command(bin, follow...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(500+rand.IntN(2500)) * time.Millisecond)
		if err := cmd.Process.Kill(); err == nil {
			kills++
		}
		cmd.Wait()
	}
	<-done
	if out, err := exec.Command(bin, "ingest", "kafka", "--brokers", brokers, "--topic", topic, "--lake", lake).CombinedOutput(); err != nil {
		t.Fatalf("the run after the kills: %v\n%s", err, out)
	}
	exactlyOnce(t, lake, len(seen), true)
	if n := sent.Load(); n != 30000 {
		t.Errorf("sent %d records, want 30000", n)
	}
	root, _ := landing.NewLocal(filepath.Join(lake, "lake"))
	checkVisible(t, root, filepath.Join(lake, "_catalog"), "assessments")
}

// exactlyOnce checks that no message landed twice (one raw or rejects
// row per partition and offset at most) and that all want distinct
// attempts landed; with dedup (one process at a time, as file ingest) each
// distinct attempt lands once, else (a consumer group: two processes may
// land the two copies of a duplicated record) at least once.
func exactlyOnce(t *testing.T, lake string, want int, dedup bool) {
	t.Helper()
	got := mustRun(t, "query", "--lake", lake, "--format", "csv",
		"SELECT count(DISTINCT record_hash) AS d, count(*) = count(DISTINCT record_hash) AS once FROM assessments.attempts")
	w := fmt.Sprintf("d,once\n%d,true\n", want)
	if !dedup {
		w = fmt.Sprintf("d,once\n%d,", want)
	}
	if !strings.HasPrefix(got, w) {
		t.Errorf("attempts: %q, want %q", got, w)
	}
	dup := mustRun(t, "query", "--lake", lake, "--format", "csv",
		"SELECT count(*) AS n FROM (SELECT source_file, source_offset FROM (SELECT source_file, source_offset FROM assessments.raw UNION ALL SELECT source_file, source_offset FROM assessments.rejects) GROUP BY ALL HAVING count(*) > 1)")
	if dup != "n\n0\n" {
		t.Errorf("messages landed twice: %q", dup)
	}
}

// TestKafkaRebalance: two processes of one consumer group share a topic's
// partitions while a producer sends; the second joins mid-stream and the
// first is stopped mid-stream (two rebalances). Every record lands once.
func TestKafkaRebalance(t *testing.T) {
	brokers, topic := kafkatest.Topic(t, 4)
	bin := buildLakegate(t)
	dir := t.TempDir()
	file, lake := filepath.Join(dir, "a.json"), filepath.Join(dir, "lake")
	mustRun(t, "generate", "assessments", "--attempts", "20000", "--seed", "13", "-o", file)
	seen := map[string]bool{}
	addRecords(t, file, seen)
	var sent atomic.Int64
	done := make(chan struct{})
	go producer(t, brokers, topic, file, 10*time.Second, &sent, done)
	follow := []string{"ingest", "kafka", "--follow", "--trigger", "500ms", "--group", "g-" + topic, "--brokers", brokers, "--topic", topic, "--lake", lake}
	a, b := exec.Command(bin, follow...), exec.Command(bin, follow...)
	var aLog, bLog strings.Builder
	a.Stderr, b.Stderr = &aLog, &bLog
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second)
	a.Process.Signal(os.Interrupt)
	a.Wait()
	<-done
	t.Cleanup(func() {
		if t.Failed() {
			b.Process.Kill()
			t.Logf("A:\n%s\nB:\n%s", aLog.String(), bLog.String())
		}
	})
	waitLanded(t, bin, lake, topic, sent.Load())
	b.Process.Signal(os.Interrupt)
	b.Wait()
	exactlyOnce(t, lake, len(seen), false)
	if !strings.Contains(aLog.String(), "batch ") || !strings.Contains(bLog.String(), "batch ") {
		t.Errorf("both consumers should have landed batches:\nA:\n%s\nB:\n%s", aLog.String(), bLog.String())
	}
}

// waitLanded waits until the catalog's offsets of the topic sum to n
// (its partitions start at 0).
func waitLanded(t *testing.T, bin, lake, topic string, n int64) {
	t.Helper()
	want := fmt.Sprintf("next offsets sum to %d)", n)
	deadline := time.Now().Add(60 * time.Second)
	var out []byte
	for time.Now().Before(deadline) {
		out, _ = exec.Command(bin, "catalog", "offsets", "kafka:"+topic, "--lake", lake).Output()
		if strings.Contains(string(out), want) {
			return
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("%d messages of %s did not land within a minute:\n%s", n, topic, out)
}

// TestKafkaPoisonMessages: messages that are not JSON, have the wrong
// shape or are too large go to rejects with their partition, offset and
// reason; the good ones around them land.
func TestKafkaPoisonMessages(t *testing.T) {
	brokers, topic := kafkatest.Topic(t, 1)
	dir := t.TempDir()
	file, lake := filepath.Join(dir, "a.json"), filepath.Join(dir, "lake")
	mustRun(t, "generate", "assessments", "--attempts", "20", "--seed", "3", "-o", file)
	good := map[string]bool{}
	addRecords(t, file, good)
	var lines []string
	for r := range good {
		lines = append(lines, r)
	}
	big := `{"keen_id":"` + strings.Repeat("x", 30000) + `"}`
	msgs := []string{lines[0], "this is not json", `[1,2,3]`, lines[1], big, `{"keen_id": 12, "broken": }`, lines[2]}
	in := filepath.Join(dir, "msgs.txt")
	os.WriteFile(in, []byte(strings.Join(msgs, "\n")+"\n"), 0o644)
	if out, err := exec.Command("kcat", "-P", "-b", brokers, "-t", topic, "-p", "0", "-l", in).CombinedOutput(); err != nil {
		t.Fatalf("kcat: %v\n%s", err, out)
	}
	out := mustRun(t, "ingest", "kafka", "--brokers", brokers, "--topic", topic, "--max-message-bytes", "20000", "--lake", lake)
	wantOut(t, "ingest kafka", out, "read        7 records", "landed      3 (", "rejected    4")
	rej := mustRun(t, "query", "--lake", lake, "--format", "csv",
		"SELECT source_file, source_offset, reason FROM assessments.rejects ORDER BY source_offset")
	for _, want := range []string{"kafka:" + topic + "/0,1,", "kafka:" + topic + "/0,2,", "kafka:" + topic + "/0,4," + fmt.Sprintf("message of %d bytes is larger than the 20000-byte limit", len(big)), "kafka:" + topic + "/0,5,malformed JSON"} {
		wantOut(t, "rejects", rej, want)
	}
}

// TestKafkaEvents: mixed event types land in one table each; half-way the
// events gain a field (a new nullable column) and one sends a string where
// a number was (rejected with the reason); a type that is not an
// identifier is mapped and reported.
func TestKafkaEvents(t *testing.T) {
	brokers, topic := kafkatest.Topic(t, 2)
	dir := t.TempDir()
	lake := filepath.Join(dir, "lake")
	first := []string{
		`{"event_type":"purchase_sword","Host":"user1.comcast.com","User-Agent":"ApacheBench/2.3","sword_type":"sharp","price":10}`,
		`{"event_type":"join_guild","Host":"user2.att.com","User-Agent":"curl/8.0","guild":"red"}`,
		`{"event_type":"purchase_sword","Host":"user2.att.com","User-Agent":"curl/8.0","sword_type":"dull","price":7}`,
		`{"event_type":"Buy Potion!","potion":"blue"}`,
		`{"no_type":true}`,
	}
	second := []string{
		`{"event_type":"purchase_sword","Host":"user3.att.com","User-Agent":"curl/8.0","sword_type":"long","price":12,"color":"gold"}`,
		`{"event_type":"purchase_sword","Host":"user3.att.com","User-Agent":"curl/8.0","sword_type":"odd","price":"free"}`,
		`{"event_type":"join_guild","Host":"user4.att.com","User-Agent":"curl/8.0","guild":"blue","rank":3}`,
	}
	publish := func(lines []string) {
		in := filepath.Join(dir, "events.ndjson")
		os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
		if out, err := exec.Command("kcat", "-P", "-b", brokers, "-t", topic, "-l", in).CombinedOutput(); err != nil {
			t.Fatalf("kcat: %v\n%s", err, out)
		}
	}
	ingest := []string{"ingest", "kafka", "--format", "events", "--brokers", brokers, "--topic", topic, "--lake", lake}
	publish(first)
	out := mustRun(t, ingest...)
	wantOut(t, "first ingest", out, "read        5 records", "rejected    1", `event_type "Buy Potion!" lands in events.buy_potion`)
	publish(second)
	out = mustRun(t, ingest...)
	wantOut(t, "second ingest", out, "read        3 records", "rejected    1")
	q := func(sql string) string { return mustRun(t, "query", "--lake", lake, "--format", "csv", sql) }
	if got, want := q("SELECT host, user_agent, sword_type, price, color FROM events.purchase_sword ORDER BY price"),
		"host,user_agent,sword_type,price,color\nuser2.att.com,curl/8.0,dull,7,\nuser1.comcast.com,ApacheBench/2.3,sharp,10,\nuser3.att.com,curl/8.0,long,12,gold\n"; got != want {
		t.Errorf("events.purchase_sword:\n%s\nwant\n%s", got, want)
	}
	if got := q("SELECT guild, rank FROM events.join_guild ORDER BY guild"); got != "guild,rank\nblue,3\nred,\n" {
		t.Errorf("events.join_guild: %q", got)
	}
	if got := q("SELECT potion FROM events.buy_potion"); got != "potion\nblue\n" {
		t.Errorf("events.buy_potion: %q", got)
	}
	rej := q("SELECT reason FROM events.rejects ORDER BY source_offset, reason")
	wantOut(t, "events.rejects", rej, `needs a non-empty string field ""event_type""`,
		`field ""price"" is BIGINT in events.purchase_sword, but this event's value ""free"" is a string`)
	if got := q("SELECT count(*) AS n FROM events.purchase_sword WHERE source_file LIKE 'kafka:%'"); got != "n\n3\n" {
		t.Errorf("lineage: %q", got)
	}
}
