package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/lakegate/lakegate"
)

// TokensFile is the embedded catalog's file of API tokens (hashed), beside
// its commit log: readable by its owner only.
const TokensFile = "tokens.json"

// tokenDoc is the content of TokensFile.
type tokenDoc struct {
	Tokens []lakegate.TokenRecord `json:"tokens"`
}

// EmbeddedTokens is the token store of the embedded catalog: one DocFile,
// so several gateways sharing the lake share its tokens, and a revocation
// by `lakegate token revoke` takes effect on their next request.
//
// It is safe for concurrent use by goroutines.
type EmbeddedTokens struct {
	doc *DocFile[tokenDoc]

	// The last document read, by ID, and its bytes: Lookup runs on every
	// request, and reading a small file is cheaper than parsing it. (File
	// stats would be cheaper still but cannot be trusted: a replaced file
	// may reuse the inode, size and coarse mtime of the one before.)
	mu   sync.Mutex
	raw  []byte
	byID map[string]lakegate.TokenRecord
}

var _ lakegate.TokenStore = (*EmbeddedTokens)(nil)

// NewEmbeddedTokens returns the token store of the embedded catalog in dir.
func NewEmbeddedTokens(dir string) *EmbeddedTokens {
	return &EmbeddedTokens{doc: NewDocFile[tokenDoc](dir, TokensFile, 0o600)}
}

// Tokens returns the catalog's token store.
func (e *Embedded) Tokens() lakegate.TokenStore { return NewEmbeddedTokens(e.dir) }

// Create stores a new token. EINVALID for a malformed record, ECONFLICT
// when the ID is taken, EUNAVAILABLE when the file cannot be written.
func (s *EmbeddedTokens) Create(ctx context.Context, r lakegate.TokenRecord) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return s.doc.Update(ctx, func(d *tokenDoc) error {
		if slices.ContainsFunc(d.Tokens, func(o lakegate.TokenRecord) bool { return o.ID == r.ID }) {
			return lakegate.Errorf(lakegate.ECONFLICT, "token ID %s is taken", r.ID)
		}
		d.Tokens = append(d.Tokens, r)
		return nil
	})
}

// Lookup returns a token's record, hash included. ENOTFOUND for an unknown
// ID.
func (s *EmbeddedTokens) Lookup(ctx context.Context, id string) (lakegate.TokenRecord, error) {
	byID, err := s.load(ctx)
	if err != nil {
		return lakegate.TokenRecord{}, err
	}
	r, ok := byID[id]
	if !ok {
		return lakegate.TokenRecord{}, lakegate.Errorf(lakegate.ENOTFOUND, "no token %q", id)
	}
	return r, nil
}

// load returns the tokens by ID, reading the file only when it changed.
func (s *EmbeddedTokens) load(ctx context.Context) (map[string]lakegate.TokenRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, err := os.ReadFile(s.doc.Path())
	switch {
	case errors.Is(err, fs.ErrNotExist):
		raw = []byte{}
	case err != nil:
		return nil, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "token file %s cannot be read", s.doc.Path())
	case s.byID != nil && bytes.Equal(raw, s.raw):
		return s.byID, nil
	}
	var d tokenDoc
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &d); err != nil {
			return nil, lakegate.Wrap(lakegate.EINTERNAL, err,
				"token file %s is not valid JSON; restore it from a backup", s.doc.Path())
		}
	}
	s.byID = make(map[string]lakegate.TokenRecord, len(d.Tokens))
	for _, r := range d.Tokens {
		s.byID[r.ID] = r
	}
	s.raw = raw
	return s.byID, nil
}

// Revoke marks a token revoked; again is no error. ENOTFOUND for an
// unknown ID.
func (s *EmbeddedTokens) Revoke(ctx context.Context, id string) error {
	return s.doc.Update(ctx, func(d *tokenDoc) error {
		for i := range d.Tokens {
			if d.Tokens[i].ID == id {
				if d.Tokens[i].Revoked.IsZero() {
					d.Tokens[i].Revoked = time.Now().UTC().Truncate(time.Microsecond)
				}
				return nil
			}
		}
		return lakegate.Errorf(lakegate.ENOTFOUND, "no token %q; lakegate token ls lists them", id)
	})
}

// List returns every token, oldest first, without hashes.
func (s *EmbeddedTokens) List(ctx context.Context) ([]lakegate.TokenRecord, error) {
	d, err := s.doc.Read(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]lakegate.TokenRecord, 0, len(d.Tokens))
	for _, r := range d.Tokens {
		r.Hash, r.SCRAM = "", ""
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b lakegate.TokenRecord) int { return a.Created.Compare(b.Created) })
	return out, nil
}
