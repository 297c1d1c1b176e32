package ingest

import "context"

// Message is one record of a stream: where it is and its bytes.
type Message struct {
	Partition int32
	Offset    int64
	Value     []byte
}

// Source is a partitioned, replayable stream that the micro-batcher lands
// exactly once: a Kafka topic (KafkaSource) or the event collector's local
// log. Offsets live in the catalog, committed with the data; a source
// starts each partition it owns from the catalog's Next (asking
// Positions), never from its own bookkeeping.
type Source interface {
	// Stream names the stream in the catalog's offsets, e.g. "kafka:events".
	Stream() string
	// Poll returns the next messages in offset order within a partition:
	// at least one and at most maxRecords or about maxBytes. It waits
	// until one arrives or ctx ends (then ctx's error). io.EOF says a
	// bounded source (not following) has delivered everything it will.
	Poll(ctx context.Context, maxRecords int, maxBytes int64) ([]Message, error)
	// Done ends the batch begun by the first Poll after the last Done.
	// landed: the batch committed; the source may acknowledge it (Kafka
	// commits its group's offsets, for monitoring only; the log removes
	// landed segments). Not landed: the source forgets what it delivered
	// and restarts each partition from Positions. Either way a rebalance
	// held off during the batch may now happen.
	Done(ctx context.Context, landed bool) error
	Close() error
}

// Positions reads the catalog's Next for each partition of a stream that
// has landed anything; a source asks it whenever it takes on partitions.
type Positions func(ctx context.Context) (map[int32]int64, error)
