package lakegate

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"regexp"
	"strings"
	"time"
)

// API tokens look like lg_<id>_<secret>: id is 16 lower-case hex digits
// that name the token in listings and revocations, secret is 32 random
// bytes as 64 lower-case hex digits. Stores keep only the SHA-256 of the
// secret, so a leaked store grants nothing. Plain SHA-256 suffices (no
// bcrypt): the secret is random, not a password, so it cannot be guessed.
const (
	TokenPrefix = "lg_"
	tokenIDLen  = 16
	secretLen   = 64
)

var tokenRE = regexp.MustCompile(`^lg_[0-9a-f]{16}_[0-9a-f]{64}$`)

// nameRE is the charset of user and tenant names: tenant names become path
// components and SQL identifiers, so nothing else is allowed.
var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// TokenRecord is one API token as stored: never the token itself.
type TokenRecord struct {
	ID   string `json:"id"`
	Hash string `json:"hash,omitempty"` // hex SHA-256 of the secret; empty in listings
	// SCRAM is the token's SCRAM-SHA-256 verifier (scram.go), for the
	// PostgreSQL protocol's sign-in; empty in listings, and in records of
	// tokens made before lakegate kept one.
	SCRAM  string `json:"scram,omitempty"`
	User   string `json:"user"`
	Tenant string `json:"tenant"`
	Role   string `json:"role"`
	// Created is when it was made; Expires (zero: never) and Revoked
	// (zero: not) when it stops working.
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires,omitzero"`
	Revoked time.Time `json:"revoked,omitzero"`
}

// Principal is who the token speaks for.
func (r TokenRecord) Principal() Principal {
	return Principal{User: r.User, Tenant: r.Tenant, Role: r.Role}
}

// Status is "active", "expired" or "revoked" at now.
func (r TokenRecord) Status(now time.Time) string {
	switch {
	case !r.Revoked.IsZero():
		return "revoked"
	case !r.Expires.IsZero() && !now.Before(r.Expires):
		return "expired"
	}
	return "active"
}

// TokenStore keeps API tokens (hashed). The embedded and the PostgreSQL
// catalog stores each provide one; one shared suite (catalog/catalogtest)
// checks them alike.
type TokenStore interface {
	// Create stores a new token record. EINVALID for a malformed record,
	// ECONFLICT when its ID is taken, EUNAVAILABLE when the store cannot
	// be written.
	Create(ctx context.Context, r TokenRecord) error
	// Lookup returns the record of a token ID, hash included, even when
	// expired or revoked (the caller decides). ENOTFOUND for an unknown ID.
	Lookup(ctx context.Context, id string) (TokenRecord, error)
	// Revoke marks a token revoked from now on; revoking it again keeps the
	// first time and is no error. ENOTFOUND for an unknown ID.
	Revoke(ctx context.Context, id string) error
	// List returns every record, revoked and expired ones included, oldest
	// first, with Hash cleared.
	List(ctx context.Context) ([]TokenRecord, error)
}

// ValidName checks a user or tenant name (what says which: "user",
// "tenant"). EINVALID names the rule.
func ValidName(what, name string) error {
	if !nameRE.MatchString(name) {
		return Errorf(EINVALID, "%s name %q is not valid: use 1 to 63 lower-case letters, digits, '_' or '-', starting with a letter or digit", what, name)
	}
	return nil
}

// Validate checks a record before it is stored: names, role, ID and hash
// format, times. EINVALID says what is wrong.
func (r TokenRecord) Validate() error {
	if err := ValidName("user", r.User); err != nil {
		return err
	}
	if err := ValidTenant(r.Tenant); err != nil {
		return err
	}
	switch {
	case !ValidRole(r.Role):
		return Errorf(EINVALID, "role %q is not one of %s, %s, %s, %s", r.Role, RoleSender, RoleAnalyst, RolePublisher, RoleAdmin)
	case !isLowerHex(r.ID, tokenIDLen):
		return Errorf(EINVALID, "token ID %q is not %d lower-case hex digits", r.ID, tokenIDLen)
	case !isLowerHex(r.Hash, sha256.Size*2):
		return Errorf(EINVALID, "token %s: the hash is not a hex SHA-256", r.ID)
	case r.SCRAM != "" && !validSCRAM(r.SCRAM):
		return Errorf(EINVALID, "token %s: the SCRAM verifier is malformed", r.ID)
	case r.Created.IsZero():
		return Errorf(EINVALID, "token %s has no creation time", r.ID)
	case !r.Expires.IsZero() && !r.Expires.After(r.Created):
		return Errorf(EINVALID, "token %s would expire before it is created", r.ID)
	}
	return nil
}

