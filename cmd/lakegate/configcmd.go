package main

import (
	"context"
	"fmt"

	"github.com/lakegate/lakegate/config"
)

func runConfig(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("config", "", "print the effective configuration (defaults, file, LAKEGATE_* env, flags; secrets masked)")
	keys := make([]string, len(config.Settings))
	for i, s := range config.Settings {
		keys[i] = s.Key
	}
	cl := config.Bind(fs, keys...)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := cl.Load(a.environ)
	if err != nil {
		return err
	}
	for _, s := range config.Settings {
		fmt.Fprintf(a.stdout, "%s: %q\n", s.Key, cfg.Value(s.Key))
	}
	return nil
}
