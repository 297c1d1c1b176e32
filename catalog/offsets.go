package catalog

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/lakegate/lakegate"
)

// streamPart keys a stream's partition.
type streamPart struct {
	stream    string
	partition int32
}

// streamRE: a stream is a printable name such as "kafka:assessments" or
// "log:events" (Kafka topics are [a-zA-Z0-9._-], up to 249 bytes).
var streamRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]{0,299}$`)

// checkStream validates a stream's name.
func checkStream(where, stream string) error {
	if !streamRE.MatchString(stream) {
		return lakegate.Errorf(lakegate.EINVALID,
			"%s: stream name %q is not valid: use 1 to 300 letters, digits and . _ : / -, starting with a letter or digit (e.g. kafka:assessments)",
			where, stream)
	}
	return nil
}

// prepareOffsets validates a change's offsets against the landed ones:
// each partition advances from where the catalog says it landed to, so of
// two ingests that read the same messages only the first commits.
func (s *State) prepareOffsets(in []lakegate.StreamOffset) ([]lakegate.StreamOffset, error) {
	seen := map[streamPart]bool{}
	for i, o := range in {
		where := fmt.Sprintf("change.offsets[%d]", i)
		k := streamPart{o.Stream, o.Partition}
		if err := checkStream(where, o.Stream); err != nil {
			return nil, err
		}
		switch {
		case o.Partition < 0:
			return nil, lakegate.Errorf(lakegate.EINVALID, "%s: stream %q partition %d is negative: partitions count from 0", where, o.Stream, o.Partition)
		case o.From < 0 || o.Next < o.From:
			return nil, lakegate.Errorf(lakegate.EINVALID,
				"%s: stream %q partition %d: offsets from %d to %d are not a range: want 0 <= from <= next", where, o.Stream, o.Partition, o.From, o.Next)
		case seen[k]:
			return nil, lakegate.Errorf(lakegate.EINVALID, "%s: stream %q partition %d is listed twice in the change", where, o.Stream, o.Partition)
		}
		seen[k] = true
		if cur, ok := s.offsets[k]; ok && cur.Next != o.From {
			return nil, lakegate.Errorf(lakegate.ECONFLICT,
				"stream %q partition %d has landed up to offset %d, but this batch starts at %d: another ingest landed these messages; nothing of this batch was committed",
				o.Stream, o.Partition, cur.Next, o.From)
		}
	}
	return cloneSlice(in), nil
}

// Offsets returns the stream's landed positions by partition (empty, not
// nil, when none).
func (s *State) Offsets(stream string) []lakegate.StreamOffset {
	out := []lakegate.StreamOffset{}
	for k, o := range s.offsets {
		if k.stream == stream {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Partition < out[j].Partition })
	return out
}

// LoadOffset puts a stored stream position into the state (a store that
// loads part of its catalog loads the positions a change advances).
func (s *State) LoadOffset(o lakegate.StreamOffset) {
	s.offsets[streamPart{o.Stream, o.Partition}] = o
}
