package datasets

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// Discover tuning.
const (
	// MaxDiscoverTexts bounds the texts of one Discover call: a month of
	// a busy bot's unknown messages, clustered in well under a second.
	MaxDiscoverTexts = 10_000

	// DefaultDiscoverThreshold is the cosine a text needs with a topic's
	// centroid to join it. Two messages with the same content words in
	// any order ("entrega sábado?", "sábado tem entrega") have 1; two
	// that share one of two content words, about 0.33 ("cadê meu pedido",
	// "pedido atrasado"), less as the shared word grows common; one of
	// three, less than 0.3. Chosen on the sentences of discover_test.go.
	DefaultDiscoverThreshold = 0.3

	// DefaultDiscoverMinSize is the smallest topic Discover reports when
	// DiscoverOptions.MinSize is 0: a message nobody repeated is not a
	// topic yet.
	DefaultDiscoverMinSize = 2

	// discoverMaxWords bounds the content words read from one text: chat
	// messages are short, and a pasted essay is clustered by its start.
	discoverMaxWords = 64 // words

	// discoverCharShare is the share of character trigrams in the
	// cosine of two texts (the words' share is the rest): enough for a
	// typo ("entrga") to pull a text towards its topic, too little
	// (below any sensible threshold) to make a topic of spelling alone.
	discoverCharShare = 0.3

	// discoverPrefix is the length of the prefix that stands in for a
	// stem the light stemmer misses ("devolución", "devolver"), as in
	// content retrieval.
	discoverPrefix = 5 // runes

	// discoverExamples and discoverKeywords are how many representative
	// texts and keywords a Cluster shows.
	discoverExamples = 5
	discoverKeywords = 5
)

// discoverFillers are folded words of greeting, politeness and asking that
// say nothing about a message's topic ("oi, bom dia, queria saber se vcs
// entregam sábado"), beyond nlu.StopWord's function words. A message made
// of nothing else ("bom dia!") is clustered by them.
var discoverFillers = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`oi ola opa oie bom boa dia tarde noite tudo bem obrigado obrigada valeu favor
		gostaria queria quero qro preciso saber ainda alguem entao ok okay moco moca amigo amiga senhor senhora ne olha
		k kk rs rsrs haha hehe
		hola buenas buenos buen dias tardes noches gracias quiero quisiera necesito alguien oye senor senorita
		jaja jajaja
		hi hello hey thanks thank please want need know`) {
		m[w] = true
	}
	return m
}()

// DiscoverText is one message to cluster: ID is the caller's (a log's ID),
// returned in the Cluster the text ends in.
type DiscoverText struct {
	ID   int64  `json:"id"`
	Text string `json:"text"`
}

// DiscoverOptions tune Discover. Threshold is the cosine in (0, 1] a text
// needs with a topic to join it (0: DefaultDiscoverThreshold). MinSize is the
// smallest cluster reported (0: DefaultDiscoverMinSize; 1 keeps singletons).
// Intents, when given, are the labelled examples of the existing intents
// (out-of-scope examples, intent "", are ignored): each cluster is then
// compared with them for Cluster.ClosestIntent.
type DiscoverOptions struct {
	Threshold float64
	MinSize   int
	Intents   []nlu.Example
}

// Cluster is one topic found by Discover. Size is the number of texts in it;
// Keywords are its most characteristic words as users wrote them (lower
// case, accents kept), most characteristic first; Examples are up to five
// distinct texts closest to its centroid, closest first, each with the ID
// of its newest occurrence; IDs are every text's ID, ascending.
// ClosestIntent is the existing intent most like the topic, nil when no
// intents were given or none shares a word with it.
type Cluster struct {
	Size          int            `json:"size"`
	Keywords      []string       `json:"keywords"`
	Examples      []DiscoverText `json:"examples"`
	IDs           []int64        `json:"ids"`
	ClosestIntent *IntentMatch   `json:"closest_intent"`
}

// IntentMatch is an existing intent and its cosine similarity in [0, 1]
// (rounded to three decimals) with a topic: near 1, the topic is that intent
// in new words (add its texts to it); near 0, it is something new.
type IntentMatch struct {
	Name       string  `json:"name"`
	Similarity float64 `json:"similarity"`
}

