package lakegate

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// SCRAM-SHA-256 (RFC 7677) lets a PostgreSQL client prove it holds an API
// token without sending it. Each token record keeps a verifier made when
// the token is: the token (the whole lg_… text, as typed for a password)
// salted and stretched, in PostgreSQL's own format
// "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>" (base64).
//
// The server sends the salt before the client shows which token it holds,
// and a user may hold several tokens, so the salt is the user's, not the
// token's (SCRAMSalt): the server then tries the proof against each of
// the user's verifiers. A per-user salt suffices because the secret is 256
// random bits, which no dictionary holds.

// SCRAMIterations is the PBKDF2 work of a verifier: PostgreSQL's default.
const SCRAMIterations = 4096

// SCRAMVerifier is what a token record keeps for SCRAM sign-in.
type SCRAMVerifier struct {
	Iterations           int
	Salt                 []byte
	StoredKey, ServerKey []byte
}

// SCRAMSalt is user's salt: the same on every server, for every token.
func SCRAMSalt(user string) []byte {
	h := sha256.Sum256([]byte("lakegate scram salt\x00" + user))
	return h[:16]
}

// NewSCRAMVerifier makes the verifier of password (a whole token) for user.
func NewSCRAMVerifier(user, password string) SCRAMVerifier {
	return SaltedSCRAMVerifier(password, SCRAMSalt(user), SCRAMIterations)
}

// SaltedSCRAMVerifier makes the verifier of password with any salt and
// work (RFC 5802's StoredKey and ServerKey).
func SaltedSCRAMVerifier(password string, salt []byte, iterations int) SCRAMVerifier {
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil { // only for FIPS-forbidden parameters, which these are not
		panic(err)
	}
	stored := sha256.Sum256(scramHMAC(salted, "Client Key"))
	return SCRAMVerifier{Iterations: iterations, Salt: salt, StoredKey: stored[:], ServerKey: scramHMAC(salted, "Server Key")}
}

// Proves tells whether a client's proof over authMessage was made with
// the password behind v: ClientKey = proof XOR HMAC(StoredKey,
// authMessage) must hash to StoredKey.
func (v SCRAMVerifier) Proves(authMessage string, proof []byte) bool {
	signature := scramHMAC(v.StoredKey, authMessage)
	if len(proof) != len(signature) {
		return false
	}
	clientKey := make([]byte, len(proof))
	subtle.XORBytes(clientKey, proof, signature)
	stored := sha256.Sum256(clientKey)
	return subtle.ConstantTimeCompare(stored[:], v.StoredKey) == 1
}

// ServerSignature proves to the client that the server holds v.
func (v SCRAMVerifier) ServerSignature(authMessage string) []byte {
	return scramHMAC(v.ServerKey, authMessage)
}

func scramHMAC(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// String is the verifier in PostgreSQL's format.
func (v SCRAMVerifier) String() string {
	b := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", v.Iterations, b(v.Salt), b(v.StoredKey), b(v.ServerKey))
}

// ParseSCRAMVerifier reads a verifier in PostgreSQL's format. EINVALID
// when it is not one.
func ParseSCRAMVerifier(s string) (SCRAMVerifier, error) {
	bad := Errorf(EINVALID, "%q is not a SCRAM-SHA-256 verifier (SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>)", s)
	rest, ok := strings.CutPrefix(s, "SCRAM-SHA-256$")
	iter, rest, ok2 := strings.Cut(rest, ":")
	salt, keys, ok3 := strings.Cut(rest, "$")
	stored, server, ok4 := strings.Cut(keys, ":")
	if !ok || !ok2 || !ok3 || !ok4 {
		return SCRAMVerifier{}, bad
	}
	var v SCRAMVerifier
	var err error
	if v.Iterations, err = strconv.Atoi(iter); err != nil || v.Iterations < 1 {
		return SCRAMVerifier{}, bad
	}
	for _, f := range []struct {
		dst  *[]byte
		text string
		n    int
	}{{&v.Salt, salt, 0}, {&v.StoredKey, stored, sha256.Size}, {&v.ServerKey, server, sha256.Size}} {
		b, err := base64.StdEncoding.DecodeString(f.text)
		if err != nil || len(b) == 0 || (f.n > 0 && len(b) != f.n) {
			return SCRAMVerifier{}, bad
		}
		*f.dst = b
	}
	return v, nil
}
