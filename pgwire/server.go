// Package pgwire speaks the PostgreSQL v3 wire protocol, so that psql,
// JDBC and psycopg (and the BI tools on them) query the lake through
// lakegate as they would a PostgreSQL database. Every query goes through
// the same lakegate.Gateway as POST /v1/query: tokens, tenants, limits,
// router and query log; catalog queries (pg_catalog, information_schema)
// are answered from lakegate's catalog by a Metadata.
//
// Messages are read and written with pgx's pgproto3; this package keeps
// the session state machine: startup, authentication, simple and
// extended query with portals that page a result, cancel requests.
package pgwire

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/lakegate/lakegate"
)

// Metadata answers the catalog queries clients send on connect and when
// browsing, from the tables of the caller's tenant in lakegate's catalog
// (never from an engine's own catalog). It returns EINVALID for SQL it
// cannot answer.
type Metadata interface {
	Query(ctx context.Context, tables []lakegate.Table, version int64, sql string, params []any) (lakegate.Rows, error)
}

// Options configures the service; zero limits take the defaults below.
type Options struct {
	Gateway  lakegate.Gateway
	Metadata Metadata
	// Trust signs every client in without a password, as the gateway's
	// SignIn does with authentication off (auth: none).
	Trust bool
	// Cleartext asks for the token as a cleartext password instead of a
	// SCRAM-SHA-256 proof: for tokens made before their records kept a
	// SCRAM verifier, and clients without SCRAM. Use it over TLS.
	Cleartext bool
	// TLS, when set, answers an SSLRequest with 'S' and a handshake;
	// without it the answer is 'N' and the client goes on in clear.
	TLS *tls.Config
	// MaxConns bounds connections in total, MaxConnsPerUser one user's.
	MaxConns, MaxConnsPerUser int
	// StartupTimeout bounds startup and sign-in, IdleTimeout the wait for
	// the next message between queries.
	StartupTimeout, IdleTimeout time.Duration
	// MaxMessageBytes bounds one message from a client (a query's text
	// and its parameters).
	MaxMessageBytes int
	// ServerVersion is sent as server_version: the PostgreSQL version
	// clients may assume, with lakegate's own after it.
	ServerVersion string
	Logger        *slog.Logger
}

// Defaults of Options.
const (
	DefaultMaxConns        = 100
	DefaultMaxConnsPerUser = 20
	DefaultStartupTimeout  = 10 * time.Second
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultMaxMessageBytes = 4 << 20
	DefaultServerVersion   = "15.0 (lakegate)"
)

func (o *Options) withDefaults() {
	set := func(p *int, d int) {
		if *p <= 0 {
			*p = d
		}
	}
	set(&o.MaxConns, DefaultMaxConns)
	set(&o.MaxConnsPerUser, DefaultMaxConnsPerUser)
	set(&o.MaxMessageBytes, DefaultMaxMessageBytes)
	if o.StartupTimeout <= 0 {
		o.StartupTimeout = DefaultStartupTimeout
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.ServerVersion == "" {
		o.ServerVersion = DefaultServerVersion
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Server accepts connections and keeps what spans them: the connection
// counts and the cancel keys.
type Server struct {
	opt Options

	mu      sync.Mutex
	ln      net.Listener
	total   int
	perUser map[string]int
	byKey   map[uint32]*conn // cancel keys by process ID
	nextPID uint32
	closed  bool
	wg      sync.WaitGroup
}

// New makes a server; Serve starts it.
func New(opt Options) *Server {
	opt.withDefaults()
	return &Server{opt: opt, perUser: map[string]int{}, byKey: map[uint32]*conn{}}
}

// Serve accepts connections on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosed() || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			newConn(s, nc).serve()
		}()
	}
}

// Close stops accepting, cancels every running query, closes every
// connection and waits for them.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	if s.ln != nil {
		s.ln.Close()
	}
	for _, c := range s.byKey {
		c.kill()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// admitConn counts a new connection against MaxConns (53300 beyond it).
func (s *Server) admitConn() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.total >= s.opt.MaxConns {
		return lakegate.Errorf(lakegate.EBUSY, "too many connections: this server takes %d (pg_max_conns); close idle ones or retry later", s.opt.MaxConns)
	}
	s.total++
	return nil
}

// admitUser counts a signed-in connection against MaxConnsPerUser.
func (s *Server) admitUser(user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perUser[user] >= s.opt.MaxConnsPerUser {
		return lakegate.Errorf(lakegate.EBUSY, "too many connections for user %s: each user may hold %d (pg_max_conns_per_user); close idle ones", user, s.opt.MaxConnsPerUser)
	}
	s.perUser[user]++
	return nil
}

// register gives c a process ID and secret for cancel requests.
func (s *Server) register(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		s.nextPID++
		if s.byKey[s.nextPID] == nil && s.nextPID != 0 {
			break
		}
	}
	c.pid = s.nextPID
	c.secret = make([]byte, 4)
	rand.Read(c.secret)
	s.byKey[c.pid] = c
}

// release forgets a closed connection.
func (s *Server) release(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.counted {
		s.total--
	}
	if c.user != "" {
		if s.perUser[c.user]--; s.perUser[c.user] <= 0 {
			delete(s.perUser, c.user)
		}
	}
	if s.byKey[c.pid] == c {
		delete(s.byKey, c.pid)
	}
}

// cancel cancels the running query of the connection whose key matches;
// a wrong key does nothing, as in PostgreSQL, so keys cannot be probed.
func (s *Server) cancel(pid uint32, secret []byte) {
	s.mu.Lock()
	c := s.byKey[pid]
	s.mu.Unlock()
	if c != nil && subtle.ConstantTimeCompare(secret, c.secret) == 1 {
		c.cancelQuery()
	}
}
