package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, file string, env []string, args ...string) (*Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
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

func TestErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  []string
		args []string
		want string
	}{
		{"unknown file key", "lake: x\nmax_rowz: 5\n", nil, nil, `unknown setting "max_rowz"`},
		{"unknown env", "", []string{"LAKEGATE_NOPE=1"}, nil, "LAKEGATE_NOPE"},
		{"bad int", "max_rows: lots\n", nil, nil, `max_rows: "lots" is not a positive whole number`},
		{"bad duration flag", "", nil, []string{"--query-timeout", "soon"}, "flag --query-timeout"},
		{"nested value", "lake:\n  a: b\n", nil, nil, "expected a single value"},
		{"not a mapping", "- a\n- b\n", nil, nil, "not a YAML mapping"},
		{"bad auth", "", []string{"LAKEGATE_AUTH=off"}, nil, `auth: "off" is not one of token, none`},
		{"negative rate", "rate_limit: -1\n", nil, nil, `rate_limit: "-1" is not a number >= 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.file, tt.env, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
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
