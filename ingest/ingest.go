// Package ingest lands nested assessment-attempt JSON (a JSON array or
// NDJSON, plain or gzip) as flattened Parquet tables registered in the
// catalog: attempts, questions, raw and rejects in the database
// "assessments", partitioned by ingest_date.
//
// Each source file is one batch: its Parquet files are written to
// _staging/<batch>/, renamed into the table directories once all are
// complete, and made visible by a single catalog commit. A failure before
// the commit removes the batch's files, so nothing partial is visible.
//
// source_file columns and Batch.Source hold the path exactly as given to
// Assessments (the command line argument).
package ingest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"runtime/debug"
	"strings"
	"time"

	"github.com/lakegate/lakegate"
)

// DefaultDatabase is the catalog database the assessment tables land in.
const DefaultDatabase = "assessments"

// Options configure an ingest run.
type Options struct {
	Store    lakegate.Store
	Catalog  lakegate.Catalog
	Database string           // default "assessments"
	Now      func() time.Time // default time.Now; ingest_date = Now().UTC() date
	Progress io.Writer        // nil: no progress; else a one-line progress updated with \r
	Logger   *slog.Logger     // may be nil
}

// Summary counts what an ingest run did. Per file and in total,
// Read = Landed + Duplicates + Rejected.
type Summary struct {
	Files, SkippedFiles int   // files given, and those skipped as already ingested
	FailedFiles         int   // files that could not be read (see Notes)
	Read                int64 // records (and damaged spans) read
	Landed              int64 // unique records landed in attempts and raw
	Duplicates          int64 // exact duplicates of a landed record, not landed again
	Rejected            int64 // records landed in rejects
	Questions           int64 // question rows landed
	Bytes               int64 // source bytes read (as stored, e.g. gzip)
	Elapsed             time.Duration
	Batches             []string // committed batch ids
	Notes               []string
}

// String is the multi-line human summary.
func (s Summary) String() string {
	var b strings.Builder
	files := fmt.Sprintf("%d file", s.Files)
	if s.Files != 1 {
		files += "s"
	}
	var extra []string
	if s.SkippedFiles > 0 {
		extra = append(extra, fmt.Sprintf("%d already ingested, skipped", s.SkippedFiles))
	}
	if s.FailedFiles > 0 {
		extra = append(extra, fmt.Sprintf("%d failed, see the notes", s.FailedFiles))
	}
	if len(extra) > 0 {
		files += " (" + strings.Join(extra, "; ") + ")"
	}
	rate := ""
	if secs := s.Elapsed.Seconds(); secs > 0 {
		rate = fmt.Sprintf(", %.1f MB/s, %.0f records/s", float64(s.Bytes)/1e6/secs, float64(s.Read)/secs)
	}
	fmt.Fprintf(&b, "ingested %s, %s in %s%s\n", files, formatBytes(s.Bytes), s.Elapsed.Round(time.Millisecond), rate)
	fmt.Fprintf(&b, "  read        %d records\n", s.Read)
	fmt.Fprintf(&b, "  landed      %d (%d questions)\n", s.Landed, s.Questions)
	fmt.Fprintf(&b, "  duplicates  %d\n", s.Duplicates)
	fmt.Fprintf(&b, "  rejected    %d", s.Rejected)
	if s.Rejected > 0 {
		b.WriteString(" (see the rejects table)")
	}
	b.WriteString("\n")
	if len(s.Batches) > 0 {
		fmt.Fprintf(&b, "  batches     %s\n", strings.Join(s.Batches, ", "))
	}
	for _, n := range s.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	return b.String()
}

func formatBytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Assessments ingests the given files in order, one batch and one catalog
// commit per file. Records are deduplicated against everything landed
// before (the raw table's record_hash) and across the files of this run;
// a file whose sha256 matches a committed batch lands nothing.
//
// A file that cannot be read or is not JSON (ENOTFOUND, EINVALID) is
// reported in the summary's notes and the run goes on with the next file;
// the first such error is returned at the end. Landing and catalog
// failures (EUNAVAILABLE, ECONFLICT, EINTERNAL) and cancellation stop the
// run. In every case the summary counts what was committed.
func Assessments(ctx context.Context, opt Options, paths ...string) (Summary, error) {
	start := time.Now()
	if opt.Store == nil || opt.Catalog == nil {
		return Summary{}, lakegate.Errorf(lakegate.EINVALID, "ingest needs a landing store and a catalog")
	}
	if opt.Database == "" {
		opt.Database = DefaultDatabase
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	defer softMemoryLimit()()
	var sum Summary
	removeStaleStaging(ctx, opt.Store, opt.Logger, opt.Now())
	seen, err := loadHashes(ctx, opt.Catalog, opt.Store, opt.Database)
	if err != nil {
		return sum, err
	}
	var first error
files:
	for _, p := range paths {
		fs, err := ingestFile(ctx, opt, seen, p)
		sum.add(fs)
		if err == nil {
			continue
		}
		sum.FailedFiles++
		msg := lakegate.ErrorMessage(err)
		if !strings.HasPrefix(msg, p+":") && !strings.Contains(msg, " "+p+":") {
			msg = p + ": " + msg // name the file unless the message already does
		}
		sum.Notes = append(sum.Notes, msg)
		opt.Logger.Error("ingest failed", "file", p, "err", err)
		if first == nil {
			first = err
		}
		switch lakegate.ErrorCode(err) {
		case lakegate.ENOTFOUND, lakegate.EINVALID, lakegate.EFORBIDDEN:
			continue // a bad input file; the others can still land
		}
		break files
	}
	sum.Elapsed = time.Since(start)
	return sum, first
}

func (s *Summary) add(f fileSummary) {
	s.Files += f.files
	s.SkippedFiles += f.skipped
	s.Read += f.read
	s.Landed += f.landed
	s.Duplicates += f.dups
	s.Rejected += f.rejected
	s.Questions += f.questions
	s.Bytes += f.bytes
	if f.batch != "" {
		s.Batches = append(s.Batches, f.batch)
	}
	s.Notes = append(s.Notes, f.notes...)
}

// memoryLimit is the Go heap size ingest asks the garbage collector to stay
// under. The pipeline's live data is ~130 MB whatever the input size (chunks
// in flight and one row group per table); without a limit the collector lets
// the heap reach twice that before it runs. Closer to the live size the
// collector runs, and the scavenger returns and refaults pages, much more
// often: 216 MB ingests 1 GB ~10% faster than 200 MB, with a peak RSS of
// 250 MB in bench/ingest.sh (up to ~270 MB seen; the target is < 300 MB).
const memoryLimit = 216 << 20

// softMemoryLimit sets the runtime's soft memory limit for the run unless
// the program (or GOMEMLIMIT) set one, and returns the undo.
func softMemoryLimit() func() {
	if debug.SetMemoryLimit(-1) != math.MaxInt64 {
		return func() {}
	}
	debug.SetMemoryLimit(memoryLimit)
	return func() { debug.SetMemoryLimit(math.MaxInt64) }
}
