package nlu

import (
	"sort"
)

// IntentRelevance is how much a word pushes the margin of one intent: a
// positive value speaks for the intent, a negative one against it.
type IntentRelevance struct {
	Intent    string  `json:"intent"`
	Relevance float64 `json:"relevance"`
}

// WordRelevance is the relevance of one token of an explained text to each
// explained intent. Word keeps the user's spelling; Start and End are rune
// offsets into the text (End exclusive). Relevance follows the order of
// Explanation.Intents.
type WordRelevance struct {
	Word      string            `json:"word"`
	Start     int               `json:"start"`
	End       int               `json:"end"`
	Relevance []IntentRelevance `json:"relevance"`
}

// Explanation breaks the classifier's margins for a text down by token, for
// debugging (the debug_parse endpoint). For every explained intent,
// Bias[intent] plus the sum of that intent's relevances over Words equals the
// model's margin for the intent (the score before the softmax), exactly up to
// floating-point rounding.
type Explanation struct {
	// Intent and Confidence are the model's prediction with its default
	// threshold (Intent is "" when out of scope).
	Intent     string  `json:"intent"`
	Confidence float64 `json:"confidence"`
	// Intents are the explained intents, best first.
	Intents []string `json:"intents"`
	// Margins are the model's margins for the explained intents.
	Margins map[string]float64 `json:"margins"`
	// Bias is the part of each margin that does not depend on the text.
	Bias map[string]float64 `json:"bias"`
	// Words are the tokens that produce features (every token but
	// punctuation), in text order.
	Words []WordRelevance `json:"words"`
}

// Explain attributes the margins of the top `top` intents (all when top <= 0)
// for text to its tokens. Each feature contributes its value times its weight
// for the intent (class-centroid part included, since the centroids are
// folded into the weights); a feature produced by one token goes to that
// token, and one spanning several tokens (a bigram, a character n-gram across
// a word boundary) is split equally among them. A feature occurring several
// times splits its contribution equally among its occurrences.
func (m *Model) Explain(text string, top int) Explanation {
	toks := Tokenize(text)
	pred := m.classify(toks, PredictOptions{})
	ex := Explanation{Intent: pred.Intent, Confidence: pred.Confidence,
		Margins: map[string]float64{}, Bias: map[string]float64{}, Words: []WordRelevance{}}
	nc := len(m.classes)
	v := m.feat.vector(toks)
	margins := m.scores(v, make([]float64, 0, nc))
	order := make([]int, 0, nc)
	for c := range m.classes {
		if c != m.oos {
			order = append(order, c)
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return margins[order[i]] > margins[order[j]] })
	if top > 0 && top < len(order) {
		order = order[:top]
	}
	for _, c := range order {
		ex.Intents = append(ex.Intents, m.classes[c])
		ex.Margins[m.classes[c]] = margins[c]
		ex.Bias[m.classes[c]] = float64(m.bias[c])
	}

	var cov coverage
	words, chars := featureHashesCover(m.feat.lang, toks, nil, nil, &cov)
	value := make(map[int32]float64, len(v.idx))
	for k, f := range v.idx {
		value[f] = float64(v.val[k])
	}
	occ := map[int32]int{}
	for _, h := range words {
		if f, ok := m.feat.index.get(h); ok {
			occ[f]++
		}
	}
	for _, h := range chars {
		if f, ok := m.feat.index.get(h); ok {
			occ[f]++
		}
	}
	rel := make([][]float64, len(toks)) // token → explained intent
	for i := range rel {
		rel[i] = make([]float64, len(order))
	}
	// add spreads one occurrence of feature f over the tokens ts.
	add := func(f int32, ts []int) {
		x := value[f] / float64(occ[f]) / float64(len(ts))
		row := m.qw[int(f)*nc : int(f)*nc+nc]
		sc := float64(m.wscale[f])
		for j, c := range order {
			d := x * sc * float64(row[c])
			for _, t := range ts {
				rel[t][j] += d
			}
		}
	}
	var ts []int
	for j, h := range words {
		f, ok := m.feat.index.get(h)
		if !ok {
			continue
		}
		ts = append(ts[:0], cov.words[j][0])
		if cov.words[j][1] != cov.words[j][0] {
			ts = append(ts, cov.words[j][1])
		}
		add(f, ts)
	}
	for j, h := range chars {
		f, ok := m.feat.index.get(h)
		if !ok {
			continue
		}
		ts = ts[:0]
		start, k := cov.chars[j][0], cov.chars[j][1]
		for p := start; p <= start+k; p++ {
			if o := cov.owner[p]; o >= 0 && (len(ts) == 0 || ts[len(ts)-1] != o) {
				ts = append(ts, o)
			}
		}
		add(f, ts)
	}
	for i, t := range toks {
		if t.Kind == KindPunct {
			continue
		}
		wr := WordRelevance{Word: t.Text, Start: t.Start, End: t.End, Relevance: make([]IntentRelevance, len(order))}
		for j, c := range order {
			wr.Relevance[j] = IntentRelevance{Intent: m.classes[c], Relevance: rel[i][j]}
		}
		ex.Words = append(ex.Words, wr)
	}
	return ex
}

// WordsDistribution returns, for each intent of examples, the share of each
// word's occurrences (over all intents) that fall in that intent's examples:
// dist[intent][word] = count in intent / count in all intents. Words are
// normalised like the classifier sees them (Token.Norm after Expand, word
// tokens only); out-of-scope examples (Intent "") are not counted. The shares
// of one word sum to 1 over the intents.
func WordsDistribution(examples []Example, lang string) map[string]map[string]float64 {
	counts := map[string]map[string]int{}
	total := map[string]int{}
	for _, ex := range examples {
		if ex.Intent == "" {
			continue
		}
		for _, t := range Tokenize(ex.Text) {
			if t.Kind != KindWord {
				continue
			}
			w := Expand(lang, t.Norm)
			if counts[ex.Intent] == nil {
				counts[ex.Intent] = map[string]int{}
			}
			counts[ex.Intent][w]++
			total[w]++
		}
	}
	out := make(map[string]map[string]float64, len(counts))
	for intent, ws := range counts {
		d := make(map[string]float64, len(ws))
		for w, n := range ws {
			d[w] = float64(n) / float64(total[w])
		}
		out[intent] = d
	}
	return out
}
