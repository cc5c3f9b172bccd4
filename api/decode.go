package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/weni-ai/sabia"
)

// MaxBodyBytes bounds every request body. Bulk inserts of the maximum 1000
// examples of 1000 characters fit well inside it.
const MaxBodyBytes = 4 << 20 // bytes

// readBody reads the request body up to MaxBodyBytes, rejecting larger ones
// with ETOOLARGE and invalid UTF-8 with EINVALID.
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, sabia.Errorf(sabia.ETOOLARGE, "request body is larger than %d bytes", MaxBodyBytes)
		}
		return nil, sabia.Errorf(sabia.EINVALID, "could not read request body")
	}
	if !utf8.Valid(body) {
		return nil, sabia.Errorf(sabia.EINVALID, "request body is not valid UTF-8")
	}
	return body, nil
}

// decodeJSON decodes body into v, refusing unknown fields and trailing data,
// and turns decoder errors into messages a person can act on.
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return sabia.Errorf(sabia.EINVALID, "request body is empty; a JSON object was expected")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return sabia.Errorf(sabia.EINVALID, "request body has data after the JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return sabia.Errorf(sabia.EINVALID, "malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return sabia.Errorf(sabia.EINVALID, "expected %s, got a JSON %s", jsonKind(typ.Type.Kind().String()), typ.Value)
		}
		return sabia.Errorf(sabia.EINVALID, "field %q must be %s, got a JSON %s", field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return sabia.Errorf(sabia.EINVALID, "malformed JSON: unexpected end of body")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return sabia.Errorf(sabia.EINVALID, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return sabia.Errorf(sabia.EINVALID, "malformed JSON: %v", err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "int", "int64", "int32", "uint", "uint64":
		return "an integer"
	case "float64", "float32":
		return "a number"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return fmt.Sprintf("a %s", goKind)
}
