package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/weni-ai/sabia/repository"
)

// TokenCreated is a new token with its secret, shown only this once.
type TokenCreated struct {
	repository.Token
	Secret string `json:"secret"`
}

func (s *Server) tokenRoutes() {
	const base = "/v1/repositories/{uuid}/tokens"
	s.handle(route{Method: http.MethodPost, Pattern: base, Summary: "Create an access token (role user, contributor or admin); the secret is shown only in this answer",
		Tag: "tokens", Auth: authAny, Request: repository.TokenInput{}, Response: TokenCreated{}, Status: http.StatusCreated},
		jsonHandler(http.StatusCreated, func(r *http.Request, in *repository.TokenInput) (TokenCreated, error) {
			uuid, err := scoped(r, repository.RoleAdmin)
			if err != nil {
				return TokenCreated{}, err
			}
			t, secret, err := s.repos.CreateToken(r.Context(), uuid, *in)
			return TokenCreated{Token: t, Secret: secret}, err
		}))
	s.handle(route{Method: http.MethodGet, Pattern: base, Summary: "List a repository's tokens (without secrets)",
		Tag: "tokens", Auth: authAny, Response: []repository.Token{}},
		getHandler(http.StatusOK, func(r *http.Request) ([]repository.Token, error) {
			uuid, err := scoped(r, repository.RoleAdmin)
			if err != nil {
				return nil, err
			}
			out, err := s.repos.ListTokens(r.Context(), uuid)
			return nonNil(out), err
		}))
	s.handle(route{Method: http.MethodDelete, Pattern: base + "/{id}", Summary: "Revoke a token",
		Tag: "tokens", Auth: authAny, Status: http.StatusNoContent},
		getHandler(http.StatusNoContent, func(r *http.Request) (Empty, error) {
			uuid, err := scoped(r, repository.RoleAdmin)
			if err != nil {
				return Empty{}, err
			}
			id := chi.URLParam(r, "id")
			err = s.repos.RevokeToken(r.Context(), uuid, id)
			s.auth.forget(uuid, id)
			return Empty{}, err
		}))
}
