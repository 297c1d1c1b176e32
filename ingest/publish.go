package ingest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path"
	"time"

	"github.com/lakegate/lakegate"
)

// How a batch's files become visible. A reader that lists a partition's
// directory (Presto and Spark through the metastore) must never see a
// file the catalog has not committed, and a crash must leave nothing half
// visible or lost:
//
//  1. the files are written under _staging/<batch>/ (hidden: "_");
//  2. _staging/<batch>/intent.json names each file's places;
//  3. each file moves into its partition directory under a hidden name,
//     .<name>.pending (Hive, Presto and Spark skip names starting with "."
//     or "_");
//  4. the catalog commit: from here the batch is landed;
//  5. each file takes its final name;
//  6. _staging/<batch> goes.
//
// Recover, at the start of every ingest and by `lakegate catalog repair`,
// finishes what a crash interrupted: a batch the catalog holds is rolled
// forward (5, 6); one it does not hold, once stale, is rolled back (its
// hidden files removed). Between 4 and 5, for a few milliseconds, the
// catalog names files not yet in place; engines retry a statement that
// meets one (engine/duckdb).

const intentFile = "intent.json"

// intent is what a batch's staging folder says of its files once they
// leave it.
type intent struct {
	Batch    string        `json:"batch"`
	Checksum string        `json:"checksum"` // of the source, which the catalog finds batches by
	Files    []intentEntry `json:"files"`
}

type intentEntry struct {
	Hidden string `json:"hidden"` // in the partition directory, until the commit
	Final  string `json:"final"`
}

// hiddenName is where a file waits in its partition directory for the
// commit.
func hiddenName(final string) string {
	return path.Join(path.Dir(final), "."+path.Base(final)+".pending")
}

// publish runs steps 2 and 3 for the batch's staged files.
func (b *batch) publish(ctx context.Context, checksum string) error {
	in := intent{Batch: b.id, Checksum: checksum}
	for _, w := range b.writers {
		for _, f := range w.files {
			in.Files = append(in.Files, intentEntry{Hidden: hiddenName(f.final), Final: f.final})
		}
	}
	if err := writeJSON(ctx, b.opt.Store, path.Join(stagingRoot, b.id, intentFile), in); err != nil {
		return err
	}
	for _, w := range b.writers {
		for i := range w.files {
			f := &w.files[i]
			if err := b.opt.Store.Rename(ctx, f.staged, hiddenName(f.final)); err != nil {
				return err
			}
			f.staged = "" // now at its hidden name
		}
	}
	return nil
}

// unhide runs steps 5 and 6 once the batch is committed. A failure leaves
// the rest to Recover; the batch is landed either way.
func (b *batch) unhide(ctx context.Context) {
	for _, w := range b.writers {
		for _, f := range w.files {
			if err := b.opt.Store.Rename(ctx, hiddenName(f.final), f.final); err != nil {
				b.opt.Logger.Warn("a landed file keeps its hidden name until the next ingest or catalog repair", "path", f.final, "err", err)
				return
			}
		}
	}
	b.removeStaging(ctx)
}

func writeJSON(ctx context.Context, store lakegate.Store, p string, v any) error {
	w, err := store.Create(ctx, p)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(w).Encode(v); err != nil {
		w.Close()
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "write %s", p)
	}
	return w.Close()
}

// Recover finishes or undoes what crashed ingests left in _staging: see
// above. A batch without an intent (it crashed while writing) is removed
// once stale. It is best effort and reports what it did.
func Recover(ctx context.Context, store lakegate.Store, cat lakegate.Catalog, log *slog.Logger, now time.Time) (rolledForward, removed int) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dirs, err := store.List(ctx, stagingRoot)
	if err != nil {
		return 0, 0 // usually ENOTFOUND: nothing staged
	}
	for _, d := range dirs {
		in, ok := readIntent(ctx, store, d.Path)
		switch {
		case ok && committed(ctx, cat, in):
			if rollForward(ctx, store, in, log) {
				removeDir(ctx, store, d.Path, log)
				rolledForward++
			}
		case newest(ctx, store, d, 3).Add(staleStaging).After(now):
			// a batch still being landed by another process, perhaps
		default:
			if ok {
				for _, f := range in.Files {
					store.Remove(ctx, f.Hidden)
				}
			}
			removeDir(ctx, store, d.Path, log)
			removed++
		}
	}
	return rolledForward, removed
}

func readIntent(ctx context.Context, store lakegate.Store, dir string) (intent, bool) {
	var in intent
	f, err := store.Open(ctx, path.Join(dir, intentFile))
	if err != nil {
		return in, false
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	return in, err == nil && json.Unmarshal(b, &in) == nil && in.Batch != ""
}

// committed tells whether the catalog holds the batch.
func committed(ctx context.Context, cat lakegate.Catalog, in intent) bool {
	bs, err := cat.Batches(ctx, in.Checksum)
	for _, b := range bs {
		if err == nil && b.ID == in.Batch {
			return true
		}
	}
	return false
}

// rollForward gives each file of a committed batch its final name.
func rollForward(ctx context.Context, store lakegate.Store, in intent, log *slog.Logger) bool {
	for _, f := range in.Files {
		err := store.Rename(ctx, f.Hidden, f.Final)
		switch lakegate.ErrorCode(err) {
		case "", lakegate.ENOTFOUND: // renamed now, or before the crash
		default:
			log.Warn("cannot finish landing a committed file", "path", f.Final, "err", err)
			return false
		}
	}
	log.Info("finished landing a committed batch", "batch", in.Batch, "files", len(in.Files))
	return true
}

func removeDir(ctx context.Context, store lakegate.Store, dir string, log *slog.Logger) {
	if err := store.Remove(ctx, dir); err != nil && lakegate.ErrorCode(err) != lakegate.ENOTFOUND {
		log.Warn("cannot remove stale staging", "path", dir, "err", err)
		return
	}
	log.Info("removed staging", "path", path.Base(dir))
}
