package duckdb

import (
	"math/bits"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// arrowAlloc is the allocator of Arrow exports. The conversion allocates
// fresh buffers for every batch and releases them right after writing it;
// with Go's allocator that churn (hundreds of MB per export) drives the
// garbage collector, which took about a third of the conversion's CPU.
// Buffers from 4 KiB up are recycled through sync.Pools by power-of-two
// size class instead (the pools empty themselves at GC, so idle memory
// is given back); smaller ones go to the Go allocator.
var arrowAlloc memory.Allocator = &poolAllocator{}

const poolMinBytes = 4 << 10

type poolAllocator struct {
	classes [64]sync.Pool // class c holds *[]byte with cap 1<<c
}

func sizeClass(n int) int { return bits.Len(uint(n - 1)) }

// Allocate returns n zeroed bytes, as memory.GoAllocator does.
func (p *poolAllocator) Allocate(n int) []byte {
	if n < poolMinBytes {
		return memory.DefaultAllocator.Allocate(n)
	}
	c := sizeClass(n)
	if v, ok := p.classes[c].Get().(*[]byte); ok {
		b := (*v)[:n]
		clear(b)
		return b
	}
	return make([]byte, n, 1<<c)
}

// Reallocate grows or shrinks b to n bytes; bytes past b's length are
// zero.
func (p *poolAllocator) Reallocate(n int, b []byte) []byte {
	if n <= cap(b) {
		old := len(b)
		b = b[:n]
		if n > old {
			clear(b[old:])
		}
		return b
	}
	nb := p.Allocate(n)
	copy(nb, b)
	p.Free(b)
	return nb
}

// Free recycles b when it came from a pool class; others are left to GC.
func (p *poolAllocator) Free(b []byte) {
	c := cap(b)
	if c < poolMinBytes || c&(c-1) != 0 {
		return
	}
	b = b[:0]
	p.classes[sizeClass(c)].Put(&b)
}