// Discover groups short chat messages of language lang by topic, for a bot
// builder to turn each group into a new intent or add it to an existing one.
//
// Each text is tokenised and normalised as the classifier does (case,
// accents, repeated letters, chat abbreviations expanded); function words
// and fillers ("oi", "queria saber") are set aside. Texts equal after that
// ("qro falar c atendente" fifty times, "Entrega sábado?" and "entrega
// sabado") collapse into one group first. Each group becomes a TF-IDF vector
// over word stems, 5-rune prefixes and the lexicon's synonym groups (nlu.SynonymGroups), with
// character trigrams of its words for typos (discoverCharShare of the
// cosine); IDF is counted over the groups. Groups are then clustered by
// greedy leader clustering, most frequent first: a group joins the topic
// whose centroid is closest when the cosine reaches the threshold, else it
// starts a new topic. Only topics sharing a word or synonym group are
// compared, so the work grows with the overlap of the texts, not with their
// number squared.
//
// Clusters come sorted by size, largest first, without those smaller than
// the minimum size. The output depends only on the multiset of texts, not on
// their order: ties are broken by the normalised text. Texts with no word,
// number or symbol (empty, punctuation only) are left out.
//
// Returns ETOOLARGE for more than MaxDiscoverTexts texts, EINVALID for a
// threshold outside [0, 1] or a negative minimum size.
func Discover(lang string, texts []DiscoverText, opts DiscoverOptions) ([]Cluster, error) {
	if len(texts) > MaxDiscoverTexts {
		return nil, sabia.Errorf(sabia.ETOOLARGE, "%d texts to cluster, at most %d", len(texts), MaxDiscoverTexts)
	}
	threshold := opts.Threshold
	if !(threshold >= 0 && threshold <= 1) {
		return nil, sabia.Errorf(sabia.EINVALID, "threshold %v is not between 0 and 1", threshold)
	}
	if threshold == 0 {
		threshold = DefaultDiscoverThreshold
	}
	minSize := opts.MinSize
	if minSize < 0 {
		return nil, sabia.Errorf(sabia.EINVALID, "minimum size %d is negative", minSize)
	}
	if minSize == 0 {
		minSize = DefaultDiscoverMinSize
	}

	d := discoverer{lang: lang, ids: map[string]int32{}}
	groups := d.collapse(texts)
	if len(groups) == 0 {
		return []Cluster{}, nil
	}
	idf := d.idf(groups)
	for _, g := range groups {
		g.vec = d.vector(g.an, idf)
	}
	topics := d.cluster(groups, threshold)

	var intents []intentCentroid
	if len(opts.Intents) > 0 {
		intents = d.intentCentroids(opts.Intents, idf)
	}
	out := make([]Cluster, 0, len(topics))
	for _, t := range topics {
		if t.size < minSize {
			continue
		}
		out = append(out, d.describe(t, groups, intents))
	}
	return out, nil
}

// discoverer holds the state of one Discover call.
type discoverer struct {
	lang   string
	ids    map[string]int32 // term → id
	groups int              // groups IDF was counted over
	isWord []bool           // by term id: a stem, prefix or synonym group, not a character trigram
}

// textTerms is what one text is made of for Discover.
type textTerms struct {
	key   string   // the normalised text groups collapse on
	words []string // terms of the word part ("w:" stems, "p:" prefixes, "s:" synonym groups)
	chars []string // terms of the character part ("c:" trigrams)
	shown []string // the display word of each stem in words, "" for synonyms
}

// group is the texts of one normalised form.
type group struct {
	an    textTerms
	ids   []int64
	texts map[string]int            // original spelling → occurrences
	shown map[string]map[string]int // stem term → spelling as written → occurrences
	count int
	vec   sparseVec
}

// sparseVec is a unit vector: term ids ascending and their weights.
type sparseVec struct {
	ids []int32
	w   []float64
}

