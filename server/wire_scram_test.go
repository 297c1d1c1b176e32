package server_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/server"
)

// TestSignInSCRAM: the proof is tried against each of the user's tokens;
// the one it proves signs in, unless revoked or expired; a token made
// before verifiers were kept, or another user's, never matches.
func TestSignInSCRAM(t *testing.T) {
	a := newAuthFixture(t, server.Options{})
	ctx := context.Background()
	first := a.mint(t, "ana", lakegate.RoleAnalyst, 0)
	second := a.mint(t, "ana", lakegate.RolePublisher, time.Hour)
	other := a.mint(t, "bo", lakegate.RoleAnalyst, 0)
	// holds is the client's side: it knows tok, so it proves tok's verifier.
	holds := func(user, tok string) func(lakegate.SCRAMVerifier) bool {
		want := lakegate.NewSCRAMVerifier(user, tok)
		return func(v lakegate.SCRAMVerifier) bool { return bytes.Equal(v.StoredKey, want.StoredKey) }
	}
	for tok, role := range map[string]string{first: lakegate.RoleAnalyst, second: lakegate.RolePublisher} {
		who, err := a.srv.SignInSCRAM(ctx, "ana", holds("ana", tok))
		if err != nil || who.User != "ana" || who.Role != role {
			t.Errorf("ana with her %s token: %+v %v", role, who, err)
		}
	}
	if _, err := a.srv.SignInSCRAM(ctx, "ana", holds("ana", other)); lakegate.ErrorCode(err) != lakegate.EUNAUTHORIZED {
		t.Errorf("ana with bo's token: %v", err)
	}
	a.advance(2 * time.Hour)
	if _, err := a.srv.SignInSCRAM(ctx, "ana", holds("ana", second)); !strings.Contains(lakegate.ErrorMessage(err), "is expired") {
		t.Errorf("an expired token: %v", err)
	}
	id, _, _ := lakegate.ParseToken(first)
	if err := a.store.Revoke(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := a.srv.SignInSCRAM(ctx, "ana", holds("ana", first)); !strings.Contains(lakegate.ErrorMessage(err), "is revoked") {
		t.Errorf("a revoked token: %v", err)
	}
	// A record without a verifier (made before lakegate kept them).
	old, rec, err := lakegate.NewToken(lakegate.Principal{User: "cy", Tenant: "acme", Role: lakegate.RoleAnalyst}, 0, a.clock())
	if err != nil {
		t.Fatal(err)
	}
	rec.SCRAM = ""
	if err := a.store.Create(ctx, rec); err != nil {
		t.Fatal(err)
	}
	_, err = a.srv.SignInSCRAM(ctx, "cy", holds("cy", old))
	if lakegate.ErrorCode(err) != lakegate.EUNAUTHORIZED || !strings.Contains(lakegate.ErrorMessage(err), "pg_auth: password") {
		t.Errorf("a token without a verifier: %v", err)
	}
	if who, err := a.srv.SignIn(ctx, "cy", old); err != nil || who.User != "cy" {
		t.Errorf("the same token as a cleartext password: %+v %v", who, err)
	}
	a.store.fail = true
	if _, err := a.srv.SignInSCRAM(ctx, "bo", holds("bo", other)); lakegate.ErrorCode(err) != lakegate.EUNAVAILABLE {
		t.Errorf("with the store down: %v, want %s", err, lakegate.EUNAVAILABLE)
	}
}
