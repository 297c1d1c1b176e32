package lakegate

import "context"

// StreamOffset is how far landed data reached in one partition of a
// stream (a Kafka topic, the event collector's local log). Next is the
// offset of the first message not yet landed.
//
// A commit that carries offsets advances each partition from From to
// Next only if the catalog holds From as that partition's Next (or holds
// nothing for it yet): two ingest processes that read the same messages
// cannot both land them, whichever commits second gets ECONFLICT and
// nothing of its change lands.
type StreamOffset struct {
	Stream    string `json:"stream"` // e.g. "kafka:assessments", "log:events"
	Partition int32  `json:"partition"`
	From      int64  `json:"from"` // first offset of the batch that landed last
	Next      int64  `json:"next"` // one past the last offset landed
}

// EventLog takes collected web events durably: Append returns only once
// every event is durable (acknowledged by Kafka with acks=all, or written
// and fsynced to the local log), so a 202 never loses one.
//
// Append returns EBUSY when too much waits to be made durable (retry
// after a pause), EUNAVAILABLE when the broker or disk cannot take it,
// ECANCELED/ETIMEOUT when ctx ends first (the events may still land).
type EventLog interface {
	Append(ctx context.Context, events [][]byte) error
	Close() error
}
