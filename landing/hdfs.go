package landing

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/user"
	"path"
	"strings"
	"syscall"
	"time"

	"github.com/colinmarc/hdfs/v2"

	"github.com/lakegate/lakegate"
)

// HDFS is a landing store under a directory of an HDFS cluster, through
// the NameNode's RPC and the DataNodes' transfer protocol
// (github.com/colinmarc/hdfs/v2). Authentication is simple: the client is
// the user HADOOP_USER_NAME names (else the OS user); Kerberos is not
// supported.
type HDFS struct {
	client *hdfs.Client
	addr   string // host:port of the NameNode
	root   string // absolute directory on HDFS, no trailing slash ("" is /)
	owns   bool   // Close closes the client (the root store, not its Subs)
}

var _ Lake = (*HDFS)(nil)

// hdfsDialTimeout bounds connecting to a NameNode or DataNode, so that a
// dead one fails a call in seconds instead of hanging it.
const hdfsDialTimeout = 5 * time.Second

// NewHDFS opens the lake at uri, hdfs://HOST:PORT/path, creating the
// directory if needed. It returns EINVALID for a bad URI and EUNAVAILABLE
// when HDFS cannot be reached.
func NewHDFS(uri string) (*HDFS, error) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "hdfs" || u.Host == "" || u.RawQuery != "" {
		return nil, lakegate.Errorf(lakegate.EINVALID, "lake %q: want hdfs://HOST:PORT/path", uri)
	}
	addr := u.Host
	if u.Port() == "" {
		addr += ":8020" // the NameNode's default RPC port
	}
	dialer := &net.Dialer{Timeout: hdfsDialTimeout, KeepAlive: 30 * time.Second}
	c, err := hdfs.NewClient(hdfs.ClientOptions{Addresses: []string{addr}, User: hdfsUser(),
		NamenodeDialFunc: dialer.DialContext, DatanodeDialFunc: dialer.DialContext})
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "lake %s: cannot reach HDFS at %s (is the NameNode up?)", uri, addr)
	}
	h := &HDFS{client: c, addr: addr, root: strings.TrimSuffix(path.Clean("/"+u.Path), "/"), owns: true}
	if err := c.MkdirAll(h.abs0("."), 0o755); err != nil {
		c.Close()
		return nil, h.ioError(err, "create the lake directory %s", h.abs0("."))
	}
	return h, nil
}

