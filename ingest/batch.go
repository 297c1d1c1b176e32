package ingest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"path"
	"sync"
	"time"

	"github.com/lakegate/lakegate"
)

// stagingRoot holds batches being written; staleStaging is the age after
// which a leftover batch (from a crash) is removed at the next run.
const (
	stagingRoot  = "_staging"
	staleStaging = time.Hour
)

// fileSummary counts one source file.
type fileSummary struct {
	files, skipped                                 int
	read, landed, dups, rejected, questions, bytes int64
	batch                                          string
	notes                                          []string
	unknown                                        map[string]int64 // landed records per unknown field
}

// batch is the landing of one source file.
type batch struct {
	opt     Options
	id      string
	source  string
	date    string // ingest_date, YYYY-MM-DD
	prior   map[hash128]struct{}
	seen    map[hash128]struct{} // hashes landed by this batch
	writers []*tableWriter       // assessments: in specs order
	stages  []*tableStage        // the writers' goroutines, in writers order
	stageWG sync.WaitGroup
	errMu   sync.Mutex
	err     error // first failure of a table stage
	fs      fileSummary
	prog    *progress
	prior0  lakegate.Batch          // the committed batch of the same source bytes, if any
	offsets []lakegate.StreamOffset // a micro-batch's: committed with it
}

// newAssessmentsBatch starts a batch of the assessment tables, one writer
// per spec, dated now.
func newAssessmentsBatch(ctx context.Context, opt Options, source string, now time.Time, prior map[hash128]struct{}) *batch {
	b := &batch{
		opt: opt, id: newBatchID(now), source: source, date: now.Format(time.DateOnly),
		prior: prior, seen: make(map[hash128]struct{}),
	}
	for _, s := range specs {
		if s.name == tableAttempts {
			s.clusterBy = opt.ClusterBy
		}
		b.writers = append(b.writers, newTableWriter(ctx, opt.Store, s, b.id,
			path.Join(stagingRoot, b.id, s.name), path.Join(opt.Database, s.name, "ingest_date="+b.date)))
	}
	return b
}

func newBatchID(now time.Time) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [6]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return now.UTC().Format("20060102T150405Z") + "-" + string(b[:])
}

// ingestFile lands one source file as one batch.
func ingestFile(ctx context.Context, opt Options, seen map[hash128]struct{}, file string) (fileSummary, error) {
	fs := fileSummary{files: 1}
	name := opt.sourceName(file)
	in, err := openInput(file, name, opt.MaxDecompressedBytes)
	if err != nil {
		return fs, err
	}
	defer in.Close()
	b := newAssessmentsBatch(ctx, opt, name, opt.Now().UTC(), seen)
	b.fs.files, b.fs.bytes = 1, in.size
	b.prog = startProgress(opt.Progress, name, in.size, in.raw, &b.fs)
	b.startTables()
	notes, err := pipeline(ctx, fileFeed(in), b.sink)
	if terr := b.stopTables(); err == nil {
		err = terr
	}
	b.prog.stop()
	b.fs.notes = prefixNotes(name, notes)
	if err == nil {
		var skip bool
		if skip, err = b.landNew(ctx, in); skip {
			return b.skipped(ctx), nil
		}
	}
	if err != nil {
		b.abort(ctx)
		var nj *errNotJSON
		if errors.As(err, &nj) {
			err = lakegate.Wrap(lakegate.EINVALID, err, "%s: %s", name, nj.Error())
		}
		return fileSummary{files: 1, notes: b.fs.notes}, readError(name, err)
	}
	for h := range b.seen {
		seen[h] = struct{}{}
	}
	b.fs.batch = b.id
	opt.Logger.Info("ingested", "file", name, "batch", b.id, "read", b.fs.read, "landed", b.fs.landed,
		"duplicates", b.fs.dups, "rejected", b.fs.rejected)
	return b.fs, nil
}

// landNew lands the batch unless a committed batch had the same source
// bytes. The sha256 is taken while the pipeline reads the file, which saves
// a separate pass over it; a file ingested before is thus read in full, and
// its staged batch is dropped.
func (b *batch) landNew(ctx context.Context, in *inputReader) (skip bool, err error) {
	sum, size, err := in.checksum(b.source)
	if err != nil {
		return false, err
	}
	b.fs.bytes = size
	prior, err := b.opt.Catalog.Batches(ctx, sum)
	if err != nil {
		return false, err
	}
	if len(prior) > 0 {
		b.prior0 = prior[0]
		return true, nil
	}
	return false, b.land(ctx, sum, size)
}

