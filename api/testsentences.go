package api

import (
	"net/http"

	"github.com/weni-ai/sabia/repository"
)

// TestSentencesCreated answers a bulk insert of test sentences.
type TestSentencesCreated struct {
	Count         int                       `json:"count"`
	TestSentences []repository.TestSentence `json:"test_sentences"`
}

func (s *Server) testSentenceRoutes() {
	const base = "/v1/repositories/{uuid}/test-sentences"
	s.handle(route{Method: http.MethodPost, Pattern: base,
		Summary: "Add one test sentence (an object) or many (an array of at most 1000, all or nothing)",
		Tag:     "evaluation", Auth: authAny, Request: repository.TestSentenceInput{}, Response: repository.TestSentence{}, Status: http.StatusCreated},
		createOneOrMany(s.repos.AddTestSentences, func(out []repository.TestSentence) any {
			return TestSentencesCreated{Count: len(out), TestSentences: nonNil(out)}
		}))
	s.handle(route{Method: http.MethodGet, Pattern: base, Summary: "List test sentences (query: language, intent, entity, q, version, offset, limit)",
		Tag: "evaluation", Auth: authAny, Response: Page[repository.TestSentence]{}},
		getHandler(http.StatusOK, func(r *http.Request) (Page[repository.TestSentence], error) {
			uuid, err := scoped(r, repository.RoleUser)
			if err != nil {
				return Page[repository.TestSentence]{}, err
			}
			off, lim, err := paging(r)
			if err != nil {
				return Page[repository.TestSentence]{}, err
			}
			ver, err := queryInt(r, "version", 0)
			if err != nil {
				return Page[repository.TestSentence]{}, err
			}
			q := r.URL.Query()
			items, total, err := s.repos.ListTestSentences(r.Context(), uuid, repository.TestSentenceFilter{VersionID: ver, Language: q.Get("language"),
				Intent: q.Get("intent"), Entity: q.Get("entity"), Query: q.Get("q"), Offset: off, Limit: lim})
			return Page[repository.TestSentence]{Items: nonNil(items), Total: total, Offset: off, Limit: lim}, err
		}))
	s.handle(route{Method: http.MethodGet, Pattern: base + "/{id}", Summary: "Get a test sentence",
		Tag: "evaluation", Auth: authAny, Response: repository.TestSentence{}},
		getHandler(http.StatusOK, func(r *http.Request) (repository.TestSentence, error) {
			uuid, id, err := scopedID(r, repository.RoleUser)
			if err != nil {
				return repository.TestSentence{}, err
			}
			return s.repos.FindTestSentence(r.Context(), uuid, id)
		}))
	s.handle(route{Method: http.MethodPatch, Pattern: base + "/{id}", Summary: "Change a test sentence",
		Tag: "evaluation", Auth: authAny, Request: repository.TestSentenceUpdate{}, Response: repository.TestSentence{}},
		jsonHandler(http.StatusOK, func(r *http.Request, u *repository.TestSentenceUpdate) (repository.TestSentence, error) {
			uuid, id, err := scopedID(r, repository.RoleContributor)
			if err != nil {
				return repository.TestSentence{}, err
			}
			return s.repos.UpdateTestSentence(r.Context(), uuid, id, *u)
		}))
	s.handle(route{Method: http.MethodDelete, Pattern: base + "/{id}", Summary: "Delete a test sentence",
		Tag: "evaluation", Auth: authAny, Status: http.StatusNoContent},
		getHandler(http.StatusNoContent, func(r *http.Request) (Empty, error) {
			uuid, id, err := scopedID(r, repository.RoleContributor)
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, s.repos.DeleteTestSentence(r.Context(), uuid, id)
		}))
}
