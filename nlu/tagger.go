package nlu

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Tagger tuning constants.
const (
	taggerEpochs       = 10   // passes over the training set; F1 on snips and fb-tod-es is flat from 6 to 14
	taggerMaxLabels    = 500  // (entity, group) pairs; transitions grow with the square, and no bot has this many
	taggerVersion      = 1    // bumped when the encoded layout or the features change
	taggerMinWeight    = 1e-6 // averaged weights smaller than this are dropped from the model
	taggerProbeMax     = 2500 // sentences; the probe that fits the confidence temperature needs no more
	taggerProbeMinHeld = 4    // held-out sentences below which the default temperature is used
	taggerDefaultScale = 0.5  // temperature under 20 sentences, where scores are small; gives 0.4–0.6 to wrong spans in tests
)

// Tagger is a sequence tagger learned from annotated examples: an averaged
// structured perceptron over the tokens of Tokenize with BIO states per
// (entity, group) pair and first-order transitions decoded with Viterbi.
// Confidences are span marginals of the chain, reading the scores as
// log-potentials at a temperature fitted on sentences held out from a
// probe tagger trained alongside. A Tagger is safe for concurrent use.
type Tagger struct {
	labels []tagLabel // sorted by entity then group; state 2k+1 is B-k, 2k+2 is I-k, 0 is O
	feats  map[uint64]int32
	keys   []uint64 // feature hashes in id order, kept for encoding
	rowPtr []int32  // CSR rows of the averaged weights: row f spans rowPtr[f]:rowPtr[f+1]
	rowSt  []uint16
	rowW   []float32
	trans  []float32 // (S+1)×S: trans[p*S+s] for p < S, start weights at row S
	scale  float64   // temperature: potentials are exp(scale·score)

	transPot  []float64 // tagPotentials(trans, S, scale), derived, not encoded
	transPotT []float64 // transPot transposed, without the start row
	bounds    tagBounds // derived from trans, not encoded
}

type tagLabel struct{ entity, group string }

func (t *Tagger) numStates() int { return 2*len(t.labels) + 1 }

// Labels returns the sorted names of the entities the tagger can find.
func (t *Tagger) Labels() []string {
	var out []string
	for _, l := range t.labels {
		if len(out) == 0 || out[len(out)-1] != l.entity {
			out = append(out, l.entity)
		}
	}
	return out
}

// tagInside reports whether state s is an I state, and its label index.
func tagInside(s int) (int, bool) {
	if s > 0 && s%2 == 0 {
		return s/2 - 1, true
	}
	return 0, false
}

// tagAllowed reports whether state s may follow state p under BIO (p == -1 is
// the start of the sentence): I-k only follows B-k or I-k.
func tagAllowed(p, s int) bool {
	k, in := tagInside(s)
	if !in {
		return true
	}
	return p == 2*k+1 || p == 2*k+2
}

// tagSeq is one training sentence reduced to feature ids and gold states.
type tagSeq struct {
	featPtr []int32 // token i's features are feats[featPtr[i]:featPtr[i+1]]
	feats   []int32
	gold    []uint16
}

// tagCell is one (state, weight) cell of a training weight row.
type tagCell struct {
	st uint16
	w  float32
}

// ErrTooManyEntities is returned (wrapped) by TrainTagger when the examples
// use more distinct (entity, group) pairs than a tagger supports (500).
var ErrTooManyEntities = errors.New("too many entities")

