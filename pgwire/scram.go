package pgwire

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate"
)

// SCRAM-SHA-256 sign-in (RFC 5802, RFC 7677), as PostgreSQL does it: the
// client proves it holds one of the user's API tokens without sending it.
// Written here rather than taken from a SCRAM library (xdg-go/scram)
// because the proof is checked against each of the user's tokens in turn
// (lakegate.Gateway.SignInSCRAM), where libraries check one stored
// credential. Channel binding (SCRAM-SHA-256-PLUS) is not offered.

const scramMechanism = "SCRAM-SHA-256"

// scramExchange is one SCRAM conversation: the messages the proof signs.
type scramExchange struct {
	gs2         string // the client's GS2 header, "n,," or "y,,"
	clientBare  string // client-first-message-bare
	serverFirst string
	nonce       string // client's and server's
	salt        []byte
	iterations  int
}

// signInSCRAM runs the conversation for user and returns who signed in.
func (c *conn) signInSCRAM(user string) (lakegate.Principal, error) {
	first, err := c.saslStart()
	if err != nil {
		return lakegate.Principal{}, err
	}
	x, err := newSCRAMExchange(first, user)
	if err != nil {
		return lakegate.Principal{}, c.fatal(err)
	}
	final, err := c.saslStep(pgproto3.AuthTypeSASLContinue, &pgproto3.AuthenticationSASLContinue{Data: []byte(x.serverFirst)})
	if err != nil {
		return lakegate.Principal{}, err
	}
	authMessage, proof, err := x.clientFinal(final)
	if err != nil {
		return lakegate.Principal{}, c.fatal(err)
	}
	var matched lakegate.SCRAMVerifier
	who, err := c.s.opt.Gateway.SignInSCRAM(c.ctx, user, func(v lakegate.SCRAMVerifier) bool {
		if x.proves(v, authMessage, proof) {
			matched = v
			return true
		}
		return false
	})
	if err != nil {
		return lakegate.Principal{}, c.fatal(err)
	}
	signature := matched.ServerSignature(authMessage)
	c.be.Send(&pgproto3.AuthenticationSASLFinal{Data: []byte("v=" + base64.StdEncoding.EncodeToString(signature))})
	return who, nil
}

// saslStart offers SCRAM-SHA-256 and returns the client-first-message.
func (c *conn) saslStart() (string, error) {
	msg, err := c.saslMessage(pgproto3.AuthTypeSASL, &pgproto3.AuthenticationSASL{AuthMechanisms: []string{scramMechanism}})
	if err != nil {
		return "", err
	}
	m, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok {
		return "", c.fatal(lakegate.Errorf(lakegate.EUNAUTHORIZED, "expected a SASL initial response, got %T", msg))
	}
	if m.AuthMechanism != scramMechanism {
		return "", c.fatal(lakegate.Errorf(lakegate.EUNAUTHORIZED, "SASL mechanism %q is not offered: lakegate offers %s", m.AuthMechanism, scramMechanism))
	}
	return string(m.Data), nil
}

// saslStep sends one server message and returns the client's answer.
func (c *conn) saslStep(authType uint32, send pgproto3.BackendMessage) (string, error) {
	msg, err := c.saslMessage(authType, send)
	if err != nil {
		return "", err
	}
	m, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return "", c.fatal(lakegate.Errorf(lakegate.EUNAUTHORIZED, "expected a SASL response, got %T", msg))
	}
	return string(m.Data), nil
}

func (c *conn) saslMessage(authType uint32, send pgproto3.BackendMessage) (pgproto3.FrontendMessage, error) {
	c.be.Send(send)
	if err := c.be.Flush(); err != nil {
		return nil, err
	}
	if err := c.be.SetAuthType(authType); err != nil {
		return nil, err
	}
	return c.be.Receive()
}

// newSCRAMExchange reads the client-first-message and makes the server's.
func newSCRAMExchange(first, user string) (*scramExchange, error) {
	bad := func(why string) error {
		return lakegate.Errorf(lakegate.EUNAUTHORIZED, "malformed SCRAM client-first-message: %s", why)
	}
	flag, rest, ok := strings.Cut(first, ",")
	authzid, bare, ok2 := strings.Cut(rest, ",")
	switch {
	case !ok || !ok2:
		return nil, bad("no GS2 header")
	case strings.HasPrefix(flag, "p="):
		return nil, lakegate.Errorf(lakegate.EUNAUTHORIZED, "SCRAM channel binding is not offered: connect with channel_binding=prefer or disable")
	case flag != "n" && flag != "y":
		return nil, bad("unknown channel binding flag " + flag)
	case authzid != "":
		return nil, bad("an authorization identity is not supported")
	}
	cnonce, ok := scramAttr(bare, "r")
	if !ok || cnonce == "" || strings.HasPrefix(bare, "m=") {
		return nil, bad("no client nonce")
	}
	snonce := make([]byte, 18)
	rand.Read(snonce)
	x := &scramExchange{gs2: flag + ",,", clientBare: bare, salt: lakegate.SCRAMSalt(user), iterations: lakegate.SCRAMIterations}
	x.nonce = cnonce + base64.StdEncoding.EncodeToString(snonce)
	x.serverFirst = fmt.Sprintf("r=%s,s=%s,i=%d", x.nonce, base64.StdEncoding.EncodeToString(x.salt), x.iterations)
	return x, nil
}

// clientFinal checks the client-final-message's binding and nonce and
// returns the message the proof signs, and the proof.
func (x *scramExchange) clientFinal(final string) (string, []byte, error) {
	bad := func(why string) error {
		return lakegate.Errorf(lakegate.EUNAUTHORIZED, "malformed SCRAM client-final-message: %s", why)
	}
	without, proof64, ok := strings.Cut(final, ",p=")
	if !ok {
		return "", nil, bad("no proof")
	}
	if cb, _ := scramAttr(without, "c"); cb != base64.StdEncoding.EncodeToString([]byte(x.gs2)) {
		return "", nil, bad("the channel binding does not match the first message")
	}
	if r, _ := scramAttr(without, "r"); r != x.nonce {
		return "", nil, bad("the nonce is not the server's")
	}
	proof, err := base64.StdEncoding.DecodeString(proof64)
	if err != nil || len(proof) != sha256.Size {
		return "", nil, bad("the proof is not a base64 SHA-256")
	}
	return x.clientBare + "," + x.serverFirst + "," + without, proof, nil
}

// proves tells whether proof was made with the password behind v.
func (x *scramExchange) proves(v lakegate.SCRAMVerifier, authMessage string, proof []byte) bool {
	if v.Iterations != x.iterations || !bytes.Equal(v.Salt, x.salt) {
		return false // made with another salt: it cannot match
	}
	return v.Proves(authMessage, proof)
}

// scramAttr is the value of attribute name in a comma-separated message.
func scramAttr(msg, name string) (string, bool) {
	for _, f := range strings.Split(msg, ",") {
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			return v, true
		}
	}
	return "", false
}
