package main

import (
	"bufio"
	"bytes"
	"context"
	stdjson "encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	json "github.com/goccy/go-json"
	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/config"
)

// publishCmd is `lakegate publish`: kcat -P for people without kcat.
func (a *app) publishCmd() *cobra.Command {
	var brokers, topic string
	cmd := &cobra.Command{Use: "publish --brokers HOST:PORT --topic TOPIC FILE...",
		Short: "publish a JSON array or NDJSON file to a Kafka topic, one message per record (acks=all)",
		Long: `Publishes every record of each file (a JSON array, or NDJSON; - reads standard
input) as one compact JSON message without a key, with an idempotent producer
waiting for every in-sync replica (acks=all), and prints what it sent. Unlike
kcat, which sends lines as they are, every file is read and checked first: a
record that is not JSON is named (file and record) and nothing is sent. The
files are held in memory until sent.`,
		Args: a.args(1, -1)}
	cmd.Flags().StringVar(&brokers, "brokers", "", "Kafka bootstrap brokers, comma-separated (default: the kafka_brokers setting, LAKEGATE_KAFKA_BROKERS)")
	cmd.Flags().StringVar(&topic, "topic", "", "the topic (required)")
	cl := config.Bind(cmd.Flags())
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		cfg, err := a.load(cl)
		if err != nil {
			return err
		}
		if brokers == "" {
			brokers = cfg.KafkaBrokers
		}
		if strings.TrimSpace(brokers) == "" || topic == "" {
			return a.usageError(cmd, "publish needs --brokers (or the kafka_brokers setting) and --topic")
		}
		return a.publish(cmd.Context(), strings.Split(brokers, ","), topic, args)
	}
	return cmd
}

func (a *app) publish(ctx context.Context, brokers []string, topic string, files []string) error {
	type file struct {
		name string
		recs [][]byte
		size int64
	}
	var all []file
	for _, f := range files { // all checked before anything is sent
		recs, size, err := a.readRecords(f)
		if err != nil {
			return err
		}
		all = append(all, file{fileName(f), recs, size})
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(topic),
		kgo.RequiredAcks(kgo.AllISRAcks()), // idempotent (the default) with acks=all
		kgo.RecordDeliveryTimeout(30*time.Second))
	if err != nil {
		return lakegate.Wrap(lakegate.EINVALID, err, "Kafka producer for %s", strings.Join(brokers, ","))
	}
	defer cl.Close()
	for _, f := range all {
		start := time.Now()
		if sent, err := produceAll(ctx, cl, f.recs); err != nil {
			return publishError(err, f.name, topic, brokers, sent, len(f.recs))
		}
		took := time.Since(start)
		fmt.Fprintf(a.stdout, "%s: %d messages, %s to %s in %s (%.0f messages/s)\n", f.name, len(f.recs), lakegate.FormatBytes(f.size),
			topic, took.Round(time.Millisecond), float64(len(f.recs))/max(took.Seconds(), 1e-9))
	}
	return nil
}

// publishError says what was sent of a file when Kafka failed, and why
// (this is the CLI: the cause helps, unlike in a server's answer).
func publishError(err error, name, topic string, brokers []string, sent, all int) error {
	what := "none of its messages was acknowledged"
	if sent > 0 {
		what = fmt.Sprintf("%d of its %d messages were acknowledged (publishing the file again sends those twice)", sent, all)
	}
	return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "publishing %s to %s on %s: %s: %v", name, topic, strings.Join(brokers, ","), what, err)
}

func fileName(f string) string {
	if f == "-" {
		return "standard input"
	}
	return f
}

// produceAll sends the records and waits for every acknowledgement; it
// says how many were acknowledged when one was not.
func produceAll(ctx context.Context, cl *kgo.Client, recs [][]byte) (int, error) {
	const chunk = 10000
	sent := 0
	for i := 0; i < len(recs); i += chunk {
		batch := make([]*kgo.Record, 0, chunk)
		for _, v := range recs[i:min(i+chunk, len(recs))] {
			batch = append(batch, &kgo.Record{Value: v})
		}
		res := cl.ProduceSync(ctx, batch...)
		for _, r := range res {
			if r.Err == nil {
				sent++
			}
		}
		if err := res.FirstErr(); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// readRecords reads a JSON array or NDJSON file into compact records
// (the whole file: publish is a tool for files that fit in memory).
func (a *app) readRecords(name string) ([][]byte, int64, error) {
	var data []byte
	var err error
	if name == "-" {
		in := a.stdin
		if in == nil {
			in = os.Stdin
		}
		data, err = io.ReadAll(in)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, 0, lakegate.Wrap(lakegate.ENOTFOUND, err, "read %s", fileName(name))
	}
	var raws []json.RawMessage
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '[' {
		if err := json.Unmarshal(t, &raws); err != nil {
			return nil, 0, lakegate.Errorf(lakegate.EINVALID, "%s: %s; nothing was sent (a file is a JSON array or one record per line)", fileName(name), arrayError(t))
		}
	} else if raws, err = ndjsonRecords(name, data); err != nil {
		return nil, 0, err
	}
	out := make([][]byte, len(raws))
	var size int64
	for i, r := range raws {
		var buf bytes.Buffer
		json.Compact(&buf, r)
		out[i] = buf.Bytes()
		size += int64(buf.Len())
	}
	return out, size, nil
}

// arrayError says where a JSON array that does not parse goes wrong: the
// record (numbered from 1) or its end. It reads with the standard
// library's decoder, one record at a time, only once the fast parse failed.
func arrayError(data []byte) string {
	dec := stdjson.NewDecoder(bytes.NewReader(data))
	dec.Token() // the '[' seen
	n := 0
	for dec.More() {
		n++
		var r stdjson.RawMessage
		if err := dec.Decode(&r); err != nil {
			return fmt.Sprintf("record %d of the JSON array is not JSON (%v)", n, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Sprintf("the JSON array is not closed after record %d (%v)", n, err)
	}
	return fmt.Sprintf("text follows the JSON array's end (after record %d)", n)
}

// ndjsonRecords splits NDJSON; a line that is not JSON refuses the file.
func ndjsonRecords(name string, data []byte) ([]json.RawMessage, error) {
	var out []json.RawMessage
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if !json.Valid(line) {
			return nil, lakegate.Errorf(lakegate.EINVALID, "%s: line %d (record %d) is not JSON; nothing was sent (a file is a JSON array or one record per line)", fileName(name), n, len(out)+1)
		}
		out = append(out, json.RawMessage(line))
	}
	return out, sc.Err()
}
