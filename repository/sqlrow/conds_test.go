package sqlrow

import (
	"slices"
	"testing"

	"github.com/weni-ai/sabia/repository"
)

func TestFilterEvaluationResults(t *testing.T) {
	tests := []struct {
		name  string
		f     repository.EvaluationResultFilter
		where string
		args  []any
	}{
		{"all", repository.EvaluationResultFilter{EvaluationID: 7},
			" WHERE evaluation_id = ?", []any{int64(7)}},
		{"successes", repository.EvaluationResultFilter{EvaluationID: 7, Status: repository.ResultSuccess},
			" WHERE evaluation_id = ? AND success", []any{int64(7)}},
		{"errors of an intent", repository.EvaluationResultFilter{EvaluationID: 7, Status: repository.ResultError, Intent: "greet"},
			" WHERE evaluation_id = ? AND NOT success AND (expected = ? OR predicted = ?)", []any{int64(7), "greet", "greet"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Conds
			FilterEvaluationResults(&c, tt.f)
			if got := c.Where(); got != tt.where {
				t.Errorf("Where() = %q, want %q", got, tt.where)
			}
			if got := c.Args(); !slices.Equal(got, tt.args) {
				t.Errorf("Args() = %v, want %v", got, tt.args)
			}
		})
	}
}

func TestDBLock(t *testing.T) {
	for _, tt := range []struct {
		locks bool
		want  string
	}{{true, " FOR SHARE"}, {false, ""}} {
		db := &DB{Locks: tt.locks}
		if got := db.lock(" FOR SHARE"); got != tt.want {
			t.Errorf("Locks=%v: lock = %q, want %q", tt.locks, got, tt.want)
		}
	}
}
