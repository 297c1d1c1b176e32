package server

import (
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/lakegate/lakegate"
)

// AuthOptions says who may call the server. Exactly one of Tokens and None
// is meant to be set; with neither, every protected route answers 401 (the
// server fails closed rather than open).
type AuthOptions struct {
	// Tokens checks API tokens sent as "Authorization: Bearer <token>" or
	// as HTTP Basic (user name and the token as password, or the token as
	// user name and an empty password).
	Tokens lakegate.TokenStore
	// None turns authentication off: every request acts as
	// lakegate.Anonymous, an admin of the default tenant. For local use
	// and the demo only; the caller says so loudly at start.
	None bool
	// RateLimit is the requests per second one token may send (0: no
	// limit), with bursts of RateBurst (default: one second's worth, at
	// least 1). Beyond it: 429 with Retry-After.
	RateLimit float64
	RateBurst int
	// MaxConcurrentPerToken bounds one token's requests in flight,
	// streaming answers included (0: no bound). Beyond it: 429 with
	// Retry-After. Queries also count against MaxConcurrentPerUser.
	MaxConcurrentPerToken int
	// Now is the clock that expires tokens; default time.Now.
	Now func() time.Time
}

// Realm is the realm of the WWW-Authenticate challenges.
const Realm = "lakegate"

// nobody is the principal of a request to an open route when
// authentication is on: no tenant, no role, so Can is always false.
var nobody = lakegate.Principal{User: "unauthenticated"}

// tokenIDKey holds the ID of the caller's token in the echo context (empty
// when authentication is off).
const tokenIDKey = "token_id"

// auth is the server's authentication state (set up by useAuth).
type auth struct {
	opt    AuthOptions
	quotas *quotas
	// identify finds the caller of a request. Only tests replace it
	// (seams_test.go): no header other than Authorization ever names the
	// caller.
	identify func(c echo.Context) (lakegate.Principal, string, error)

	routesOnce sync.Once
	routes     map[string]bool // registered "METHOD path"s (roles.go)

	deniedOnce  sync.Once
	deniedTotal *prometheus.CounterVec // lakegate_auth_denied_total, in the server's Metrics
}

// useAuth installs the middleware that authenticates every request but
// the open routes, checks the route's role (roles.go) and the token's
// quotas, and stores the caller for principalOf. It runs after routing, so
// it knows the route, and before every handler.
func (s *Server) useAuth(e *echo.Echo) {
	a := &auth{opt: s.opt.Auth, quotas: newQuotas(s.opt.Auth)}
	if a.opt.Now == nil {
		a.opt.Now = time.Now
	}
	a.identify = a.fromHeader
	if a.opt.Tokens == nil && !a.opt.None {
		s.log.Error("authentication has no token store and is not turned off: every request but /healthz gets 401")
	}
	s.auth = a
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			role, open := s.routeRole(c.Request().Method, c.Path())
			if open {
				// Open routes read no principal; should one ever do, it
				// gets no rights rather than principalOf's Anonymous.
				c.Set(principalKey, nobody)
				if s.auth.opt.None {
					c.Set(principalKey, lakegate.Anonymous)
				}
				return next(c)
			}
			p, tokenID, err := s.auth.identify(c)
			if err != nil {
				if lakegate.ErrorCode(err) == lakegate.EUNAUTHORIZED {
					challenge(c)
				}
				return s.denied(c, tokenID, err)
			}
			release, err := s.auth.quotas.admit(c, tokenID)
			if err != nil {
				return s.denied(c, tokenID, err)
			}
			defer release()
			if !p.Can(role) {
				return s.denied(c, tokenID, lakegate.Errorf(lakegate.EFORBIDDEN, "%s %s needs the %s role; %s of tenant %s is %s",
					c.Request().Method, c.Path(), role, p.User, p.Tenant, describeRole(p.Role)))
			}
			c.Set(principalKey, p)
			c.Set(tokenIDKey, tokenID)
			return next(c)
		}
	})
}

