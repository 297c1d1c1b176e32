package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func load(t *testing.T, file string, env []string, args ...string) (*Config, error) {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	l := Bind(fs, "lake", "catalog", "addr", "max_rows", "query_timeout")
	if file != "" {
		p := filepath.Join(t.TempDir(), "lakegate.yaml")
		if err := os.WriteFile(p, []byte(file), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append([]string{"--config", p}, args...)
	}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return l.Load(env)
}

func TestPrecedence(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  []string
		args []string
		want string // lake
	}{
		{"default", "", nil, nil, "./lake"},
		{"file", "lake: /f\n", nil, nil, "/f"},
		{"env over file", "lake: /f\n", []string{"LAKEGATE_LAKE=/e"}, nil, "/e"},
		{"flag over env", "lake: /f\n", []string{"LAKEGATE_LAKE=/e"}, []string{"--lake", "/x"}, "/x"},
		{"empty file", "", nil, nil, "./lake"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.file, tt.env, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if c.Lake != tt.want {
				t.Fatalf("lake = %q, want %q", c.Lake, tt.want)
			}
		})
	}
}

func TestTypedValues(t *testing.T) {
	c, err := load(t, "max_rows: 50\nquery_timeout: 2m\n", []string{"LAKEGATE_ADDR=127.0.0.1:9"}, "--max-rows", "7")
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxRows != 7 || c.QueryTimeout != 2*time.Minute || c.Addr != "127.0.0.1:9" {
		t.Fatalf("got %+v", c)
	}
}

// TestBadFiles: every testdata/bad.*.yml fails with the exact message
// users see; one file may not go untested.
func TestBadFiles(t *testing.T) {
	want := map[string]string{
		"unknown-key":    `config file testdata/bad.unknown-key.yml line 2: unknown setting "max_rowz"; did you mean "max_rows"?`,
		"wrong-type":     `config file testdata/bad.wrong-type.yml line 1: max_rows: "lots" is not a whole number >= 1`,
		"negative-limit": `config file testdata/bad.negative-limit.yml line 1: max_concurrent: "-4" is not a whole number >= 1`,
		"bad-duration":   `config file testdata/bad.bad-duration.yml line 1: query_timeout: "soon" is not a positive duration such as 30s or 2m`,
		"nested":         `config file testdata/bad.nested.yml line 2: lake: expected a single value, not a list or mapping`,
		"not-a-mapping":  "config file testdata/bad.not-a-mapping.yml: not a YAML mapping of settings (key: value lines): yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into map[string]yaml.Node",
		"bad-choice":     `config file testdata/bad.bad-choice.yml line 1: auth: "off" is not one of token, none`,
		"negative-rate":  `config file testdata/bad.negative-rate.yml line 1: rate_limit: "-1" is not a number >= 0`,
		"broken-yaml":    "config file testdata/bad.broken-yaml.yml: not a YAML mapping of settings (key: value lines): yaml: line 2: mapping values are not allowed in this context",
		"empty-lake":     `config file testdata/bad.empty-lake.yml line 1: lake: must not be empty`,
	}
	files, _ := filepath.Glob("testdata/bad.*.yml")
	if len(files) != len(want) {
		t.Errorf("%d bad files, %d messages", len(files), len(want))
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "testdata/bad."), ".yml")
		_, err := loadFile(t, f)
		if err == nil || err.Error() != want[name] {
			t.Errorf("%s:\n got %v\nwant %s", f, err, want[name])
		}
	}
	_, err := loadFile(t, "testdata/missing.yml")
	if err == nil || err.Error() != "config file testdata/missing.yml: no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	if _, err := loadFile(t, "testdata"); err == nil || err.Error() != "config file testdata: is a directory" {
		t.Errorf("a directory: %v", err)
	}
	if os.Getuid() != 0 { // root reads every file
		p := filepath.Join(t.TempDir(), "unreadable.yml")
		os.WriteFile(p, []byte("lake: x\n"), 0o000)
		if _, err := loadFile(t, p); err == nil || err.Error() != "config file "+p+": permission denied" {
			t.Errorf("unreadable file: %v", err)
		}
	}
}

func loadFile(t *testing.T, path string) (*Config, error) {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	l := Bind(fs, "lake")
	if err := fs.Parse([]string{"--config", path}); err != nil {
		t.Fatal(err)
	}
	return l.Load(nil)
}

func TestErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"bad duration flag", nil, []string{"--query-timeout", "soon"}, `flag --query-timeout: query_timeout: "soon" is not a positive duration`},
		{"bad auth env", []string{"LAKEGATE_AUTH=off"}, nil, `environment variable LAKEGATE_AUTH: auth: "off" is not one of token, none`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, "", tt.env, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestEnvironmentWarns: LAKEGATE_TOKEN (read by curl lines and scripts)
// is no setting and passes silently; an unknown variable is a warning
// naming the nearest setting, never a failure.
func TestEnvironmentWarns(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	l := Bind(fs, "lake")
	c, err := l.Load([]string{"LAKEGATE_TOKEN=lg_x_y", "LAKEGATE_URL=http://h", "LAKEGATE_MAX_ROW=5", "LAKEGATE_LAKE=/e", "LAKEGATE_ZZZ=1"})
	if err != nil || c.Lake != "/e" {
		t.Fatalf("%v %v", c, err)
	}
	want := []string{
		`environment variable LAKEGATE_MAX_ROW names no setting; ignored; did you mean "max_rows"?`,
		"environment variable LAKEGATE_ZZZ names no setting; ignored; see `lakegate config --help` for the settings",
	}
	if got := l.Warnings(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s", strings.Join(got, "\n"))
	}
}

func TestSecretsMasked(t *testing.T) {
	c, err := load(t, "", []string{"LAKEGATE_CATALOG=postgres://lake:hunter2@db:5432/meta"})
	if err != nil {
		t.Fatal(err)
	}
	if v := c.Value("catalog"); strings.Contains(v, "hunter2") || !strings.Contains(v, "lake:****@db") {
		t.Fatalf("catalog shown as %q", v)
	}
}

func TestEverySettingHasHelpAndValidDefault(t *testing.T) {
	c := Defaults()
	for _, s := range Settings {
		if s.Help == "" {
			t.Errorf("%s has no help", s.Key)
		}
		if got := c.Value(s.Key); got != s.Default {
			t.Errorf("%s default %q reads back as %q", s.Key, s.Default, got)
		}
	}
}
