package nlu

import (
	"cmp"
	"slices"
)

// MergeEntities concatenates groups of entities and drops overlaps: an
// entity from an earlier group wins over one from a later group, then the
// longer span wins, then the higher confidence, then the earlier start.
// Entities with an empty or inverted span are dropped. The result is sorted
// by Start (then End) and is nil when nothing is left.
func MergeEntities(groups ...[]Entity) []Entity {
	type cand struct {
		e     Entity
		group int
		order int
	}
	var cands []cand
	for g, es := range groups {
		for _, e := range es {
			if e.End > e.Start {
				cands = append(cands, cand{e, g, len(cands)})
			}
		}
	}
	if len(cands) == 0 {
		return nil
	}
	slices.SortFunc(cands, func(a, b cand) int {
		if c := cmp.Compare(a.group, b.group); c != 0 {
			return c
		}
		if c := cmp.Compare(b.e.End-b.e.Start, a.e.End-a.e.Start); c != 0 {
			return c
		}
		if c := cmp.Compare(b.e.Confidence, a.e.Confidence); c != 0 {
			return c
		}
		if c := cmp.Compare(a.e.Start, b.e.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.order, b.order)
	})
	out := make([]Entity, 0, len(cands))
	for _, c := range cands {
		if !overlapsAny(out, c.e) {
			out = append(out, c.e)
		}
	}
	slices.SortStableFunc(out, func(a, b Entity) int {
		if c := cmp.Compare(a.Start, b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.End, b.End)
	})
	return out
}

// overlapsAny reports whether e shares at least one rune with an entity of es.
func overlapsAny(es []Entity, e Entity) bool {
	for _, x := range es {
		if e.Start < x.End && x.Start < e.End {
			return true
		}
	}
	return false
}
