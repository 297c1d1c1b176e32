package generate

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestInvalidOptions(t *testing.T) {
	tests := []struct {
		name string
		opt  Options
		want string // in the message
	}{
		{"negative attempts", Options{Attempts: -1}, "attempts is -1"},
		{"unknown format", Options{Attempts: 1, Format: "csv"}, `unknown format "csv"`},
		{"format case", Options{Attempts: 1, Format: "JSON"}, `use "array" or "ndjson"`},
		{"start before 1970", Options{Attempts: 1, Start: time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)}, "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := Assessments(&buf, tt.opt)
			if lakegate.ErrorCode(err) != lakegate.EINVALID {
				t.Fatalf("error = %v; want code %s", err, lakegate.EINVALID)
			}
			if msg := lakegate.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Errorf("message %q lacks %q", msg, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes for invalid options", buf.Len())
			}
		})
	}
}

func TestDeterminism(t *testing.T) {
	for _, format := range []string{FormatArray, FormatNDJSON} {
		t.Run(format, func(t *testing.T) {
			base := Options{Attempts: 2000, Seed: 42, Format: format}
			a, sa := generate(t, base)
			b, sb := generate(t, base)
			if !bytes.Equal(a, b) {
				t.Fatal("same options gave different output")
			}
			if sa.Bytes != sb.Bytes || sa.Duplicates != sb.Duplicates || sa.Questions != sb.Questions {
				t.Fatalf("same options gave different stats: %+v vs %+v", sa, sb)
			}
			for name, opt := range map[string]Options{
				"seed":  {Attempts: base.Attempts, Seed: 43, Format: format},
				"start": {Attempts: base.Attempts, Seed: 42, Format: format, Start: DefaultStart.AddDate(0, 0, 1)},
			} {
				if c, _ := generate(t, opt); bytes.Equal(a, c) {
					t.Errorf("different %s gave identical output", name)
				}
			}
		})
	}
}

// TestFormats checks both formats decode strictly with the exact field names
// and types, one record per line, and carry the same records.
func TestFormats(t *testing.T) {
	opt := Options{Attempts: 500, Seed: 7}
	var got [][]line
	for _, format := range []string{FormatArray, FormatNDJSON, ""} {
		opt.Format = format
		out, st := generate(t, opt)
		parseAs := format
		if parseAs == "" {
			parseAs = FormatArray // the default
		}
		lines := records(t, out, parseAs)
		if len(lines) != opt.Attempts || st.Records != int64(opt.Attempts) {
			t.Fatalf("format %q: %d lines, Stats.Records %d; want %d", format, len(lines), st.Records, opt.Attempts)
		}
		got = append(got, lines)
	}
	for i := range got[0] {
		if !bytes.Equal(got[0][i].raw, got[1][i].raw) || !bytes.Equal(got[0][i].raw, got[2][i].raw) {
			t.Fatalf("record %d differs between formats", i)
		}
	}
}

func TestZeroAttempts(t *testing.T) {
	for format, want := range map[string]string{FormatArray: "[\n]\n", FormatNDJSON: ""} {
		out, st := generate(t, Options{Format: format})
		if string(out) != want || st.Records != 0 {
			t.Errorf("format %s: got %q, %d records; want %q", format, out, st.Records, want)
		}
	}
}

type failingWriter struct{ after int }

var errDiskFull = errors.New("disk full")

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, errDiskFull
	}
	f.after -= len(p)
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	_, err := Assessments(&failingWriter{after: 1 << 20}, Options{Attempts: 10000})
	if lakegate.ErrorCode(err) != lakegate.EINTERNAL || !errors.Is(err, errDiskFull) {
		t.Fatalf("error = %v; want EINTERNAL wrapping the writer's error", err)
	}
}

// TestGolden pins a few records so that an unintended change of the shape or
// of the random stream shows up in review (go test -run Golden -update).
// The file doubles as a small fixture of the real shape.
func TestGolden(t *testing.T) {
	out, _ := generate(t, Options{Attempts: 3, Seed: 1, Format: FormatNDJSON})
	path := filepath.Join("testdata", "seed1.ndjson")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run Golden -update)", err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("output differs from %s; if intended, run go test -run Golden -update", path)
	}
}

func TestConcurrentCallsAgree(t *testing.T) {
	// The catalog is shared; calls in parallel must not disturb each other.
	want, _ := generate(t, Options{Attempts: 300, Seed: 3})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			var buf bytes.Buffer
			_, err := Assessments(&buf, Options{Attempts: 300, Seed: 3})
			if err == nil && !bytes.Equal(buf.Bytes(), want) {
				err = errors.New("parallel call gave different output")
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
