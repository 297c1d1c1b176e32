package ingest

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"io/fs"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"

	"github.com/lakegate/lakegate"
)

// inputReader reads a source file, gunzipping it when it starts with the
// gzip magic bytes, and counts and hashes the source bytes as they are
// consumed (for progress, and to recognise a file ingested before).
type inputReader struct {
	f    *os.File
	size int64 // at open
	raw  *countReader
	r    io.Reader
	gzip bool
}

// countReader counts and hashes (sha256) the bytes read through it.
type countReader struct {
	r io.Reader
	h hash.Hash
	n atomic.Int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	c.n.Add(int64(n))
	return n, err
}

// checksum reads what is left of the source file and returns the sha256 and
// size of all its bytes.
func (in *inputReader) checksum(name string) (string, int64, error) {
	if _, err := io.Copy(io.Discard, in.raw); err != nil {
		return "", 0, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "read %s", name)
	}
	return hex.EncodeToString(in.raw.h.Sum(nil)), in.raw.n.Load(), nil
}

// openInput opens a source file; maxUnpacked bounds what a gzip file may
// unpack to (0: no bound), so a small bomb cannot be read for minutes.
// Messages name the file as name, which is file or what it stands for.
func openInput(file, name string, maxUnpacked int64) (*inputReader, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, openError(name, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, openError(name, err)
	}
	if st.IsDir() {
		f.Close()
		return nil, lakegate.Errorf(lakegate.EINVALID, "%s is a directory; give the JSON files in it", name)
	}
	in := &inputReader{f: f, size: st.Size(), raw: &countReader{r: f, h: sha256.New()}}
	br := bufio.NewReaderSize(in.raw, 1<<20)
	magic, _ := br.Peek(2)
	in.r = br
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, lakegate.Wrap(lakegate.EINVALID, err, "%s: starts like gzip but is not a valid gzip stream", name)
		}
		in.r, in.gzip = zr, true
		if maxUnpacked > 0 {
			in.r = &unpackLimit{r: zr, left: maxUnpacked, max: maxUnpacked, name: name}
		}
	}
	return in, nil
}

// unpackLimit fails a gzip stream that unpacks to more than max bytes.
type unpackLimit struct {
	r         io.Reader
	left, max int64
	name      string
}

func (u *unpackLimit) Read(p []byte) (int, error) {
	if u.left <= 0 {
		// One more byte tells a stream of exactly max bytes from a longer one.
		var one [1]byte
		if n, _ := u.r.Read(one[:]); n == 0 {
			return 0, io.EOF
		}
		return 0, lakegate.Errorf(lakegate.ETOOLARGE, "%s unpacks to more than max_ingest_decompressed_bytes (%d bytes); split it into smaller files, or ingest it with `lakegate ingest`", u.name, u.max)
	}
	if int64(len(p)) > u.left {
		p = p[:u.left]
	}
	n, err := u.r.Read(p)
	u.left -= int64(n)
	return n, err
}

func (in *inputReader) Read(p []byte) (int, error) { return in.r.Read(p) }

func (in *inputReader) Close() error { return in.f.Close() }

// readError wraps a failure to read the source (a corrupt gzip stream, an
// I/O error) so the message names the file.
func readError(name string, err error) error {
	if lakegate.ErrorCode(err) != lakegate.EINTERNAL {
		return err
	}
	if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) {
		return lakegate.Wrap(lakegate.EINVALID, err, "%s: the gzip stream is corrupt or truncated; records before the damage were read", name)
	}
	return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "read %s", name)
}

func openError(name string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return lakegate.Wrap(lakegate.ENOTFOUND, err, "open %s: no such file", name)
	case errors.Is(err, fs.ErrPermission):
		return lakegate.Wrap(lakegate.EFORBIDDEN, err, "open %s: permission denied", name)
	}
	return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "open %s", name)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
