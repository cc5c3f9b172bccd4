package content

import (
	"context"
	"hash/fnv"
	"math"
	"strconv"
)

// HashEmbedder embeds texts in process, with no model and no network: each
// content word, its prefix and its character 3- and 4-grams are hashed into
// Dims signed buckets, and the vector is L2-normalised. Its cosine measures
// shared words and word parts, tolerant to typos and inflection but blind to
// synonyms; it is the default when no embedding endpoint is configured.
type HashEmbedder struct {
	// Dims is the vector length; 0 means hashDims.
	Dims int
	// Language expands its chat abbreviations ("vc" → "você"); "" expands
	// none.
	Language string
}

// hashDims is HashEmbedder's default length: 512 buckets keep collisions
// rare for passages of a few hundred words and a vector at 2 KiB.
const hashDims = 512

var _ Embedder = HashEmbedder{}

func (h HashEmbedder) dims() int {
	if h.Dims > 0 {
		return h.Dims
	}
	return hashDims
}

// Name implements Embedder.
func (h HashEmbedder) Name() string { return "hash-v1:" + strconv.Itoa(h.dims()) }

// EmbedPassages implements Embedder.
func (h HashEmbedder) EmbedPassages(ctx context.Context, passages []string) ([][]float32, error) {
	out := make([][]float32, len(passages))
	for i, p := range passages {
		if i%64 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		out[i] = h.embed(p)
	}
	return out, nil
}

// EmbedQuery implements Embedder.
func (h HashEmbedder) EmbedQuery(ctx context.Context, query string) ([]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return h.embed(query), nil
}

func (h HashEmbedder) embed(text string) []float32 {
	n := h.dims()
	v := make([]float32, n)
	add := func(s string, w float32) {
		f := fnv.New64a()
		_, _ = f.Write([]byte(s))
		x := f.Sum64()
		if x>>63 == 1 {
			w = -w
		}
		v[x%uint64(n)] += w
	}
	for _, t := range analyze(h.Language, text) {
		if t.prefix {
			add(t.text, 0.7)
			continue
		}
		add("w:"+t.text, 1)
		rs := []rune(" " + t.text + " ")
		for k := 3; k <= 4; k++ {
			for i := 0; i+k <= len(rs); i++ {
				add(string(rs[i:i+k]), 0.35)
			}
		}
	}
	var sq float64
	for _, x := range v {
		sq += float64(x) * float64(x)
	}
	if sq > 0 {
		inv := float32(1 / math.Sqrt(sq))
		for i := range v {
			v[i] *= inv
		}
	}
	return v
}

// unit returns v scaled to length 1 (a copy), or nil for an empty or zero
// vector.
func unit(v []float32) []float32 {
	var sq float64
	for _, x := range v {
		sq += float64(x) * float64(x)
	}
	if sq == 0 {
		return nil
	}
	inv := float32(1 / math.Sqrt(sq))
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = x * inv
	}
	return out
}

// dot returns the dot product of two vectors of the same length.
func dot(a, b []float32) float64 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return float64(s)
}
