package catalog_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	ct "github.com/lakegate/lakegate/catalog/catalogtest"
)

func offsetsOf(t *testing.T, c lakegate.Catalog, stream string) []lakegate.StreamOffset {
	t.Helper()
	got, err := c.Offsets(context.Background(), stream)
	if err != nil {
		t.Fatalf("offsets of %s: %v", stream, err)
	}
	return got
}

func commitOffsets(c lakegate.Catalog, offs ...lakegate.StreamOffset) error {
	_, err := c.Commit(context.Background(), lakegate.Change{Offsets: offs})
	return err
}

// Offsets live in the commit log: a reopened catalog replays them, and
// still refuses a batch from a stale position.
func TestOffsetsSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	c, err := catalog.OpenEmbedded(dir)
	if err != nil {
		t.Fatal(err)
	}
	landed := []lakegate.StreamOffset{{Stream: "kafka:t", Partition: 0, From: 0, Next: 10}, {Stream: "kafka:t", Partition: 2, From: 4, Next: 9}}
	if err := commitOffsets(c, landed...); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c = open(t, dir)
	if got := offsetsOf(t, c, "kafka:t"); !reflect.DeepEqual(got, landed) {
		t.Fatalf("after reopen: %+v, want %+v", got, landed)
	}
	err = commitOffsets(c, lakegate.StreamOffset{Stream: "kafka:t", Partition: 2, From: 4, Next: 12})
	ct.WantError(t, err, lakegate.ECONFLICT, `stream "kafka:t" partition 2 has landed up to offset 9, but this batch starts at 4`)
	if err := commitOffsets(c, lakegate.StreamOffset{Stream: "kafka:t", Partition: 2, From: 9, Next: 12}); err != nil {
		t.Fatal(err)
	}
}

// A tenant's streams are stored as "<tenant>:<stream>", shown under their
// own names, and apart from every other tenant's stream of the same name.
func TestTenantOffsets(t *testing.T) {
	ctx := context.Background()
	shared := open(t, t.TempDir())
	acme, _ := catalog.ForTenant(shared, "acme")
	beta, _ := catalog.ForTenant(shared, "beta")
	kafka, _ := catalog.ForTenant(shared, "kafka") // a tenant named like a stream's scheme
	o := func(from, next int64) lakegate.StreamOffset {
		return lakegate.StreamOffset{Stream: "kafka:x", Partition: 0, From: from, Next: next}
	}
	for _, tt := range []struct {
		c    lakegate.Catalog
		next int64
	}{{acme, 10}, {beta, 5}, {kafka, 7}} {
		if err := commitOffsets(tt.c, o(0, tt.next)); err != nil {
			t.Fatal(err) // the same stream in another tenant is no conflict
		}
	}
	for _, tt := range []struct {
		c    lakegate.Catalog
		name string
		next int64
	}{{acme, "acme", 10}, {beta, "beta", 5}, {kafka, "kafka", 7}} {
		if got := offsetsOf(t, tt.c, "kafka:x"); !reflect.DeepEqual(got, []lakegate.StreamOffset{o(0, tt.next)}) {
			t.Errorf("%s's offsets: %+v", tt.name, got)
		}
		stored := offsetsOf(t, shared, tt.name+":kafka:x")
		if len(stored) != 1 || stored[0].Next != tt.next || stored[0].Stream != tt.name+":kafka:x" {
			t.Errorf("%s's stored offsets: %+v", tt.name, stored)
		}
		// A stale batch's error names the tenant's stream, not the stored one.
		err := commitOffsets(tt.c, o(0, 20))
		ct.WantError(t, err, lakegate.ECONFLICT, `stream "kafka:x" partition 0 has landed up to offset `)
		if msg := lakegate.ErrorMessage(err); strings.Contains(msg, tt.name+":kafka:x") {
			t.Errorf("%s's conflict shows the stored name: %q", tt.name, msg)
		}
	}
	if got := offsetsOf(t, shared, "kafka:x"); len(got) != 0 {
		t.Errorf("untenanted kafka:x: %+v", got) // tenant kafka's stream is kafka:kafka:x
	}
	if got := offsetsOf(t, acme, "acme:kafka:x"); len(got) != 0 {
		t.Errorf("acme reads its stored name: %+v", got)
	}
	// Names a tenant cannot have, even where the prefix would make them valid.
	for _, bad := range []string{"", ":x", "_x", "a b"} {
		err := commitOffsets(acme, lakegate.StreamOffset{Stream: bad, Next: 1})
		ct.WantError(t, err, lakegate.EINVALID, "change.offsets[0]: stream name")
		if msg := lakegate.ErrorMessage(err); strings.Contains(msg, "acme") {
			t.Errorf("stream %q: error shows the tenant: %q", bad, msg)
		}
	}
	_, err := catalog.AllTenants(shared).Offsets(ctx, "kafka:x")
	ct.WantError(t, err, lakegate.EFORBIDDEN, "through that tenant's catalog")
}
