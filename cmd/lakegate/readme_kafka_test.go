package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate/internal/peertest"
)

// readmeShell installs lakegate and runs a README block's lines in one
// shell from a fresh home, the first line (the peer's) from the repo.
func readmeShell(t *testing.T, marker string, edit func(string) string) string {
	t.Helper()
	lines := readmeBlock(t, marker)
	bin, home := t.TempDir(), t.TempDir()
	repo, _ := filepath.Abs("../..")
	shell(t, repo, []string{"GOBIN=" + bin}, "go install ./cmd/lakegate")
	script := strings.Join(lines, "\n")
	if strings.HasPrefix(lines[0], "scripts/peers") {
		script = "cd " + repo + " && " + lines[0] + " && cd " + home + "\n" + strings.Join(lines[1:], "\n")
	}
	env := []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config")}
	return shell(t, home, env, edit(script))
}

// TestREADMEKafka runs the README's Kafka example as written, on a topic
// of its own.
func TestREADMEKafka(t *testing.T) {
	peertest.Env(t, "LAKEGATE_TEST_KAFKA", "kafka")
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	topic := fmt.Sprintf("readme-%d", time.Now().UnixNano())
	out := readmeShell(t, "<!-- kafka -->", func(s string) string {
		for _, old := range []string{"-t assessments", "--topic assessments", "kafka:assessments"} {
			s = strings.ReplaceAll(s, old, strings.Replace(old, "assessments", topic, 1))
		}
		return s
	})
	for _, want := range []string{"read        3280 records", "pass_rate", "next offsets sum to 3280"} {
		if !strings.Contains(out, want) {
			t.Errorf("the README's Kafka example lacks %q; it printed:\n%s", want, out)
		}
	}
}

// TestREADMEEvents runs the README's web events example as written (on a
// free port).
func TestREADMEEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	port := freePort(t)
	out := readmeShell(t, "<!-- events -->", func(s string) string {
		s = strings.ReplaceAll(s, "--auth none", "--auth none --addr 127.0.0.1:"+port)
		s = strings.ReplaceAll(s, "localhost:8080", "localhost:"+port)
		return strings.ReplaceAll(s, "127.0.0.1:8080", "127.0.0.1:"+port)
	})
	for _, want := range []string{`"accepted":2`, "Complete requests:      2000", "Failed requests:        0", "sword_type,n\nab,2000\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("the README's events example lacks %q; it printed:\n%s", want, out)
		}
	}
}
