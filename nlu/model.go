package nlu

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"runtime"
	"sort"
	"sync"
	"time"
)

// Config is the training configuration. DefaultConfig is what the server and
// `sabia eval` use; there are no per-data-set settings.
type Config struct {
	// Seed makes training deterministic: same data and seed, same model.
	Seed int64
	// C is the SVM regularisation cost.
	C float64
	// Iterations bounds the passes of the SVM solver over the data.
	Iterations int
	// MinDF drops features seen in fewer training texts.
	MinDF int
	// Temperature scales SVM margins before the softmax that turns them into
	// confidences.
	Temperature float64
	// Threshold is the default out-of-scope threshold on the top confidence.
	Threshold float64
	// Patterns are user-declared entities (regexes and lists).
	Patterns []PatternEntity
	// Workers bounds the goroutines used for training; 0 means GOMAXPROCS.
	Workers int
}

// DefaultConfig returns the configuration used everywhere by default.
func DefaultConfig() Config {
	return Config{Seed: 1, C: 0.5, Iterations: 60, MinDF: 1, Temperature: 6, Threshold: 0.3}
}

// oosClass is the internal name of the out-of-scope class, trained from
// examples without an intent. It never appears in a ranking.
const oosClass = "\x00oos"

// Model is a trained classifier for one language: intents, entities and
// out-of-scope detection. A Model is immutable and safe for concurrent use.
type Model struct {
	lang      string
	classes   []string // sorted; may include oosClass
	oos       int      // index of oosClass in classes, or -1
	feat      *featurizer
	weights   []float32 // feature-major: weights[f*len(classes)+c]
	bias      []float32
	temp      float64
	threshold float64
	tagger    *Tagger
	patterns  *Patterns
	defs      []PatternEntity
	trainedAt time.Time
	nExamples int
}

// ErrNoData is returned by Train when there is nothing to learn from.
var ErrNoData = errors.New("at least two intents with examples are needed to train")

// Train learns a model for lang from examples. Examples with Intent "" teach
// out-of-scope. progress, when not nil, is called with values in [0,1].
// Training honours ctx cancellation.
func Train(ctx context.Context, lang string, examples []Example, cfg Config, progress func(float64)) (*Model, error) {
	if progress == nil {
		progress = func(float64) {}
	}
	classSet := map[string]bool{}
	for _, ex := range examples {
		name := ex.Intent
		if name == "" {
			name = oosClass
		}
		classSet[name] = true
	}
	classes := make([]string, 0, len(classSet))
	for c := range classSet {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	intents := len(classes)
	if classSet[oosClass] {
		intents--
	}
	if intents < 1 || (intents < 2 && !classSet[oosClass]) {
		return nil, ErrNoData
	}
	pats, err := CompilePatterns(cfg.Patterns)
	if err != nil {
		return nil, err
	}
	m := &Model{lang: lang, classes: classes, oos: -1, temp: cfg.Temperature, threshold: cfg.Threshold,
		patterns: pats, defs: cfg.Patterns, trainedAt: time.Now().UTC(), nExamples: len(examples)}
	classIdx := map[string]int{}
	for i, c := range classes {
		classIdx[c] = i
		if c == oosClass {
			m.oos = i
		}
	}
	toks := make([][]Token, len(examples))
	for i, ex := range examples {
		toks[i] = Tokenize(ex.Text)
	}
	m.feat = buildFeaturizer(lang, toks, max(cfg.MinDF, 1))
	progress(0.05)
	prob := &svmProblem{dim: len(m.feat.idf), bias: 1, c: cfg.C, iters: cfg.Iterations, eps: 0.1,
		x: make([]sparse, len(examples)), xsq: make([]float64, len(examples))}
	label := make([]int, len(examples))
	counts := make([]int, len(classes))
	for i, ex := range examples {
		prob.x[i] = m.feat.vector(toks[i])
		sq := prob.bias * prob.bias
		for _, v := range prob.x[i].val {
			sq += float64(v) * float64(v)
		}
		prob.xsq[i] = sq
		name := ex.Intent
		if name == "" {
			name = oosClass
		}
		label[i] = classIdx[name]
		counts[label[i]]++
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	progress(0.1)

	nc := len(classes)
	dim := prob.dim
	m.weights = make([]float32, dim*nc)
	m.bias = make([]float32, nc)
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var (
		mu       sync.Mutex
		done     int
		firstErr error
		wg       sync.WaitGroup
	)
	next := make(chan int)
	taggerDone := make(chan struct{})
	go func() {
		defer close(taggerDone)
		t, err := TrainTagger(ctx, examples, cfg.Seed)
		mu.Lock()
		defer mu.Unlock()
		if err != nil && firstErr == nil {
			firstErr = err
		}
		m.tagger = t
	}()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			y := make([]int8, len(examples))
			cw := make([]float64, len(examples))
			for c := range next {
				// Balance each one-vs-rest problem: the positives of a small
				// intent weigh as much in total as they would in a balanced set.
				pos := float64(counts[c])
				neg := float64(len(examples)) - pos
				for i := range y {
					if label[i] == c {
						y[i] = 1
						cw[i] = math.Min(math.Max(neg/(pos*float64(nc-1)), 1), 4)
					} else {
						y[i] = -1
						cw[i] = 1
					}
				}
				wc, err := prob.trainBinary(ctx, y, cw, uint64(cfg.Seed)*1000003+uint64(c))
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				for f := 0; f < dim; f++ {
					m.weights[f*nc+c] = float32(wc[f])
				}
				m.bias[c] = float32(wc[dim] * prob.bias)
				done++
				progress(0.1 + 0.85*float64(done)/float64(nc))
				mu.Unlock()
			}
		}()
	}
	for c := 0; c < nc; c++ {
		if ctx.Err() != nil {
			break
		}
		next <- c
	}
	close(next)
	wg.Wait()
	<-taggerDone
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	progress(1)
	return m, nil
}

