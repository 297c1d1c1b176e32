package lakegate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
)

// mapStore is the smallest TokenStore, for the root's own tests; the real
// ones run catalog/catalogtest's suite.
type mapStore map[string]lakegate.TokenRecord

func (m mapStore) Create(_ context.Context, r lakegate.TokenRecord) error { m[r.ID] = r; return nil }
func (m mapStore) Lookup(_ context.Context, id string) (lakegate.TokenRecord, error) {
	r, ok := m[id]
	if !ok {
		return r, lakegate.Errorf(lakegate.ENOTFOUND, "no token %s", id)
	}
	return r, nil
}
func (m mapStore) Revoke(_ context.Context, id string) error {
	r := m[id]
	r.Revoked = time.Now()
	m[id] = r
	return nil
}
func (m mapStore) List(context.Context) ([]lakegate.TokenRecord, error) { return nil, nil }

func TestVerifyToken(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	p := lakegate.Principal{User: "ana", Tenant: "acme", Role: lakegate.RoleAnalyst}
	store := mapStore{}
	mk := func(ttl time.Duration) (string, lakegate.TokenRecord) {
		tok, r, err := lakegate.NewToken(p, ttl, now)
		if err != nil {
			t.Fatal(err)
		}
		store.Create(ctx, r)
		return tok, r
	}
	good, rec := mk(0)
	if strings.Contains(rec.Hash, good[len(good)-64:]) || len(rec.Hash) != 64 {
		t.Fatalf("the record keeps the secret: %+v", rec)
	}
	if r, err := lakegate.VerifyToken(ctx, store, good, now); err != nil || r.Principal() != p {
		t.Fatalf("VerifyToken(good) = %+v, %v", r, err)
	}
	expiring, _ := mk(time.Hour)
	revoked, rr := mk(0)
	store.Revoke(ctx, rr.ID)
	last := "0"
	if strings.HasSuffix(good, "0") {
		last = "1"
	}
	forged := good[:len(good)-1] + last // the last digit changed
	unknown := "lg_0000000000000000_" + good[len(good)-64:]
	for name, tok := range map[string]string{
		"forged": forged, "unknown id": unknown, "revoked": revoked,
		"upper case": strings.ToUpper(good), "space": good + " ", "prefix": "x" + good,
		"empty": "", "no prefix": strings.TrimPrefix(good, "lg_"),
	} {
		if _, err := lakegate.VerifyToken(ctx, store, tok, now); lakegate.ErrorCode(err) != lakegate.EUNAUTHORIZED {
			t.Errorf("%s token: %v, want unauthorized", name, err)
		}
	}
	if _, err := lakegate.VerifyToken(ctx, store, expiring, now.Add(2*time.Hour)); lakegate.ErrorCode(err) != lakegate.EUNAUTHORIZED ||
		!strings.Contains(err.Error(), "expired") {
		t.Errorf("expired token: %v", err)
	}
}

func TestNewTokenValidates(t *testing.T) {
	now := time.Now()
	for _, p := range []lakegate.Principal{
		{User: "", Tenant: "acme", Role: "analyst"},
		{User: "Ana", Tenant: "acme", Role: "analyst"},
		{User: "ana", Tenant: "../etc", Role: "analyst"},
		{User: "ana", Tenant: "acme", Role: "root"},
		{User: strings.Repeat("a", 64), Tenant: "acme", Role: "analyst"},
	} {
		if _, _, err := lakegate.NewToken(p, 0, now); lakegate.ErrorCode(err) != lakegate.EINVALID {
			t.Errorf("NewToken(%+v) = %v, want invalid", p, err)
		}
	}
	if _, _, err := lakegate.NewToken(lakegate.Anonymous, -time.Hour, now); lakegate.ErrorCode(err) != lakegate.EINVALID {
		t.Errorf("negative ttl: %v", err)
	}
}
