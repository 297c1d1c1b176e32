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
// Assessments (the command line argument), or Options.SourceName.
package ingest

import (
	"context"
	"io"
	"log/slog"
	"math"
	"runtime/debug"
	"slices"
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
	// SourceName, when set, is what the source_file columns, notes and
	// messages call every file (an upload's name rather than the
	// temporary file that holds it); empty: the path as given.
	SourceName string
	// MaxDecompressedBytes bounds what one gzip file may unpack to; a
	// bigger one fails with ETOOLARGE before anything lands (0: no bound).
	MaxDecompressedBytes int64
	// ClusterBy names a VARCHAR column of the attempts table (e.g.
	// exam_name) whose rows are written in row groups of one value each,
	// so that a filter on it skips the other row groups by their min/max
	// statistics; "" keeps arrival order. Others are EINVALID.
	ClusterBy string
}

// ClusterColumns are the columns Options.ClusterBy may name.
func ClusterColumns() []string {
	var out []string
	for _, c := range specs[0].columns {
		if c.key != nil && c.Name != "source_file" && c.Name != "batch_id" {
			out = append(out, c.Name)
		}
	}
	return out
}

// CheckClusterBy refuses a ClusterBy that is not one of ClusterColumns
// (EINVALID); commands call it when they load their configuration.
func CheckClusterBy(name string) error {
	if name == "" || slices.Contains(ClusterColumns(), name) {
		return nil
	}
	return lakegate.Errorf(lakegate.EINVALID, "cluster_attempts_by %q is not a text column of assessments.attempts: use one of %s, or \"\" for arrival order",
		name, strings.Join(ClusterColumns(), ", "))
}

// Summary counts what an ingest run did: the command prints it, the
// server answers it.
type Summary = lakegate.IngestSummary

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
	if err := CheckClusterBy(opt.ClusterBy); err != nil {
		return Summary{}, err
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	sum := Summary{Batches: []string{}, Notes: []string{}, UnknownFields: map[string]int64{}}
	Recover(ctx, opt.Store, opt.Catalog, opt.Logger, opt.Now())
	seen, err := loadHashes(ctx, opt.Catalog, opt.Store, opt.Database)
	if err != nil {
		return sum, err
	}
	defer softMemoryLimitPlus(clusterMemory(opt.ClusterBy) + hashSetBytes(len(seen)))()
	var first error
files:
	for _, p := range paths {
		fs, err := ingestFile(ctx, opt, seen, p)
		addFile(&sum, fs)
		if err == nil {
			continue
		}
		sum.FailedFiles++
		name := opt.sourceName(p)
		msg := lakegate.ErrorMessage(err)
		if !strings.HasPrefix(msg, name+":") && !strings.Contains(msg, " "+name+":") {
			msg = name + ": " + msg // name the file unless the message already does
		}
		sum.Notes = append(sum.Notes, msg)
		opt.Logger.Error("ingest failed", "file", name, "err", err)
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

func (o Options) sourceName(file string) string {
	if o.SourceName != "" {
		return o.SourceName
	}
	return file
}

func addFile(s *Summary, f fileSummary) {
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
	for k, n := range f.unknown {
		s.UnknownFields[k] += n
	}
}

// memoryLimit is the Go heap size ingest asks the garbage collector to stay
// under. The pipeline's live data is ~130 MB whatever the input size (chunks
// in flight and one row group per table); without a limit the collector lets
// the heap reach twice that before it runs. Closer to the live size the
// collector runs, and the scavenger returns and refaults pages, much more
// often: 216 MB ingests 1 GB ~10% faster than 200 MB, with a peak RSS of
// 250 MB in bench/ingest.sh (up to ~270 MB seen; the target is < 300 MB).
const memoryLimit = 216 << 20

// softMemoryLimitPlus sets the runtime's soft memory limit for the run,
// memoryLimit plus the extra bytes it holds live (a stream's micro-batch
// of messages and the fetches behind it, clustering's buffers, the landed
// records' hashes), unless the
// program (or GOMEMLIMIT) set one, and returns the undo: a limit below the
// live heap would make the collector run without end.
func softMemoryLimitPlus(extra int64) func() {
	if debug.SetMemoryLimit(-1) != math.MaxInt64 {
		return func() {}
	}
	debug.SetMemoryLimit(memoryLimit + extra)
	return func() { debug.SetMemoryLimit(math.MaxInt64) }
}