// analyse reads one text.
func (d *discoverer) analyse(text string) textTerms {
	var a textTerms
	var key, symbols []string
	var content, fillers []string
	var contentShown, fillerShown []string
	for _, t := range nlu.Tokenize(text) {
		switch t.Kind {
		case nlu.KindWord, nlu.KindNumber:
		case nlu.KindSymbol:
			symbols = append(symbols, t.Norm)
			continue
		default:
			continue
		}
		if strings.HasPrefix(t.Norm, "<") { // long numbers: identifiers, not topics
			continue
		}
		norm := t.Norm
		if d.lang != "" {
			norm = nlu.Expand(d.lang, norm)
		}
		for _, w := range strings.Fields(norm) {
			if len(key) >= discoverMaxWords*2 {
				break
			}
			key = append(key, w)
			shown := strings.ToLower(t.Text)
			switch {
			case nlu.StopWord(w), utf8.RuneCountInString(w) == 1: // "c" (com), "d" (de): too short to mean a topic
			case discoverFillers[w]:
				fillers, fillerShown = append(fillers, w), append(fillerShown, shown)
			case len(content) < discoverMaxWords:
				content, contentShown = append(content, w), append(contentShown, shown)
			}
		}
	}
	if len(key) == 0 {
		key = symbols
	}
	a.key = strings.Join(key, " ")
	words, shown := content, contentShown
	if len(words) == 0 {
		words, shown = fillers, fillerShown
	}
	if len(words) == 0 { // function words or emojis only: the text itself is the topic
		words, shown = key, key
	}
	for i, w := range words {
		a.words = append(a.words, "w:"+nlu.Stem(d.lang, w))
		a.shown = append(a.shown, shown[i])
		if rs := []rune(w); len(rs) > discoverPrefix {
			a.words = append(a.words, "p:"+string(rs[:discoverPrefix]))
			a.shown = append(a.shown, "")
		}
		if d.lang != "" {
			for _, g := range nlu.SynonymGroups(d.lang, w) {
				a.words = append(a.words, "s:"+g)
				a.shown = append(a.shown, "")
			}
		}
		if utf8.RuneCountInString(w) < 3 {
			continue
		}
		rs := []rune("^" + w + "$")
		for j := 0; j+3 <= len(rs); j++ {
			a.chars = append(a.chars, "c:"+string(rs[j:j+3]))
		}
	}
	return a
}

// collapse groups the texts by normalised form, most frequent first, ties
// by the form.
func (d *discoverer) collapse(texts []DiscoverText) []*group {
	byKey := map[string]*group{}
	var groups []*group
	for _, t := range texts {
		a := d.analyse(t.Text)
		if a.key == "" {
			continue
		}
		g := byKey[a.key]
		if g == nil {
			g = &group{an: a, texts: map[string]int{}, shown: map[string]map[string]int{}}
			byKey[a.key] = g
			groups = append(groups, g)
		}
		for i, w := range a.words { // the same terms for every text of the group, not the same spellings
			if s := a.shown[i]; s != "" {
				if g.shown[w] == nil {
					g.shown[w] = map[string]int{}
				}
				g.shown[w][s]++
			}
		}
		g.ids = append(g.ids, t.ID)
		g.texts[strings.TrimSpace(t.Text)]++
		g.count++
	}
	slices.SortFunc(groups, func(a, b *group) int {
		if c := cmp.Compare(b.count, a.count); c != 0 {
			return c
		}
		return strings.Compare(a.an.key, b.an.key)
	})
	// intern terms in this order, so that ids do not depend on input order
	for _, g := range groups {
		for _, w := range g.an.words {
			d.intern(w, true)
		}
		for _, c := range g.an.chars {
			d.intern(c, false)
		}
	}
	return groups
}

func (d *discoverer) intern(term string, word bool) int32 {
	if id, ok := d.ids[term]; ok {
		return id
	}
	id := int32(len(d.isWord))
	d.ids[term] = id
	d.isWord = append(d.isWord, word)
	return id
}

// idf returns the smoothed inverse document frequency of every term
// interned so far, counting each group once.
func (d *discoverer) idf(groups []*group) []float64 {
	df := make([]int, len(d.isWord))
	seen := make([]int, len(d.isWord))
	for gi, g := range groups {
		for _, terms := range [][]string{g.an.words, g.an.chars} {
			for _, t := range terms {
				id := d.ids[t]
				if seen[id] != gi+1 {
					seen[id] = gi + 1
					df[id]++
				}
			}
		}
	}
	d.groups = len(groups)
	n := float64(len(groups))
	idf := make([]float64, len(df))
	for i, f := range df {
		idf[i] = math.Log((1+n)/(1+float64(f))) + 1
	}
	return idf
}