// TrainTagger learns a Tagger from the entity spans of examples. It returns
// (nil, nil) when no example has an entity. Spans that do not fall on token
// boundaries are snapped to the tokens they overlap; spans out of range are
// ignored, and when spans overlap the earlier (then longer) one wins. The
// result depends only on examples and seed. Cancelling ctx stops training
// between epochs and returns ctx's error; more than 500 (entity, group)
// pairs return an error wrapping ErrTooManyEntities.
func TrainTagger(ctx context.Context, examples []Example, seed int64) (*Tagger, error) {
	labels := tagLabels(examples)
	if len(labels) == 0 {
		return nil, nil
	}
	if len(labels) > taggerMaxLabels {
		return nil, fmt.Errorf("%w: %d entity and group pairs, at most %d", ErrTooManyEntities, len(labels), taggerMaxLabels)
	}
	labelIdx := make(map[tagLabel]int, len(labels))
	for i, l := range labels {
		labelIdx[l] = i
	}
	t := &Tagger{labels: labels, feats: make(map[uint64]int32)}
	S := t.numStates()

	// Reduce every example to feature ids, assigning ids in order of first
	// appearance so that the ids do not depend on map iteration order.
	var fx tagFeaturizer
	nOriginal := len(examples)
	examples = withPlainVariants(examples)
	seqs := make([]tagSeq, 0, len(examples))
	originals := 0 // seqs[:originals] come from the caller's examples
	for k, ex := range examples {
		if k == nOriginal {
			originals = len(seqs)
		}
		toks := Tokenize(ex.Text)
		if len(toks) == 0 {
			continue
		}
		seq := tagSeq{featPtr: make([]int32, 1, len(toks)+1), gold: tagGold(toks, ex.Entities, labelIdx)}
		hs := fx.sentence(toks)
		for i := range toks {
			for _, h := range hs[fx.ptr[i]:fx.ptr[i+1]] {
				id, ok := t.feats[h]
				if !ok {
					id = int32(len(t.keys))
					t.feats[h] = id
					t.keys = append(t.keys, h)
				}
				seq.feats = append(seq.feats, id)
			}
			seq.featPtr = append(seq.featPtr, int32(len(seq.feats)))
		}
		seqs = append(seqs, seq)
	}

	// The confidence temperature is fitted on sentences held out from a
	// probe tagger, trained at the same time on the other core.
	var wg sync.WaitGroup
	var probe tagProbe
	var probeErr error
	if originals == 0 {
		originals = len(seqs)
	}
	// The probe sees only the caller's sentences: a plain variant held out
	// while its original is trained on would make confidences look surer
	// than they are.
	wg.Go(func() { probe, probeErr = tagProbeScale(ctx, seqs[:originals], len(t.keys), S, seed) })
	all := make([]int, len(seqs))
	for i := range all {
		all[i] = i
	}
	rows, trans, err := tagPerceptron(ctx, seqs, all, len(t.keys), S, uint64(seed))
	wg.Wait()
	if err == nil {
		err = probeErr
	}
	if err != nil {
		return nil, err
	}
	t.scale = probe.scale
	if probe.magnitude > 0 {
		// The full model's scores are larger than the probe's, having seen
		// more data: keep the product scale·score comparable.
		if m := tagMagnitude(seqs, probe.seen, rows, S); m > 0 {
			t.scale = min(max(probe.scale*probe.magnitude/m, tagScales[0]), tagScales[len(tagScales)-1])
		}
	}
	t.trans = trans
	t.derive()

	// Drop the near-zero weights and the features left empty, and pack the
	// rows.
	t.rowPtr = make([]int32, 1, len(rows)+1)
	keys := t.keys[:0]
	clear(t.feats)
	for f, r := range rows {
		before := len(t.rowSt)
		for _, cell := range r {
			if math.Abs(float64(cell.w)) < taggerMinWeight {
				continue
			}
			t.rowSt = append(t.rowSt, cell.st)
			t.rowW = append(t.rowW, cell.w)
		}
		if len(t.rowSt) == before {
			continue
		}
		h := t.keys[f]
		t.feats[h] = int32(len(keys))
		keys = append(keys, h)
		t.rowPtr = append(t.rowPtr, int32(len(t.rowSt)))
	}
	t.keys = slices.Clip(keys)
	return t, nil
}

// tagPerceptron trains an averaged structured perceptron on seqs[idx] and
// returns its averaged weight rows (one per feature id) and transitions.
// Examples are visited in an order shuffled each epoch from seed.
func tagPerceptron(ctx context.Context, seqs []tagSeq, idx []int, nFeat, S int, seed uint64) ([][]tagCell, []float32, error) {
	rows := make([][]tagCell, nFeat)
	sums := make([][]float64, nFeat) // sums[f][j] accumulates c·Δw of rows[f][j]
	trans := make([]float32, (S+1)*S)
	transU := make([]float64, (S+1)*S)
	var c float64 = 1 // examples seen + 1

	update := func(f int32, st uint16, d float32) {
		r := rows[f]
		for j := range r {
			if r[j].st == st {
				r[j].w += d
				sums[f][j] += c * float64(d)
				return
			}
		}
		rows[f] = append(r, tagCell{st: st, w: d})
		sums[f] = append(sums[f], c*float64(d))
	}

	rng := rand.New(rand.NewPCG(seed, 0x5ab1a))
	order := slices.Clone(idx)
	var dec tagViterbi
	var bounds tagBounds
	bounds.compute(trans, S)
	var emit []float32
	pred := make([]uint16, 0, 64)
	for epoch := 0; epoch < taggerEpochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, si := range order {
			seq := &seqs[si]
			n := len(seq.gold)
			emit = seq.emissions(rows, S, emit)
			bounds.refresh(trans, S)
			pred = dec.decode(emit, trans, &bounds, n, S, pred[:0])
			for i := 0; i < n; i++ {
				g, p := seq.gold[i], pred[i]
				gp, pp := S, S // previous states, S meaning start
				if i > 0 {
					gp, pp = int(seq.gold[i-1]), int(pred[i-1])
				}
				if g != p {
					for _, f := range seq.feats[seq.featPtr[i]:seq.featPtr[i+1]] {
						update(f, g, 1)
						update(f, p, -1)
					}
				}
				if g != p || gp != pp {
					bounds.touch(int(g))
					bounds.touch(int(p))
					trans[gp*S+int(g)]++
					transU[gp*S+int(g)] += c
					trans[pp*S+int(p)]--
					transU[pp*S+int(p)] -= c
				}
			}
			c++
		}
	}
	// Average: w̄ = w − u/c.
	for f, r := range rows {
		for j := range r {
			r[j].w = float32(float64(r[j].w) - sums[f][j]/c)
		}
	}
	for i := range trans {
		trans[i] = float32(float64(trans[i]) - transU[i]/c)
	}
	return rows, trans, nil
}

