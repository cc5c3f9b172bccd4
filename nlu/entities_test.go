package nlu

import (
	"fmt"
	"testing"
)

func TestMergeEntities(t *testing.T) {
	ent := func(name string, start, end int, conf float64) Entity {
		return Entity{Entity: name, Start: start, End: end, Confidence: conf}
	}
	short := func(es []Entity) string {
		s := ""
		for _, e := range es {
			s += fmt.Sprintf("%s[%d,%d) ", e.Entity, e.Start, e.End)
		}
		return s
	}
	tests := []struct {
		name   string
		groups [][]Entity
		want   string
	}{
		{"nothing", nil, ""},
		{"empty groups", [][]Entity{{}, nil}, ""},
		{"disjoint, sorted by start", [][]Entity{{ent("b", 10, 12, 1)}, {ent("a", 0, 3, 1)}}, "a[0,3) b[10,12) "},
		{"earlier group wins over longer", [][]Entity{{ent("pat", 4, 6, 1)}, {ent("model", 0, 10, 1)}}, "pat[4,6) "},
		{"longer wins in a group", [][]Entity{{ent("short", 4, 6, 1), ent("long", 3, 9, 0.5)}}, "long[3,9) "},
		{"higher confidence wins at equal length", [][]Entity{{ent("low", 0, 4, 0.4), ent("high", 2, 6, 0.9)}}, "high[2,6) "},
		{"touching spans do not overlap", [][]Entity{{ent("a", 0, 4, 1)}, {ent("b", 4, 8, 1)}}, "a[0,4) b[4,8) "},
		{"empty and inverted spans dropped", [][]Entity{{ent("e", 3, 3, 1), ent("i", 5, 2, 1), ent("ok", 0, 1, 1)}}, "ok[0,1) "},
		{"later group fills gaps", [][]Entity{{ent("cpf", 5, 19, 1)}, {ent("phone", 5, 19, 1), ent("num", 0, 2, 1)}, {ent("num", 6, 9, 1)}}, "num[0,2) cpf[5,19) "},
		{"identical ties keep the first", [][]Entity{{ent("first", 0, 4, 1), ent("second", 0, 4, 1)}}, "first[0,4) "},
	}
	for _, tt := range tests {
		if got := short(MergeEntities(tt.groups...)); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	if MergeEntities() != nil {
		t.Error("MergeEntities() != nil")
	}
}
