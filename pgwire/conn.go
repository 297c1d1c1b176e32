package pgwire

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate"
)

// conn is one client connection: its session and its prepared
// statements and portals.
type conn struct {
	s       *Server
	nc      net.Conn
	be      *pgproto3.Backend
	pid     uint32
	secret  []byte
	counted bool   // counted in Server.total
	user    string // counted in Server.perUser once signed in
	who     lakegate.Principal
	ctx     context.Context
	stop    context.CancelFunc
	session *session

	stmts   map[string]*statement
	portals map[string]*portal
	cursors map[string]*portal // DECLAREd cursors by name
	// failed is set by an error in the extended protocol: messages are
	// skipped until the next Sync, as PostgreSQL does.
	failed bool

	mu      sync.Mutex
	running context.CancelFunc // the query a cancel request stops
}

func newConn(s *Server, nc net.Conn) *conn {
	ctx, stop := context.WithCancel(context.Background())
	c := &conn{s: s, nc: nc, ctx: ctx, stop: stop, stmts: map[string]*statement{}, portals: map[string]*portal{}, cursors: map[string]*portal{}}
	c.be = pgproto3.NewBackend(nc, nc)
	c.be.SetMaxBodyLen(s.opt.MaxMessageBytes)
	return c
}

// serve runs the connection to its end. Whatever a client sends, only
// its own connection ends: a panic is logged, never spread.
func (c *conn) serve() {
	defer func() {
		if p := recover(); p != nil {
			c.s.opt.Logger.Error("pgwire: connection failed", "panic", fmt.Sprint(p), "remote", c.nc.RemoteAddr().String())
		}
		c.closePortals()
		c.stop()
		c.nc.Close()
		c.s.release(c)
	}()
	c.nc.SetDeadline(time.Now().Add(c.s.opt.StartupTimeout))
	ok, err := c.startup()
	if err != nil || !ok {
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			c.s.opt.Logger.Debug("pgwire: startup failed", "error", err.Error(), "remote", c.nc.RemoteAddr().String())
		}
		return
	}
	c.nc.SetDeadline(time.Time{})
	c.loop()
}

// startup negotiates TLS, reads the startup message and signs the user
// in; false means the connection is done (a cancel request, or refused).
func (c *conn) startup() (bool, error) {
	for {
		msg, err := c.be.ReceiveStartupMessage()
		if err != nil {
			return false, err
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest:
			if err := c.negotiateTLS(); err != nil {
				return false, err
			}
		case *pgproto3.GSSEncRequest:
			if _, err := c.nc.Write([]byte{'N'}); err != nil {
				return false, err
			}
		case *pgproto3.CancelRequest:
			c.s.cancel(m.ProcessID, m.SecretKey)
			return false, nil
		case *pgproto3.StartupMessage:
			return c.signIn(m)
		}
	}
}

// negotiateTLS answers an SSLRequest: a TLS handshake when the server has
// a certificate, else 'N' (the client goes on in clear or gives up).
func (c *conn) negotiateTLS() error {
	if c.s.opt.TLS == nil {
		_, err := c.nc.Write([]byte{'N'})
		return err
	}
	if _, err := c.nc.Write([]byte{'S'}); err != nil {
		return err
	}
	tc := tls.Server(c.nc, c.s.opt.TLS)
	if err := tc.Handshake(); err != nil {
		return err
	}
	c.nc = tc
	c.be = pgproto3.NewBackend(tc, tc)
	c.be.SetMaxBodyLen(c.s.opt.MaxMessageBytes)
	return nil
}

// signIn asks for the password (an API token), checks it and the
// connection limits, and sends the session's parameters.
func (c *conn) signIn(m *pgproto3.StartupMessage) (bool, error) {
	if err := c.s.admitConn(); err != nil {
		return false, c.fatal(err)
	}
	c.counted = true
	who, err := c.authenticate(m.Parameters["user"])
	if err != nil {
		return false, err
	}
	if err := c.s.admitUser(who.User); err != nil {
		return false, c.fatal(err)
	}
	c.who, c.user = who, who.User
	c.s.register(c)
	c.session = newSession(c.s.opt.ServerVersion, m.Parameters)
	c.be.Send(&pgproto3.AuthenticationOk{})
	for _, p := range c.session.reported() {
		c.be.Send(&pgproto3.ParameterStatus{Name: p, Value: c.session.get(p)})
	}
	c.be.Send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret})
	c.be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
	return true, c.be.Flush()
}

