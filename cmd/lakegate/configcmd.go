package main

import (
	"fmt"

	"github.com/lakegate/lakegate/config"
	"github.com/spf13/cobra"
)

func (a *app) configCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "print the effective configuration (defaults, file, LAKEGATE_* env, flags; secrets masked)", Args: a.args(0, 0)}
	keys := make([]string, len(config.Settings))
	for i, s := range config.Settings {
		keys[i] = s.Key
	}
	cl := config.Bind(cmd.Flags(), keys...)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		cfg, err := a.load(cl)
		if err != nil {
			return err
		}
		for _, s := range config.Settings {
			fmt.Fprintf(a.stdout, "%s: %q\n", s.Key, cfg.Value(s.Key))
		}
		return nil
	}
	return cmd
}
