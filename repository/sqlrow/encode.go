package sqlrow

import (
	"encoding/json"

	"github.com/weni-ai/sabia/nlu"
)

// JSONArray encodes v for a JSON array column, "[]" when empty.
func JSONArray[T any](v []T) (string, error) {
	if len(v) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// PatternsJSON encodes pattern entities for their column ("[]" for none).
func PatternsJSON(p []nlu.PatternEntity) (string, error) {
	if p == nil {
		p = []nlu.PatternEntity{}
	}
	b, err := json.Marshal(p)
	return string(b), err
}

// ModelID maps a ModelID of 0 (none) to NULL.
func ModelID(id int64) any { return nullID(id) }

// nullID maps an ID of 0 (none) to NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
