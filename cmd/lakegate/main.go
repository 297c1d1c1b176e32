// Command lakegate is the SQL gateway over landed Parquet: it generates
// realistic assessment data, ingests it into the lake, and serves SQL over
// HTTP. Run `lakegate --help` for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/config"
	"github.com/lakegate/lakegate/ingest"
)

// app is what a command may touch, so tests can run commands in-process.
type app struct {
	stdout, stderr io.Writer
	stdin          io.Reader // nil: os.Stdin
	environ        []string
	// ready, when set, is called with the server's base URL once it listens.
	ready func(url string)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{stdout: os.Stdout, stderr: os.Stderr, environ: os.Environ()}
	os.Exit(a.main(ctx, os.Args[1:]))
}

// errUsage marks a bad command line whose usage was already printed.
var errUsage = errors.New("usage")

// main runs one command and returns the process exit code: 0, 1 when the
// command failed, 2 for a bad command line (usage printed).
func (a *app) main(ctx context.Context, args []string) int {
	root := a.rootCmd()
	if len(args) == 0 {
		root.SetOut(a.stderr)
		root.Usage()
		return 2
	}
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		return 2
	case strings.HasPrefix(err.Error(), "unknown command"):
		fmt.Fprintf(a.stderr, "lakegate: %s\n", err)
		return 2
	}
	fmt.Fprintf(a.stderr, "%s: %s\n", cmd.CommandPath(), describe(err))
	return 1
}

// describe renders an error for a terminal: application errors by their
// message, anything else in full (the operator owns this machine).
func describe(err error) string {
	var e *lakegate.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "lakegate",
		Short:         "a SQL gateway over landed Parquet",
		Long:          "lakegate " + lakegate.Version + ": a SQL gateway over landed Parquet.\n\nStart with `lakegate demo`: it generates assessment data, ingests it and serves it on http://127.0.0.1:8080.",
		Version:       lakegate.Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		CompletionOptions: cobra.CompletionOptions{
			HiddenDefaultCmd: false,
		},
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetVersionTemplate("lakegate {{.Version}}\n")
	root.SetFlagErrorFunc(a.flagError)
	root.AddCommand(a.demoCmd(), a.generateCmd(), a.ingestCmd(), a.publishCmd(), a.serveCmd(), a.queryCmd(),
		a.catalogCmd(), a.tokenCmd(), a.configCmd(), a.versionCmd())
	return root
}

// flagError prints a bad flag with the nearest known one, then the
// command's usage: `unknown flag: --max-row; did you mean --max-rows?`.
func (a *app) flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "unknown flag: --"); ok {
		msg += nearestFlag(cmd.Flags(), name)
	}
	fmt.Fprintf(a.stderr, "%s: %s\n\n", cmd.CommandPath(), msg)
	cmd.SetOut(a.stderr)
	cmd.Usage()
	return errUsage
}

// nearestFlag names the flag nearest to name when it looks like a typo.
func nearestFlag(fs *pflag.FlagSet, name string) string {
	best, dist := "", 3
	fs.VisitAll(func(f *pflag.Flag) {
		if d := config.Distance(name, f.Name); d < dist {
			best, dist = f.Name, d
		}
	})
	if best == "" {
		return "; see --help for the flags"
	}
	return "; did you mean --" + best + "?"
}

// usageError prints why the command line is wrong, then the usage.
func (a *app) usageError(cmd *cobra.Command, format string, args ...any) error {
	fmt.Fprintf(a.stderr, "%s: %s\n\n", cmd.CommandPath(), fmt.Sprintf(format, args...))
	cmd.SetOut(a.stderr)
	cmd.Usage()
	return errUsage
}

// args checks the number of positional arguments, from min to max (max
// < 0: any number).
func (a *app) args(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < min:
			return a.usageError(cmd, "missing arguments")
		case max >= 0 && len(args) > max:
			return a.usageError(cmd, "too many arguments: %s", strings.Join(args[max:], " "))
		}
		return nil
	}
}

// group is a command that only holds subcommands: alone, or with an
// unknown subcommand, it prints its usage and exits 2.
func (a *app) group(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{Use: use + " COMMAND", Short: short, Args: cobra.ArbitraryArgs,
		// The subcommands' flags given without one (catalog --lake x) do
		// not hide the missing command.
		FParseErrWhitelist: cobra.FParseErrWhitelist{UnknownFlags: true},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 && args[0] == "help" {
				return cmd.Help()
			}
			if len(args) > 0 {
				return a.usageError(cmd, "unknown %s command %q", use, args[0])
			}
			return a.usageError(cmd, "missing command")
		}}
	c.AddCommand(subs...)
	return c
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{Use: "version", Short: "print the version", Args: a.args(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(a.stdout, "lakegate %s\n", lakegate.Version)
			return nil
		}}
}

// load reads the configuration of a command and prints its warnings.
func (a *app) load(cl *config.Loader) (*config.Config, error) {
	cfg, err := cl.Load(a.environ)
	for _, w := range cl.Warnings() {
		fmt.Fprintf(a.stderr, "warning: %s\n", w)
	}
	if err == nil { // a setting whose allowed values only ingest knows
		err = ingest.CheckClusterBy(cfg.ClusterAttemptsBy)
	}
	return cfg, err
}
