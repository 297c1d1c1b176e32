package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
)

// createToken runs `lakegate token create` and returns the printed token.
func createToken(t *testing.T, lake, user, role string, extra ...string) string {
	t.Helper()
	code, out, errOut := run(t, nil, append([]string{"token", "create", "--lake", lake, "--user", user, "--tenant", "acme", "--role", role}, extra...)...)
	tok := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(tok, "lg_") || strings.Count(out, "\n") != 1 {
		t.Fatalf("token create: %d %q %s", code, out, errOut)
	}
	if !strings.Contains(errOut, "shown only now") {
		t.Errorf("token create does not say the token is shown once: %s", errOut)
	}
	return tok
}

func tokenID(t *testing.T, tok string) string {
	t.Helper()
	id, _, err := lakegate.ParseToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// call sends a request with an optional Authorization and returns the
// status.
func call(t *testing.T, client *http.Client, method, url string, auth func(*http.Request)) int {
	t.Helper()
	var body *strings.Reader
	if method == "POST" {
		body = strings.NewReader("SELECT 42 AS answer")
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/plain")
	if auth != nil {
		auth(req)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func withBearer(tok string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

func withBasic(user, tok string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, tok) }
}

// The whole path: tokens made and revoked with the CLI, used against
// `lakegate serve` with Bearer and Basic.
func TestTokensEndToEnd(t *testing.T) {
	lake := t.TempDir()
	ana := createToken(t, lake, "ana", "analyst")
	admin := createToken(t, lake, "root", "admin", "--expires", "720h")
	expired := createToken(t, lake, "old", "analyst", "--expires", "1ms")
	revoked := createToken(t, lake, "gone", "analyst")
	if code, out, errOut := run(t, nil, "token", "revoke", "--lake", lake, tokenID(t, revoked)); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("token revoke: %d %s %s", code, out, errOut)
	}
	time.Sleep(5 * time.Millisecond) // past the 1ms expiry

	base, printed := startApp(t, "serve", "--lake", lake)
	if strings.Contains(printed(), "AUTHENTICATION IS OFF") {
		t.Errorf("serve with tokens says authentication is off:\n%s", printed())
	}
	c := http.DefaultClient
	q := base + "/v1/query"
	for _, tc := range []struct {
		name   string
		method string
		url    string
		auth   func(*http.Request)
		want   int
	}{
		{"health needs nothing", "GET", base + "/healthz", nil, 200},
		{"no credentials", "POST", q, nil, 401},
		{"bearer", "POST", q, withBearer(ana), 200},
		{"basic", "POST", q, withBasic("ana", ana), 200},
		{"basic token as user", "POST", q, withBasic(ana, ""), 200},
		{"csv for pandas", "GET", base + "/v1/query.csv?sql=SELECT+1", withBearer(ana), 200},
		{"revoked", "POST", q, withBearer(revoked), 401},
		{"expired", "POST", q, withBearer(expired), 401},
		{"forged", "POST", q, withBearer(ana[:len(ana)-4] + "0000"), 401},
		{"analyst on an admin route", "GET", base + "/metrics", withBearer(ana), 403},
		{"admin on an admin route", "GET", base + "/metrics", withBearer(admin), 200},
		{"the page loads without a token", "GET", base + "/", nil, 200},
	} {
		if got := call(t, c, tc.method, tc.url, tc.auth); got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
	}

	// The README's pandas line with a token.
	t.Run("pandas", func(t *testing.T) {
		py := pandasPython(t)
		script := "import pandas as pd; auth = {'Authorization': 'Bearer " + ana + "'}; " +
			"print(int(pd.read_csv('" + base + "/v1/query.csv?sql=SELECT+42+AS+n', storage_options=auth)['n'][0]))"
		out, err := exec.Command(py, "-c", script).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "42" {
			t.Fatalf("pandas with a token: %v\n%s", err, out)
		}
	})

	// Revoking while the server runs takes effect on the next request.
	if code, _, errOut := run(t, nil, "token", "revoke", "--lake", lake, ana); code != 0 {
		t.Fatalf("revoke by the whole token: %s", errOut)
	}
	if got := call(t, c, "POST", q, withBearer(ana)); got != 401 {
		t.Errorf("a token revoked while serving: %d, want 401", got)
	}

	code, out, _ := run(t, nil, "token", "ls", "--lake", lake)
	if code != 0 || strings.Count(out, "\n") != 5 {
		t.Fatalf("token ls: %d\n%s", code, out)
	}
	for _, tok := range []string{ana, admin, expired, revoked} {
		if strings.Contains(out, tok[len(tok)-64:]) {
			t.Errorf("token ls shows a secret:\n%s", out)
		}
		if !strings.Contains(out, tokenID(t, tok)) {
			t.Errorf("token ls lacks %s:\n%s", tokenID(t, tok), out)
		}
	}
	for _, want := range []string{"revoked", "expired", "active", "never"} {
		if !strings.Contains(out, want) {
			t.Errorf("token ls lacks %q:\n%s", want, out)
		}
	}
	data, err := os.ReadFile(filepath.Join(lake, "_catalog", "tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{ana, admin} {
		if strings.Contains(string(data), tok[len(tok)-64:]) {
			t.Errorf("tokens.json keeps a secret in plain text")
		}
	}
}

func TestTokenCommandErrors(t *testing.T) {
	lake := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"token"}, 2, "lakegate token COMMAND"},
		{[]string{"token", "mint"}, 2, `unknown token command "mint"`},
		{[]string{"token", "create", "--lake", lake}, 1, "user name"},
		{[]string{"token", "create", "--lake", lake, "--user", "ana", "--role", "root"}, 1, `role "root"`},
		{[]string{"token", "create", "--lake", lake, "--user", "ana", "--tenant", "../x"}, 1, `tenant name "../x"`},
		{[]string{"token", "create", "--lake", lake, "--user", "ana", "--expires", "-1h"}, 1, "negative"},
		{[]string{"token", "revoke", "--lake", lake, "0123456789abcdef"}, 1, "no token"},
		{[]string{"token", "revoke", "--lake", lake}, 2, "missing arguments"},
		{[]string{"token", "ls", "--lake", lake}, 0, "no tokens"},
	} {
		code, out, errOut := run(t, nil, tc.args...)
		if code != tc.code || !strings.Contains(out+errOut, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s%s", tc.args, code, tc.code, tc.want, out, errOut)
		}
	}
}

