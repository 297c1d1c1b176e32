package pgwire

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/lakegate/lakegate"
)

// TestSCRAMVector checks the exchange with RFC 7677's example: user
// "user", password "pencil".
func TestSCRAMVector(t *testing.T) {
	salt, _ := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	nonce := "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	x := &scramExchange{gs2: "n,,", clientBare: "n=user,r=rOprNGfwEbeRWgbNEkqO", nonce: nonce, salt: salt, iterations: 4096,
		serverFirst: "r=" + nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"}
	authMessage, proof, err := x.clientFinal("c=biws,r=" + nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
	if err != nil {
		t.Fatal(err)
	}
	v := verifier(t, "pencil", salt)
	if !x.proves(v, authMessage, proof) {
		t.Fatal("RFC 7677's proof does not prove its password")
	}
	if got := base64.StdEncoding.EncodeToString(v.ServerSignature(authMessage)); got != "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=" {
		t.Errorf("server signature %s", got)
	}
	if x.proves(verifier(t, "pencils", salt), authMessage, proof) {
		t.Error("another password proves it too")
	}
	for _, final := range []string{
		"c=biws,r=" + nonce, // no proof
		"c=eSws,r=" + nonce + ",p=" + strings.Repeat("A", 44), // another binding
		"c=biws,r=other,p=" + strings.Repeat("A", 44),         // another nonce
		"c=biws,r=" + nonce + ",p=!!",                         // not base64
	} {
		if _, _, err := x.clientFinal(final); lakegate.ErrorCode(err) != lakegate.EUNAUTHORIZED {
			t.Errorf("client-final %q: %v, want unauthorized", final, err)
		}
	}
}

func verifier(t *testing.T, password string, salt []byte) lakegate.SCRAMVerifier {
	return lakegate.SaltedSCRAMVerifier(password, salt, 4096)
}

// TestSCRAMClientFirst: what a client-first-message may not be.
func TestSCRAMClientFirst(t *testing.T) {
	x, err := newSCRAMExchange("n,,n=,r=abc", "ana")
	if err != nil || !strings.HasPrefix(x.serverFirst, "r=abc") || !strings.HasSuffix(x.serverFirst, ",i=4096") {
		t.Fatalf("%+v %v", x, err)
	}
	for _, first := range []string{"", "n", "n,,n=", "n,a=admin,n=,r=x", "p=tls-server-end-point,,n=,r=x", "q,,n=,r=x", "n,,m=ext,r=x"} {
		if _, err := newSCRAMExchange(first, "ana"); lakegate.ErrorCode(err) != lakegate.EUNAUTHORIZED {
			t.Errorf("client-first %q: %v, want unauthorized", first, err)
		}
	}
}

// FuzzSCRAM feeds arbitrary bytes to a connection whose client asked to
// sign in by SCRAM: it answers or closes, never panics or hangs.
func FuzzSCRAM(f *testing.F) {
	f.Add([]byte("p\x00\x00\x00\x2aSCRAM-SHA-256\x00\x00\x00\x00\x0bn,,n=,r=abc"))
	f.Add([]byte("p\x00\x00\x00\x16SCRAM-SHA-256\x00\xff\xff\xff\xff"))
	f.Add([]byte("p\x00\x00\x00\x04"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzConn(t, Options{}, data) })
}