// denied logs and counts a request turned away by authentication, then
// returns err for the error handler. Store outages are not counted: the
// error handler reports them.
func (s *Server) denied(c echo.Context, tokenID string, err error) error {
	code := lakegate.ErrorCode(err)
	switch code {
	case lakegate.EUNAUTHORIZED, lakegate.EFORBIDDEN, lakegate.EBUSY:
	default:
		return err
	}
	s.auth.deniedOnce.Do(func() {
		s.auth.deniedTotal = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "lakegate_auth_denied_total",
			Help: "Requests turned away before their handler, by code: unauthorized (401), forbidden (403), busy (429, a token's quota)."},
			[]string{"code"})
		if err := s.metrics.reg.Register(s.auth.deniedTotal); err != nil {
			if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
				s.auth.deniedTotal = are.ExistingCollector.(*prometheus.CounterVec)
			}
		}
	})
	s.auth.deniedTotal.WithLabelValues(code).Inc()
	r := c.Request()
	s.log.Info("request denied", "code", code, "method", r.Method, "path", r.URL.Path,
		"remote", r.RemoteAddr, "token_id", tokenID, "reason", lakegate.ErrorMessage(err))
	return err
}

func describeRole(r string) string {
	if lakegate.ValidRole(r) {
		return "an " + r
	}
	return "of the unknown role " + r
}

// challenge sets the WWW-Authenticate header of a 401. Basic is offered
// to tools and to a browser tab opening a URL (its login box then works:
// user name and token), but not to a client that tried Bearer nor to a
// page's script (Sec-Fetch-Dest: empty), so that the query page's own
// sign-in dialog never competes with the browser's login box.
func challenge(c echo.Context) {
	r, h := c.Request(), c.Response().Header()
	h.Add("WWW-Authenticate", `Bearer realm="`+Realm+`"`)
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") && r.Header.Get("Sec-Fetch-Dest") != "empty" {
		h.Add("WWW-Authenticate", `Basic realm="`+Realm+`", charset="UTF-8"`)
	}
}

// fromHeader authenticates the request's one Authorization header.
func (a *auth) fromHeader(c echo.Context) (lakegate.Principal, string, error) {
	if a.opt.None {
		return lakegate.Anonymous, "", nil
	}
	if a.opt.Tokens == nil {
		return lakegate.Principal{}, "", lakegate.Errorf(lakegate.EUNAUTHORIZED,
			"this server has no token store configured, so nobody can sign in; ask its operator")
	}
	tok, basicUser, err := credentials(c.Request())
	if err != nil {
		return lakegate.Principal{}, "", err
	}
	r, err := lakegate.VerifyToken(c.Request().Context(), a.opt.Tokens, tok, a.opt.Now())
	if err != nil {
		return lakegate.Principal{}, "", err
	}
	if basicUser != "" && basicUser != r.User {
		return lakegate.Principal{}, "", lakegate.Errorf(lakegate.EUNAUTHORIZED,
			"the Basic user name is not the token's user; send the token's user name, or the token as user name and no password")
	}
	return r.Principal(), r.ID, nil
}

const howToAuth = "send \"Authorization: Bearer <token>\", or HTTP Basic with your user name and the token as password; `lakegate token create` makes tokens"

// credentials extracts the token from the one Authorization header, and
// the user name when it came by Basic. It is strict on purpose: exactly one
// header, a known scheme (case-insensitive, as RFC 9110 says), one space,
// then credentials without spaces, commas or anything else, so that no
// proxy or client can read a different token from the same request.
func credentials(r *http.Request) (token, basicUser string, err error) {
	vals := r.Header.Values("Authorization")
	switch {
	case len(vals) == 0:
		return "", "", lakegate.Errorf(lakegate.EUNAUTHORIZED, "no credentials: %s", howToAuth)
	case len(vals) > 1:
		return "", "", lakegate.Errorf(lakegate.EUNAUTHORIZED, "%d Authorization headers: send exactly one", len(vals))
	}
	malformed := lakegate.Errorf(lakegate.EUNAUTHORIZED, "the Authorization header is malformed: %s", howToAuth)
	scheme, cred, ok := strings.Cut(vals[0], " ")
	if !ok || cred == "" || strings.ContainsAny(cred, " \t\r\n,;\x00") {
		return "", "", malformed
	}
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		return cred, "", nil
	case strings.EqualFold(scheme, "Basic"):
		raw, err := base64.StdEncoding.Strict().DecodeString(cred)
		if err != nil {
			return "", "", malformed
		}
		user, pass, ok := strings.Cut(string(raw), ":")
		switch {
		case !ok:
			return "", "", malformed
		case pass == "":
			return user, "", nil // the token as user name (tools that ask for an "API key")
		case user == "":
			return pass, "", nil
		}
		return pass, user, nil
	}
	if len(scheme) > 16 {
		scheme = scheme[:16] + "..."
	}
	return "", "", lakegate.Errorf(lakegate.EUNAUTHORIZED, "unsupported Authorization scheme %q: %s", scheme, howToAuth)
}
