package api

import (
	"bytes"
	"context"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/repository"
)

// jsonHandler decodes a JSON body into Req (size limit, valid UTF-8, no
// unknown fields), calls fn and writes its answer with status.
func jsonHandler[Req any, Resp any](status int, fn func(r *http.Request, req *Req) (Resp, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := readBody(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		var req Req
		if err := decodeJSON(body, &req); err != nil {
			writeError(w, r, err)
			return
		}
		resp, err := fn(r, &req)
		if err != nil {
			writeError(w, r, err)
			return
		}
		writeJSON(w, status, resp)
	}
}

// getHandler calls fn for a request without a body and writes its answer.
func getHandler[Resp any](status int, fn func(r *http.Request) (Resp, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		resp, err := fn(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		if status == http.StatusNoContent {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, resp)
	}
}

// Page is a page of a listing.
type Page[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

// MaxPageSize bounds the limit query parameter of listings.
const MaxPageSize = 1000

// queryInt reads an optional integer query parameter.
func queryInt(r *http.Request, name string, def int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, sabia.Errorf(sabia.EINVALID, "query parameter %q must be a non-negative integer, got %q", name, v)
	}
	return n, nil
}

// paging reads offset and limit (default 100, at most MaxPageSize).
func paging(r *http.Request) (int, int, error) {
	off, err := queryInt(r, "offset", 0)
	if err != nil {
		return 0, 0, err
	}
	lim, err := queryInt(r, "limit", 100)
	if err != nil {
		return 0, 0, err
	}
	if lim == 0 || lim > MaxPageSize {
		return 0, 0, sabia.Errorf(sabia.EINVALID, "query parameter \"limit\" must be between 1 and %d", MaxPageSize)
	}
	return int(off), int(lim), nil
}

// pathID reads an integer path parameter.
func pathID(r *http.Request, name string) (int64, error) {
	v := chi.URLParam(r, name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, sabia.Errorf(sabia.ENOTFOUND, "%s %q not found", name, v)
	}
	return n, nil
}

func errNotFound(msg string) error { return sabia.Errorf(sabia.ENOTFOUND, "%s", msg) }

// scoped checks that the caller may act on the repository of the route
// with role need, and returns its UUID.
func scoped(r *http.Request, need repository.Role) (string, error) {
	uuid := chi.URLParam(r, "uuid")
	return uuid, allow(r, uuid, need)
}

// scopedID is scoped plus the integer {id} of the route.
func scopedID(r *http.Request, need repository.Role) (string, int64, error) {
	uuid, err := scoped(r, need)
	if err != nil {
		return "", 0, err
	}
	id, err := pathID(r, "id")
	return uuid, id, err
}

// createOneOrMany serves a POST that takes one object (answered with the
// created item) or an array (answered with many(items)), all or nothing.
func createOneOrMany[In any, Out any](create func(ctx context.Context, repoUUID string, in []In) ([]Out, error), many func([]Out) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		uuid, err := scoped(r, repository.RoleContributor)
		if err != nil {
			writeError(w, r, err)
			return
		}
		body, err := readBody(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		var in []In
		trimmed := bytes.TrimSpace(body)
		bulk := len(trimmed) > 0 && trimmed[0] == '['
		if bulk {
			err = decodeJSON(body, &in)
		} else {
			var one In
			err = decodeJSON(body, &one)
			in = []In{one}
		}
		if err != nil {
			writeError(w, r, err)
			return
		}
		out, err := create(r.Context(), uuid, in)
		if err != nil {
			writeError(w, r, err)
			return
		}
		if bulk {
			writeJSON(w, http.StatusCreated, many(out))
			return
		}
		writeJSON(w, http.StatusCreated, out[0])
	}
}
