package ingest

import (
	"math/rand/v2"
	"testing"
)

// TestHashSet checks the sorted set against a map through loads, batches
// that stay recent and batches that compact, with hashes that share
// prefixes and words so every comparison branch is taken.
func TestHashSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gen := func() hash128 {
		var h hash128
		for i := range h {
			h[i] = byte(rng.IntN(4)) // few values: many equal prefixes and high words
		}
		if rng.IntN(2) == 0 {
			for i := range h {
				h[i] = byte(rng.Uint32())
			}
		}
		return h
	}
	want := map[hash128]struct{}{}
	s := newHashSet(0)
	for range 5000 {
		h := gen()
		want[h] = struct{}{}
		s.load(h)
	}
	s.sort()
	for round := range 30 {
		batch := map[hash128]struct{}{}
		for range 1 + round*round*50 { // from single records to batches past the compaction bound
			if h := gen(); !s.has(h) { // as the sink: only records not landed before
				batch[h] = struct{}{}
				want[h] = struct{}{}
			}
		}
		s.add(batch)
		if s.Len() != len(want) {
			t.Fatalf("round %d: Len %d, want %d", round, s.Len(), len(want))
		}
		for h := range want {
			if !s.has(h) {
				t.Fatalf("round %d: %x landed but not found", round, h)
			}
		}
		for range 2000 {
			if h := gen(); s.has(h) != has(want, h) {
				t.Fatalf("round %d: has(%x) = %v", round, h, s.has(h))
			}
		}
	}
	if len(s.recent) == len(want) || len(s.sorted) == 0 {
		t.Fatalf("never compacted: %d recent, %d sorted", len(s.recent), len(s.sorted))
	}
}

func has(m map[hash128]struct{}, h hash128) bool { _, ok := m[h]; return ok }

func TestHashSetEmpty(t *testing.T) {
	s := newHashSet(0)
	s.sort()
	if s.has(hash128{}) || s.Len() != 0 {
		t.Fatal("an empty set holds something")
	}
	var none *hashSet
	if none.bytes() != 0 {
		t.Fatal("a nil set counts bytes")
	}
}

// BenchmarkHashSetHas is a lookup in a set of 10M landed records, what the
// sink pays per record at the suite's tenth ingest.
func BenchmarkHashSetHas(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	s := newHashSet(10_000_000)
	var h hash128
	for range 10_000_000 {
		for i := range h {
			h[i] = byte(rng.Uint32())
		}
		s.load(h)
	}
	s.sort()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		h[0] = byte(i)
		s.has(h)
	}
}
