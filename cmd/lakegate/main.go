// Command lakegate is the SQL gateway over landed Parquet: it generates
// realistic assessment data, ingests it into the lake, and serves SQL over
// HTTP. Run `lakegate help` for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/lakegate/lakegate"
)

// app is what a subcommand may touch, so tests can run commands in-process.
type app struct {
	stdout, stderr io.Writer
	environ        []string
	// ready, when set, is called with the server's base URL once it listens.
	ready func(url string)
}

type command struct {
	name    string
	args    string // positional arguments in the usage line
	summary string
	run     func(ctx context.Context, a *app, args []string) error
}

func commands() []command {
	return []command{
		{"demo", "", "generate assessment data, ingest it into the lake and serve it on HTTP", runDemo},
		{"generate", "assessments", "write realistic nested assessment-attempt JSON", runGenerate},
		{"ingest", "assessments FILE...", "flatten nested JSON files into Parquet tables in the lake", runIngest},
		{"serve", "", "serve SQL over HTTP on the lake", runServe},
		{"query", "SQL", "run one SQL query in-process and print the result", runQuery},
		{"catalog", "COMMAND", "browse the catalog; register, repair and drop tables (lakegate catalog help)", runCatalog},
		{"token", "COMMAND", "create, revoke and list API tokens (lakegate token help)", runToken},
		{"config", "", "print the effective configuration (secrets masked)", runConfig},
		{"version", "", "print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{stdout: os.Stdout, stderr: os.Stderr, environ: os.Environ()}
	os.Exit(a.main(ctx, os.Args[1:]))
}

// main runs one subcommand and returns the process exit code.
func (a *app) main(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		a.usage(a.stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, a, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		}
		fmt.Fprintf(a.stderr, "lakegate %s: %s\n", c.name, describe(err))
		return 1
	}
	fmt.Fprintf(a.stderr, "lakegate: unknown command %q\n\n", args[0])
	a.usage(a.stderr)
	return 2
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

func (a *app) usage(w io.Writer) {
	fmt.Fprintf(w, "lakegate %s: a SQL gateway over landed Parquet\n\nUsage: lakegate COMMAND [flags] [args]\n\nCommands:\n", lakegate.Version)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun `lakegate COMMAND --help` for the flags of a command.\n")
}

// errUsage marks a bad command line whose usage was already printed.
var errUsage = errors.New("usage")

// flagSet makes a subcommand's flag set whose --help prints a usage line.
func (a *app) flagSet(name, args, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: lakegate %s [flags] %s\n\n%s.\n\nFlags:\n", name, args, summary)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags that may come before, between or after positional
// arguments (`ingest assessments a.json --lake /x b.json`).
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// wantArgs checks the positional arguments and prints usage when wrong:
// at least min of them, the first one of first when first is given.
func wantArgs(fs *flag.FlagSet, pos []string, min int, first ...string) error {
	if len(first) > 0 && len(pos) > 0 && !contains(first, pos[0]) {
		fmt.Fprintf(fs.Output(), "unknown dataset %q (known: %s)\n\n", pos[0], strings.Join(first, ", "))
		fs.Usage()
		return errUsage
	}
	if len(pos) < min {
		fmt.Fprintf(fs.Output(), "missing arguments\n\n")
		fs.Usage()
		return errUsage
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func runVersion(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("version", "", "print the version")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "lakegate %s\n", lakegate.Version)
	return nil
}
