package nlu

import (
	"math"
	"sort"
)

// LanguageID guesses the language of a short text with a multinomial naive
// Bayes over character 1–3-grams of the folded words and the words
// themselves. It is trained from sentences in each language (Sabiá ships
// its built-in data sets for that) and is safe for concurrent use.
type LanguageID struct {
	langs  []string
	logp   []map[uint64]float64 // per language: log P(feature | language)
	unseen []float64            // per language: log P of a feature never seen
}

// langIDAlpha is the additive smoothing of the naive Bayes counts.
const langIDAlpha = 0.5

func langFeatures(text string, out []uint64) []uint64 {
	for _, t := range Tokenize(text) {
		if t.Kind != KindWord {
			continue
		}
		out = append(out, hashString(hashStart('L'), t.Norm))
		rs := []rune(" " + t.Norm + " ")
		for i := range rs {
			h := hashStart('l')
			for k := 0; k < 3 && i+k < len(rs); k++ {
				h = hashRune(h, rs[i+k])
				out = append(out, h^uint64(k))
			}
		}
	}
	return out
}

// TrainLanguageID builds a LanguageID from sentences by language code.
func TrainLanguageID(sentences map[string][]string) *LanguageID {
	id := &LanguageID{}
	for l := range sentences {
		id.langs = append(id.langs, l)
	}
	sort.Strings(id.langs)
	vocab := map[uint64]bool{}
	counts := make([]map[uint64]float64, len(id.langs))
	totals := make([]float64, len(id.langs))
	var buf []uint64
	for i, l := range id.langs {
		counts[i] = map[uint64]float64{}
		for _, s := range sentences[l] {
			buf = langFeatures(s, buf[:0])
			for _, f := range buf {
				counts[i][f]++
				totals[i]++
				vocab[f] = true
			}
		}
	}
	v := float64(len(vocab))
	for i := range id.langs {
		denom := math.Log(totals[i] + langIDAlpha*v)
		lp := make(map[uint64]float64, len(counts[i]))
		for f, c := range counts[i] {
			lp[f] = math.Log(c+langIDAlpha) - denom
		}
		id.logp = append(id.logp, lp)
		id.unseen = append(id.unseen, math.Log(langIDAlpha)-denom)
	}
	return id
}

// Detect returns the most likely language of text and its posterior
// probability among the known languages (uniform prior). An empty text or
// one without letters gets the first language with probability 1/n.
func (id *LanguageID) Detect(text string) (string, float64) {
	if len(id.langs) == 0 {
		return "", 0
	}
	feats := langFeatures(text, make([]uint64, 0, 64))
	scores := make([]float64, len(id.langs))
	for i := range id.langs {
		for _, f := range feats {
			if p, ok := id.logp[i][f]; ok {
				scores[i] += p
			} else {
				scores[i] += id.unseen[i]
			}
		}
	}
	best := 0
	for i := range scores {
		if scores[i] > scores[best] {
			best = i
		}
	}
	var z float64
	for _, s := range scores {
		z += math.Exp(s - scores[best])
	}
	return id.langs[best], 1 / z
}
