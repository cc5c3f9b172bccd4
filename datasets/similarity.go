package datasets

import (
	"math"
	"slices"
)

// similarityBudget bounds the work of one near-duplicate search, in steps:
// one per posting visited, one per id compared when verifying a pair; 10 to
// 20 ns each, so an exhausted budget costs a few tenths of a second. A data
// set that exhausts it is built to defeat the blocking (thousands of
// sentences made of the same few words), and a partial answer is better than
// a slow one. A realistic set of 5,000 examples uses about 1.2 million.
const similarityBudget = 20_000_000

// maxNearPairs bounds the near-duplicate pairs one search returns: far more
// than anyone reads (each issue quotes three), few enough to report fast
// when a data set is made of one sentence in a thousand spellings.
const maxNearPairs = 2000

// simMeasure says how two sets of token ids are compared.
type simMeasure uint8

const (
	simJaccard simMeasure = iota // |a∩b| / |a∪b|
	simCosine                    // |a∩b| / sqrt(|a|·|b|), cosine of binary vectors
)

// similarSets returns the pairs (i, j), i < j, of sets whose similarity under
// m is at least t, skipping the pairs for which keep returns false before
// measuring them. Sets hold distinct non-negative ids. It spends at most
// *budget steps, lowering it, stops at maxPairs pairs, and reports whether it
// finished.
//
// It is exact prefix filtering with positions (PPJoin: Xiao et al.,
// "Efficient similarity joins for near duplicate detection", 2008): ids are
// ranked from the rarest to the most common, and two sets with overlap o
// share an id among the first |x|-o+1 ranks of each. A pair reaching t needs
// o ≥ ceil(f·max(|x|,|y|)), with f = t for Jaccard and t² for cosine, so each
// set probes the index with its first |x|-ceil(f·|x|)+1 ids only, the rare
// ones, whose buckets are small. Sets are visited from the smallest, so the
// sets already indexed are never larger, and a set need only be indexed
// under its first |x|-ceil(g·|x|)+1 ids, with g = 2t/(1+t) for Jaccard and t
// for cosine. A candidate smaller than f·|x| is skipped, and one whose
// overlap can no longer reach t, given the positions of the shared id in
// both sets, is dropped before it is measured.
func similarSets(sets [][]int32, m simMeasure, t float64, keep func(i, j int) bool, budget *int, maxPairs int) (pairs [][2]int, done bool) {
	// f bounds the overlap of a set with any larger or smaller partner, g
	// with a partner at least as large (the sets probing it later)
	f, g := t, 2*t/(1+t)
	if m == simCosine {
		f, g = t*t, t
	}
	prefixLen := func(n int, frac float64) int {
		need := max(1, int(math.Ceil(frac*float64(n)-1e-9)))
		return n - need + 1
	}

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

	// required returns the overlap two sets of sizes nx and ny need.
	required := func(nx, ny int) int {
		if m == simCosine {
			return int(math.Ceil(t*math.Sqrt(float64(nx)*float64(ny)) - 1e-9))
		}
		return int(math.Ceil(t/(1+t)*float64(nx+ny) - 1e-9))
	}
	type posting struct{ set, pos int32 }
	index := make([][]posting, maxID+1)
	score := make([]int32, len(sets)) // partial overlap of each candidate; -1 once pruned
	var cands []int32
	for _, x := range visit {
		rx := ranked[x]
		if len(rx) == 0 {
			continue
		}
		need := int(math.Ceil(f*float64(len(rx)) - 1e-9))
		prefix := rx[:prefixLen(len(rx), f)]
		cands = cands[:0]
		for i, tok := range prefix {
			post := index[tok]
			*budget -= len(post)
			if *budget < 0 {
				return sortPairs(pairs), false
			}
			for _, p := range post {
				y := p.set
				if score[y] < 0 {
					continue
				}
				ry := ranked[y]
				if len(ry) < need {
					continue
				}
				// positional filter: the overlap cannot exceed what is
				// counted so far, this id, and the shorter of the two
				// rests
				if score[y] == 0 {
					cands = append(cands, y)
				}
				bound := int(score[y]) + 1 + min(len(rx)-i-1, len(ry)-int(p.pos)-1)
				if bound < required(len(rx), len(ry)) {
					score[y] = -1
					continue
				}
				score[y]++
			}
		}
		for _, y32 := range cands {
			y := int(y32)
			pruned := score[y] < 0
			score[y] = 0
			if pruned {
				continue
			}
			a, b := min(x, y), max(x, y)
			if !keep(a, b) {
				continue
			}
			ry := ranked[y]
			o, steps := overlap(rx, ry, required(len(rx), len(ry)))
			*budget -= steps
			var sim float64
			if m == simCosine {
				sim = float64(o) / math.Sqrt(float64(len(rx))*float64(len(ry)))
			} else {
				sim = float64(o) / float64(len(rx)+len(ry)-o)
			}
			if sim >= t-1e-12 {
				if len(pairs) == maxPairs {
					return sortPairs(pairs), false
				}
				pairs = append(pairs, [2]int{a, b})
			}
		}
		for i, tok := range rx[:prefixLen(len(rx), g)] {
			index[tok] = append(index[tok], posting{int32(x), int32(i)})
		}
	}
	return sortPairs(pairs), true
}

// overlap counts the ids two sorted sets share, and the steps it took. It
// stops early, returning less than need, once need is out of reach.
func overlap(a, b []int32, need int) (n, steps int) {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if n+min(len(a)-i, len(b)-j) < need {
			break
		}
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
	return n, i + j
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
