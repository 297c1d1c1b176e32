// Package hms serves lakegate's catalog over the Hive Metastore Thrift API
// (binary protocol, on a plain socket or framed), so that Presto, Spark and
// Hive clients read the tables ingest registers, with nothing registered
// twice. It is read-only: every write answers a MetaException naming the
// lakegate command to use. Bindings: github.com/beltran/gohive/hive_metastore
// (the Hive 4 interface, a superset of what Hive 2 and 3 clients call).
//
// Tenants: a connection serves one tenant, which the client names with
// set_ugi (Spark and Hive send the user, HADOOP_USER_NAME; Presto sends
// each query's user when hive.metastore-impersonation-enabled is on): the
// user is the tenant's name, or a lakegate API token, which stands for its
// tenant. A connection that names none is the default tenant's. As with
// a Hive metastore without Kerberos, a plain name is not a proof:
// with Auth "token", only tokens are accepted.
package hms

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/apache/thrift/lib/go/thrift"
	"github.com/beltran/gohive/gohivemeta/fb303"
	"github.com/beltran/gohive/hive_metastore"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/lakegate/lakegate"
)

// Tenants gives the metastore each tenant's view of the catalog and the
// store its paths are in (for the locations clients read).
type Tenants interface {
	// Tenant returns EINVALID for a bad tenant name.
	Tenant(name string) (lakegate.Catalog, lakegate.Store, error)
}

// Options configures the service; zero limits take their defaults.
type Options struct {
	Tenants       Tenants
	Tokens        lakegate.TokenStore // checks tokens given as users; nil: tokens are refused
	DefaultTenant string              // of connections that name none ("": they must)
	TokensOnly    bool                // set_ugi must give a token, not a tenant's name
	// MaxConnections bounds open connections (default 1024); more are
	// closed at once. IdleTimeout closes a connection that sends nothing
	// (default 10 minutes). MaxMessageBytes bounds one message (default
	// 16 MiB).
	MaxConnections  int
	IdleTimeout     time.Duration
	MaxMessageBytes int
	SlowCall        time.Duration // calls slower than this are logged (default 1s)
	Logger          *slog.Logger
	Metrics         *Metrics // nil: not counted
}

// Server is the metastore service.
type Server struct {
	opt    Options
	slots  chan struct{}
	start  time.Time
	tables *lru.Cache[tableKey, *cachedTable] // cache.go

	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// New returns the service; Serve runs it on a listener.
func New(opt Options) *Server {
	if opt.MaxConnections <= 0 {
		opt.MaxConnections = 1024
	}
	if opt.IdleTimeout <= 0 {
		opt.IdleTimeout = 10 * time.Minute
	}
	if opt.MaxMessageBytes <= 0 {
		opt.MaxMessageBytes = 16 << 20
	}
	if opt.SlowCall <= 0 {
		opt.SlowCall = time.Second
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{opt: opt, slots: make(chan struct{}, opt.MaxConnections), start: time.Now(),
		tables: newTableCache(), conns: map[net.Conn]struct{}{}}
}

// Serve accepts connections until Close; it returns nil after Close.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		select {
		case s.slots <- struct{}{}:
		default:
			s.opt.Logger.Warn("metastore: too many connections; closing a new one", "max", s.opt.MaxConnections, "remote", c.RemoteAddr())
			s.opt.Metrics.refused()
			c.Close()
			continue
		}
		s.track(c, true)
		s.wg.Go(func() {
			defer func() { <-s.slots }()
			defer s.track(c, false)
			s.serveConn(c)
		})
	}
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Server) track(c net.Conn, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on {
		s.conns[c] = struct{}{}
	} else {
		delete(s.conns, c)
		c.Close()
	}
}

// Close stops accepting, closes every connection and waits for them.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	if s.ln != nil {
		s.ln.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// serveConn answers one connection's calls until it closes, idles too long
// or sends what is not the metastore protocol. Framed transport is chosen
// when the first bytes are a frame length, not a binary message header.
func (s *Server) serveConn(c net.Conn) {
	conf := &thrift.TConfiguration{MaxMessageSize: int32(s.opt.MaxMessageBytes), MaxFrameSize: int32(s.opt.MaxMessageBytes),
		TBinaryStrictRead: thrift.BoolPtr(false), TBinaryStrictWrite: thrift.BoolPtr(true)}
	dc := &deadlineConn{Conn: c, idle: s.opt.IdleTimeout}
	br := bufio.NewReaderSize(dc, 64<<10)
	head, err := br.Peek(6)
	if err != nil {
		return
	}
	var trans thrift.TTransport = &rwTransport{r: br, w: bufio.NewWriterSize(dc, 64<<10), c: c}
	if head[0] != 0x80 && head[4] == 0x80 && head[5] == 0x01 { // a frame length, then a strict binary header
		trans = thrift.NewTFramedTransportConf(trans, conf)
	}
	proto := thrift.NewTBinaryProtocolConf(trans, conf)
	h := &handler{s: s, tenant: s.opt.DefaultTenant}
	proc := hive_metastore.NewThriftHiveMetastoreProcessor(h)
	lenientProcessors(proc, h) // lenient.go
	for {
		if !s.call(proc, proto, c) {
			return
		}
	}
}

