// Package peertest gives tests the real servers scripts/peers starts. A
// test that needs a peer asks for its variable; when it is unset the test
// is skipped with the command that starts the peer, except under CI=true,
// where a missing peer is a failure: CI must run every test.
package peertest

import (
	"os"
	"testing"
)

// Env returns the value of the peer's variable (LAKEGATE_TEST_HDFS, ...),
// skipping or, under CI=true, failing the test when it is unset.
func Env(tb testing.TB, variable, peer string) string {
	tb.Helper()
	if v := os.Getenv(variable); v != "" {
		return v
	}
	msg := variable + " is not set: start the peer with `scripts/peers up " + peer + "` and `eval \"$(scripts/peers env)\"`"
	if os.Getenv("CI") == "true" {
		tb.Fatal("CI=true: " + msg)
	}
	tb.Skip(msg)
	return ""
}
