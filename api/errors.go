package api

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/weni-ai/sabia"
)

// errorStatus maps every stable error code to its HTTP status. It is the one
// place where codes meet statuses.
var errorStatus = map[string]int{
	sabia.EINVALID:       http.StatusBadRequest,
	sabia.EUNAUTHORIZED:  http.StatusUnauthorized,
	sabia.EFORBIDDEN:     http.StatusForbidden,
	sabia.ENOTFOUND:      http.StatusNotFound,
	sabia.ECONFLICT:      http.StatusConflict,
	sabia.ETOOLARGE:      http.StatusRequestEntityTooLarge,
	sabia.EUNPROCESSABLE: http.StatusUnprocessableEntity,
	sabia.EUNAVAILABLE:   http.StatusBadRequest,
	sabia.ERATELIMITED:   http.StatusTooManyRequests,
	sabia.EINTERNAL:      http.StatusInternalServerError,
}

// ErrorStatus returns the HTTP status for an error's code.
func ErrorStatus(err error) int {
	if s, ok := errorStatus[sabia.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail carries a stable code and a human message.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeError writes err as JSON with its status. Internal errors are logged
// with the request id and shown to the user only as "internal error".
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := sabia.ErrorCode(err)
	status := ErrorStatus(err)
	if code == sabia.EINTERNAL {
		logger(r).Error("internal error", "err", err.Error(), "path", r.URL.Path)
	}
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: sabia.ErrorMessage(err)}})
}

// writeJSON writes v as JSON with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if v == nil {
		return
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		slog.Debug("writing response", "err", err)
	}
}
