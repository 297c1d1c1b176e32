package ingest

import (
	"encoding/binary"
	"slices"
)

// hashSet holds the hashes of every record landed in the lake, for exact-
// duplicate detection. It grows with the lake, not with the input: a Go map
// of 16-byte keys costs ~48 B per record at its load factor (430 MB at 9M
// landed records, with the map's doubling on top: the suite's 10M ingest
// peaked at 1.2 GB), so the bulk is a sorted slice at 16 B per record, found
// by binary search inside the range of its first 16 bits (hashes are
// uniform, so a range holds len/65536 keys). The latest batches' hashes
// wait in a small map and are merged in when it reaches an eighth of the
// slice, so a stream of micro-batches does not rewrite the slice each time.
type hashSet struct {
	sorted []hashKey
	starts []uint32 // starts[p]: the first index of sorted whose key has prefix ≥ p
	recent map[hash128]struct{}
}

// hashKey is a hash as two big-endian words: compared as integers, in the
// same order as its bytes.
type hashKey struct{ hi, lo uint64 }

func keyOf(h hash128) hashKey {
	return hashKey{binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:])}
}

func (k hashKey) cmp(o hashKey) int {
	if c := cmpUint(k.hi, o.hi); c != 0 {
		return c
	}
	return cmpUint(k.lo, o.lo)
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

const prefixBits = 16

func (k hashKey) prefix() int { return int(k.hi >> (64 - prefixBits)) }

// newHashSet makes a set with room for n loaded keys (add them with load,
// then call sort).
func newHashSet(n int) *hashSet {
	return &hashSet{sorted: make([]hashKey, 0, n), recent: map[hash128]struct{}{}}
}

// load appends a landed hash; sort must follow before any lookup.
func (s *hashSet) load(h hash128) { s.sorted = append(s.sorted, keyOf(h)) }

// sort orders the loaded keys, drops repeats (a record landed twice before
// dedupe existed) and indexes the prefixes.
func (s *hashSet) sort() {
	slices.SortFunc(s.sorted, hashKey.cmp)
	s.sorted = slices.Compact(s.sorted)
	s.index()
}

func (s *hashSet) index() {
	if s.starts == nil {
		s.starts = make([]uint32, 1<<prefixBits+1)
	}
	i := 0
	for p := range 1 << prefixBits {
		s.starts[p] = uint32(i)
		for i < len(s.sorted) && s.sorted[i].prefix() == p {
			i++
		}
	}
	s.starts[1<<prefixBits] = uint32(i)
}

// Len is the number of hashes held.
func (s *hashSet) Len() int { return len(s.sorted) + len(s.recent) }

// has reports whether h was landed.
func (s *hashSet) has(h hash128) bool {
	if _, ok := s.recent[h]; ok {
		return true
	}
	if len(s.sorted) == 0 {
		return false
	}
	k := keyOf(h)
	p := k.prefix()
	r := s.sorted[s.starts[p]:s.starts[p+1]]
	_, ok := slices.BinarySearchFunc(r, k, hashKey.cmp)
	return ok
}

// add records a landed batch's hashes, none of them in s already (the
// sink looked each up before landing it).
func (s *hashSet) add(batch map[hash128]struct{}) {
	for h := range batch {
		s.recent[h] = struct{}{}
	}
	if len(s.recent) >= max(1<<16, len(s.sorted)/8) {
		s.compact()
	}
}

// compact merges the recent hashes into the sorted slice, in place from the
// back: the slice grows once by their number, with no second copy.
func (s *hashSet) compact() {
	add := make([]hashKey, 0, len(s.recent))
	for h := range s.recent {
		add = append(add, keyOf(h))
	}
	slices.SortFunc(add, hashKey.cmp)
	n := len(s.sorted)
	s.sorted = slices.Grow(s.sorted, len(add))[:n+len(add)]
	i, j := n-1, len(add)-1
	for w := len(s.sorted) - 1; j >= 0; w-- {
		if i >= 0 && s.sorted[i].cmp(add[j]) > 0 {
			s.sorted[w] = s.sorted[i]
			i--
		} else {
			s.sorted[w] = add[j]
			j--
		}
	}
	s.recent = map[hash128]struct{}{} // a fresh map: clear would keep the buckets of the biggest batch
	s.index()
}

// bytes is what the set holds live, for ingest's soft memory limit: 16 B
// a sorted key (with the slack of its last growth), the prefix index, and
// ~48 B a recent hash (Go's map of 16-byte keys at its load factor,
// measured). A nil set (the events stream keeps none) holds nothing.
func (s *hashSet) bytes() int64 {
	if s == nil {
		return 0
	}
	return int64(cap(s.sorted))*16 + int64(len(s.starts))*4 + int64(len(s.recent))*48
}
