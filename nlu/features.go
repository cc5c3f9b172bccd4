package nlu

import (
	"math"
	"slices"
	"sync"
	"unicode/utf8"
)

// Feature namespaces, mixed into the hash so that the word "ab" and the
// character bigram "ab" are different features.
const (
	nsWord   = 'w'
	nsBigram = 'b'
	nsChar   = 'c'
	nsStem   = 's'
	nsSyn    = 'y'
)

// Feature extraction constants, chosen on the benchmark validation splits
// and on cross-validation folds of train (never on test).
const (
	// charMinN and charMaxN bound the character n-grams, in runes. They are
	// taken over the whole normalised sentence (words joined by one space),
	// so n-grams also span word boundaries: +0.7 top-1 on CLINC150 valid
	// and +0.7 on clinc150-small valid over per-word n-grams.
	charMinN = 2 // shorter n-grams carry no signal
	charMaxN = 5 // 6 was worse on every validation split
	// wordBlockWeight and charBlockWeight scale the L2-normalised word and
	// character blocks before they are concatenated (the whole vector is
	// normalised again afterwards). Down-weighting words to 0.5 gained +1.2
	// on hwu64 valid and +0.3 on CLINC150 valid.
	wordBlockWeight = 0.5
	charBlockWeight = 1.0
)

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// synonymRepeat is how many times a synonym-group feature is counted, which
// weights it by 1+ln(synonymRepeat) against a word seen once. Chosen on
// validation splits and train folds (never on test): 1 / 2 / 3 gave few-shot
// averages 70.91 / 70.93 / 70.62 (70.58 without the lexicon) and valid
// averages 92.58 / 92.78 / 92.86 (92.32 without); see
// docs/classifier-experiments.md.
const synonymRepeat = 2

func hashStart(ns byte) uint64 { return (fnvOffset ^ uint64(ns)) * fnvPrime }

func hashString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func hashRune(h uint64, r rune) uint64 {
	var b [4]byte
	n := utf8.EncodeRune(b[:], r)
	for i := 0; i < n; i++ {
		h ^= uint64(b[i])
		h *= fnvPrime
	}
	return h
}

// featureHashes appends the hashed raw features of a tokenised text: word
// features (words after chat-abbreviation expansion, bigrams with sentence
// boundary markers, light stems, synonym groups of the lexicon) to words,
// character n-grams of the normalised sentence to chars. Punctuation is
// ignored.
func featureHashes(lang string, toks []Token, words, chars []uint64) ([]uint64, []uint64) {
	return featureHashesCover(lang, toks, words, chars, nil)
}

// coverage records which tokens each feature of featureHashesCover comes
// from, for Explain: words[j] lists the token indices of the j-th word
// feature; chars[j] is the (start, length-1) of the j-th character n-gram in
// the sentence line, whose rune i belongs to token owner[i] (-1: a space).
type coverage struct {
	words [][2]int // first and last token (equal for one-token features)
	chars [][2]int
	owner []int
}

// featureHashesCover is featureHashes that also fills cov when not nil.
func featureHashesCover(lang string, toks []Token, words, chars []uint64, cov *coverage) ([]uint64, []uint64) {
	// The language's tables, looked up once rather than per token.
	fam := family(lang)
	abbrev, lexicon := chatAbbreviations[fam], lexiconOf(fam)
	prev := ""
	prevTok := -1
	var line []rune
	for ti, t := range toks {
		if t.Kind == KindPunct {
			continue
		}
		w := t.Norm
		if e, ok := abbrev[w]; ok {
			w = e // as Expand
		}
		words = append(words, hashString(hashStart(nsWord), w))
		if prev != "" {
			h := hashString(hashStart(nsBigram), prev)
			h = hashString(h^' ', w)
			words = append(words, h)
		} else {
			words = append(words, hashString(hashStart(nsBigram)^'^', w))
		}
		if cov != nil {
			cov.words = append(cov.words, [2]int{ti, ti}, [2]int{max(prevTok, 0), ti})
			if prevTok < 0 {
				cov.words[len(cov.words)-1][0] = ti
			}
		}
		if s := stemFamily(fam, w); s != w {
			words = append(words, hashString(hashStart(nsStem), s))
			if cov != nil {
				cov.words = append(cov.words, [2]int{ti, ti})
			}
		}
		for _, g := range lexicon[w] {
			for range synonymRepeat {
				words = append(words, hashString(hashStart(nsSyn), g))
				if cov != nil {
					cov.words = append(cov.words, [2]int{ti, ti})
				}
			}
		}
		prev, prevTok = w, ti
		if t.Kind != KindWord {
			continue
		}
		if len(line) == 0 {
			line = append(line, ' ')
			if cov != nil {
				cov.owner = append(cov.owner, -1)
			}
		}
		for _, r := range w {
			line = append(line, r)
			if cov != nil {
				cov.owner = append(cov.owner, ti)
			}
		}
		line = append(line, ' ')
		if cov != nil {
			cov.owner = append(cov.owner, -1)
		}
	}
	if prev != "" {
		words = append(words, hashString(hashStart(nsBigram), prev)^'$')
		if cov != nil {
			cov.words = append(cov.words, [2]int{prevTok, prevTok})
		}
	}
	for i := range line {
		h := hashStart(nsChar)
		for k := 0; k < charMaxN && i+k < len(line); k++ {
			h = hashRune(h, line[i+k])
			if k+1 >= charMinN {
				chars = append(chars, h^uint64(k))
				if cov != nil {
					cov.chars = append(cov.chars, [2]int{i, k})
				}
			}
		}
	}
	return words, chars
}

