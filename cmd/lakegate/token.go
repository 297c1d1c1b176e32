package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/config"
	"github.com/spf13/cobra"
)

// tokenCmd is `lakegate token` and its subcommands.
func (a *app) tokenCmd() *cobra.Command {
	g := a.group("token", "create, revoke and list API tokens (kept hashed in the catalog; a token is shown only when created)",
		a.tokenCreateCmd(),
		a.tokenLeaf("revoke ID", "revoke a token (its ID, or the token itself) on every gateway sharing the catalog", 1, tokenRevoke),
		a.tokenLeaf("ls", "list the tokens: ID, user, tenant, role, dates and status (never secrets)", 0, tokenLs),
	)
	g.Long = g.Short + fmt.Sprintf(".\n\nRoles: %s (send events to its tenant, nothing else), %s (query its tenant), %s (also ingest into it), %s (everything, every tenant).",
		lakegate.RoleSender, lakegate.RoleAnalyst, lakegate.RolePublisher, lakegate.RoleAdmin)
	return g
}

// tokenLeaf makes a token subcommand taking exactly n positional
// arguments, with the storage settings.
func (a *app) tokenLeaf(use, short string, n int, run func(ctx context.Context, a *app, cl *config.Loader, args []string) error) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Args: a.args(n, n)}
	cl := config.Bind(cmd.Flags(), storageKeys...)
	cmd.RunE = func(cmd *cobra.Command, args []string) error { return run(cmd.Context(), a, cl, args) }
	return cmd
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

func (a *app) tokenCreateCmd() *cobra.Command {
	var user, tenant, role string
	var expires time.Duration
	cmd := a.tokenLeaf("create --user USER --tenant TENANT --role ROLE [--expires 720h]", "make an API token and print it, once", 0,
		func(ctx context.Context, a *app, cl *config.Loader, _ []string) error {
			return tokenCreate(ctx, a, cl, lakegate.Principal{User: user, Tenant: tenant, Role: role}, expires)
		})
	cmd.Flags().StringVar(&user, "user", "", "`USER` the token speaks for (required; lower-case letters, digits, _ and -)")
	cmd.Flags().StringVar(&tenant, "tenant", lakegate.DefaultTenant, "`TENANT` (customer) of the user")
	cmd.Flags().StringVar(&role, "role", lakegate.RoleAnalyst, "`ROLE`: sender, analyst, publisher or admin")
	cmd.Flags().DurationVar(&expires, "expires", 0, "lifetime such as 720h (0: never expires)")
	return cmd
}

func tokenCreate(ctx context.Context, a *app, cl *config.Loader, who lakegate.Principal, expires time.Duration) error {
	s, store, err := a.openTokens(cl)
	if err != nil {
		return err
	}
	defer s.Close()
	tok, r, err := lakegate.NewToken(who, expires, time.Now())
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

func tokenRevoke(ctx context.Context, a *app, cl *config.Loader, pos []string) error {
	id := pos[0]
	var err error
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

func tokenLs(ctx context.Context, a *app, cl *config.Loader, _ []string) error {
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
