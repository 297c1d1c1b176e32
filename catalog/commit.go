package catalog

import (
	"context"

	"github.com/lakegate/lakegate"
)

// Commit validates the change against the latest state (catching up with
// other writers under the lock), appends it to the log, fsyncs, and only
// then makes it visible in memory. It returns the new version.
//
// Errors: EINVALID for a malformed change, ECONFLICT when it collides with
// the catalog, EUNAVAILABLE when the log cannot be written (state
// unchanged), ETIMEOUT/ECANCELED when ctx ends before the append starts.
func (e *Embedded) Commit(ctx context.Context, c lakegate.Change) (int64, error) {
	if e.lockFile == nil {
		return 0, lakegate.Errorf(lakegate.EUNAVAILABLE, "catalog %s is read-only: it cannot be written", e.dir)
	}
	// One writer per instance: flock does not exclude two goroutines that
	// share the lock file's descriptor. Close takes the same token, so the
	// files stay open until the flock is released.
	select {
	case e.writers <- struct{}{}:
		defer func() { <-e.writers }()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	if err := e.checkOpen(); err != nil {
		return 0, err
	}
	unlock, err := lockFile(ctx, e.lockFile, e.dir)
	if err != nil {
		return 0, err
	}
	defer unlock()

	e.tailMu.Lock()
	defer e.tailMu.Unlock()
	size, err := e.catchUpLocked()
	if err != nil {
		return 0, err
	}
	return e.appendLocked(ctx, c, size)
}

// appendLocked writes one commit. The caller holds the lock file and tailMu
// and has caught up, so the state is the latest and nobody else appends.
func (e *Embedded) appendLocked(ctx context.Context, c lakegate.Change, size int64) (int64, error) {
	version, at := e.state.Version()+1, now()
	line, decoded, err := encodeRecord(version, at, c)
	if err != nil {
		return 0, err
	}
	e.mu.RLock()
	plan, err := e.state.Prepare(decoded, version, at)
	e.mu.RUnlock()
	if err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if size > e.offset {
		// A torn last line from a crashed writer: cut it off first.
		if err := e.log.Truncate(e.offset); err != nil {
			return 0, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "catalog log %s: cannot truncate a torn last line", e.logPath)
		}
	}
	if _, err := e.log.WriteAt(line, e.offset); err != nil {
		e.undoAppend()
		return 0, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "catalog log %s cannot be written", e.logPath)
	}
	if err := e.log.Sync(); err != nil {
		e.undoAppend()
		return 0, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "catalog log %s cannot be synced to disk", e.logPath)
	}
	e.mu.Lock()
	err = e.state.ApplyPlan(plan)
	e.mu.Unlock()
	if err != nil {
		return 0, err // cannot happen: tailMu kept the state still
	}
	e.offset += int64(len(line))
	e.lines++
	return version, nil
}

// undoAppend removes a failed append so that no reader ever applies a commit
// whose caller was told it failed. Best effort: if the truncate fails too,
// the next writer truncates the partial line, and a complete one would be
// applied by everyone alike.
func (e *Embedded) undoAppend() {
	_ = e.log.Truncate(e.offset)
}