// featurizer turns tokens into a sparse, L2-normalised TF-IDF vector over
// the features seen in training.
type featurizer struct {
	lang  string
	index *featureIndex // feature hash → column
	idf   []float32     // per column
	block []uint8       // per column: 0 word, 1 char
}

// sparse is a sparse vector: sorted column indices and their values.
type sparse struct {
	idx []int32
	val []float32
}

// buildFeaturizer indexes every feature that occurs in at least minDF
// training texts and computes smoothed IDF.
func buildFeaturizer(lang string, texts [][]Token, minDF int) *featurizer {
	df := map[uint64]int32{}
	blk := map[uint64]uint8{}
	var words, chars []uint64
	seen := map[uint64]struct{}{}
	for _, toks := range texts {
		words, chars = featureHashes(lang, toks, words[:0], chars[:0])
		clear(seen)
		for _, h := range words {
			if _, ok := seen[h]; !ok {
				seen[h] = struct{}{}
				df[h]++
				blk[h] = 0
			}
		}
		for _, h := range chars {
			if _, ok := seen[h]; !ok {
				seen[h] = struct{}{}
				df[h]++
				blk[h] = 1
			}
		}
	}
	keys := make([]uint64, 0, len(df))
	for h, c := range df {
		if int(c) >= minDF {
			keys = append(keys, h)
		}
	}
	slices.Sort(keys)
	f := &featurizer{lang: lang, index: newFeatureIndex(len(keys)), idf: make([]float32, len(keys)), block: make([]uint8, len(keys))}
	n := float64(len(texts))
	for i, h := range keys {
		f.index.put(h, int32(i))
		f.idf[i] = float32(math.Log((1+n)/(1+float64(df[h]))) + 1)
		f.block[i] = blk[h]
	}
	return f
}

// vecScratch holds the buffers of one vector call, reused through
// vecScratchPool so that a prediction allocates only the vector it returns.
type vecScratch struct {
	words, chars []uint64
	cols, tmp    []int32
}

var vecScratchPool = sync.Pool{New: func() any {
	return &vecScratch{words: make([]uint64, 0, 64), chars: make([]uint64, 0, 256), cols: make([]int32, 0, 320)}
}}

// vector featurises toks. Unknown features are dropped.
func (f *featurizer) vector(toks []Token) sparse {
	sc := vecScratchPool.Get().(*vecScratch)
	defer vecScratchPool.Put(sc)
	sc.words, sc.chars = featureHashes(f.lang, toks, sc.words[:0], sc.chars[:0])
	cols := sc.cols[:0]
	for _, h := range sc.words {
		if c, ok := f.index.get(h); ok {
			cols = append(cols, c)
		}
	}
	for _, h := range sc.chars {
		if c, ok := f.index.get(h); ok {
			cols = append(cols, c)
		}
	}
	sc.tmp = sortColumns(cols, sc.tmp)
	sc.cols = cols
	distinct := 0
	for i, c := range cols {
		if i == 0 || c != cols[i-1] {
			distinct++
		}
	}
	v := sparse{idx: make([]int32, 0, distinct), val: make([]float32, 0, distinct)}
	for i := 0; i < len(cols); {
		j := i + 1
		for j < len(cols) && cols[j] == cols[i] {
			j++
		}
		v.idx = append(v.idx, cols[i])
		tf := float32(1) // 1+ln(count), and most features occur once
		if j-i > 1 {
			tf = float32(1 + math.Log(float64(j-i)))
		}
		v.val = append(v.val, tf*f.idf[cols[i]])
		i = j
	}
	var norm [2]float64
	for k, c := range v.idx {
		x := v.val[k]
		norm[f.block[c]] += float64(x) * float64(x)
	}
	scale := [2]float64{wordBlockWeight, charBlockWeight}
	for b := range norm {
		if norm[b] > 0 {
			scale[b] /= math.Sqrt(norm[b])
		}
	}
	var total float64
	for i, c := range v.idx {
		v.val[i] *= float32(scale[f.block[c]])
		total += float64(v.val[i]) * float64(v.val[i])
	}
	if total > 0 {
		inv := float32(1 / math.Sqrt(total))
		for i := range v.val {
			v.val[i] *= inv
		}
	}
	return v
}

func (f *featurizer) encode(e *encoder) {
	e.str(f.lang)
	keys := make([]uint64, len(f.idf))
	f.index.each(func(h uint64, c int32) { keys[c] = h })
	e.int(len(keys))
	for i, h := range keys {
		e.u64(h)
		e.f32(f.idf[i])
		e.u8(f.block[i])
	}
}

func decodeFeaturizer(d *decoder) *featurizer {
	f := &featurizer{lang: d.str()}
	n := d.length(13)
	f.index = newFeatureIndex(n)
	f.idf = make([]float32, n)
	f.block = make([]uint8, n)
	for i := 0; i < n && d.err == nil; i++ {
		if !f.index.put(d.u64(), int32(i)) && d.err == nil {
			d.fail("feature index")
		}
		f.idf[i] = d.f32()
		f.block[i] = d.u8() & 1
	}
	return f
}