// Language returns the language the model was trained for.
func (m *Model) Language() string { return m.lang }

// Intents returns the intents the model knows, sorted.
func (m *Model) Intents() []string {
	out := make([]string, 0, len(m.classes))
	for i, c := range m.classes {
		if i != m.oos {
			out = append(out, c)
		}
	}
	return out
}

// Entities returns the entity names the tagger and patterns can produce.
func (m *Model) Entities() []string {
	var out []string
	if m.tagger != nil {
		out = append(out, m.tagger.Labels()...)
	}
	for _, d := range m.defs {
		out = append(out, d.Name)
	}
	sort.Strings(out)
	return out
}

// Threshold returns the model's default out-of-scope threshold.
func (m *Model) Threshold() float64 { return m.threshold }

// PredictOptions tune one prediction.
type PredictOptions struct {
	// Threshold overrides the model's out-of-scope threshold when > 0.
	Threshold float64
	// Now anchors relative dates ("amanhã"); zero means time.Now().
	Now time.Time
	// NoBuiltins turns off built-in entities (e-mail, CPF, dates, …).
	NoBuiltins bool
}

// scores returns the raw SVM margins for a featurised text.
func (m *Model) scores(v sparse, out []float64) []float64 {
	nc := len(m.classes)
	out = out[:0]
	for c := 0; c < nc; c++ {
		out = append(out, float64(m.bias[c]))
	}
	for k, f := range v.idx {
		x := float64(v.val[k])
		row := m.weights[int(f)*nc : int(f)*nc+nc]
		for c, w := range row {
			out[c] += x * float64(w)
		}
	}
	return out
}

// softmax turns margins into confidences that sum to 1, in place.
func (m *Model) softmax(s []float64) {
	mx := math.Inf(-1)
	for _, x := range s {
		mx = math.Max(mx, x)
	}
	var sum float64
	for i, x := range s {
		s[i] = math.Exp((x - mx) * m.temp)
		sum += s[i]
	}
	for i := range s {
		s[i] /= sum
	}
}

// Predict classifies text and extracts its entities.
func (m *Model) Predict(text string, opts PredictOptions) Prediction {
	toks := Tokenize(text)
	p := m.classify(toks, opts)
	p.Entities = m.extract(text, toks, opts)
	return p
}

// classify ranks the intents for tokens.
func (m *Model) classify(toks []Token, opts PredictOptions) Prediction {
	probs := m.scores(m.feat.vector(toks), make([]float64, 0, len(m.classes)))
	m.softmax(probs)
	ranking := make([]Scored, 0, len(probs))
	for c, p := range probs {
		if c != m.oos {
			ranking = append(ranking, Scored{Name: m.classes[c], Confidence: p})
		}
	}
	sort.SliceStable(ranking, func(i, j int) bool { return ranking[i].Confidence > ranking[j].Confidence })
	th := m.threshold
	if opts.Threshold > 0 {
		th = opts.Threshold
	}
	pred := Prediction{Ranking: ranking, Entities: []Entity{}}
	if len(ranking) > 0 {
		pred.Intent, pred.Confidence = ranking[0].Name, ranking[0].Confidence
	}
	if pred.Confidence < th || (m.oos >= 0 && probs[m.oos] > pred.Confidence) {
		pred.OutOfScope = true
		pred.Intent = ""
	}
	return pred
}

