package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Loader binds the settings one subcommand uses to its flag set.
type Loader struct {
	fs    *flag.FlagSet
	file  *string
	flags map[string]*string
}

// Bind registers --config and one flag per key on fs. Flags default to ""
// so that an unset flag never overrides the file or the environment.
func Bind(fs *flag.FlagSet, keys ...string) *Loader {
	l := &Loader{fs: fs, flags: map[string]*string{}}
	l.file = fs.String("config", "", "YAML config file (env LAKEGATE_CONFIG)")
	for _, k := range keys {
		s, ok := Lookup(k)
		if !ok {
			panic("config: unknown key " + k)
		}
		help := fmt.Sprintf("%s (env %s, default %q)", s.Help, s.Env(), s.Default)
		l.flags[k] = fs.String(s.Flag(), "", help)
	}
	return l
}

// Load builds the configuration after fs has been parsed: defaults, then
// the YAML file, then LAKEGATE_* variables from environ, then set flags.
func (l *Loader) Load(environ []string) (*Config, error) {
	c := Defaults()
	env := envMap(environ)
	path := *l.file
	if path == "" {
		path = env["LAKEGATE_CONFIG"]
	}
	if path != "" {
		if err := c.applyFile(path); err != nil {
			return nil, err
		}
	}
	if err := c.applyEnv(env); err != nil {
		return nil, err
	}
	var err error
	l.fs.Visit(func(f *flag.Flag) {
		key := strings.ReplaceAll(f.Name, "-", "_")
		if _, ok := l.flags[key]; ok && err == nil {
			err = c.set("flag --"+f.Name, key, f.Value.String())
		}
	})
	return c, err
}

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
		return fmt.Errorf("%s: unknown setting %q; known settings: %s", source, key, strings.Join(Keys(), ", "))
	}
	if err := s.set(c, value); err != nil {
		return fmt.Errorf("%s: %s: %v", source, key, err)
	}
	return nil
}

func (c *Config) applyEnv(env map[string]string) error {
	for k, v := range env {
		if k == "LAKEGATE_CONFIG" {
			continue
		}
		key := strings.ToLower(strings.TrimPrefix(k, "LAKEGATE_"))
		if err := c.set("environment variable "+k, key, v); err != nil {
			return err
		}
	}
	return nil
}

// applyFile reads a flat YAML mapping of setting keys to scalar values.
func (c *Config) applyFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file %s: %v", path, err)
	}
	var doc map[string]yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file %s: not a YAML mapping of settings: %v", path, err)
	}
	for key, node := range doc {
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
