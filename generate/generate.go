// Package generate writes realistic nested assessment-attempt records, the
// shape of the public file assessment-attempts-20180128-121051-nested.json
// (3,280 attempts, 103 exam names, 107 base_exam_ids), at any size and
// deterministically for a seed.
//
// Output is byte-identical for the same Options with the same Go release on
// the same architecture (math.Exp and friends are not guaranteed bit-exact
// across architectures).
//
// The exam catalog (names, base_exam_ids, question banks) is fixed and the
// same for every seed, so batches made with different seeds join on the same
// exams and questions; the attempts themselves depend on the seed. Memory
// stays flat whatever the number of attempts.
package generate

import (
	"bufio"
	"io"
	"math/rand/v2"
	"time"

	"github.com/lakegate/lakegate"
)

// Formats of the output.
const (
	FormatArray  = "array"  // a JSON array, one record per line inside it, like the real file
	FormatNDJSON = "ndjson" // one record per line
)

// Quirks of the real data, reproduced at these rates.
const (
	// DuplicateRate is the share of output records that are byte-identical
	// repeats of an earlier record, drawn from the last RingSize unique ones.
	DuplicateRate = 0.01
	// MissingCountsRate is the share of unique records without sequences.counts.
	MissingCountsRate = 0.005
	// TestRowRate is the share of unique records that are test rows
	// (base_exam_id "example-id", exam_name "example exam"). At least one is
	// written when Attempts >= MinAttemptsForTestRow.
	TestRowRate = 0.001
	// CheckedWithoutAtRate is the share of checked options whose "at" is
	// missing; unchecked options never have one.
	CheckedWithoutAtRate = 0.01
	// RareExamEvery: each of the rare exams gets exactly one attempt per this
	// many unique attempts (the real file has several single-attempt exams).
	RareExamEvery = 3280
	// WindowDays is the span of started_at after Options.Start.
	WindowDays = 28
	// RingSize is how many recent unique records duplicates are drawn from.
	RingSize = 256

	MinAttemptsForTestRow = 1000
)

// Names of the test rows.
const (
	testBaseID   = "example-id"
	testExamName = "example exam"
)

// DefaultStart is the start of the started_at window when Options.Start is zero.
var DefaultStart = time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)

// Options says what to generate.
type Options struct {
	Attempts int       // number of records to write, duplicates included
	Seed     int64     // same Options => byte-identical output
	Format   string    // FormatArray (also when empty) or FormatNDJSON
	Start    time.Time // zero => DefaultStart; started_at spreads over WindowDays after it
}

// Stats describes what was written. Records and Duplicates count output
// records; every other count is over the unique records only (what remains
// after exact de-duplication).
type Stats struct {
	Records, Unique, Duplicates, MissingCounts, TestRows, OptionsWithoutAt, Questions int64
	Bytes                                                                             int64
	Exams                                                                             map[string]int64 // attempts per exam_name (unique records)
}

const bufSize = 256 << 10

// Assessments writes opt.Attempts records to w. It returns EINVALID for bad
// options and EINTERNAL wrapping the cause when w fails.
func Assessments(w io.Writer, opt Options) (Stats, error) {
	if err := validate(&opt); err != nil {
		return Stats{}, err
	}
	g := newGenerator(opt)
	bw := &countingWriter{w: bufio.NewWriterSize(w, bufSize)}
	array := opt.Format == FormatArray
	if array {
		bw.write("[\n")
	}
	for i := 0; i < opt.Attempts && bw.err == nil; i++ {
		rec := g.next()
		if i > 0 && array {
			bw.write(",\n")
		}
		bw.writeBytes(rec)
		if !array {
			bw.write("\n")
		}
	}
	if array {
		if opt.Attempts > 0 {
			bw.write("\n")
		}
		bw.write("]\n")
	}
	if bw.err == nil {
		bw.err = bw.w.Flush()
	}
	g.st.Bytes = bw.n
	if bw.err != nil {
		return g.st, lakegate.Wrap(lakegate.EINTERNAL, bw.err, "writing generated assessments failed after %d records", g.st.Records)
	}
	return g.st, nil
}

func validate(opt *Options) error {
	if opt.Attempts < 0 {
		return lakegate.Errorf(lakegate.EINVALID, "generate: attempts is %d; give a count of 0 or more", opt.Attempts)
	}
	switch opt.Format {
	case "":
		opt.Format = FormatArray
	case FormatArray, FormatNDJSON:
	default:
		return lakegate.Errorf(lakegate.EINVALID, "generate: unknown format %q; use %q or %q", opt.Format, FormatArray, FormatNDJSON)
	}
	if opt.Start.IsZero() {
		opt.Start = DefaultStart
	}
	if y := opt.Start.UTC().Year(); y < 1970 || y > 9000 {
		return lakegate.Errorf(lakegate.EINVALID, "generate: start %s is out of range; give a time between 1970 and 9000", opt.Start.UTC().Format(time.RFC3339))
	}
	return nil
}

