package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/config"
	"github.com/lakegate/lakegate/ingest"
)

// kafkaFlags are `lakegate ingest kafka`'s own flags.
type kafkaFlags struct {
	brokers, topic, group, format string
	follow                        bool
	trigger                       time.Duration
	maxRecords                    int
	maxBytes                      int64
	maxMessageBytes               int
}

func (a *app) ingestKafkaCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "kafka --brokers HOST:PORT --topic TOPIC",
		Short: "land a Kafka topic's messages exactly once: to the end offsets and exit, or --follow in micro-batches",
		Long: `Lands a topic's messages in micro-batches. Each micro-batch's Parquet files,
catalog partitions and consumed offsets commit in one catalog change, and a
restart resumes from the catalog's offsets: nothing is landed twice or lost,
even after kill -9. Without --follow it reads to the end offsets seen at start
and exits with a summary; with --follow it lands a micro-batch every --trigger
(or earlier at --max-records / --max-bytes) until SIGTERM or Ctrl-C, which
land what was read and exit.

--format assessments: nested assessment attempts, the same tables as
"lakegate ingest assessments". --format events: web events, one table
events.<event_type> per type. Messages that are not records (not JSON, wrong
shape, too large) land in the rejects table with topic, partition, offset and
why; the stream goes on.`,
		Args: a.args(0, 0)}
	var f kafkaFlags
	fl := cmd.Flags()
	fl.StringVar(&f.brokers, "brokers", "", "Kafka bootstrap brokers, comma-separated (default: the kafka_brokers setting)")
	fl.StringVar(&f.topic, "topic", "", "the topic to land (required)")
	fl.StringVar(&f.group, "group", "", "consumer group: processes in one group share the partitions (default: read every partition)")
	fl.StringVar(&f.format, "format", ingest.FormatAssessments, "what the messages are: assessments or events")
	fl.BoolVar(&f.follow, "follow", false, "keep landing new messages until stopped")
	fl.DurationVar(&f.trigger, "trigger", 10*time.Second, "with --follow: one micro-batch per this period")
	fl.IntVar(&f.maxRecords, "max-records", 200_000, "a micro-batch lands early at this many messages")
	fl.Int64Var(&f.maxBytes, "max-bytes", 64<<20, "a micro-batch lands early at this many bytes")
	fl.IntVar(&f.maxMessageBytes, "max-message-bytes", 1<<20, "a bigger message is rejected")
	cl := config.Bind(fl, ingestKeys...)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		s, err := a.open(cl)
		if err != nil {
			return err
		}
		defer s.Close()
		sum, err := a.ingestKafka(cmd.Context(), s, f)
		fmt.Fprintln(a.stdout, sum.String())
		return err
	}
	return cmd
}

// ingestKafka opens the topic and streams it into the stack's lake.
func (a *app) ingestKafka(ctx context.Context, s *stack, f kafkaFlags) (ingest.Summary, error) {
	brokers := f.brokers
	if brokers == "" {
		brokers = s.cfg.KafkaBrokers
	}
	if brokers == "" || f.topic == "" {
		return ingest.Summary{}, lakegate.Errorf(lakegate.EINVALID, "ingest kafka needs --brokers (or the kafka_brokers setting) and --topic")
	}
	stream := "kafka:" + f.topic
	src, err := ingest.OpenKafka(ctx, ingest.KafkaOptions{
		Brokers: strings.Split(brokers, ","), Topic: f.topic, Group: f.group, Follow: f.follow,
		Positions: positions(s.catalog, stream), Logger: s.log,
	})
	if err != nil {
		return ingest.Summary{}, err
	}
	defer src.Close()
	return ingest.Stream(ctx, ingest.StreamOptions{
		Options: ingest.Options{Store: s.store, Catalog: s.catalog, Logger: s.log, ClusterBy: s.cfg.ClusterAttemptsBy},
		Source:  src, Format: f.format, Follow: f.follow, Trigger: f.trigger,
		MaxRecords: f.maxRecords, MaxBytes: f.maxBytes, MaxMessageBytes: f.maxMessageBytes,
		OnBatch: func(mb ingest.MicroBatch) { fmt.Fprintln(a.stderr, batchLine(mb)) },
	})
}

// positions reads a stream's landed offsets from the catalog.
func positions(cat lakegate.Catalog, stream string) ingest.Positions {
	return func(ctx context.Context) (map[int32]int64, error) {
		offs, err := cat.Offsets(ctx, stream)
		if err != nil {
			return nil, err
		}
		out := make(map[int32]int64, len(offs))
		for _, o := range offs {
			out[o.Partition] = o.Next
		}
		return out, nil
	}
}

// batchLine reports a landed micro-batch on one line, with the offsets it
// consumed (partition:from-next), which bench/kafka reads.
func batchLine(mb ingest.MicroBatch) string {
	var offs []string
	for _, o := range mb.Offsets {
		offs = append(offs, fmt.Sprintf("%d:%d-%d", o.Partition, o.From, o.Next))
	}
	return fmt.Sprintf("batch %s: %d read, %d landed, %d rejected in %s; offsets %s",
		mb.ID, mb.Read, mb.Landed, mb.Rejected, mb.Elapsed.Round(time.Millisecond), strings.Join(offs, " "))
}