// hdfsUser is the HDFS user lakegate acts as, as Hadoop's own tools pick it.
func hdfsUser() string {
	if u := os.Getenv("HADOOP_USER_NAME"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "lakegate"
}

// Sub is the store of dir inside this one, on the same client.
func (h *HDFS) Sub(dir string) (Lake, error) {
	c, err := CleanPath(dir)
	if err != nil {
		return nil, err
	}
	s := &HDFS{client: h.client, addr: h.addr, root: h.abs0(c)}
	if err := h.client.MkdirAll(s.root, 0o755); err != nil {
		return nil, h.ioError(err, "create %s", dir)
	}
	return s, nil
}

// Dir is "": HDFS files are not local; engines read them through a cache.
func (h *HDFS) Dir() string { return "" }

// Close closes the connection of the root store.
func (h *HDFS) Close() error {
	if h.owns {
		return h.client.Close()
	}
	return nil
}

func (h *HDFS) abs0(c string) string {
	if c == "." {
		if h.root == "" {
			return "/"
		}
		return h.root
	}
	return h.root + "/" + c
}

func (h *HDFS) abs(p string) (string, error) {
	c, err := CleanPath(p)
	if err != nil {
		return "", err
	}
	return h.abs0(c), nil
}

// URI is the hdfs:// URL of p, as Presto and Spark read it.
func (h *HDFS) URI(p string) string {
	a, err := h.abs(p)
	if err != nil {
		return ""
	}
	return "hdfs://" + h.addr + a
}

// Create opens a new file for writing, creating its directories; it
// refuses an existing path. The file is complete once Close returns nil.
func (h *HDFS) Create(ctx context.Context, p string) (io.WriteCloser, error) {
	a, err := h.abs(p)
	if err != nil {
		return nil, err
	}
	if err := h.client.MkdirAll(path.Dir(a), 0o755); err != nil {
		return nil, h.ioError(err, "create %s", p)
	}
	w, err := h.client.Create(a)
	if err != nil {
		return nil, h.ioError(err, "create %s", p)
	}
	return &hdfsWriter{w: w, h: h, p: p}, nil
}

// hdfsWriter retries Close while the NameNode has not heard from the
// DataNodes of the last block yet, as Hadoop's own client does.
type hdfsWriter struct {
	w *hdfs.FileWriter
	h *HDFS
	p string
}

func (w *hdfsWriter) Write(b []byte) (int, error) {
	n, err := w.w.Write(b)
	if err != nil {
		return n, w.h.ioError(err, "write %s", w.p)
	}
	return n, nil
}

func (w *hdfsWriter) Close() error {
	wait := 50 * time.Millisecond
	for deadline := time.Now().Add(20 * time.Second); ; wait = min(2*wait, 2*time.Second) {
		err := w.w.Close()
		if err == nil {
			return nil
		}
		if !hdfs.IsErrReplicating(err) || time.Now().After(deadline) {
			return w.h.ioError(err, "close %s", w.p)
		}
		time.Sleep(wait)
	}
}

// Rename moves from to to; HDFS renames atomically. It refuses to replace
// an existing file.
func (h *HDFS) Rename(ctx context.Context, from, to string) error {
	af, err := h.abs(from)
	if err != nil {
		return err
	}
	at, err := h.abs(to)
	if err != nil {
		return err
	}
	if _, err := h.client.Stat(af); err != nil {
		return h.ioError(err, "rename %s", from)
	}
	if _, err := h.client.Stat(at); err == nil {
		return lakegate.Errorf(lakegate.ECONFLICT, "rename %s: %s already exists", from, to)
	}
	if err := h.client.MkdirAll(path.Dir(at), 0o755); err != nil {
		return h.ioError(err, "rename %s", from)
	}
	if err := h.client.Rename(af, at); err != nil {
		return h.ioError(err, "rename %s to %s", from, to)
	}
	return nil
}

// List returns the entries directly under dir, sorted by name.
func (h *HDFS) List(ctx context.Context, dir string) ([]lakegate.FileInfo, error) {
	a, err := h.abs(dir)
	if err != nil {
		return nil, err
	}
	infos, err := h.client.ReadDir(a)
	if err != nil {
		return nil, h.ioError(err, "list %s", dir)
	}
	if len(infos) == 0 { // ReadDir of a file lists nothing: say what it is
		if st, err := h.client.Stat(a); err == nil && !st.IsDir() {
			return nil, lakegate.Errorf(lakegate.EINVALID, "list %s: not a directory", dir)
		}
	}
	out := make([]lakegate.FileInfo, 0, len(infos))
	for _, fi := range infos {
		out = append(out, lakegate.FileInfo{Path: path.Join(dir, fi.Name()), Size: fi.Size(),
			Modified: fi.ModTime(), Dir: fi.IsDir()})
	}
	return out, nil
}

// Open opens a file for reading.
func (h *HDFS) Open(ctx context.Context, p string) (lakegate.ReadFile, error) {
	a, err := h.abs(p)
	if err != nil {
		return nil, err
	}
	r, err := h.client.Open(a)
	if err != nil {
		return nil, h.ioError(err, "open %s", p)
	}
	if r.Stat().IsDir() {
		r.Close()
		return nil, lakegate.Errorf(lakegate.EINVALID, "open %s: a directory", p)
	}
	return &hdfsReader{FileReader: r, h: h, p: p}, nil
}

type hdfsReader struct {
	*hdfs.FileReader
	h *HDFS
	p string
}

func (r *hdfsReader) Size() int64 { return r.Stat().Size() }

func (r *hdfsReader) Read(b []byte) (int, error) { return r.mapped(r.FileReader.Read(b)) }

func (r *hdfsReader) ReadAt(b []byte, off int64) (int, error) {
	return r.mapped(r.FileReader.ReadAt(b, off))
}

func (r *hdfsReader) mapped(n int, err error) (int, error) {
	if err != nil && err != io.EOF {
		return n, r.h.ioError(err, "read %s", r.p)
	}
	return n, err
}

// Remove deletes a file, or a directory with everything under it. A file
// still open by a writer that died is removed all the same (the NameNode
// drops its lease).
func (h *HDFS) Remove(ctx context.Context, p string) error {
	a, err := h.abs(p)
	if err != nil {
		return err
	}
	if _, err := h.client.Stat(a); err != nil {
		return h.ioError(err, "remove %s", p)
	}
	if err := h.client.RemoveAll(a); err != nil {
		return h.ioError(err, "remove %s", p)
	}
	return nil
}

// ioError maps an HDFS error to an application error. Anything but a
// missing or existing path means HDFS is in trouble: EUNAVAILABLE, with
// the NameNode's address so an operator knows where to look.
func (h *HDFS) ioError(err error, format string, args ...any) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		e := lakegate.Wrap(lakegate.ENOTFOUND, err, format, args...)
		e.Message += ": no such file or directory"
		return e
	case errors.Is(err, fs.ErrExist):
		e := lakegate.Wrap(lakegate.ECONFLICT, err, format, args...)
		e.Message += ": already exists"
		return e
	}
	e := lakegate.Wrap(lakegate.EUNAVAILABLE, err, format, args...)
	e.Message += ": HDFS at " + h.addr + " " + hdfsTrouble(err)
	return e
}

// hdfsTrouble says in a few words what went wrong with HDFS.
func hdfsTrouble(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused the connection (is the NameNode or DataNode up?)"
	case errors.As(err, &ne) && ne.Timeout():
		return "did not answer in time"
	case strings.Contains(err.Error(), "no available datanodes"), strings.Contains(err.Error(), "could only be written to 0"):
		return "has no DataNode to store the data (is a DataNode up?)"
	}
	return "failed"
}