// generator holds the state of one run. Everything is bounded: the ring of
// recent records is the only thing that grows, up to RingSize entries.
type generator struct {
	rng      *rand.Rand
	cat      *catalog
	windowMs int64
	attempts int
	a        attempt
	buf      []byte
	ring     [][]byte
	ringNext int
	unique   int   // unique records so far
	rarePos  []int // position within the current rare block of each rare exam
	forced   int   // unique index forced to be a test row, -1 for none
	machines [3]uint64
	counters [3]uint32
	st       Stats
}

func newGenerator(opt Options) *generator {
	g := &generator{
		rng:      rand.New(rand.NewPCG(uint64(opt.Seed), 0x6c616b6567617465)), // "lakegate"
		cat:      sharedCatalog(),
		windowMs: opt.Start.UTC().UnixMilli(),
		attempts: opt.Attempts,
		buf:      make([]byte, 0, 64<<10),
		forced:   -1,
		st:       Stats{Exams: make(map[string]int64, 128)},
	}
	g.machines, g.counters = newMachines(g.rng)
	return g
}

// next returns the bytes of the next record, valid until the following call.
func (g *generator) next() []byte {
	g.st.Records++
	if len(g.ring) > 0 && g.rng.Float64() < DuplicateRate {
		g.st.Duplicates++
		return g.ring[g.rng.IntN(len(g.ring))]
	}
	v := g.chooseExam()
	g.unique++
	g.a.plan(g.rng, v, g.windowMs)
	var rs recordStats
	g.buf, rs = g.appendRecord(g.buf[:0], &g.a)
	g.st.Unique++
	g.st.Questions += rs.questions
	g.st.OptionsWithoutAt += rs.optionsWithoutAt
	g.st.Exams[v.name]++
	if v.test {
		g.st.TestRows++
	}
	if g.a.missingCounts {
		g.st.MissingCounts++
	}
	g.remember(g.buf)
	return g.buf
}

// remember copies rec into the ring, reusing the evicted entry's memory.
func (g *generator) remember(rec []byte) {
	if len(g.ring) < RingSize {
		g.ring = append(g.ring, append([]byte(nil), rec...))
		return
	}
	g.ring[g.ringNext] = append(g.ring[g.ringNext][:0], rec...)
	g.ringNext = (g.ringNext + 1) % RingSize
}

// chooseExam returns the exam of the next unique record: a scheduled rare
// exam, a test row, or a popularity-weighted draw.
func (g *generator) chooseExam() *version {
	u := g.unique
	pos := u % RareExamEvery
	if pos == 0 {
		g.scheduleRare(u)
	}
	for i, p := range g.rarePos {
		if p == pos {
			return g.cat.rare[i]
		}
	}
	if u == g.forced || g.rng.Float64() < TestRowRate {
		return g.cat.test
	}
	return g.cat.pick(g.rng.Float64())
}

// scheduleRare places each rare exam once in the block of unique attempts
// starting at u, at distinct positions early enough in the block that
// duplicates (which do not count as unique) cannot push them past the end
// of a run of exactly RareExamEvery records. The first block also fixes the
// forced test row.
func (g *generator) scheduleRare(u int) {
	span := RareExamEvery * 95 / 100
	g.rarePos = g.rarePos[:0]
	taken := func(p int) bool {
		for _, q := range g.rarePos {
			if q == p {
				return true
			}
		}
		return false
	}
	for range g.cat.rare {
		p := g.rng.IntN(span)
		for taken(p) {
			p = g.rng.IntN(span)
		}
		g.rarePos = append(g.rarePos, p)
	}
	if u == 0 && g.attempts >= MinAttemptsForTestRow {
		p := g.rng.IntN(MinAttemptsForTestRow * 9 / 10)
		for taken(p) {
			p = g.rng.IntN(MinAttemptsForTestRow * 9 / 10)
		}
		g.forced = p
	}
}

// countingWriter counts bytes and keeps the first error.
type countingWriter struct {
	w   *bufio.Writer
	n   int64
	err error
}

func (c *countingWriter) write(s string) {
	if c.err == nil {
		var n int
		n, c.err = c.w.WriteString(s)
		c.n += int64(n)
	}
}

func (c *countingWriter) writeBytes(b []byte) {
	if c.err == nil {
		var n int
		n, c.err = c.w.Write(b)
		c.n += int64(n)
	}
}
