package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/config"
)

// tokenCommands are the subcommands of `lakegate token`.
func tokenCommands() []command {
	return []command{
		{"create", "--user USER --tenant TENANT --role ROLE [--expires 720h]", "make an API token and print it, once", runTokenCreate},
		{"revoke", "ID", "revoke a token (its ID, or the token itself) on every gateway sharing the catalog", runTokenRevoke},
		{"ls", "", "list the tokens: ID, user, tenant, role, dates and status (never secrets)", runTokenLs},
	}
}

func runToken(ctx context.Context, a *app, args []string) error {
	switch {
	case len(args) == 0:
		tokenUsage(a.stderr)
		return errUsage
	case args[0] == "help":
		tokenUsage(a.stdout)
		return nil
	case args[0] == "-h" || args[0] == "--help":
		tokenUsage(a.stderr)
		return nil
	}
	for _, c := range tokenCommands() {
		if c.name == args[0] {
			return c.run(ctx, a, args[1:])
		}
	}
	fmt.Fprintf(a.stderr, "unknown token command %q\n\n", args[0])
	tokenUsage(a.stderr)
	return errUsage
}

func tokenUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: lakegate token COMMAND [flags] [args]\n\nManage the API tokens kept in the catalog (hashed; a token is shown only when created).\n\nCommands:\n")
	for _, c := range tokenCommands() {
		fmt.Fprintf(w, "  %-7s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRoles: %s (query its tenant), %s (also ingest into it), %s (everything, every tenant).\n"+
		"Run `lakegate token COMMAND --help` for its flags; every command takes the storage settings (--lake, --catalog, --log-*).\n",
		lakegate.RoleAnalyst, lakegate.RolePublisher, lakegate.RoleAdmin)
}

// tokenStoreOf is a catalog store that keeps API tokens (both do).
type tokenStoreOf interface {
	Tokens() lakegate.TokenStore
}

// tokens returns the token store of the stack's catalog.
func (s *stack) tokens() (lakegate.TokenStore, error) {
	ts, ok := s.shared.(tokenStoreOf)
	if !ok {
		return nil, lakegate.Errorf(lakegate.EUNAVAILABLE, "this catalog store keeps no API tokens")
	}
	return ts.Tokens(), nil
}

// parseToken parses a token subcommand's flags and wants exactly want
// positional arguments.
func (a *app) parseToken(name, args, summary string, bind func(fs *flag.FlagSet), argv []string, want int) (*config.Loader, []string, error) {
	fs := a.flagSet("token "+name, args, summary)
	if bind != nil {
		bind(fs)
	}
	cl := config.Bind(fs, storageKeys...)
	pos, err := parse(fs, argv)
	if err != nil {
		return nil, nil, err
	}
	if len(pos) != want {
		fmt.Fprintf(fs.Output(), "want %d argument(s), got %d: %s\n\n", want, len(pos), strings.Join(pos, " "))
		fs.Usage()
		return nil, nil, errUsage
	}
	return cl, pos, nil
}

func runTokenCreate(ctx context.Context, a *app, args []string) error {
	var user, tenant, role string
	var expires time.Duration
	cl, _, err := a.parseToken("create", "", "make an API token and print it, once", func(fs *flag.FlagSet) {
		fs.StringVar(&user, "user", "", "user name the token speaks for (required; lower-case letters, digits, _ and -)")
		fs.StringVar(&tenant, "tenant", lakegate.DefaultTenant, "tenant (customer) of the user")
		fs.StringVar(&role, "role", lakegate.RoleAnalyst, "role: analyst, publisher or admin")
		fs.DurationVar(&expires, "expires", 0, "lifetime such as 720h (0: never expires)")
	}, args, 0)
	if err != nil {
		return err
	}
	s, store, err := a.openTokens(cl)
	if err != nil {
		return err
	}
	defer s.Close()
	tok, r, err := lakegate.NewToken(lakegate.Principal{User: user, Tenant: tenant, Role: role}, expires, time.Now())
	if err != nil {
		return err
	}
	if err := store.Create(ctx, r); err != nil {
		return err
	}
	until := "never expires"
	if !r.Expires.IsZero() {
		until = "expires " + r.Expires.Format(time.RFC3339)
	}
	fmt.Fprintf(a.stderr, "token %s for %s of tenant %s, role %s, %s.\n"+
		"It is shown only now: keep it secret. Send it as \"Authorization: Bearer <token>\" (or as the Basic password).\n",
		r.ID, r.User, r.Tenant, r.Role, until)
	fmt.Fprintln(a.stdout, tok)
	return nil
}

func runTokenRevoke(ctx context.Context, a *app, args []string) error {
	cl, pos, err := a.parseToken("revoke", "ID", "revoke a token on every gateway sharing the catalog", nil, args, 1)
	if err != nil {
		return err
	}
	id := pos[0]
	if strings.HasPrefix(id, lakegate.TokenPrefix) { // the whole token was pasted
		if id, _, err = lakegate.ParseToken(id); err != nil {
			return lakegate.Errorf(lakegate.EINVALID, "%q is neither a token ID nor a token; lakegate token ls lists the IDs", pos[0])
		}
	}
	s, store, err := a.openTokens(cl)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := store.Revoke(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "revoked token %s\n", id)
	return nil
}

func runTokenLs(ctx context.Context, a *app, args []string) error {
	cl, _, err := a.parseToken("ls", "", "list the tokens (never secrets)", nil, args, 0)
	if err != nil {
		return err
	}
	s, store, err := a.openTokens(cl)
	if err != nil {
		return err
	}
	defer s.Close()
	list, err := store.List(ctx)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(a.stderr, "no tokens; make one with lakegate token create --user USER --tenant TENANT --role ROLE")
		return nil
	}
	now := time.Now()
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tUSER\tTENANT\tROLE\tCREATED\tEXPIRES\tSTATUS")
	for _, r := range list {
		exp := "never"
		if !r.Expires.IsZero() {
			exp = r.Expires.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.User, r.Tenant, r.Role,
			r.Created.Format(time.RFC3339), exp, r.Status(now))
	}
	return w.Flush()
}

// openTokens opens the storage and its token store; the caller closes
// the stack.
func (a *app) openTokens(cl *config.Loader) (*stack, lakegate.TokenStore, error) {
	s, err := a.open(cl)
	if err != nil {
		return nil, nil, err
	}
	store, err := s.tokens()
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, store, nil
}
