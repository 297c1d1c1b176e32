package lakegate

import "context"

// Protocols a query may arrive by, as the query log records them.
const (
	ProtocolHTTP = "http"
	ProtocolPG   = "pg" // the PostgreSQL wire protocol (pgwire)
)

// WireQuery is one query of a protocol other than HTTP: its SQL and
// parameters, the engine its session asked for ("" or "auto": the
// router's choice) and the protocol's name for the query log.
type WireQuery struct {
	Query
	Engine   string
	Protocol string
}

// Gateway is the query pipeline as another wire protocol reaches it: the
// same sign-in, tenants, limits, router and query log as POST /v1/query.
type Gateway interface {
	// SignIn checks a user name and password, where the password is an
	// API token of that user (any user and password when authentication
	// is off). EUNAUTHORIZED when they do not match.
	SignIn(ctx context.Context, user, password string) (Principal, error)
	// SignInSCRAM signs user in by SCRAM-SHA-256: proves is called with
	// the verifier of each of user's tokens until one returns true.
	// EUNAUTHORIZED when none does, or when the token it proves expired
	// or was revoked.
	SignInSCRAM(ctx context.Context, user string, proves func(SCRAMVerifier) bool) (Principal, error)
	// Open runs q for who and returns its cursor; Close records the query.
	// It returns what Engine.Query returns, plus EFORBIDDEN for a
	// principal who may not query, EBUSY when no slot frees in time.
	Open(ctx context.Context, who Principal, q WireQuery) (Rows, error)
	// Tables lists who's tenant's tables, columns included, with the
	// catalog version they were read at. EUNAVAILABLE when the catalog
	// cannot be read.
	Tables(ctx context.Context, who Principal) ([]Table, int64, error)
}