// NewToken makes a token for p valid for ttl from now (0: no expiry). It
// returns the token, to be shown to its owner once, and the record to
// store. EINVALID for a bad principal or a negative ttl.
func NewToken(p Principal, ttl time.Duration, now time.Time) (string, TokenRecord, error) {
	if ttl < 0 {
		return "", TokenRecord{}, Errorf(EINVALID, "expiry %s is negative; use a positive duration such as 720h, or 0 for none", ttl)
	}
	id, secret := make([]byte, tokenIDLen/2), make([]byte, secretLen/2)
	if _, err := rand.Read(id); err != nil {
		return "", TokenRecord{}, Wrap(EINTERNAL, err, "no randomness for a token")
	}
	if _, err := rand.Read(secret); err != nil {
		return "", TokenRecord{}, Wrap(EINTERNAL, err, "no randomness for a token")
	}
	r := TokenRecord{
		ID: hex.EncodeToString(id), User: p.User, Tenant: p.Tenant, Role: p.Role,
		Created: now.UTC().Truncate(time.Microsecond), // what PostgreSQL keeps
	}
	s := hex.EncodeToString(secret)
	r.Hash = HashSecret(s)
	if ttl > 0 {
		r.Expires = r.Created.Add(ttl)
	}
	tok := TokenPrefix + r.ID + "_" + s
	r.SCRAM = NewSCRAMVerifier(r.User, tok).String()
	if err := r.Validate(); err != nil {
		return "", TokenRecord{}, err
	}
	return tok, r, nil
}

// HashSecret is what stores keep of a token's secret.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// ParseToken splits a token into its ID and secret. It accepts only the
// exact format (lower-case hex, no spaces), so that look-alike tokens never
// reach a store. EUNAUTHORIZED when malformed.
func ParseToken(tok string) (id, secret string, err error) {
	if !tokenRE.MatchString(tok) {
		return "", "", Errorf(EUNAUTHORIZED, "the token is malformed: lakegate tokens look like lg_<16 hex digits>_<64 hex digits>")
	}
	rest := strings.TrimPrefix(tok, TokenPrefix)
	return rest[:tokenIDLen], rest[tokenIDLen+1:], nil
}

// VerifyToken checks a presented token against store at now and returns
// its record. Every failure is EUNAUTHORIZED; only a caller holding the
// right secret learns that the token expired or was revoked. Store outages
// keep their code (EUNAVAILABLE), so they are not mistaken for bad tokens.
func VerifyToken(ctx context.Context, store TokenStore, tok string, now time.Time) (TokenRecord, error) {
	id, secret, err := ParseToken(tok)
	if err != nil {
		return TokenRecord{}, err
	}
	bad := Errorf(EUNAUTHORIZED, "the token is not valid; ask an admin for a new one (lakegate token create)")
	r, err := store.Lookup(ctx, id)
	if ErrorCode(err) == ENOTFOUND {
		return TokenRecord{}, bad
	}
	if err != nil {
		return TokenRecord{}, err
	}
	want, err := hex.DecodeString(r.Hash)
	if err != nil {
		return TokenRecord{}, bad
	}
	got := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(got[:], want) != 1 {
		return TokenRecord{}, bad
	}
	switch r.Status(now) {
	case "revoked":
		return TokenRecord{}, Errorf(EUNAUTHORIZED, "token %s was revoked; ask an admin for a new one", r.ID)
	case "expired":
		return TokenRecord{}, Errorf(EUNAUTHORIZED, "token %s expired at %s; ask an admin for a new one", r.ID, r.Expires.Format(time.RFC3339))
	}
	return r, nil
}

func validSCRAM(s string) bool {
	_, err := ParseSCRAMVerifier(s)
	return err == nil
}

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
