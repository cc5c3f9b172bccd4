package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/weni-ai/sabia/repository"
)

// Rename asks to rename an intent, entity or group.
type Rename struct {
	Name string `json:"name"`
}

// EntityChange renames an entity and/or sets its group ("" removes it).
type EntityChange struct {
	Name  *string `json:"name,omitempty"`
	Group *string `json:"group,omitempty"`
}

// Changed reports how many examples a rename or delete touched.
type Changed struct {
	Examples int64 `json:"examples"`
}

// versionAndLanguage reads the optional version and language query parameters.
func versionAndLanguage(r *http.Request) (int64, string, error) {
	v, err := queryInt(r, "version", 0)
	return v, r.URL.Query().Get("language"), err
}

// scopedVersion is scoped plus the optional version and language query
// parameters.
func scopedVersion(r *http.Request, need repository.Role) (string, int64, string, error) {
	uuid, err := scoped(r, need)
	if err != nil {
		return "", 0, "", err
	}
	v, lang, err := versionAndLanguage(r)
	return uuid, v, lang, err
}

func (s *Server) intentRoutes() {
	const base = "/v1/repositories/{uuid}"
	s.handle(route{Method: http.MethodGet, Pattern: base + "/intents", Summary: "List intents with example counts (query: language, version)",
		Tag: "intents", Auth: authAny, Response: []repository.IntentSummary{}},
		getHandler(http.StatusOK, func(r *http.Request) ([]repository.IntentSummary, error) {
			uuid, v, lang, err := scopedVersion(r, repository.RoleUser)
			if err != nil {
				return nil, err
			}
			out, err := s.repos.ListIntents(r.Context(), uuid, v, lang)
			return nonNil(out), err
		}))
	s.handle(route{Method: http.MethodPatch, Pattern: base + "/intents/{name}", Summary: "Rename an intent (merging into an existing one)",
		Tag: "intents", Auth: authAny, Request: Rename{}, Response: Changed{}},
		jsonHandler(http.StatusOK, func(r *http.Request, in *Rename) (Changed, error) {
			uuid, v, _, err := scopedVersion(r, repository.RoleContributor)
			if err != nil {
				return Changed{}, err
			}
			n, err := s.repos.RenameIntent(r.Context(), uuid, v, chi.URLParam(r, "name"), in.Name)
			return Changed{Examples: n}, err
		}))
	s.handle(route{Method: http.MethodDelete, Pattern: base + "/intents/{name}", Summary: "Delete an intent and its examples",
		Tag: "intents", Auth: authAny, Response: Changed{}},
		getHandler(http.StatusOK, func(r *http.Request) (Changed, error) {
			uuid, v, _, err := scopedVersion(r, repository.RoleContributor)
			if err != nil {
				return Changed{}, err
			}
			n, err := s.repos.DeleteIntent(r.Context(), uuid, v, chi.URLParam(r, "name"))
			return Changed{Examples: n}, err
		}))
	s.handle(route{Method: http.MethodGet, Pattern: base + "/entities", Summary: "List entities with their groups and example counts (query: language, version)",
		Tag: "intents", Auth: authAny, Response: []repository.EntitySummary{}},
		getHandler(http.StatusOK, func(r *http.Request) ([]repository.EntitySummary, error) {
			uuid, v, lang, err := scopedVersion(r, repository.RoleUser)
			if err != nil {
				return nil, err
			}
			out, err := s.repos.ListEntities(r.Context(), uuid, v, lang)
			return nonNil(out), err
		}))
	s.handle(route{Method: http.MethodPatch, Pattern: base + "/entities/{name}", Summary: "Rename an entity and/or set its group (\"\" removes it)",
		Tag: "intents", Auth: authAny, Request: EntityChange{}, Response: Changed{}},
		jsonHandler(http.StatusOK, func(r *http.Request, in *EntityChange) (Changed, error) {
			uuid, v, _, err := scopedVersion(r, repository.RoleContributor)
			if err != nil {
				return Changed{}, err
			}
			name := chi.URLParam(r, "name")
			var total int64
			if in.Group != nil {
				n, err := s.repos.SetEntityGroup(r.Context(), uuid, v, name, *in.Group)
				if err != nil {
					return Changed{}, err
				}
				total = n
			}
			if in.Name != nil && *in.Name != name {
				n, err := s.repos.RenameEntity(r.Context(), uuid, v, name, *in.Name)
				if err != nil {
					return Changed{}, err
				}
				total = max(total, n)
			}
			return Changed{Examples: total}, nil
		}))
	s.handle(route{Method: http.MethodDelete, Pattern: base + "/entities/{name}", Summary: "Remove an entity's spans from every example",
		Tag: "intents", Auth: authAny, Response: Changed{}},
		getHandler(http.StatusOK, func(r *http.Request) (Changed, error) {
			uuid, v, _, err := scopedVersion(r, repository.RoleContributor)
			if err != nil {
				return Changed{}, err
			}
			n, err := s.repos.DeleteEntity(r.Context(), uuid, v, chi.URLParam(r, "name"))
			return Changed{Examples: n}, err
		}))
	s.handle(route{Method: http.MethodPatch, Pattern: base + "/groups/{name}", Summary: "Rename an entity group",
		Tag: "intents", Auth: authAny, Request: Rename{}, Response: Changed{}},
		jsonHandler(http.StatusOK, func(r *http.Request, in *Rename) (Changed, error) {
			uuid, v, _, err := scopedVersion(r, repository.RoleContributor)
			if err != nil {
				return Changed{}, err
			}
			n, err := s.repos.RenameGroup(r.Context(), uuid, v, chi.URLParam(r, "name"), in.Name)
			return Changed{Examples: n}, err
		}))
}
