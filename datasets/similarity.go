package datasets

import (
	"math"
	"slices"
)

// similarityBudget bounds the work of one near-duplicate search, in steps
// (one step per posting visited, plus the sizes of the two sets for each
// pair verified). About 1 ns each: a data set that exhausts it is built to
// defeat the blocking (thousands of sentences made of the same few words),
// and a partial answer is better than a request that never returns. Real
// sets of 5,000 examples use a few hundred thousand steps.
const similarityBudget = 20_000_000

// simMeasure says how two sets of token ids are compared.
type simMeasure uint8

const (
	simJaccard simMeasure = iota // |a∩b| / |a∪b|
	simCosine                    // |a∩b| / sqrt(|a|·|b|), cosine of binary vectors
)

// similarSets returns the pairs (i, j), i < j, of sets whose similarity under
// m is at least t, skipping the pairs for which keep returns false before
// measuring them. Sets hold distinct non-negative ids. It spends at most
// *budget steps, lowering it, and reports whether it finished.
//
// It is exact prefix filtering (Bayardo et al., "Scaling up all pairs
// similarity search", 2007): ids are ranked from the rarest to the most
// common, and two sets with overlap o share an id among the first |x|-o+1
// ranks of each. A pair reaching t needs o ≥ ceil(f·max(|x|,|y|)), with
// f = t for Jaccard and f = t² for cosine, so each set is indexed and probed
// under its first |x|-ceil(f·|x|)+1 ids only: the rare ones, whose buckets are
// small. Sets are visited from the smallest, and a candidate smaller than
// f·|x| is skipped unmeasured.
func similarSets(sets [][]int32, m simMeasure, t float64, keep func(i, j int) bool, budget *int) (pairs [][2]int, done bool) {
	f := t
	if m == simCosine {
		f = t * t
	}
	minOverlap := func(n int) int { return int(math.Ceil(f*float64(n) - 1e-9)) }

	// rank ids by document frequency, rarest first; ties by id
	maxID := int32(-1)
	for _, s := range sets {
		for _, id := range s {
			maxID = max(maxID, id)
		}
	}
	freq := make([]int32, maxID+1)
	for _, s := range sets {
		for _, id := range s {
			freq[id]++
		}
	}
	order := make([]int32, maxID+1)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return int(freq[a] - freq[b]) })
	rank := make([]int32, maxID+1)
	for r, id := range order {
		rank[id] = int32(r)
	}
	ranked := make([][]int32, len(sets))
	for i, s := range sets {
		r := make([]int32, len(s))
		for k, id := range s {
			r[k] = rank[id]
		}
		slices.Sort(r)
		ranked[i] = r
	}

	visit := make([]int, len(sets))
	for i := range visit {
		visit[i] = i
	}
	slices.SortStableFunc(visit, func(a, b int) int { return len(ranked[a]) - len(ranked[b]) })

	index := make([][]int32, maxID+1)
	seen := make([]int32, len(sets)) // seen[y] == x+1 when y was already a candidate of x
	for _, x := range visit {
		rx := ranked[x]
		if len(rx) == 0 {
			continue
		}
		need := minOverlap(len(rx))
		prefix := rx[:len(rx)-max(need, 1)+1]
		for _, tok := range prefix {
			post := index[tok]
			*budget -= len(post)
			if *budget < 0 {
				return sortPairs(pairs), false
			}
			for _, y32 := range post {
				y := int(y32)
				if seen[y] == int32(x)+1 {
					continue
				}
				seen[y] = int32(x) + 1
				ry := ranked[y]
				if len(ry) < need {
					continue
				}
				a, b := min(x, y), max(x, y)
				if !keep(a, b) {
					continue
				}
				*budget -= len(rx) + len(ry)
				o := overlap(rx, ry)
				var sim float64
				if m == simCosine {
					sim = float64(o) / math.Sqrt(float64(len(rx))*float64(len(ry)))
				} else {
					sim = float64(o) / float64(len(rx)+len(ry)-o)
				}
				if sim >= t-1e-12 {
					pairs = append(pairs, [2]int{a, b})
				}
			}
		}
		for _, tok := range prefix {
			index[tok] = append(index[tok], int32(x))
		}
	}
	return sortPairs(pairs), true
}

// overlap counts the ids two sorted sets share.
func overlap(a, b []int32) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

func sortPairs(p [][2]int) [][2]int {
	slices.SortFunc(p, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	return p
}
