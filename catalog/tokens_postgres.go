package catalog

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lakegate/lakegate"
)

// PostgresTokens is the token store of the PostgreSQL catalog (table
// lakegate.tokens, migration 0003): every gateway sharing the catalog sees
// a token or its revocation on its next request.
//
// It is safe for concurrent use by goroutines.
type PostgresTokens struct{ p *Postgres }

var _ lakegate.TokenStore = PostgresTokens{}

// Tokens returns the catalog's token store.
func (p *Postgres) Tokens() lakegate.TokenStore { return PostgresTokens{p} }

const tokenColumns = `id, hash, user_name, tenant, role, created, expires, revoked, scram`

// Create stores a new token. EINVALID for a malformed record, ECONFLICT
// when the ID is taken, EUNAVAILABLE when PostgreSQL is down.
func (s PostgresTokens) Create(ctx context.Context, r lakegate.TokenRecord) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if s.p.closed.Load() {
		return errClosed()
	}
	_, err := s.p.pool.Exec(ctx, `INSERT INTO lakegate.tokens (`+tokenColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		r.ID, r.Hash, r.User, r.Tenant, r.Role, r.Created, nullTime(r.Expires), nullTime(r.Revoked), nullString(r.SCRAM))
	if lakegate.ErrorCode(s.p.fail(ctx, err)) == lakegate.ECONFLICT {
		return lakegate.Wrap(lakegate.ECONFLICT, err, "token ID %s is taken", r.ID)
	}
	return s.p.fail(ctx, err)
}

// Lookup returns a token's record, hash included. ENOTFOUND for an unknown
// ID.
func (s PostgresTokens) Lookup(ctx context.Context, id string) (lakegate.TokenRecord, error) {
	var r lakegate.TokenRecord
	err := s.p.read(ctx, func() error {
		var err error
		r, err = scanToken(s.p.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM lakegate.tokens WHERE id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return lakegate.Errorf(lakegate.ENOTFOUND, "no token %q", id)
		}
		return err
	})
	return r, err
}

// Revoke marks a token revoked; again is no error. ENOTFOUND for an
// unknown ID.
func (s PostgresTokens) Revoke(ctx context.Context, id string) error {
	if s.p.closed.Load() {
		return errClosed()
	}
	tag, err := s.p.pool.Exec(ctx, `UPDATE lakegate.tokens
		SET revoked = coalesce(revoked, date_trunc('microseconds', clock_timestamp())) WHERE id = $1`, id)
	if err != nil {
		return s.p.fail(ctx, err)
	}
	if tag.RowsAffected() == 0 {
		return lakegate.Errorf(lakegate.ENOTFOUND, "no token %q; lakegate token ls lists them", id)
	}
	return nil
}

// List returns every token, oldest first, without hashes.
func (s PostgresTokens) List(ctx context.Context) ([]lakegate.TokenRecord, error) {
	var out []lakegate.TokenRecord
	err := s.p.read(ctx, func() error {
		rows, _ := s.p.pool.Query(ctx, `SELECT `+tokenColumns+` FROM lakegate.tokens ORDER BY created, id`)
		var err error
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (lakegate.TokenRecord, error) {
			r, err := scanToken(row)
			r.Hash, r.SCRAM = "", ""
			return r, err
		})
		return err
	})
	if out == nil && err == nil {
		out = []lakegate.TokenRecord{}
	}
	return out, err
}

func scanToken(row pgx.Row) (lakegate.TokenRecord, error) {
	var r lakegate.TokenRecord
	var expires, revoked *time.Time
	var scram *string
	err := row.Scan(&r.ID, &r.Hash, &r.User, &r.Tenant, &r.Role, &r.Created, &expires, &revoked, &scram)
	if scram != nil {
		r.SCRAM = *scram
	}
	r.Created = r.Created.UTC()
	if expires != nil {
		r.Expires = expires.UTC()
	}
	if revoked != nil {
		r.Revoked = revoked.UTC()
	}
	return r, err
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
