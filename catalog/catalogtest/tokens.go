package catalogtest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
)

// OpenTokens returns a new, empty token store for each call, and a function
// that opens another handle on the same backing store (another gateway
// process). Every handle is closed by t.Cleanup.
type OpenTokens func(t *testing.T) (s lakegate.TokenStore, another func(t *testing.T) lakegate.TokenStore)

// RunTokens runs the suite every lakegate.TokenStore passes.
func RunTokens(t *testing.T, open OpenTokens) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s lakegate.TokenStore, another func(t *testing.T) lakegate.TokenStore)
	}{
		{"CreateLookup", testTokenCreateLookup},
		{"NotFound", testTokenNotFound},
		{"Conflict", testTokenConflict},
		{"Invalid", testTokenInvalid},
		{"Revoke", testTokenRevoke},
		{"ListHidesHashes", testTokenList},
		{"SharedAcrossHandles", testTokenShared},
		{"ConcurrentCreates", testTokenConcurrent},
		{"CanceledContext", testTokenCanceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, another := open(t)
			tc.fn(t, s, another)
		})
	}
}

var tokenNow = time.Date(2026, 11, 21, 12, 0, 0, 123456000, time.UTC)

// NewTokenRecord makes a valid record for user (tenant acme, role analyst).
func NewTokenRecord(t testing.TB, user string, ttl time.Duration) lakegate.TokenRecord {
	t.Helper()
	_, r, err := lakegate.NewToken(lakegate.Principal{User: user, Tenant: "acme", Role: lakegate.RoleAnalyst}, ttl, tokenNow)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustCreate(t *testing.T, s lakegate.TokenStore, r lakegate.TokenRecord) {
	t.Helper()
	if err := s.Create(context.Background(), r); err != nil {
		t.Fatalf("Create(%s): %v", r.ID, err)
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if lakegate.ErrorCode(err) != code {
		t.Errorf("%s: error %v, want code %s", what, err, code)
	}
}

func testTokenCreateLookup(t *testing.T, s lakegate.TokenStore, _ func(*testing.T) lakegate.TokenStore) {
	r := NewTokenRecord(t, "ana", 30*24*time.Hour)
	r.Role = lakegate.RoleAdmin
	mustCreate(t, s, r)
	got, err := s.Lookup(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != r.ID || got.Hash != r.Hash || got.SCRAM != r.SCRAM || got.SCRAM == "" || got.Principal() != r.Principal() ||
		!got.Created.Equal(r.Created) || !got.Expires.Equal(r.Expires) || !got.Revoked.IsZero() {
		t.Errorf("Lookup = %+v, want %+v", got, r)
	}
	never := NewTokenRecord(t, "bo", 0)
	mustCreate(t, s, never)
	if got, err := s.Lookup(context.Background(), never.ID); err != nil || !got.Expires.IsZero() {
		t.Errorf("Lookup of a token without expiry = %+v, %v", got, err)
	}
}

func testTokenNotFound(t *testing.T, s lakegate.TokenStore, _ func(*testing.T) lakegate.TokenStore) {
	ctx := context.Background()
	_, err := s.Lookup(ctx, "0123456789abcdef")
	wantCode(t, "Lookup of an unknown ID", err, lakegate.ENOTFOUND)
	wantCode(t, "Revoke of an unknown ID", s.Revoke(ctx, "0123456789abcdef"), lakegate.ENOTFOUND)
	_, err = s.Lookup(ctx, "'; DROP TABLE x; --")
	wantCode(t, "Lookup of a hostile ID", err, lakegate.ENOTFOUND)
	if list, err := s.List(ctx); err != nil || len(list) != 0 {
		t.Errorf("List of an empty store = %v, %v", list, err)
	}
}

func testTokenConflict(t *testing.T, s lakegate.TokenStore, _ func(*testing.T) lakegate.TokenStore) {
	r := NewTokenRecord(t, "ana", 0)
	mustCreate(t, s, r)
	dup := NewTokenRecord(t, "bo", 0)
	dup.ID = r.ID
	wantCode(t, "Create with a taken ID", s.Create(context.Background(), dup), lakegate.ECONFLICT)
	if got, _ := s.Lookup(context.Background(), r.ID); got.User != "ana" {
		t.Errorf("a conflicting Create replaced the token: %+v", got)
	}
}

func testTokenInvalid(t *testing.T, s lakegate.TokenStore, _ func(*testing.T) lakegate.TokenStore) {
	for name, edit := range map[string]func(*lakegate.TokenRecord){
		"bad tenant": func(r *lakegate.TokenRecord) { r.Tenant = "../x" },
		"bad user":   func(r *lakegate.TokenRecord) { r.User = "" },
		"bad role":   func(r *lakegate.TokenRecord) { r.Role = "root" },
		"no hash":    func(r *lakegate.TokenRecord) { r.Hash = "" },
		"bad id":     func(r *lakegate.TokenRecord) { r.ID = "XYZ" },
		"bad scram":  func(r *lakegate.TokenRecord) { r.SCRAM = "SCRAM-SHA-256$4096:x" },
	} {
		r := NewTokenRecord(t, "ana", 0)
		edit(&r)
		wantCode(t, "Create with "+name, s.Create(context.Background(), r), lakegate.EINVALID)
	}
	if list, _ := s.List(context.Background()); len(list) != 0 {
		t.Errorf("invalid records were stored: %+v", list)
	}
}

func testTokenRevoke(t *testing.T, s lakegate.TokenStore, another func(*testing.T) lakegate.TokenStore) {
	ctx := context.Background()
	r, other := NewTokenRecord(t, "ana", 0), NewTokenRecord(t, "bo", 0)
	mustCreate(t, s, r)
	mustCreate(t, s, other)
	before := time.Now().Add(-time.Second)
	if err := s.Revoke(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	got, err := another(t).Lookup(ctx, r.ID)
	if err != nil || got.Revoked.Before(before) || got.Status(time.Now()) != "revoked" {
		t.Fatalf("Lookup after Revoke = %+v, %v", got, err)
	}
	if err := s.Revoke(ctx, r.ID); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if again, _ := s.Lookup(ctx, r.ID); !again.Revoked.Equal(got.Revoked) {
		t.Errorf("revoking twice moved the time from %v to %v", got.Revoked, again.Revoked)
	}
	if o, _ := s.Lookup(ctx, other.ID); !o.Revoked.IsZero() {
		t.Errorf("Revoke touched another token: %+v", o)
	}
}

func testTokenList(t *testing.T, s lakegate.TokenStore, _ func(*testing.T) lakegate.TokenStore) {
	ctx := context.Background()
	var want []string
	for i := range 3 {
		r := NewTokenRecord(t, fmt.Sprint("u", i), 0)
		r.Created = r.Created.Add(time.Duration(i) * time.Minute)
		mustCreate(t, s, r)
		want = append(want, r.ID)
	}
	if err := s.Revoke(ctx, want[1]); err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx)
	if err != nil || len(list) != 3 {
		t.Fatalf("List = %+v, %v", list, err)
	}
	for i, r := range list {
		if r.ID != want[i] {
			t.Errorf("List[%d] = %s, want %s (oldest first)", i, r.ID, want[i])
		}
		if r.Hash != "" || r.SCRAM != "" {
			t.Errorf("List shows the hash or SCRAM verifier of %s", r.ID)
		}
	}
	if list[1].Revoked.IsZero() {
		t.Errorf("List does not show the revocation: %+v", list[1])
	}
}

func testTokenShared(t *testing.T, s lakegate.TokenStore, another func(*testing.T) lakegate.TokenStore) {
	r := NewTokenRecord(t, "ana", 0)
	mustCreate(t, another(t), r)
	if got, err := s.Lookup(context.Background(), r.ID); err != nil || got.User != "ana" {
		t.Errorf("a token created by another handle: %+v, %v", got, err)
	}
}

func testTokenConcurrent(t *testing.T, s lakegate.TokenStore, another func(*testing.T) lakegate.TokenStore) {
	stores := []lakegate.TokenStore{s, another(t)}
	var wg sync.WaitGroup
	for i := range 20 {
		st := stores[i%2]
		r := NewTokenRecord(t, fmt.Sprint("u", i), 0)
		wg.Go(func() {
			if err := st.Create(context.Background(), r); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if list, err := s.List(context.Background()); err != nil || len(list) != 20 {
		t.Errorf("after 20 concurrent creates List has %d, %v", len(list), err)
	}
}

func testTokenCanceled(t *testing.T, s lakegate.TokenStore, _ func(*testing.T) lakegate.TokenStore) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := NewTokenRecord(t, "ana", 0)
	wantCode(t, "Create with a canceled context", s.Create(ctx, r), lakegate.ECANCELED)
	if _, err := s.Lookup(context.Background(), r.ID); lakegate.ErrorCode(err) != lakegate.ENOTFOUND {
		t.Errorf("a canceled Create stored the token: %v", err)
	}
}
