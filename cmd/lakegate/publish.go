package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	json "github.com/goccy/go-json"
	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/lakegate/lakegate"
)

// publishCmd is `lakegate publish`: kcat -P for people without kcat.
func (a *app) publishCmd() *cobra.Command {
	var brokers, topic string
	cmd := &cobra.Command{Use: "publish --brokers HOST:PORT --topic TOPIC FILE...",
		Short: "publish a JSON array or NDJSON file to a Kafka topic, one message per record (acks=all)",
		Long: `Publishes every record of each file (a JSON array, or NDJSON; - reads standard
input) as one compact JSON message, with an idempotent producer waiting for
every in-sync replica (acks=all). A file with a record that is not JSON is
refused whole, naming the record, before anything of it is sent.`,
		Args: a.args(1, -1)}
	cmd.Flags().StringVar(&brokers, "brokers", "", "Kafka bootstrap brokers, comma-separated (default: the kafka_brokers setting, LAKEGATE_KAFKA_BROKERS)")
	cmd.Flags().StringVar(&topic, "topic", "", "the topic (required)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if brokers == "" {
			brokers = os.Getenv("LAKEGATE_KAFKA_BROKERS")
		}
		if brokers == "" || topic == "" {
			return a.usageError(cmd, "publish needs --brokers and --topic")
		}
		return a.publish(cmd.Context(), strings.Split(brokers, ","), topic, args)
	}
	return cmd
}

func (a *app) publish(ctx context.Context, brokers []string, topic string, files []string) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(topic),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.RecordDeliveryTimeout(30*time.Second))
	if err != nil {
		return lakegate.Wrap(lakegate.EINVALID, err, "Kafka producer for %s", strings.Join(brokers, ","))
	}
	defer cl.Close()
	for _, f := range files {
		start := time.Now()
		recs, size, err := readRecords(f)
		if err != nil {
			return err
		}
		if err := produceAll(ctx, cl, recs); err != nil {
			return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "publishing %s to %s on %s", f, topic, strings.Join(brokers, ","))
		}
		fmt.Fprintf(a.stdout, "%s: %d messages, %s to %s in %s\n", f, len(recs), lakegate.FormatBytes(size), topic, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// produceAll sends the records and waits for every acknowledgement.
func produceAll(ctx context.Context, cl *kgo.Client, recs [][]byte) error {
	const chunk = 10000
	for i := 0; i < len(recs); i += chunk {
		batch := make([]*kgo.Record, 0, chunk)
		for _, v := range recs[i:min(i+chunk, len(recs))] {
			batch = append(batch, &kgo.Record{Value: v})
		}
		if err := cl.ProduceSync(ctx, batch...).FirstErr(); err != nil {
			return err
		}
	}
	return nil
}

// readRecords reads a JSON array or NDJSON file into compact records
// (the whole file: publish is a tool for files that fit in memory).
func readRecords(name string) ([][]byte, int64, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, 0, lakegate.Wrap(lakegate.ENOTFOUND, err, "read %s", name)
	}
	var raws []json.RawMessage
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '[' {
		if err := json.Unmarshal(t, &raws); err != nil {
			return nil, 0, lakegate.Errorf(lakegate.EINVALID, "%s: not a JSON array (%v); nothing of this file was sent", name, err)
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
			return nil, lakegate.Errorf(lakegate.EINVALID, "%s: line %d is not JSON; nothing of this file was sent (a JSON array or one record per line)", name, n)
		}
		out = append(out, json.RawMessage(line))
	}
	return out, sc.Err()
}
