package lakegate

// Roles a principal may hold. An analyst queries their own tenant, a
// publisher also ingests into it, an admin does everything in every tenant.
const (
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
var roleRank = map[string]int{RoleAnalyst: 1, RolePublisher: 2, RoleAdmin: 3}

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool { return roleRank[r] > 0 }

// Can reports whether p's role includes role.
func (p Principal) Can(role string) bool {
	return roleRank[p.Role] > 0 && roleRank[p.Role] >= roleRank[role]
}
