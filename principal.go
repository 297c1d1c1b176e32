package lakegate

import (
	"context"
	"regexp"
	"strings"
)

// Roles a principal may hold. A sender only sends events (a token that may
// sit in a web page or an app), an analyst queries their own tenant, a
// publisher also ingests into it, an admin does everything in every tenant.
const (
	RoleSender    = "sender"
	RoleAnalyst   = "analyst"
	RolePublisher = "publisher"
	RoleAdmin     = "admin"
)

// DefaultTenant is the tenant of data ingested without --tenant and of
// every request when authentication is off.
const DefaultTenant = "default"

// Principal is who is asking: a user of one tenant (customer) with a role.
type Principal struct {
	User   string `json:"user"`
	Tenant string `json:"tenant"`
	Role   string `json:"role"`
}

// Anonymous is the principal of every request when authentication is off
// (auth: none): an admin, so local use is not hindered.
var Anonymous = Principal{User: "anonymous", Tenant: DefaultTenant, Role: RoleAdmin}

// roleRank orders the roles: each can do what the lower ones can.
var roleRank = map[string]int{RoleSender: 1, RoleAnalyst: 2, RolePublisher: 3, RoleAdmin: 4}

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool { return roleRank[r] > 0 }

// Can reports whether p's role includes role.
func (p Principal) Can(role string) bool {
	return roleRank[p.Role] > 0 && roleRank[p.Role] >= roleRank[role]
}

// tenantRE is the charset of tenant names. A tenant's name becomes a path
// component of the lake (tenants/<name>) and the prefix of its catalog
// databases (<name>__<database>), so it is a catalog identifier without
// "__": the first "__" of a database name always ends its tenant.
var tenantRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// ValidTenant checks a tenant name; EINVALID names the rule.
func ValidTenant(name string) error {
	if !tenantRE.MatchString(name) || strings.Contains(name, "__") || strings.HasSuffix(name, "_") {
		return Errorf(EINVALID, "tenant name %q is not valid: use 1 to 32 lower-case letters, digits or single '_' inside, starting with a letter", name)
	}
	return nil
}

// AllTenants names, where a tenant is asked for, every tenant at once:
// the admin's cross-tenant view, whose tables carry a tenant column.
const AllTenants = "*"

// Tenancy gives each tenant its own engine and its own view of the
// catalog, so that a query physically cannot reach another tenant's data.
//
// Engine returns EINVALID for a tenant name ValidTenant refuses and
// EUNAVAILABLE when the tenant's engine cannot start; Catalog returns
// EINVALID likewise. Either accepts AllTenants.
type Tenancy interface {
	Engine(ctx context.Context, tenant string) (Engine, error)
	Catalog(tenant string) (Catalog, error)
}
