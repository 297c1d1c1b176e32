package ingest

import (
	"context"

	"github.com/lakegate/lakegate"
)

// EventsDatabase is the catalog database web events land in, one table
// per event type.
const EventsDatabase = "events"

// landEvents lands a micro-batch of web events (events.go replaces this).
func (s *streamer) landEvents(ctx context.Context, msgs []Message, offs []lakegate.StreamOffset) (fileSummary, error) {
	return fileSummary{}, lakegate.Errorf(lakegate.EINVALID, "stream format %q cannot land yet", FormatEvents)
}