// authenticate signs user in: by SCRAM-SHA-256, by a cleartext password
// (Options.Cleartext), or without one (Options.Trust). A failure was
// already sent to the client.
func (c *conn) authenticate(user string) (lakegate.Principal, error) {
	if !c.s.opt.Trust && !c.s.opt.Cleartext {
		return c.signInSCRAM(user)
	}
	password := ""
	if !c.s.opt.Trust {
		var err error
		if password, err = c.password(); err != nil {
			return lakegate.Principal{}, err
		}
	}
	who, err := c.s.opt.Gateway.SignIn(c.ctx, user, password)
	if err != nil {
		return lakegate.Principal{}, c.fatal(err)
	}
	return who, nil
}

// password asks for a cleartext password; over a connection without TLS
// the token then travels in clear, as with HTTP Basic without TLS.
func (c *conn) password() (string, error) {
	c.be.Send(&pgproto3.AuthenticationCleartextPassword{})
	if err := c.be.Flush(); err != nil {
		return "", err
	}
	if err := c.be.SetAuthType(pgproto3.AuthTypeCleartextPassword); err != nil {
		return "", err
	}
	msg, err := c.be.Receive()
	if err != nil {
		return "", err
	}
	pm, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return "", c.fatal(lakegate.Errorf(lakegate.EUNAUTHORIZED, "expected a password message, got %T", msg))
	}
	return pm.Password, nil
}

// fatal sends err as a FATAL error; the connection then ends.
func (c *conn) fatal(err error) error {
	e := errorResponse(err)
	e.Severity, e.SeverityUnlocalized = "FATAL", "FATAL"
	c.be.Send(e)
	c.be.Flush()
	return err
}

// loop reads messages until Terminate, the client's end, or the idle
// timeout.
func (c *conn) loop() {
	for {
		c.nc.SetReadDeadline(time.Now().Add(c.s.opt.IdleTimeout))
		msg, err := c.be.Receive()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				c.fatal(lakegate.Errorf(lakegate.ETIMEOUT, "the connection was idle longer than pg_idle_timeout (%s); connect again", c.s.opt.IdleTimeout))
			} else if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, net.ErrClosed) {
				c.fatal(lakegate.Errorf(lakegate.EINVALID, "bad message: %v", err))
			}
			return
		}
		c.nc.SetReadDeadline(time.Time{})
		if _, ok := msg.(*pgproto3.Terminate); ok {
			return
		}
		if err := c.handle(msg); err != nil {
			return
		}
	}
}

// handle answers one message; an error is the connection's end.
func (c *conn) handle(msg pgproto3.FrontendMessage) error {
	if c.failed {
		if _, ok := msg.(*pgproto3.Sync); !ok {
			return nil
		}
	}
	// Replies to the extended protocol's messages wait in the buffer for
	// Sync or Flush, as PostgreSQL's do: one write per batch.
	switch m := msg.(type) {
	case *pgproto3.Query:
		c.simpleQuery(m.String)
	case *pgproto3.Parse:
		c.extended(c.parse(m))
	case *pgproto3.Bind:
		c.extended(c.bind(m))
	case *pgproto3.Describe:
		c.extended(c.describe(m))
	case *pgproto3.Execute:
		c.extended(c.execute(m))
	case *pgproto3.Close:
		c.extended(c.closeObject(m))
	case *pgproto3.Sync:
		c.sync()
	case *pgproto3.Flush:
	default:
		c.fatal(lakegate.Errorf(lakegate.EINVALID, "unsupported message %T: lakegate speaks simple and extended query", msg))
		return errors.New("unsupported message")
	}
	switch msg.(type) {
	case *pgproto3.Query, *pgproto3.Sync, *pgproto3.Flush:
		return c.be.Flush()
	}
	return nil
}

// extended reports an error of an extended-protocol message and skips the
// rest until Sync.
func (c *conn) extended(err error) {
	if err != nil {
		c.be.Send(errorResponse(err))
		c.failed = true
	}
}

// sync ends an extended-protocol batch. Outside a transaction block its
// implicit transaction ends, and with it every portal, as in PostgreSQL:
// a suspended portal holds a query slot, so it must not outlive it.
func (c *conn) sync() {
	c.failed = false
	if !c.session.inTx {
		c.closePortalsOnly()
	}
	c.be.Send(&pgproto3.ReadyForQuery{TxStatus: c.session.txStatus()})
}

func (c *conn) closePortalsOnly() {
	for name, p := range c.portals {
		p.close()
		delete(c.portals, name)
	}
}

// startQuery makes the context of one query, which a cancel request or
// the connection's end cancels.
func (c *conn) startQuery() (context.Context, func()) {
	ctx, cancel := context.WithCancel(c.ctx)
	c.mu.Lock()
	c.running = cancel
	c.mu.Unlock()
	return ctx, cancel
}

func (c *conn) cancelQuery() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running != nil {
		c.running()
	}
}

// kill ends the connection from outside (Server.Close).
func (c *conn) kill() {
	c.stop()
	c.nc.Close()
}

func (c *conn) closePortals() {
	c.closeCursors("", true)
	c.closePortalsOnly()
}