// extract finds entities: learned spans first, then the user's patterns,
// then built-ins, without overlaps.
func (m *Model) extract(text string, toks []Token, opts PredictOptions) []Entity {
	var learned, pats, builtins []Entity
	if m.tagger != nil {
		learned = m.tagger.Tag(text, toks)
	}
	if m.patterns != nil {
		pats = m.patterns.Extract(text, toks)
	}
	if !opts.NoBuiltins {
		now := opts.Now
		if now.IsZero() {
			now = time.Now()
		}
		builtins = ExtractBuiltins(text, toks, m.lang, now)
	}
	out := MergeEntities(pats, learned, builtins)
	if out == nil {
		out = []Entity{}
	}
	return out
}

// modelMagic starts every encoded model; modelVersion is bumped whenever the
// format changes, and Decode refuses versions it does not know.
const (
	modelMagic   = "SABIA-NLU"
	modelVersion = 1
)

// MarshalBinary encodes the model in Sabiá's versioned binary format: magic,
// version, payload and a CRC-32 of everything before it.
func (m *Model) MarshalBinary() ([]byte, error) {
	e := &encoder{buf: make([]byte, 0, 64+len(m.weights)*4+len(m.feat.idf)*13)}
	e.buf = append(e.buf, modelMagic...)
	e.u32(modelVersion)
	e.str(m.lang)
	e.strs(m.classes)
	e.int(m.oos)
	m.feat.encode(e)
	e.f32s(m.weights)
	e.f32s(m.bias)
	e.f64(m.temp)
	e.f64(m.threshold)
	e.int(int(m.trainedAt.Unix()))
	e.int(m.nExamples)
	e.bool(m.tagger != nil)
	if m.tagger != nil {
		m.tagger.encode(e)
	}
	encodePatternDefs(e, m.defs)
	e.u32(crc32.ChecksumIEEE(e.buf))
	return e.buf, nil
}

// Decode decodes a model encoded by MarshalBinary. Corrupt or truncated
// bytes give an error wrapping ErrCorruptModel, never a panic.
func Decode(b []byte) (m *Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("%w: %v", ErrCorruptModel, r)
		}
	}()
	if len(b) < len(modelMagic)+8 || string(b[:len(modelMagic)]) != modelMagic {
		return nil, fmt.Errorf("%w: not a Sabiá model", ErrCorruptModel)
	}
	body, sum := b[:len(b)-4], b[len(b)-4:]
	if crc32.ChecksumIEEE(body) != uint32(sum[0])|uint32(sum[1])<<8|uint32(sum[2])<<16|uint32(sum[3])<<24 {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrCorruptModel)
	}
	d := &decoder{buf: body[len(modelMagic):]}
	if v := d.u32(); v != modelVersion {
		return nil, fmt.Errorf("%w: format version %d, this build reads %d", ErrCorruptModel, v, modelVersion)
	}
	m = &Model{lang: d.str(), classes: d.strs(), oos: d.int()}
	m.feat = decodeFeaturizer(d)
	m.weights = d.f32s()
	m.bias = d.f32s()
	m.temp = d.f64()
	m.threshold = d.f64()
	m.trainedAt = time.Unix(int64(d.int()), 0).UTC()
	m.nExamples = d.int()
	if d.bool() {
		m.tagger = decodeTagger(d)
	}
	m.defs = decodePatternDefs(d)
	if d.err != nil {
		return nil, d.err
	}
	if len(d.buf) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrCorruptModel, len(d.buf))
	}
	nc := len(m.classes)
	if nc == 0 || m.oos < -1 || m.oos >= nc || len(m.bias) != nc || len(m.weights) != nc*len(m.feat.idf) {
		return nil, fmt.Errorf("%w: inconsistent dimensions", ErrCorruptModel)
	}
	if m.patterns, err = CompilePatterns(m.defs); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptModel, err)
	}
	return m, nil
}