// auth: none serves without tokens and says so loudly; TLS serves HTTPS
// with the configured certificate.
func TestServeAuthNoneAndTLS(t *testing.T) {
	lake := t.TempDir()
	base, printed := startApp(t, "serve", "--lake", lake, "--auth", "none")
	if !strings.Contains(printed(), "AUTHENTICATION IS OFF") {
		t.Errorf("auth: none is not announced:\n%s", printed())
	}
	if got := call(t, http.DefaultClient, "GET", base+"/metrics", nil); got != 200 {
		t.Errorf("auth none, admin route without a token: %d", got)
	}

	cert, key, pool := selfSigned(t)
	admin := createToken(t, lake, "root", "admin")
	base, printed = startApp(t, "serve", "--lake", lake, "--tls-cert", cert, "--tls-key", key)
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("TLS serve announced %s:\n%s", base, printed())
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if got := call(t, c, "POST", base+"/v1/query", withBearer(admin)); got != 200 {
		t.Errorf("HTTPS with a token: %d", got)
	}
	if got := call(t, c, "POST", base+"/v1/query", nil); got != 401 {
		t.Errorf("HTTPS without a token: %d", got)
	}
	plain := "http://" + strings.TrimPrefix(base, "https://")
	if res, err := http.Get(plain + "/healthz"); err == nil {
		res.Body.Close()
		if res.StatusCode == 200 {
			t.Errorf("plain HTTP answered on the TLS port")
		}
	}

	code, _, errOut := run(t, nil, "serve", "--lake", lake, "--addr", "127.0.0.1:0", "--tls-cert", cert)
	if code != 1 || !strings.Contains(errOut, "tls_cert and tls_key go together") {
		t.Errorf("tls_cert without tls_key: %d %s", code, errOut)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their files and a pool that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lakegate test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return certFile, keyFile, pool
}