// emissions fills emit (n×S) with the scores rows give seq's tokens.
func (seq *tagSeq) emissions(rows [][]tagCell, S int, emit []float32) []float32 {
	n := len(seq.gold)
	emit = slices.Grow(emit[:0], n*S)[:n*S]
	clear(emit)
	for i := 0; i < n; i++ {
		e := emit[i*S : (i+1)*S]
		for _, f := range seq.feats[seq.featPtr[i]:seq.featPtr[i+1]] {
			for _, cell := range rows[f] {
				e[cell.st] += cell.w
			}
		}
	}
	return emit
}

// tagProbe is what tagProbeScale learns: the temperature fitted on held-out
// sentences, and the magnitude of the probe's scores on sentences it was
// trained on (seen), to carry the temperature over to the full model.
type tagProbe struct {
	scale     float64
	magnitude float64
	seen      []int
}

// tagProbeScale trains a probe tagger on 80% of up to taggerProbeMax
// sentences and fits the temperature that maximises the likelihood of the
// other 20% (taggerDefaultScale, and no magnitude, when too few sentences
// would be left out).
func tagProbeScale(ctx context.Context, seqs []tagSeq, nFeat, S int, seed int64) (tagProbe, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0xca1b))
	perm := rng.Perm(len(seqs))
	perm = perm[:min(len(perm), taggerProbeMax)]
	nHeld := len(perm) / 5
	if nHeld < taggerProbeMinHeld {
		return tagProbe{scale: taggerDefaultScale}, nil
	}
	held, train := perm[:nHeld], perm[nHeld:]
	rows, trans, err := tagPerceptron(ctx, seqs, train, nFeat, S, uint64(seed)+1)
	if err != nil {
		return tagProbe{}, err
	}
	seen := train[:min(len(train), len(held))]
	return tagProbe{scale: tagCalibrate(seqs, held, rows, trans, S), magnitude: tagMagnitude(seqs, seen, rows, S), seen: seen}, nil
}