// call runs one call; false ends the connection (it closed, idled, sent
// garbage, or a bug panicked: the connection is then in no known state).
func (s *Server) call(proc thrift.TProcessor, proto thrift.TProtocol, c net.Conn) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			s.opt.Logger.Error("metastore: a call panicked; closing its connection", "panic", r, "remote", c.RemoteAddr())
			ok = false
		}
	}()
	mp := &methodPeek{TProtocol: proto}
	start := time.Now()
	_, err := proc.Process(context.Background(), mp, proto)
	if mp.name == "" {
		return false // nothing came: closed, idle or garbage before a message
	}
	outcome := "ok"
	var te thrift.TTransportException
	var pe thrift.TProtocolException
	switch {
	case errors.As(err, &te), errors.As(err, &pe), errors.Is(err, io.EOF):
		s.opt.Metrics.count(mp.name, "broken", time.Since(start))
		return false
	case err != nil:
		outcome = "error"
	}
	d := time.Since(start)
	s.opt.Metrics.count(mp.name, outcome, d)
	s.opt.Logger.Debug("metastore call", "method", mp.name, "outcome", outcome, "err", err, "ms", d.Milliseconds())
	if d > s.opt.SlowCall {
		s.opt.Logger.Warn("metastore: slow call", "method", mp.name, "ms", d.Milliseconds(), "remote", c.RemoteAddr())
	}
	return true
}

// methodPeek remembers the name of the message being read.
type methodPeek struct {
	thrift.TProtocol
	name string
}

func (m *methodPeek) ReadMessageBegin(ctx context.Context) (string, thrift.TMessageType, int32, error) {
	name, typ, seq, err := m.TProtocol.ReadMessageBegin(ctx)
	if err == nil {
		m.name = name
	}
	return name, typ, seq, err
}

// deadlineConn gives every read the idle timeout, so a silent client
// frees its connection.
type deadlineConn struct {
	net.Conn
	idle time.Duration
}

func (d *deadlineConn) Read(p []byte) (int, error) {
	d.Conn.SetReadDeadline(time.Now().Add(d.idle))
	return d.Conn.Read(p)
}

// rwTransport is the plain socket transport over buffered reader and
// writer (the reader already peeked at the first bytes).
type rwTransport struct {
	r *bufio.Reader
	w *bufio.Writer
	c net.Conn
}

func (t *rwTransport) Read(p []byte) (int, error)  { return t.r.Read(p) }
func (t *rwTransport) Write(p []byte) (int, error) { return t.w.Write(p) }
func (t *rwTransport) Flush(context.Context) error { return t.w.Flush() }
func (t *rwTransport) Close() error                { return t.c.Close() }
func (t *rwTransport) Open() error                 { return nil }
func (t *rwTransport) IsOpen() bool                { return true }
func (t *rwTransport) RemainingBytes() uint64      { return ^uint64(0) }

// tenantOf is the tenant a set_ugi user stands for.
func (s *Server) tenantOf(ctx context.Context, user string) (string, error) {
	if strings.HasPrefix(user, lakegate.TokenPrefix) {
		if s.opt.Tokens == nil {
			return "", metaError("set_ugi: this metastore takes no API tokens")
		}
		r, err := lakegate.VerifyToken(ctx, s.opt.Tokens, user, time.Now())
		if err != nil {
			return "", metaError("set_ugi: " + lakegate.ErrorMessage(err))
		}
		return r.Tenant, nil
	}
	if s.opt.TokensOnly {
		return "", metaError("set_ugi: this metastore needs a lakegate API token as the user name (hms_auth: token)")
	}
	if err := lakegate.ValidTenant(user); err != nil {
		return "", metaError(fmt.Sprintf("set_ugi: user %q names no tenant: connect as the tenant's name (e.g. HADOOP_USER_NAME=acme) or with an API token", user))
	}
	return user, nil
}

// What the rest of the metastore API lakegate answers: configuration,
// functions (none), notifications (the catalog version), fb303's status.

func (h *handler) GetAllFunctions(ctx context.Context) (*hive_metastore.GetAllFunctionsResponse, error) {
	return &hive_metastore.GetAllFunctionsResponse{Functions: []*hive_metastore.Function{}}, nil
}

func (h *handler) GetFunctions(ctx context.Context, db, pattern string) ([]string, error) {
	return []string{}, nil
}

// metaConf are the settings clients ask for (getMetaConf).
var metaConf = map[string]string{
	"hive.metastore.batch.retrieve.max": "300", "metastore.batch.retrieve.max": "300",
	"hive.metastore.try.direct.sql": "false", "hive.metastore.client.capability.check": "false",
}

func (h *handler) GetMetaConf(ctx context.Context, key string) (string, error) {
	return metaConf[key], nil
}

func (h *handler) GetConfigValue(ctx context.Context, name, def string) (string, error) {
	if v, ok := metaConf[name]; ok {
		return v, nil
	}
	return def, nil
}

func (h *handler) GetCurrentNotificationEventId(ctx context.Context) (*hive_metastore.CurrentNotificationEventId, error) {
	cat, _, err := h.view()
	if err != nil {
		return nil, err
	}
	v, err := cat.Version(ctx)
	if err != nil {
		return nil, metaFrom(err)
	}
	return &hive_metastore.CurrentNotificationEventId{EventId: v}, nil
}

func (h *handler) GetCatalogs(ctx context.Context) (*hive_metastore.GetCatalogsResponse, error) {
	return &hive_metastore.GetCatalogsResponse{Names: []string{"hive"}}, nil
}

func (h *handler) GetName(ctx context.Context) (string, error)    { return "lakegate", nil }
func (h *handler) GetVersion(ctx context.Context) (string, error) { return lakegate.Version, nil }
func (h *handler) GetStatus(ctx context.Context) (fb303.FbStatus, error) {
	return fb303.FbStatus_ALIVE, nil
}
func (h *handler) GetStatusDetails(ctx context.Context) (string, error) { return "serving", nil }
func (h *handler) AliveSince(ctx context.Context) (int64, error)        { return h.s.start.Unix(), nil }
