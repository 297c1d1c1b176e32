package lakegate_test

import (
	"reflect"
	"testing"

	"github.com/lakegate/lakegate"
)

// TestSCRAMVerifierText: a verifier survives its PostgreSQL text form,
// and malformed text is refused.
func TestSCRAMVerifierText(t *testing.T) {
	v := lakegate.NewSCRAMVerifier("ana", "lg_token")
	got, err := lakegate.ParseSCRAMVerifier(v.String())
	if err != nil || !reflect.DeepEqual(got, v) {
		t.Fatalf("round trip: %+v %v, want %+v", got, err, v)
	}
	if reflect.DeepEqual(lakegate.NewSCRAMVerifier("bo", "lg_token").Salt, v.Salt) {
		t.Error("two users share a salt")
	}
	for _, bad := range []string{"", "md5abc", "SCRAM-SHA-256$0:AAAA$AAAA:AAAA", "SCRAM-SHA-256$4096:AAAA$AAAA:AAAA", "SCRAM-SHA-256$4096:!!$x:y"} {
		if _, err := lakegate.ParseSCRAMVerifier(bad); lakegate.ErrorCode(err) != lakegate.EINVALID {
			t.Errorf("%q: %v, want invalid", bad, err)
		}
	}
}
