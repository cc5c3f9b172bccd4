package api

import (
	"context"
	"net/http"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/content"
	"github.com/weni-ai/sabia/repository"
)

// Content manages repositories' documents and answers questions from them.
// content.Service implements it.
type Content interface {
	// AddDocument chunks, embeds and stores a document.
	AddDocument(ctx context.Context, repoUUID string, in content.DocumentInput) (content.Document, error)
	// FindDocument returns a document with its text.
	FindDocument(ctx context.Context, repoUUID string, id int64) (content.Document, error)
	// ListDocuments returns a page of documents without their text and the total.
	ListDocuments(ctx context.Context, repoUUID string, offset, limit int) ([]content.Document, int, error)
	// DeleteDocument deletes a document.
	DeleteDocument(ctx context.Context, repoUUID string, id int64) error
	// Search returns the passages closest to a question.
	Search(ctx context.Context, repoUUID string, q content.Query) ([]content.Source, error)
	// Answer answers a question from the documents, or says they do not.
	Answer(ctx context.Context, repoUUID string, q content.Query) (content.Answer, error)
	// ZeroShot classifies a text among classes given with the request.
	ZeroShot(ctx context.Context, req content.ZeroShotRequest) (content.ZeroShotResult, error)
	// Forget drops what is cached of a repository.
	Forget(repoUUID string)
}

// SearchResponse lists retrieved passages, best first.
type SearchResponse struct {
	Sources []content.Source `json:"sources"`
}

// AnswerResponse is an answer with the time it took.
type AnswerResponse struct {
	content.Answer
	DurationUS int64 `json:"duration_us"`
}

func (s *Server) contentService() (Content, error) {
	if s.cfg.Content == nil {
		return nil, sabia.Errorf(sabia.EUNAVAILABLE, "content answers are not configured on this server")
	}
	return s.cfg.Content, nil
}

func (s *Server) contentRoutes() {
	const base = "/v1/repositories/{uuid}/documents"
	s.handle(route{Method: http.MethodPost, Pattern: base,
		Summary: "Add a document (FAQ, policy, page) that answers are written from; it is split into passages and embedded",
		Tag:     "content", Auth: authAny, Request: content.DocumentInput{}, Response: content.Document{}, Status: http.StatusCreated},
		jsonHandler(http.StatusCreated, func(r *http.Request, in *content.DocumentInput) (content.Document, error) {
			uuid, err := scoped(r, repository.RoleContributor)
			if err != nil {
				return content.Document{}, err
			}
			c, err := s.contentService()
			if err != nil {
				return content.Document{}, err
			}
			if _, err := s.repos.FindRepository(r.Context(), uuid); err != nil {
				return content.Document{}, err
			}
			d, err := c.AddDocument(r.Context(), uuid, *in)
			d.Text = ""
			return d, err
		}))
	s.handle(route{Method: http.MethodGet, Pattern: base, Summary: "List documents, newest first, without their text (query: offset, limit)",
		Tag: "content", Auth: authAny, Response: Page[content.Document]{}},
		getHandler(http.StatusOK, func(r *http.Request) (Page[content.Document], error) {
			uuid, err := scoped(r, repository.RoleUser)
			if err != nil {
				return Page[content.Document]{}, err
			}
			off, lim, err := paging(r)
			if err != nil {
				return Page[content.Document]{}, err
			}
			c, err := s.contentService()
			if err != nil {
				return Page[content.Document]{}, err
			}
			items, total, err := c.ListDocuments(r.Context(), uuid, off, lim)
			return Page[content.Document]{Items: nonNil(items), Total: total, Offset: off, Limit: lim}, err
		}))
	s.handle(route{Method: http.MethodGet, Pattern: base + "/{id}", Summary: "A document with its text",
		Tag: "content", Auth: authAny, Response: content.Document{}},
		getHandler(http.StatusOK, func(r *http.Request) (content.Document, error) {
			uuid, id, err := scopedID(r, repository.RoleUser)
			if err != nil {
				return content.Document{}, err
			}
			c, err := s.contentService()
			if err != nil {
				return content.Document{}, err
			}
			return c.FindDocument(r.Context(), uuid, id)
		}))
	s.handle(route{Method: http.MethodDelete, Pattern: base + "/{id}", Summary: "Delete a document; answers stop using it at once",
		Tag: "content", Auth: authAny, Status: http.StatusNoContent},
		getHandler(http.StatusNoContent, func(r *http.Request) (Empty, error) {
			uuid, id, err := scopedID(r, repository.RoleContributor)
			if err != nil {
				return Empty{}, err
			}
			c, err := s.contentService()
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.DeleteDocument(r.Context(), uuid, id)
		}))
	s.handle(route{Method: http.MethodPost, Pattern: "/v1/repositories/{uuid}/search",
		Summary: "Retrieve the passages of the documents closest to a question (words and embeddings, fused)",
		Tag:     "content", Auth: authAny, Request: content.Query{}, Response: SearchResponse{}},
		jsonHandler(http.StatusOK, func(r *http.Request, in *content.Query) (SearchResponse, error) {
			uuid, err := scoped(r, repository.RoleUser)
			if err != nil {
				return SearchResponse{}, err
			}
			c, err := s.contentService()
			if err != nil {
				return SearchResponse{}, err
			}
			src, err := c.Search(r.Context(), uuid, *in)
			return SearchResponse{Sources: nonNil(src)}, err
		}))
	s.handle(route{Method: http.MethodPost, Pattern: "/v1/repositories/{uuid}/answer",
		Summary: "Answer a question from the repository's documents with its sources, or say honestly that they do not hold the answer (answered: false)",
		Tag:     "content", Auth: authAny, Request: content.Query{}, Response: AnswerResponse{}},
		jsonHandler(http.StatusOK, func(r *http.Request, in *content.Query) (AnswerResponse, error) {
			uuid, err := scoped(r, repository.RoleUser)
			if err != nil {
				return AnswerResponse{}, err
			}
			c, err := s.contentService()
			if err != nil {
				return AnswerResponse{}, err
			}
			start := time.Now()
			a, err := c.Answer(r.Context(), uuid, *in)
			if err == nil {
				s.metrics.answered(a)
			}
			return AnswerResponse{Answer: a, DurationUS: time.Since(start).Microseconds()}, err
		}))
	s.handle(route{Method: http.MethodPost, Pattern: "/v1/zeroshot",
		Summary: "Zero-shot: classify a text among classes named (and optionally described, with a few examples) in the request",
		Tag:     "content", Auth: authAny, Request: content.ZeroShotRequest{}, Response: content.ZeroShotResult{}},
		jsonHandler(http.StatusOK, func(r *http.Request, in *content.ZeroShotRequest) (content.ZeroShotResult, error) {
			c, err := s.contentService()
			if err != nil {
				return content.ZeroShotResult{}, err
			}
			return c.ZeroShot(r.Context(), *in)
		}))
}