// vector builds the unit TF-IDF vector of an textTerms: its word part and
// its character part, each of unit length, weighted so that the cosine of
// two vectors is (1-discoverCharShare)·cos(words) + discoverCharShare·cos(chars).
// Terms never interned (an intent's word no text has) get the largest IDF.
func (d *discoverer) vector(a textTerms, idf []float64) sparseVec {
	maxIDF := math.Log(1+float64(d.groups)) + 1
	part := func(terms []string, share float64) map[int32]float64 {
		tf := map[int32]float64{}
		for _, t := range terms {
			id, ok := d.ids[t]
			if !ok {
				id = d.intern(t, !strings.HasPrefix(t, "c:"))
			}
			tf[id]++
		}
		var norm float64
		for _, id := range sortedTermIDs(tf) { // in order: float sums must not depend on map order
			w := maxIDF
			if int(id) < len(idf) {
				w = idf[id]
			}
			tf[id] = (1 + math.Log(tf[id])) * w
			norm += tf[id] * tf[id]
		}
		scale := math.Sqrt(share) / math.Sqrt(norm)
		for id := range tf {
			tf[id] *= scale
		}
		return tf
	}
	wordShare, charShare := 1-discoverCharShare, discoverCharShare
	if len(a.chars) == 0 {
		wordShare, charShare = 1, 0
	}
	m := part(a.words, wordShare)
	if charShare > 0 {
		for id, w := range part(a.chars, charShare) {
			m[id] = w
		}
	}
	v := sparseVec{ids: make([]int32, 0, len(m))}
	for id := range m {
		v.ids = append(v.ids, id)
	}
	slices.Sort(v.ids)
	v.w = make([]float64, len(v.ids))
	for i, id := range v.ids {
		v.w[i] = m[id]
	}
	return v
}

// topic is a cluster being built: its groups and the weighted sum of their
// vectors.
type topic struct {
	groups []int // indices into the groups, in joining order
	size   int
	sum    map[int32]float64
	norm2  float64 // squared length of sum
}

func (t *topic) add(gi int, g *group) {
	t.groups = append(t.groups, gi)
	t.size += g.count
	a := 1 + math.Log(float64(g.count)) // a repeated message leads, without drowning the rest
	for i, id := range g.vec.ids {
		old := t.sum[id]
		nw := old + a*g.vec.w[i]
		t.sum[id] = nw
		t.norm2 += nw*nw - old*old
	}
}

// cosine returns the cosine of a unit vector with the topic's centroid.
func (t *topic) cosine(v sparseVec) float64 {
	if t.norm2 <= 0 {
		return 0
	}
	var dot float64
	for i, id := range v.ids {
		dot += v.w[i] * t.sum[id]
	}
	return dot / math.Sqrt(t.norm2)
}

// cluster runs the leader clustering over the groups in their order and
// returns the topics largest first, ties by their first group.
func (d *discoverer) cluster(groups []*group, threshold float64) []*topic {
	var topics []*topic
	index := map[int32][]int32{} // word term → topics whose centroid has it
	mark := []int{}              // by topic: the group that last listed it as a candidate, +1
	var cands []int32
	for gi, g := range groups {
		cands = cands[:0]
		for _, id := range g.vec.ids {
			if !d.isWord[id] {
				continue
			}
			for _, ti := range index[id] {
				if mark[ti] != gi+1 {
					mark[ti] = gi + 1
					cands = append(cands, ti)
				}
			}
		}
		best, bestCos := -1, 0.0
		for _, ti := range cands {
			c := topics[ti].cosine(g.vec)
			if c > bestCos+1e-12 || (math.Abs(c-bestCos) <= 1e-12 && best >= 0 && int(ti) < best) {
				best, bestCos = int(ti), c
			}
		}
		if best < 0 || bestCos < threshold-1e-12 {
			topics = append(topics, &topic{sum: map[int32]float64{}})
			mark = append(mark, 0)
			best = len(topics) - 1
		}
		t := topics[best]
		for _, id := range g.vec.ids {
			if _, ok := t.sum[id]; !ok && d.isWord[id] {
				index[id] = append(index[id], int32(best))
			}
		}
		t.add(gi, g)
	}
	slices.SortStableFunc(topics, func(a, b *topic) int {
		if c := cmp.Compare(b.size, a.size); c != 0 {
			return c
		}
		return cmp.Compare(a.groups[0], b.groups[0])
	})
	return topics
}

// intentCentroid is an existing intent's normalised mean vector.
type intentCentroid struct {
	name string
	vec  map[int32]float64
}

