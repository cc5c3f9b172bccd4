package content

import (
	"cmp"
	"maps"
	"math"
	"slices"
)

// BM25 parameters (the usual ones) and the weight of a prefix match against
// a whole-word match.
const (
	bm25K1       = 1.2
	bm25B        = 0.75
	prefixWeight = 0.5
	// rrfK damps the reciprocal-rank fusion of the lexical and vector
	// rankings: 60 as in Cormack et al. (2009).
	rrfK = 60
	// candidates is how many passages each ranking contributes to the fusion.
	candidates = 50
)

// Index holds one repository's passages for retrieval. It is immutable and
// safe for concurrent use.
type Index struct {
	passages []passage
	postings map[string][]posting
	avgLen   float64
	// lang is the language most passages are in: a question without one is
	// analysed in it, so that its words meet the passages' synonym groups
	// and chat abbreviations.
	lang string
	// byID maps a chunk ID to its passage, for cosines ranked by the store.
	byID map[int64]int
}

type passage struct {
	chunk  Chunk
	doc    *Document
	length float64 // weighted term count
	words  map[string]bool
	vector []float32
}

type posting struct {
	p  int
	tf float64
}

// newIndex indexes chunks; docs gives their documents (by ID).
func newIndex(chunks []Chunk, docs map[int64]*Document) *Index {
	ix := &Index{postings: map[string][]posting{}, byID: make(map[int64]int, len(chunks))}
	var total float64
	for i, c := range chunks {
		d := docs[c.DocumentID]
		lang := ""
		if d != nil {
			lang = d.Language
		}
		ix.byID[c.ID] = i
		p := passage{chunk: c, doc: d, words: map[string]bool{}, vector: unit(c.Vector)}
		p.chunk.Vector = nil // the unit copy is enough
		tf := map[string]float64{}
		for _, t := range analyze(lang, c.Text) {
			w := 1.0
			if t.prefix {
				w = prefixWeight
			}
			tf[t.text] += w
			p.length += w
			p.words[t.text] = true
		}
		// Titles say what a passage is about: their words count once more.
		if d != nil && d.Title != "" {
			for _, t := range analyze(lang, d.Title) {
				p.words[t.text] = true
				if tf[t.text] == 0 {
					tf[t.text] = 0.5
				}
			}
		}
		for w, f := range tf {
			ix.postings[w] = append(ix.postings[w], posting{p: i, tf: f})
		}
		total += p.length
		ix.passages = append(ix.passages, p)
	}
	if len(chunks) > 0 {
		ix.avgLen = total / float64(len(chunks))
	}
	count := map[string]int{}
	for _, p := range ix.passages {
		if p.doc != nil && p.doc.Language != "" {
			count[p.doc.Language]++
			if c := count[p.doc.Language]; c > count[ix.lang] || (c == count[ix.lang] && p.doc.Language < ix.lang) {
				ix.lang = p.doc.Language
			}
		}
	}
	return ix
}

// Hit is a passage retrieved for a query with its scores.
type Hit struct {
	Chunk    Chunk
	Document *Document
	// Lexical is the BM25 score; Vector the cosine of the embeddings when
	// the passage is among the 50 nearest by embedding (0 otherwise).
	Lexical float64
	Vector  float64
	// Coverage is the share of the query's content words found in the
	// passage (or its document's title), whole, by prefix or by synonym,
	// each word weighted by its IDF over the passages.
	Coverage float64
	// Score is the fused reciprocal-rank score that orders hits.
	Score float64
}

// cosines returns the cosines of the passages nearest to the query vector
// by the vectors the index holds, as a VectorSearcher would: the best
// `candidates` (ties by chunk ID), the others 0.
func (ix *Index) cosines(qvec []float32) []float64 {
	var scores []ChunkScore
	if qvec = unit(qvec); len(qvec) > 0 {
		for _, p := range ix.passages {
			if len(p.vector) == len(qvec) {
				scores = append(scores, ChunkScore{ID: p.chunk.ID, Cosine: dot(qvec, p.vector)})
			}
		}
	}
	slices.SortFunc(scores, func(a, b ChunkScore) int {
		if c := cmp.Compare(b.Cosine, a.Cosine); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return ix.cosinesOf(scores[:min(len(scores), candidates)])
}

// cosinesOf spreads cosines the store ranked over the passages (0 for the
// others, and for chunks the index does not hold).
func (ix *Index) cosinesOf(scores []ChunkScore) []float64 {
	vec := make([]float64, len(ix.passages))
	for _, s := range scores {
		if i, ok := ix.byID[s.ID]; ok {
			vec[i] = s.Cosine
		}
	}
	return vec
}

// search ranks the passages for a query's terms and the passages' cosines
// with the query vector (vec, one per passage) and returns the best k by
// fused score.
func (ix *Index) search(q []term, vec []float64, k int) []Hit {
	n := len(ix.passages)
	if n == 0 || k <= 0 {
		return nil
	}
	lex := make([]float64, n)
	for _, t := range q {
		ps := ix.postings[t.text]
		if len(ps) == 0 {
			continue
		}
		idf := math.Log(1 + (float64(n)-float64(len(ps))+0.5)/(float64(len(ps))+0.5))
		w := 1.0
		if t.prefix {
			w = prefixWeight
		}
		for _, p := range ps {
			norm := bm25K1 * (1 - bm25B + bm25B*ix.passages[p.p].length/math.Max(ix.avgLen, 1e-9))
			lex[p.p] += w * idf * p.tf * (bm25K1 + 1) / (p.tf + norm)
		}
	}
	fused := make([]float64, n)
	fuse := func(s []float64) {
		order := make([]int, 0, n)
		for i := range s {
			if s[i] > 0 {
				order = append(order, i)
			}
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(s[b], s[a]) })
		for r, i := range order[:min(len(order), candidates)] {
			fused[i] += 1 / float64(rrfK+r+1)
		}
	}
	fuse(lex)
	fuse(vec)
	order := make([]int, 0, n)
	for i := range fused {
		if fused[i] > 0 {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := cmp.Compare(fused[b], fused[a]); c != 0 {
			return c
		}
		return cmp.Compare(lex[b], lex[a])
	})
	words := map[int]map[string]bool{} // query word → its forms
	for _, t := range q {
		if words[t.tok] == nil {
			words[t.tok] = map[string]bool{}
		}
		words[t.tok][t.text] = true
	}
	// Each query word weighs its IDF over the passages (by any of its
	// forms): a word no passage has weighs most, so a question about
	// something the documents never mention is not covered.
	// Sums run in token order: map order would make the coverage differ
	// in its last bits from one call to the next.
	toks := slices.Sorted(maps.Keys(words))
	weight := map[int]float64{}
	var totalW float64
	for _, tok := range toks {
		forms := words[tok]
		in := map[int]bool{}
		for f := range forms {
			for _, p := range ix.postings[f] {
				in[p.p] = true
			}
		}
		df := float64(len(in))
		w := math.Log(1 + (float64(n)-df+0.5)/(df+0.5))
		weight[tok] = w
		totalW += w
	}
	out := make([]Hit, 0, min(k, len(order)))
	for _, i := range order[:min(k, len(order))] {
		p := ix.passages[i]
		found := 0.0
		for _, tok := range toks {
			forms := words[tok]
			for f := range forms {
				if p.words[f] {
					found += weight[tok]
					break
				}
			}
		}
		h := Hit{Chunk: p.chunk, Document: p.doc, Lexical: lex[i], Vector: vec[i], Score: fused[i]}
		if totalW > 0 {
			h.Coverage = found / totalW
		}
		out = append(out, h)
	}
	return out
}
