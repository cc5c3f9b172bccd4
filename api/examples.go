package api

import (
	"net/http"

	"github.com/weni-ai/sabia/repository"
)

// ExamplesCreated answers a bulk insert.
type ExamplesCreated struct {
	Count    int                  `json:"count"`
	Examples []repository.Example `json:"examples"`
}

func (s *Server) exampleRoutes() {
	const base = "/v1/repositories/{uuid}/examples"
	s.handle(route{Method: http.MethodPost, Pattern: base,
		Summary: "Add one example (an object, answered with the example) or many (an array of at most 1000, all or nothing, answered with {count, examples})",
		Tag:     "examples", Auth: authAny, Request: repository.ExampleInput{}, Response: repository.Example{}, Status: http.StatusCreated},
		createOneOrMany(s.repos.AddExamples, func(out []repository.Example) any {
			return ExamplesCreated{Count: len(out), Examples: nonNil(out)}
		}))
	s.handle(route{Method: http.MethodGet, Pattern: base, Summary: "List examples (query: language, intent, entity, q, translated_from (the translations of an example), untranslated (a language: the originals not yet translated into it), version, offset, limit)",
		Tag: "examples", Auth: authAny, Response: Page[repository.Example]{}},
		getHandler(http.StatusOK, func(r *http.Request) (Page[repository.Example], error) {
			uuid, err := scoped(r, repository.RoleUser)
			if err != nil {
				return Page[repository.Example]{}, err
			}
			off, lim, err := paging(r)
			if err != nil {
				return Page[repository.Example]{}, err
			}
			ver, err := queryInt(r, "version", 0)
			if err != nil {
				return Page[repository.Example]{}, err
			}
			from, err := queryInt(r, "translated_from", 0)
			if err != nil {
				return Page[repository.Example]{}, err
			}
			q := r.URL.Query()
			items, total, err := s.repos.ListExamples(r.Context(), uuid, repository.ExampleFilter{VersionID: ver, Language: q.Get("language"),
				Intent: q.Get("intent"), Entity: q.Get("entity"), Query: q.Get("q"), TranslatedFrom: from, Untranslated: q.Get("untranslated"),
				Offset: off, Limit: lim})
			return Page[repository.Example]{Items: nonNil(items), Total: total, Offset: off, Limit: lim}, err
		}))
	s.handle(route{Method: http.MethodGet, Pattern: base + "/{id}", Summary: "Get an example",
		Tag: "examples", Auth: authAny, Response: repository.Example{}},
		getHandler(http.StatusOK, func(r *http.Request) (repository.Example, error) {
			uuid, id, err := scopedID(r, repository.RoleUser)
			if err != nil {
				return repository.Example{}, err
			}
			return s.repos.FindExample(r.Context(), uuid, id)
		}))
	s.handle(route{Method: http.MethodPost, Pattern: base + "/{id}/translations",
		Summary: "Translate an example into another language of the repository: a new example with the original's intent and version, and the same entity labels",
		Tag:     "examples", Auth: authAny, Request: repository.TranslationInput{}, Response: repository.Example{}, Status: http.StatusCreated},
		jsonHandler(http.StatusCreated, func(r *http.Request, in *repository.TranslationInput) (repository.Example, error) {
			uuid, id, err := scopedID(r, repository.RoleContributor)
			if err != nil {
				return repository.Example{}, err
			}
			return s.repos.TranslateExample(r.Context(), uuid, id, *in)
		}))
	s.handle(route{Method: http.MethodGet, Pattern: base + "/{id}/translations", Summary: "List an example's translations",
		Tag: "examples", Auth: authAny, Response: []repository.Example{}},
		getHandler(http.StatusOK, func(r *http.Request) ([]repository.Example, error) {
			uuid, id, err := scopedID(r, repository.RoleUser)
			if err != nil {
				return nil, err
			}
			items, err := s.repos.ListTranslations(r.Context(), uuid, id)
			return nonNil(items), err
		}))
	s.handle(route{Method: http.MethodPatch, Pattern: base + "/{id}", Summary: "Change an example's text, language, intent or entities (a translation's intent follows its original's)",
		Tag: "examples", Auth: authAny, Request: repository.ExampleUpdate{}, Response: repository.Example{}},
		jsonHandler(http.StatusOK, func(r *http.Request, u *repository.ExampleUpdate) (repository.Example, error) {
			uuid, id, err := scopedID(r, repository.RoleContributor)
			if err != nil {
				return repository.Example{}, err
			}
			return s.repos.UpdateExample(r.Context(), uuid, id, *u)
		}))
	s.handle(route{Method: http.MethodDelete, Pattern: base + "/{id}", Summary: "Delete an example with its translations",
		Tag: "examples", Auth: authAny, Status: http.StatusNoContent},
		getHandler(http.StatusNoContent, func(r *http.Request) (Empty, error) {
			uuid, id, err := scopedID(r, repository.RoleContributor)
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, s.repos.DeleteExample(r.Context(), uuid, id)
		}))
}