// intentCentroids builds the centroid of each intent's examples, by name.
func (d *discoverer) intentCentroids(examples []nlu.Example, idf []float64) []intentCentroid {
	sums := map[string]map[int32]float64{}
	for _, e := range examples {
		if e.Intent == "" {
			continue
		}
		a := d.analyse(e.Text)
		if a.key == "" {
			continue
		}
		v := d.vector(a, idf)
		s := sums[e.Intent]
		if s == nil {
			s = map[int32]float64{}
			sums[e.Intent] = s
		}
		for i, id := range v.ids {
			s[id] += v.w[i]
		}
	}
	out := make([]intentCentroid, 0, len(sums))
	for name, s := range sums {
		var n2 float64
		for _, id := range sortedTermIDs(s) {
			n2 += s[id] * s[id]
		}
		n := math.Sqrt(n2)
		for id := range s {
			s[id] /= n
		}
		out = append(out, intentCentroid{name: name, vec: s})
	}
	slices.SortFunc(out, func(a, b intentCentroid) int { return strings.Compare(a.name, b.name) })
	return out
}

// describe turns a topic into a Cluster.
func (d *discoverer) describe(t *topic, groups []*group, intents []intentCentroid) Cluster {
	c := Cluster{Size: t.size, Keywords: []string{}, Examples: []DiscoverText{}, IDs: make([]int64, 0, t.size)}
	type near struct {
		g   *group
		cos float64
	}
	members := make([]near, 0, len(t.groups))
	shown := map[int32]map[string]int{} // stem → display spelling → occurrences
	for _, gi := range t.groups {
		g := groups[gi]
		c.IDs = append(c.IDs, g.ids...)
		members = append(members, near{g, t.cosine(g.vec)})
		for w, spellings := range g.shown {
			id := d.ids[w]
			if shown[id] == nil {
				shown[id] = map[string]int{}
			}
			for s, n := range spellings {
				shown[id][s] += n
			}
		}
	}
	slices.Sort(c.IDs)
	slices.SortStableFunc(members, func(a, b near) int {
		if a.cos != b.cos {
			return cmp.Compare(b.cos, a.cos)
		}
		if a.g.count != b.g.count {
			return cmp.Compare(b.g.count, a.g.count)
		}
		return strings.Compare(a.g.an.key, b.g.an.key)
	})
	for _, m := range members[:min(len(members), discoverExamples)] {
		c.Examples = append(c.Examples, DiscoverText{ID: slices.Max(m.g.ids), Text: mostFrequent(m.g.texts)})
	}

	type kw struct {
		word string
		w    float64
	}
	var kws []kw
	ids := sortedTermIDs(t.sum)
	for _, id := range ids {
		w := t.sum[id]
		if spellings, ok := shown[id]; ok && d.isWord[id] {
			kws = append(kws, kw{mostFrequent(spellings), w})
		}
	}
	slices.SortFunc(kws, func(a, b kw) int {
		if a.w != b.w {
			return cmp.Compare(b.w, a.w)
		}
		return strings.Compare(a.word, b.word)
	})
	for _, k := range kws {
		if len(c.Keywords) == discoverKeywords {
			break
		}
		if !slices.Contains(c.Keywords, k.word) {
			c.Keywords = append(c.Keywords, k.word)
		}
	}

	if len(intents) > 0 && t.norm2 > 0 {
		best, bestSim := "", 0.0
		n := math.Sqrt(t.norm2)
		for _, in := range intents {
			var dot float64
			for _, id := range ids {
				dot += t.sum[id] * in.vec[id]
			}
			if sim := dot / n; sim > bestSim+1e-12 {
				best, bestSim = in.name, sim
			}
		}
		if best != "" {
			c.ClosestIntent = &IntentMatch{Name: best, Similarity: math.Round(min(bestSim, 1)*1000) / 1000}
		}
	}
	return c
}

// mostFrequent returns the key of m with the largest count; among equals,
// the longest in bytes (an accented spelling over a plain one), then the
// smallest.
func mostFrequent(m map[string]int) string {
	best, n := "", -1
	for k, c := range m {
		if c > n || (c == n && (len(k) > len(best) || (len(k) == len(best) && k < best))) {
			best, n = k, c
		}
	}
	return best
}

// sortedTermIDs returns the keys of m in ascending order.
func sortedTermIDs(m map[int32]float64) []int32 {
	keys := make([]int32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
