package repository

import "time"

// Role is what a token may do in its repository. Each role includes the
// ones before it: user < contributor < admin.
type Role string

// Roles, from least to most powerful.
const (
	// RoleUser may parse texts and read the repository (what a flow needs).
	RoleUser Role = "user"
	// RoleContributor may also change examples, intents and entities and
	// start training.
	RoleContributor Role = "contributor"
	// RoleAdmin may also change the repository itself and manage tokens.
	RoleAdmin Role = "admin"
)

var roleRank = map[Role]int{RoleUser: 1, RoleContributor: 2, RoleAdmin: 3}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return roleRank[r] > 0 }

// Includes reports whether r grants everything need grants. Unknown roles
// include nothing and are included by nothing.
func (r Role) Includes(need Role) bool {
	return r.Valid() && need.Valid() && roleRank[r] >= roleRank[need]
}

// TokenPrefix starts every secret the Service generates, so that leaked
// secrets are easy to spot in logs and by secret scanners.
const TokenPrefix = "sabia_"

// Token is an API credential bound to one repository. Its secret is shown
// once, at creation; only its SHA-256 hash is stored.
type Token struct {
	// ID is the public identifier, safe to show and log.
	ID             string     `json:"id"`
	RepositoryUUID string     `json:"repository_uuid"`
	Name           string     `json:"name"`
	Role           Role       `json:"role"`
	CreatedAt      time.Time  `json:"created_at"`
	LastUsedAt     *time.Time `json:"last_used_at"`
	RevokedAt      *time.Time `json:"revoked_at"`
}

// TokenInput is what CreateToken needs. Role "" means RoleUser.
type TokenInput struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
}
