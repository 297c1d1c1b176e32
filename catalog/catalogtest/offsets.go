package catalogtest

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"github.com/lakegate/lakegate"
)

func offs(stream string, p int32, from, next int64) lakegate.StreamOffset {
	return lakegate.StreamOffset{Stream: stream, Partition: p, From: from, Next: next}
}

func wantOffsets(t *testing.T, c lakegate.Catalog, stream string, want ...lakegate.StreamOffset) {
	t.Helper()
	got, err := c.Offsets(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	if want == nil {
		want = []lakegate.StreamOffset{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("offsets of %s: %+v, want %+v", stream, got, want)
	}
}

// testOffsets: a stream's positions advance only from where they are, with
// the files of the same change; a stale batch lands nothing.
func testOffsets(t *testing.T, c lakegate.Catalog) {
	ctx := context.Background()
	wantOffsets(t, c, "kafka:t")
	first := AddFiles("db", "a", day, "db/a/1.parquet")
	first.Offsets = []lakegate.StreamOffset{offs("kafka:t", 0, 5, 10), offs("kafka:t", 1, 0, 3)}
	MustCommit(t, c, first)
	wantOffsets(t, c, "kafka:t", offs("kafka:t", 0, 5, 10), offs("kafka:t", 1, 0, 3))
	wantOffsets(t, c, "kafka:other")

	before := Snap(t, c)
	stale := AddFiles("db", "a", day, "db/a/2.parquet")
	stale.Batches = []lakegate.Batch{{ID: "stale", Checksum: "sha-stale"}}
	stale.Offsets = []lakegate.StreamOffset{offs("kafka:t", 0, 10, 20), offs("kafka:t", 1, 2, 8)}
	_, err := c.Commit(ctx, stale)
	WantError(t, err, lakegate.ECONFLICT, `stream "kafka:t" partition 1 has landed up to offset 3, but this batch starts at 2: `+
		"another ingest landed these messages; nothing of this batch was committed")
	SameSnap(t, Snap(t, c), before)
	if got, _ := c.Batches(ctx, "sha-stale"); len(got) != 0 {
		t.Fatalf("batch of a stale change landed: %+v", got)
	}
	wantOffsets(t, c, "kafka:t", offs("kafka:t", 0, 5, 10), offs("kafka:t", 1, 0, 3))

	stale.Offsets[1] = offs("kafka:t", 1, 3, 8)
	MustCommit(t, c, stale)
	wantOffsets(t, c, "kafka:t", offs("kafka:t", 0, 10, 20), offs("kafka:t", 1, 3, 8))
	// Offsets alone make a change (a batch of rejects-free nothing).
	MustCommit(t, c, lakegate.Change{Offsets: []lakegate.StreamOffset{offs("kafka:t", 0, 20, 20)}})
	wantOffsets(t, c, "kafka:t", offs("kafka:t", 0, 20, 20), offs("kafka:t", 1, 3, 8))
}

func testOffsetsInvalid(t *testing.T, c lakegate.Catalog) {
	for _, tt := range []struct {
		o    []lakegate.StreamOffset
		want string
	}{
		{[]lakegate.StreamOffset{offs("", 0, 0, 1)}, "stream name"},
		{[]lakegate.StreamOffset{offs("bad name", 0, 0, 1)}, "stream name"},
		{[]lakegate.StreamOffset{offs("s", -1, 0, 1)}, "partition -1 is negative"},
		{[]lakegate.StreamOffset{offs("s", 0, -1, 1)}, "not a range"},
		{[]lakegate.StreamOffset{offs("s", 0, 5, 4)}, "not a range"},
		{[]lakegate.StreamOffset{offs("s", 0, 0, 1), offs("s", 0, 1, 2)}, "listed twice"},
	} {
		_, err := c.Commit(context.Background(), lakegate.Change{Offsets: tt.o})
		WantError(t, err, lakegate.EINVALID, tt.want)
	}
}

// testOffsetsRace: two handles (two gateways) commit from the same
// position at once; exactly one wins, only the winner's file lands, and a
// handle opened afterwards (the embedded store replays its log: a reopen)
// sees the winner's offsets.
func testOffsetsRace(t *testing.T, c lakegate.Catalog, another func(t *testing.T) lakegate.Catalog) {
	d := another(t)
	MustCommit(t, c, lakegate.Change{Offsets: []lakegate.StreamOffset{offs("log:e", 0, 0, 10)}})
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, h := range []lakegate.Catalog{c, d} {
		wg.Go(func() {
			ch := AddFiles("db", "a", day, []string{"db/a/x.parquet", "db/a/y.parquet"}[i])
			ch.Offsets = []lakegate.StreamOffset{offs("log:e", 0, 10, int64(20+i))}
			_, errs[i] = h.Commit(context.Background(), ch)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else if lakegate.ErrorCode(err) != lakegate.ECONFLICT {
			t.Fatalf("the loser: %v, want ECONFLICT", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d commits from one position won: %v", won, errs)
	}
	winner := 0
	if errs[0] != nil {
		winner = 1
	}
	later := another(t)
	wantOffsets(t, later, "log:e", offs("log:e", 0, 10, int64(20+winner)))
	parts, err := later.Partitions(context.Background(), "db", "a")
	if err != nil || len(parts) != 1 || len(parts[0].Files) != 1 ||
		parts[0].Files[0].Path != []string{"db/a/x.parquet", "db/a/y.parquet"}[winner] {
		t.Fatalf("files after the race (winner %d): %+v, %v", winner, parts, err)
	}
}