// tagMagnitude returns the mean, over the tokens of seqs[idx], of the best
// emission score minus the mean one.
func tagMagnitude(seqs []tagSeq, idx []int, rows [][]tagCell, S int) float64 {
	var emit []float32
	var sum float64
	var n int
	for _, si := range idx {
		seq := &seqs[si]
		emit = seq.emissions(rows, S, emit)
		for i := range seq.gold {
			e := emit[i*S : (i+1)*S]
			var mx, mean float64 = float64(e[0]), 0
			for _, x := range e {
				mx = max(mx, float64(x))
				mean += float64(x)
			}
			sum += mx - mean/float64(S)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// tagLabels returns the sorted distinct (entity, group) pairs of examples.
func tagLabels(examples []Example) []tagLabel {
	seen := make(map[tagLabel]bool)
	var out []tagLabel
	for _, ex := range examples {
		for _, sp := range ex.Entities {
			l := tagLabel{sp.Entity, sp.Group}
			if sp.Entity == "" || seen[l] {
				continue
			}
			seen[l] = true
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b tagLabel) int {
		if c := strings.Compare(a.entity, b.entity); c != 0 {
			return c
		}
		return strings.Compare(a.group, b.group)
	})
	return out
}

// tagGold snaps the spans onto toks and returns one BIO state per token.
func tagGold(toks []Token, spans []Span, labelIdx map[tagLabel]int) []uint16 {
	gold := make([]uint16, len(toks))
	sorted := slices.Clone(spans)
	slices.SortStableFunc(sorted, func(a, b Span) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return (b.End - b.Start) - (a.End - a.Start)
	})
	for _, sp := range sorted {
		k, ok := labelIdx[tagLabel{sp.Entity, sp.Group}]
		if !ok || sp.Start < 0 || sp.End <= sp.Start {
			continue
		}
		first, last := -1, -1
		for i, tk := range toks {
			if tk.End > sp.Start && tk.Start < sp.End {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		if first < 0 {
			continue
		}
		free := true
		for i := first; i <= last; i++ {
			free = free && gold[i] == 0
		}
		if !free {
			continue
		}
		gold[first] = uint16(2*k + 1)
		for i := first + 1; i <= last; i++ {
			gold[i] = uint16(2*k + 2)
		}
	}
	return gold
}

// tagViterbi holds the buffers of one decoding so that training reuses them.
type tagViterbi struct {
	delta, next []float32
	back        []uint16
	cand        []int32
}

// tagBounds summarises the transition weights for pruning in Viterbi:
// maxInto[s] is the largest weight of an allowed transition from a state
// into s. Training marks the columns it changes and refreshes only those.
type tagBounds struct {
	maxInto []float32
	dirty   []int32
}

func (b *tagBounds) compute(trans []float32, S int) {
	b.maxInto = slices.Grow(b.maxInto[:0], S)[:S]
	for s := 0; s < S; s++ {
		b.column(trans, S, s)
	}
	b.dirty = b.dirty[:0]
}

func (b *tagBounds) column(trans []float32, S, s int) {
	mx := float32(math.Inf(-1))
	for p := 0; p < S; p++ {
		if tagAllowed(p, s) {
			mx = max(mx, trans[p*S+s])
		}
	}
	b.maxInto[s] = mx
}

// touch marks column s as changed.
func (b *tagBounds) touch(s int) { b.dirty = append(b.dirty, int32(s)) }

// refresh recomputes the changed columns.
func (b *tagBounds) refresh(trans []float32, S int) {
	for _, s := range b.dirty {
		b.column(trans, S, int(s))
	}
	b.dirty = b.dirty[:0]
}

// decode returns the best BIO-valid state sequence for n tokens whose
// emission scores are emit[i*S+s], appending it to out. bounds must
// describe trans. The search is exact: a predecessor is skipped only when
// even the best transition out of it cannot beat the current best.
func (v *tagViterbi) decode(emit, trans []float32, bounds *tagBounds, n, S int, out []uint16) []uint16 {
	v.delta = slices.Grow(v.delta[:0], S)[:S]
	v.next = slices.Grow(v.next[:0], S)[:S]
	v.back = slices.Grow(v.back[:0], n*S)[:n*S]
	v.cand = slices.Grow(v.cand[:0], S)
	negInf := float32(math.Inf(-1))
	start := trans[S*S : S*S+S]
	for s := 0; s < S; s++ {
		if _, in := tagInside(s); in {
			v.delta[s] = negInf
		} else {
			v.delta[s] = start[s] + emit[s]
		}
	}
	for i := 1; i < n; i++ {
		e := emit[i*S : (i+1)*S]
		back := v.back[i*S : (i+1)*S]
		// Candidates: predecessors that could win for some target, sorted
		// by score, best first. With top the best predecessor, p can only
		// win target s if delta[p] + maxInto[s] > delta[top] + trans[top][s].
		top := 0
		for p, d := range v.delta {
			if d > v.delta[top] {
				top = p
			}
		}
		var slack float32
		for s := 0; s < S; s++ {
			if _, in := tagInside(s); !in {
				slack = max(slack, bounds.maxInto[s]-trans[top*S+s])
			}
		}
		thr := v.delta[top] - slack
		cand := v.cand[:0]
		for p, d := range v.delta {
			if d > thr || p == top {
				j := len(cand)
				cand = append(cand, int32(p))
				for j > 0 && v.delta[cand[j-1]] < d {
					cand[j] = cand[j-1]
					j--
				}
				cand[j] = int32(p)
			}
		}
		for s := 0; s < S; s++ {
			if k, in := tagInside(s); in {
				b, ib := 2*k+1, 2*k+2
				sb, si := v.delta[b]+trans[b*S+s], v.delta[ib]+trans[ib*S+s]
				if si > sb {
					v.next[s], back[s] = si+e[s], uint16(ib)
				} else {
					v.next[s], back[s] = sb+e[s], uint16(b)
				}
				continue
			}
			best, arg := negInf, int32(0)
			mx := bounds.maxInto[s]
			for _, p := range cand {
				d := v.delta[p]
				if d+mx <= best {
					break
				}
				if x := d + trans[int(p)*S+s]; x > best {
					best, arg = x, p
				}
			}
			v.next[s], back[s] = best+e[s], uint16(arg)
		}
		v.delta, v.next = v.next, v.delta
	}
	best, arg := negInf, 0
	for s, d := range v.delta {
		if d > best {
			best, arg = d, s
		}
	}
	base := len(out)
	out = slices.Grow(out, n)[:base+n]
	for i := n - 1; i >= 0; i-- {
		out[base+i] = uint16(arg)
		if i > 0 {
			arg = int(v.back[i*S+arg])
		}
	}
	return out
}

// emissions fills emit (n×S) with the averaged weights of the features of
// toks and returns it.
func (t *Tagger) emissions(fx *tagFeaturizer, toks []Token, emit []float32) []float32 {
	S := t.numStates()
	n := len(toks)
	emit = slices.Grow(emit[:0], n*S)[:n*S]
	clear(emit)
	hs := fx.sentence(toks)
	for i := 0; i < n; i++ {
		e := emit[i*S : (i+1)*S]
		for _, h := range hs[fx.ptr[i]:fx.ptr[i+1]] {
			f, ok := t.feats[h]
			if !ok {
				continue
			}
			lo, hi := t.rowPtr[f], t.rowPtr[f+1]
			for j, st := range t.rowSt[lo:hi] {
				e[st] += t.rowW[int(lo)+j]
			}
		}
	}
	return emit
}

// tagScratch holds the buffers of one Tag call; tagScratchPool recycles them.
type tagScratch struct {
	fx   tagFeaturizer
	emit []float32
	dec  tagViterbi
	path []uint16
	marg tagMarginals
}

var tagScratchPool = sync.Pool{New: func() any { return new(tagScratch) }}

// Tag returns the entities the tagger finds in text; toks must be
// Tokenize(text). Each entity covers whole tokens (less sentence
// punctuation at its end), keeps the original spelling in Value, and
// carries as Confidence the probability of its exact span under the model.
// Memory grows with tokens × labels, so callers bound the text length.
func (t *Tagger) Tag(text string, toks []Token) []Entity {
	if t == nil || len(toks) == 0 || len(t.labels) == 0 {
		return nil
	}
	S := t.numStates()
	sc := tagScratchPool.Get().(*tagScratch)
	defer tagScratchPool.Put(sc)
	sc.emit = t.emissions(&sc.fx, toks, sc.emit)
	sc.path = sc.dec.decode(sc.emit, t.trans, &t.bounds, len(toks), S, sc.path[:0])
	path := sc.path

	var runes []rune
	var out []Entity
	for i := 0; i < len(path); {
		s := int(path[i])
		if s == 0 {
			i++
			continue
		}
		k := (s - 1) / 2
		j := i + 1
		for j < len(path) && int(path[j]) == 2*k+2 {
			j++
		}
		if runes == nil {
			t.forwardBackward(&sc.marg, sc.emit, len(toks))
			runes = []rune(text)
		}
		last := j - 1
		for last > i && toks[last].Kind == KindPunct && strings.ContainsAny(toks[last].Text, ".,;:!?") {
			last-- // sentence punctuation after an entity is not part of it
		}
		start, end := clampSpan(toks[i].Start, toks[last].End, len(runes))
		if start < end {
			out = append(out, Entity{
				Entity:     t.labels[k].entity,
				Group:      t.labels[k].group,
				Value:      string(runes[start:end]),
				Start:      start,
				End:        end,
				Confidence: sc.marg.span(i, j, k),
				Source:     SourceModel,
			})
		}
		i = j
	}
	return out
}

// tagBeam prunes forward-backward: states whose normalised forward mass, or
// whose share of the backward sum, is below it are treated as impossible.
// It bounds the error of a confidence far below what anyone reads from it
// and makes the pass nearly linear in the number of states.
const tagBeam = 1e-9

// tagMarginals holds a scaled forward-backward pass over one sentence.
type tagMarginals struct {
	S       int
	pot     []float64 // pot[i*S+s]: exp(scale·(emit − max_i))
	tr      []float64 // (S+1)×S: exp(scale·trans), zero where BIO forbids
	alpha   []float64 // normalised forward vectors
	beta    []float64 // normalised backward vectors
	betaRaw []float64 // betaRaw[i*S+p] = Σ_s tr[p][s]·pot[i+1][s]·beta[i+1][s]
	v, w    []float64
	active  []int32
}

// forwardBackward runs the pass over n tokens with emission scores emit
// into m, reusing m's buffers.
func (t *Tagger) forwardBackward(m *tagMarginals, emit []float32, n int) {
	S := t.numStates()
	grow := func(b []float64, size int) []float64 {
		b = slices.Grow(b[:0], size)[:size]
		clear(b)
		return b
	}
	m.S, m.tr = S, t.transPot
	m.pot, m.alpha, m.beta = grow(m.pot, n*S), grow(m.alpha, n*S), grow(m.beta, n*S)
	m.betaRaw, m.v, m.w = grow(m.betaRaw, n*S), grow(m.v, S), grow(m.w, S)
	for i := 0; i < n; i++ {
		e := emit[i*S : (i+1)*S]
		mx := e[0]
		for _, x := range e {
			mx = max(mx, x)
		}
		for s, x := range e {
			if d := t.scale * float64(x-mx); d > -40 {
				m.pot[i*S+s] = math.Exp(d)
			}
		}
	}
	// normalise scales v to sum 1, zeroes what falls under the beam and
	// lists the states left.
	normalise := func(v []float64) []int32 {
		var z float64
		for _, x := range v {
			z += x
		}
		act := m.active[:0]
		if !(z > 0) || math.IsInf(z, 0) {
			return act
		}
		for s := range v {
			v[s] /= z
			if v[s] < tagBeam {
				v[s] = 0
			} else {
				act = append(act, int32(s))
			}
		}
		m.active = act
		return act
	}
	a := m.alpha[:S]
	for s := range a {
		a[s] = m.tr[S*S+s] * m.pot[s]
	}
	act := normalise(a)
	for i := 1; i < n; i++ {
		prev, cur := m.alpha[(i-1)*S:i*S], m.alpha[i*S:(i+1)*S]
		for _, p := range act {
			x := prev[p]
			row := m.tr[int(p)*S : int(p)*S+S]
			for s, w := range row {
				cur[s] += x * w
			}
		}
		pot := m.pot[i*S : (i+1)*S]
		for s := range cur {
			cur[s] *= pot[s]
		}
		act = normalise(cur)
	}
	last := m.beta[(n-1)*S : n*S]
	for s := range last {
		last[s] = 1
	}
	for i := n - 2; i >= 0; i-- {
		nxt, cur, raw := m.beta[(i+1)*S:(i+2)*S], m.beta[i*S:(i+1)*S], m.betaRaw[i*S:(i+1)*S]
		pot, fwd := m.pot[(i+1)*S:(i+2)*S], m.alpha[(i+1)*S:(i+2)*S]
		// Only the states with a marginal above the beam at i+1 feed the
		// backward sums.
		for s := range m.v {
			m.v[s] = pot[s] * nxt[s]
			m.w[s] = fwd[s] * nxt[s]
		}
		for _, s := range normalise(m.w) {
			x := m.v[s]
			col := t.transPotT[int(s)*S : int(s)*S+S]
			for p, w := range col {
				raw[p] += w * x
			}
		}
		// Scale by Σ α·β so that the marginals at i stay near 1 in sum.
		var z, zAll float64
		for p, x := range raw {
			z += m.alpha[i*S+p] * x
			zAll += x
		}
		if !(z > 0) || math.IsInf(z, 0) {
			z = zAll
		}
		if z > 0 && !math.IsInf(z, 0) {
			for p, x := range raw {
				cur[p] = x / z
			}
		}
	}
}

// span returns the probability that tokens [i, j) are exactly one entity
// of label k: B-k at i, I-k up to j−1 and no I-k at j.
func (m *tagMarginals) span(i, j, k int) float64 {
	S := m.S
	b, in := 2*k+1, 2*k+2
	var z float64
	for s := 0; s < S; s++ {
		z += m.alpha[i*S+s] * m.beta[i*S+s]
	}
	if z <= 0 {
		return 1e-4
	}
	p := m.alpha[i*S+b] * m.beta[i*S+b] / z
	prev := b
	n := len(m.alpha) / S
	for t := i + 1; t <= j && t < n; t++ {
		raw := m.betaRaw[(t-1)*S+prev]
		if raw <= 0 {
			return 1e-4
		}
		q := m.tr[prev*S+in] * m.pot[t*S+in] * m.beta[t*S+in] / raw
		if t == j {
			q = 1 - q
		}
		p *= q
		prev = in
	}
	if p > 1 {
		p = 1
	}
	if !(p >= 1e-4) {
		p = 1e-4
	}
	return p
}

// tagScales is the grid tagCalibrate searches.
var tagScales = []float64{0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1, 1.4, 2}

// tagCalibrate returns the scale from tagScales that maximises the
// likelihood of the gold sequences of seqs[idx] under rows and trans.
func tagCalibrate(seqs []tagSeq, idx []int, rows [][]tagCell, trans []float32, S int) float64 {
	nll := make([]float64, len(tagScales))
	trs := make([][]float64, len(tagScales))
	for k, sc := range tagScales {
		trs[k] = tagPotentials(trans, S, sc)
	}
	var emit []float32
	fw := make([]float64, 2*S)
	for _, si := range idx {
		seq := &seqs[si]
		n := len(seq.gold)
		emit = seq.emissions(rows, S, emit)
		var gold float64
		for i := 0; i < n; i++ {
			p := S
			if i > 0 {
				p = int(seq.gold[i-1])
			}
			gold += float64(emit[i*S+int(seq.gold[i])] + trans[p*S+int(seq.gold[i])])
		}
		for k, sc := range tagScales {
			nll[k] += tagLogPartition(emit, trs[k], n, S, sc, fw) - sc*gold
		}
	}
	best := 0
	for k := range nll {
		if nll[k] < nll[best] {
			best = k
		}
	}
	return tagScales[best]
}

// tagLogPartition returns log Σ over BIO-valid paths of exp(scale·score);
// tr is exp(scale·trans) with zeros where BIO forbids a transition and buf
// (2×S) is scratch.
func tagLogPartition(emit []float32, tr []float64, n, S int, scale float64, buf []float64) float64 {
	prev, cur := buf[:S], buf[S:2*S]
	var logZ float64
	for i := 0; i < n; i++ {
		e := emit[i*S : (i+1)*S]
		mx := float64(slices.Max(e))
		logZ += scale * mx
		for s := 0; s < S; s++ {
			var sum float64
			if i == 0 {
				sum = tr[S*S+s]
			} else if k, in := tagInside(s); in {
				b, ib := 2*k+1, 2*k+2
				sum = prev[b]*tr[b*S+s] + prev[ib]*tr[ib*S+s]
			} else {
				for p, x := range prev {
					sum += x * tr[p*S+s]
				}
			}
			cur[s] = sum * math.Exp(scale*(float64(e[s])-mx))
		}
		var z float64
		for _, x := range cur {
			z += x
		}
		for s := range cur {
			cur[s] /= z
		}
		logZ += math.Log(z)
		prev, cur = cur, prev
	}
	return logZ
}

// derive computes the fields that follow from trans and scale.
func (t *Tagger) derive() {
	S := t.numStates()
	t.transPot = tagPotentials(t.trans, S, t.scale)
	t.transPotT = make([]float64, S*S)
	for p := 0; p < S; p++ {
		for s := 0; s < S; s++ {
			t.transPotT[s*S+p] = t.transPot[p*S+s]
		}
	}
	t.bounds.compute(t.trans, S)
}

// tagPotentials returns exp(scale·trans), (S+1)×S, with zeros where BIO
// forbids the transition.
func tagPotentials(trans []float32, S int, scale float64) []float64 {
	tr := make([]float64, (S+1)*S)
	for p := 0; p <= S; p++ {
		pp := p
		if p == S {
			pp = -1
		}
		for s := 0; s < S; s++ {
			if tagAllowed(pp, s) {
				tr[p*S+s] = math.Exp(scale * float64(trans[p*S+s]))
			}
		}
	}
	return tr
}

// tagFeaturizer turns a sentence into hashed feature keys, one run per token:
// token i's keys are hs[ptr[i]:ptr[i+1]]. Its buffers are reused.
type tagFeaturizer struct {
	hs     []uint64
	ptr    []int
	norms  []string
	shapes []string
	lowers []string
}

// Feature templates; their values only need to be distinct.
const (
	ftBias byte = iota + 1
	ftNorm
	ftLower
	ftPrefix
	ftSuffix
	ftShape
	ftKind
	ftPrev2
	ftPrev1
	ftNext1
	ftNext2
	ftBigramPrev
	ftBigramNext
	ftFirst
	ftLast
	ftShapePrev
	ftShapeNext
	ftSentenceFirst
	ftTrigram
)

const (
	tagFNVOffset = 14695981039346656037
	tagFNVPrime  = 1099511628211
)

func tagHashStart(tmpl byte) uint64 { return (tagFNVOffset ^ uint64(tmpl)) * tagFNVPrime }

func tagHashStr(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * tagFNVPrime
	}
	return (h ^ 0xff) * tagFNVPrime // terminator, so that ("ab","c") ≠ ("a","bc")
}

func tagHashByte(h uint64, b byte) uint64 { return (h ^ uint64(b)) * tagFNVPrime }

func (fx *tagFeaturizer) sentence(toks []Token) []uint64 {
	n := len(toks)
	fx.hs = fx.hs[:0]
	fx.ptr = append(fx.ptr[:0], 0)
	fx.norms = slices.Grow(fx.norms[:0], n)[:n]
	fx.shapes = slices.Grow(fx.shapes[:0], n)[:n]
	fx.lowers = slices.Grow(fx.lowers[:0], n)[:n]
	for i, tk := range toks {
		fx.norms[i] = tk.Norm
		fx.shapes[i] = tagShape(tk.Text)
		fx.lowers[i] = strings.ToLower(tk.Text)
	}
	word := func(i int) string {
		switch {
		case i < 0:
			return "<s>"
		case i >= n:
			return "</s>"
		}
		return fx.norms[i]
	}
	shape := func(i int) string {
		switch {
		case i < 0:
			return "<s>"
		case i >= n:
			return "</s>"
		}
		return fx.shapes[i]
	}
	for i, tk := range toks {
		w := fx.norms[i]
		fx.hs = append(fx.hs,
			tagHashStart(ftBias),
			tagHashStr(tagHashStart(ftNorm), w),
			tagHashStr(tagHashStart(ftShape), fx.shapes[i]),
			tagHashByte(tagHashStart(ftKind), byte(tk.Kind)),
			tagHashStr(tagHashStart(ftPrev2), word(i-2)),
			tagHashStr(tagHashStart(ftPrev1), word(i-1)),
			tagHashStr(tagHashStart(ftNext1), word(i+1)),
			tagHashStr(tagHashStart(ftNext2), word(i+2)),
			tagHashStr(tagHashStr(tagHashStart(ftBigramPrev), word(i-1)), w),
			tagHashStr(tagHashStr(tagHashStart(ftBigramNext), w), word(i+1)),
			tagHashStr(tagHashStr(tagHashStr(tagHashStart(ftTrigram), word(i-1)), w), word(i+1)),
			tagHashStr(tagHashStr(tagHashStart(ftShapePrev), shape(i-1)), fx.shapes[i]),
			tagHashStr(tagHashStr(tagHashStart(ftShapeNext), fx.shapes[i]), shape(i+1)),
			// The first word stands in for the intent: "play X" and "add X"
			// take different entities.
			tagHashStr(tagHashStart(ftSentenceFirst), word(0)),
		)
		if l := fx.lowers[i]; l != w {
			fx.hs = append(fx.hs, tagHashStr(tagHashStart(ftLower), l))
		}
		if i == 0 {
			fx.hs = append(fx.hs, tagHashStart(ftFirst))
		}
		if i == n-1 {
			fx.hs = append(fx.hs, tagHashStart(ftLast))
		}
		if tk.Kind == KindWord {
			rc := utf8.RuneCountInString(w)
			for k := 2; k <= 4 && k < rc; k++ {
				fx.hs = append(fx.hs,
					tagHashByte(tagHashStr(tagHashStart(ftPrefix), tagPrefix(w, k)), byte(k)),
					tagHashByte(tagHashStr(tagHashStart(ftSuffix), tagSuffix(w, k)), byte(k)))
			}
		}
		fx.ptr = append(fx.ptr, len(fx.hs))
	}
	return fx.hs
}

// tagPrefix returns the first k runes of s (s has more than k runes).
func tagPrefix(s string, k int) string {
	for i := range s {
		if k == 0 {
			return s[:i]
		}
		k--
	}
	return s
}

// tagSuffix returns the last k runes of s (s has more than k runes).
func tagSuffix(s string, k int) string {
	i := len(s)
	for ; k > 0 && i > 0; k-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return s[i:]
}

// tagShape maps upper-case letters to X, lower-case to x and digits to d,
// keeps other runes and collapses repeats: "Sabiá" → "Xx", "R$" → "X$",
// "98765-4321" → "d-d".
func tagShape(s string) string {
	var buf [16]byte
	b := buf[:0]
	var last byte
	for _, r := range s {
		var c byte
		switch {
		case unicode.IsUpper(r):
			c = 'X'
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
			c = 'x'
		case unicode.IsDigit(r):
			c = 'd'
		case r < utf8.RuneSelf:
			c = byte(r)
		default:
			c = '*'
		}
		if c != last {
			b = append(b, c)
			last = c
		}
		if len(b) == cap(buf) {
			break
		}
	}
	return string(b)
}

// encode writes the tagger with the codec primitives; decodeTagger reads it
// back.
func (t *Tagger) encode(e *encoder) {
	e.u8(taggerVersion)
	e.int(len(t.labels))
	for _, l := range t.labels {
		e.str(l.entity)
		e.str(l.group)
	}
	e.f64(t.scale)
	e.f32s(t.trans)
	e.int(len(t.keys))
	for f, h := range t.keys {
		e.u64(h)
		lo, hi := t.rowPtr[f], t.rowPtr[f+1]
		e.int(int(hi - lo))
		for j := lo; j < hi; j++ {
			e.int(int(t.rowSt[j]))
			e.f32(t.rowW[j])
		}
	}
}

// decodeTagger reads what encode wrote. On corrupt input it marks d as
// failed and returns nil.
func decodeTagger(d *decoder) *Tagger {
	if v := d.u8(); v != taggerVersion {
		d.fail("tagger version")
		return nil
	}
	nl := d.length(2)
	if d.err != nil || nl == 0 || nl > taggerMaxLabels {
		d.fail("tagger labels")
		return nil
	}
	t := &Tagger{labels: make([]tagLabel, nl)}
	for i := range t.labels {
		t.labels[i] = tagLabel{entity: d.str(), group: d.str()}
	}
	S := t.numStates()
	t.scale = d.f64()
	t.trans = d.f32s()
	if d.err != nil || len(t.trans) != (S+1)*S || !(t.scale > 0) || math.IsInf(t.scale, 0) {
		d.fail("tagger transitions")
		return nil
	}
	t.derive()
	nf := d.length(9)
	t.keys = make([]uint64, 0, nf)
	t.feats = make(map[uint64]int32, nf)
	t.rowPtr = make([]int32, 1, nf+1)
	for f := 0; f < nf && d.err == nil; f++ {
		h := d.u64()
		if _, dup := t.feats[h]; dup {
			d.fail("tagger feature")
			return nil
		}
		t.feats[h] = int32(f)
		t.keys = append(t.keys, h)
		nr := d.length(5)
		for j := 0; j < nr && d.err == nil; j++ {
			st := d.int()
			if st < 0 || st >= S {
				d.fail("tagger state")
				return nil
			}
			t.rowSt = append(t.rowSt, uint16(st))
			t.rowW = append(t.rowW, d.f32())
		}
		t.rowPtr = append(t.rowPtr, int32(len(t.rowSt)))
	}
	if d.err != nil {
		return nil
	}
	return t
}

// maxPlainVariants bounds the extra sentences withPlainVariants adds, so
// that large annotated sets do not double their training time; 3000 is
// more than most repositories have annotated.
const maxPlainVariants = 3000 // sentences

// withPlainVariants returns examples followed by a lower-cased, accent-less
// copy of annotated ones ("Quero o Cartão Gold" → "quero o cartao gold"),
// spans unchanged: chat users rarely capitalise or accent product names,
// and a tagger trained only on tidy examples would learn that entities start
// with a capital. Folding is per rune, so offsets stay valid. When there are
// more annotated examples than maxPlainVariants, every k-th one is copied.
func withPlainVariants(examples []Example) []Example {
	annotated := 0
	for _, ex := range examples {
		if len(ex.Entities) > 0 {
			annotated++
		}
	}
	if annotated == 0 {
		return examples
	}
	step := (annotated + maxPlainVariants - 1) / maxPlainVariants
	out := make([]Example, len(examples), len(examples)+annotated/step+1)
	copy(out, examples)
	k := 0
	for _, ex := range examples {
		if len(ex.Entities) == 0 {
			continue
		}
		k++
		if k%step != 0 {
			continue
		}
		if plain := plainRunes(ex.Text); plain != ex.Text {
			out = append(out, Example{Text: plain, Intent: ex.Intent, Entities: ex.Entities})
		}
	}
	return out
}

// plainRunes lower-cases s and drops accents rune by rune, keeping the rune
// count (a rune whose folded form is not one rune is only lower-cased).
func plainRunes(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		l := unicode.ToLower(r)
		if l >= utf8.RuneSelf {
			if f := []rune(Fold(string(l))); len(f) == 1 {
				l = f[0]
			}
		}
		b.WriteRune(l)
	}
	return b.String()
}
