package server

import (
	"crypto/tls"
	"net"

	"github.com/lakegate/lakegate"
)

// LoadTLS reads a PEM certificate (chain) and its key for ServeTLS.
// EINVALID names the files when they cannot be read or do not match.
func LoadTLS(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" || keyFile == "" {
		return nil, lakegate.Errorf(lakegate.EINVALID,
			"tls_cert and tls_key go together: set both to serve HTTPS, or neither for plain HTTP")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EINVALID, err,
			"tls_cert %s / tls_key %s: %v; give a PEM certificate and its PEM private key", certFile, keyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// ServeTLS serves HTTPS on an open listener with cfg (LoadTLS) until
// Shutdown, then returns http.ErrServerClosed.
func (s *Server) ServeTLS(ln net.Listener, cfg *tls.Config) error {
	s.http.TLSConfig = cfg
	return s.http.ServeTLS(ln, "", "")
}
