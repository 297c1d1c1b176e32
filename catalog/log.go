package catalog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"time"

	"github.com/lakegate/lakegate"
)

// The commit log holds one JSON line per commit:
//
//	{"v":<version>,"at":<RFC 3339 time>,"crc":<CRC-32 (IEEE) of change>,"change":<lakegate.Change JSON>}
//
// The CRC covers the exact bytes of the change value. Lines are only ever
// appended, with one write each, and the writer holds the lock file.

// record is one decoded line of the commit log.
type record struct {
	V      int64           `json:"v"`
	At     time.Time       `json:"at"`
	CRC    uint32          `json:"crc"`
	Change json.RawMessage `json:"change"`
}

// encodeRecord returns the log line (with its newline) for a commit, and the
// change as a replay will decode it, so the writer applies exactly what
// readers will.
func encodeRecord(v int64, at time.Time, c lakegate.Change) ([]byte, lakegate.Change, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return nil, c, lakegate.Wrap(lakegate.EINVALID, err, "change cannot be encoded as JSON")
	}
	var decoded lakegate.Change
	if err := json.Unmarshal(payload, &decoded); err != nil {
		return nil, c, lakegate.Wrap(lakegate.EINTERNAL, err, "change does not decode after encoding")
	}
	ts, err := at.MarshalJSON()
	if err != nil {
		return nil, c, lakegate.Wrap(lakegate.EINTERNAL, err, "commit time cannot be encoded")
	}
	line := make([]byte, 0, len(payload)+96)
	line = append(line, `{"v":`...)
	line = strconv.AppendInt(line, v, 10)
	line = append(line, `,"at":`...)
	line = append(line, ts...)
	line = append(line, `,"crc":`...)
	line = strconv.AppendUint(line, uint64(crc32.ChecksumIEEE(payload)), 10)
	line = append(line, `,"change":`...)
	line = append(line, payload...)
	line = append(line, "}\n"...)
	return line, decoded, nil
}

// decodeRecord parses one complete line (without its newline) and checks
// its CRC and version.
func decodeRecord(line []byte, want int64) (record, lakegate.Change, error) {
	var r record
	var c lakegate.Change
	if err := json.Unmarshal(line, &r); err != nil {
		return r, c, fmt.Errorf("not a JSON commit record: %w", err)
	}
	if len(r.Change) == 0 {
		return r, c, errors.New("the record has no change")
	}
	if got := crc32.ChecksumIEEE(r.Change); got != r.CRC {
		return r, c, fmt.Errorf("CRC mismatch: the record says %d, the change hashes to %d", r.CRC, got)
	}
	if r.V != want {
		return r, c, fmt.Errorf("version %d where %d was expected", r.V, want)
	}
	if err := json.Unmarshal(r.Change, &c); err != nil {
		return r, c, fmt.Errorf("the change does not decode: %w", err)
	}
	return r, c, nil
}

// tailResult is what reading the log after a known offset found.
type tailResult struct {
	consumed int64 // bytes of valid, applied lines
	lines    int   // how many
	pending  bool  // an incomplete or corrupt last line was left unread
}

// readTail reads complete lines from r (which starts at line number
// firstLine and version firstVersion) and hands each valid one to apply. A
// last line that is incomplete or corrupt is left pending: it is a commit
// still being written or one torn by a crash. A corrupt line followed by
// more data is an error.
func readTail(r io.Reader, size int64, name string, firstLine int, firstVersion int64,
	apply func(record, lakegate.Change) error) (tailResult, error) {
	var res tailResult
	// A refresh usually reads one short line: size the buffer to the tail.
	br := bufio.NewReaderSize(r, int(min(max(size, 4<<10), 256<<10)))
	for {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			res.pending = len(line) > 0
			return res, nil
		}
		if err != nil {
			return res, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "catalog log %s cannot be read", name)
		}
		lineNo := firstLine + res.lines
		rec, c, derr := decodeRecord(bytes.TrimSuffix(line, []byte("\n")), firstVersion+int64(res.lines))
		if derr != nil {
			if _, perr := br.Peek(1); errors.Is(perr, io.EOF) {
				res.pending = true // a torn last line: ignored, truncated by the next writer
				return res, nil
			}
			return res, lakegate.Wrap(lakegate.EINTERNAL, derr,
				"catalog log %s is corrupt at line %d (%v); lines after it cannot be trusted: restore the file from a backup",
				name, lineNo, derr)
		}
		if err := apply(rec, c); err != nil {
			return res, lakegate.Wrap(lakegate.EINTERNAL, err,
				"catalog log %s line %d (version %d) cannot be applied: %s", name, lineNo, rec.V, lakegate.ErrorMessage(err))
		}
		res.consumed += int64(len(line))
		res.lines++
	}
}
