package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// Loader binds the settings one command uses to its flag set.
type Loader struct {
	fs       *pflag.FlagSet
	flags    map[string]*flagValue
	warnings []string
}

// flagValue is a setting's flag: a string whose type, in --help, says
// what the value is (--max-rows N, --lake DIR).
type flagValue struct {
	v, arg string
}

func (f *flagValue) String() string     { return f.v }
func (f *flagValue) Set(v string) error { f.v = v; return nil }
func (f *flagValue) Type() string       { return f.arg }

// Bind registers --config and one flag per key on fs. Flags start empty
// so that an unset flag never overrides the file or the environment.
func Bind(fs *pflag.FlagSet, keys ...string) *Loader {
	l := &Loader{fs: fs, flags: map[string]*flagValue{}}
	fs.Var(&flagValue{arg: "FILE"}, "config", "YAML config file (env LAKEGATE_CONFIG)")
	for _, k := range keys {
		s, ok := Lookup(k)
		if !ok {
			panic("config: unknown key " + k)
		}
		l.flags[k] = &flagValue{arg: s.Arg}
		fs.Var(l.flags[k], s.Flag(), s.FlagHelp())
	}
	return l
}

// FlagHelp is the setting's --help line.
func (s Setting) FlagHelp() string {
	def := s.Default
	if def == "" {
		def = "none"
	}
	// Backquotes would make the flag package take a word as the value's
	// name, so the help never holds any.
	return fmt.Sprintf("%s (env %s; default %s)", strings.ReplaceAll(s.Help, "`", "'"), s.Env(), def)
}

// Load builds the configuration after fs has been parsed: defaults, then
// the YAML file, then LAKEGATE_* variables from environ, then set flags.
func (l *Loader) Load(environ []string) (*Config, error) {
	c := Defaults()
	env := envMap(environ)
	path := l.fs.Lookup("config").Value.String()
	if path == "" {
		path = env["LAKEGATE_CONFIG"]
	}
	if path != "" {
		if err := c.applyFile(path); err != nil {
			return nil, err
		}
	}
	warnings, err := c.applyEnv(env)
	l.warnings = warnings
	if err != nil {
		return nil, err
	}
	l.fs.Visit(func(f *pflag.Flag) {
		key := strings.ReplaceAll(f.Name, "-", "_")
		if _, ok := l.flags[key]; ok && err == nil {
			err = c.set("flag --"+f.Name, key, f.Value.String())
		}
	})
	return c, err
}

// Warnings are what Load noticed but did not refuse: LAKEGATE_* variables
// that name no setting (a typo, or a variable of another tool).
func (l *Loader) Warnings() []string { return l.warnings }

func envMap(environ []string) map[string]string {
	m := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "LAKEGATE_") {
			m[k] = v
		}
	}
	return m
}

func (c *Config) set(source, key, value string) error {
	s, ok := Lookup(key)
	if !ok {
		return fmt.Errorf("%s: unknown setting %q%s", source, key, suggest(key))
	}
	if err := s.set(c, value); err != nil {
		return fmt.Errorf("%s: %s: %v", source, key, err)
	}
	return nil
}

// applyEnv applies the LAKEGATE_* variables that name settings. Others
// are left alone with a warning: the environment is shared with clients
// (LAKEGATE_TOKEN) and other tools, unlike a config file.
func (c *Config) applyEnv(env map[string]string) ([]string, error) {
	var warnings []string
	for _, k := range sortedKeys(env) {
		if slices.Contains(ClientVariables, k) || strings.HasPrefix(k, "LAKEGATE_TEST_") {
			continue // a client's, or scripts/peers' (tests)
		}
		key := strings.ToLower(strings.TrimPrefix(k, "LAKEGATE_"))
		if _, ok := Lookup(key); !ok {
			warnings = append(warnings, fmt.Sprintf("environment variable %s names no setting; ignored%s", k, suggest(key)))
			continue
		}
		if err := c.set("environment variable "+k, key, env[k]); err != nil {
			return warnings, err
		}
	}
	return warnings, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// applyFile reads a flat YAML mapping of setting keys to scalar values.
func (c *Config) applyFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file %s: %v", path, errors.Unwrap(err))
	}
	var doc map[string]yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file %s: not a YAML mapping of settings (key: value lines): %v", path, err)
	}
	for _, key := range sortedNodeKeys(doc) {
		node := doc[key]
		src := fmt.Sprintf("config file %s line %d", path, node.Line)
		if node.Kind != yaml.ScalarNode {
			return fmt.Errorf("%s: %s: expected a single value, not a list or mapping", src, key)
		}
		if err := c.set(src, key, node.Value); err != nil {
			return err
		}
	}
	return nil
}

// sortedNodeKeys orders a file's keys by line, so the first bad line is
// the one reported.
func sortedNodeKeys(doc map[string]yaml.Node) []string {
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return doc[a].Line - doc[b].Line })
	return keys
}