// skipped drops the staged batch of a file ingested before and reports it.
func (b *batch) skipped(ctx context.Context) fileSummary {
	b.abort(ctx)
	p := b.prior0
	return fileSummary{files: 1, skipped: 1, notes: []string{fmt.Sprintf("%s: already ingested in batch %s at %s; nothing new landed",
		b.source, p.ID, p.Committed.UTC().Format(time.RFC3339))}}
}

func prefixNotes(name string, notes []string) []string {
	out := make([]string, len(notes))
	for i, n := range notes {
		out[i] = name + ": " + n
	}
	return out
}

// land finishes the staged files, moves them into the table directories
// and commits them with the batch in one catalog change (publish.go).
func (b *batch) land(ctx context.Context, checksum string, size int64) error {
	change := lakegate.Change{}
	for _, w := range b.writers {
		change.Tables = append(change.Tables, b.tableChange(w.spec, nil))
	}
	return b.landChange(ctx, checksum, size, change)
}

// landChange finishes the writers, publishes their files and commits them
// with the batch record and b.offsets in one catalog change. change names
// each writer's table (in writers order); the files are added here.
func (b *batch) landChange(ctx context.Context, checksum string, size int64, change lakegate.Change) error {
	if err := b.finishWriters(); err != nil {
		return err
	}
	if err := b.publish(ctx, checksum); err != nil {
		return err
	}
	change.Batches = []lakegate.Batch{{
		ID: b.id, Source: b.source, Checksum: checksum, Bytes: size,
		Read: b.fs.read, Landed: b.fs.landed, Duplicates: b.fs.dups, Rejected: b.fs.rejected,
		Committed: b.opt.Now().UTC(),
	}}
	for i, w := range b.writers {
		change.Tables[i].Partitions = b.partitions(w.spec, w.files)
	}
	change.Offsets = b.offsets
	if _, err := b.opt.Catalog.Commit(ctx, change); err != nil {
		// A commit may land although its answer was lost (the catalog's
		// connection broke): then the batch is landed, not to be undone.
		if !committed(context.WithoutCancel(ctx), b.opt.Catalog, intent{Batch: b.id, Checksum: checksum}) {
			return err
		}
	}
	b.unhide(ctx)
	return nil
}

// finishWriters writes the last row groups, in parallel too.
func (b *batch) finishWriters() error {
	errs := make([]error, len(b.writers))
	var wg sync.WaitGroup
	for i, w := range b.writers {
		wg.Go(func() { errs[i] = w.finish() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *batch) tableChange(s tableSpec, files []stagedFile) lakegate.TableChange {
	return lakegate.TableChange{Table: lakegate.Table{
		Database: b.opt.Database, Name: s.name, Description: s.description,
		Location: path.Join(b.opt.Database, s.name), Format: "parquet",
		Columns: s.catalogColumns(), PartitionKeys: []lakegate.Column{partitionKey}, SchemaVersion: 1,
	}, Partitions: b.partitions(s, files)}
}

// partitions is the one partition (this batch's ingest_date) that files
// land in, or none without files.
func (b *batch) partitions(s tableSpec, files []stagedFile) []lakegate.Partition {
	if len(files) == 0 {
		return nil
	}
	p := lakegate.Partition{
		Name: "ingest_date=" + b.date, Values: []string{b.date},
		Location: path.Join(b.opt.Database, s.name, "ingest_date="+b.date),
	}
	for _, f := range files {
		p.Files = append(p.Files, lakegate.File{Path: f.final, Bytes: f.bytes, Rows: f.rows, Checksum: f.checksum})
		p.Rows += f.rows
		p.Bytes += f.bytes
	}
	return []lakegate.Partition{p}
}

// abort removes every file of the batch, staged or already renamed; it is
// best effort and runs even when ctx is canceled.
func (b *batch) abort(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	for _, w := range b.writers {
		w.abort()
		for _, f := range w.files {
			if f.staged == "" { // moved to its hidden name before the commit failed
				if err := b.opt.Store.Remove(ctx, hiddenName(f.final)); err != nil {
					b.opt.Logger.Warn("cannot remove a file of a failed batch", "path", f.final, "err", err)
				}
			}
		}
	}
	b.removeStaging(ctx)
}

func (b *batch) removeStaging(ctx context.Context) {
	dir := path.Join(stagingRoot, b.id)
	if err := b.opt.Store.Remove(ctx, dir); err != nil && lakegate.ErrorCode(err) != lakegate.ENOTFOUND {
		b.opt.Logger.Warn("cannot remove a staging directory", "path", dir, "err", err)
	}
}
