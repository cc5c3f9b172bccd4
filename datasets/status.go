package datasets

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/weni-ai/sabia/nlu"
)

// Training requirements and warning thresholds. Status documents how each is
// used.
const (
	// MinIntents is the number of intents training needs: a classifier
	// with one class has nothing to tell apart.
	MinIntents = 2

	// MinExamplesPerIntent and MinExamplesPerEntity are the examples each
	// intent and each entity needs before training, as in Bothub: with one
	// example the model can only memorise it.
	MinExamplesPerIntent = 2
	MinExamplesPerEntity = 2

	// FewExamplesPerIntent is the number of examples below which an
	// intent is warned about; 10 or more is what we recommend.
	FewExamplesPerIntent = 5

	// ImbalanceRatio is the largest/smallest intent ratio above which the
	// data is warned as imbalanced; DominantShare the share of all
	// examples above which one intent (among three or more) is.
	ImbalanceRatio = 10.0
	DominantShare  = 0.5

	// NearDuplicateJaccard is the Jaccard similarity of word sets, and
	// NearDuplicateCosine the cosine similarity of character trigram sets,
	// at or above which two sentences under different intents are nearly
	// the same.
	NearDuplicateJaccard = 0.8
	NearDuplicateCosine  = 0.9

	// SingleWordShare is the share of one-word examples above which an
	// intent is warned about: "oi" is fine, an intent made of keywords
	// learns nothing about how people write.
	SingleWordShare = 0.3

	// MinTestsPerIntent is the number of test sentences per intent we
	// recommend, and TestShare the number of test sentences as a share of
	// the examples; Quality scores coverage against both.
	MinTestsPerIntent = 3
	TestShare         = 0.2

	// maxIssueExamples bounds Issue.Examples, in texts.
	maxIssueExamples = 10
)

// Issue codes of requirements, which block training; Status documents each.
const (
	CodeMissingIntent        = "missing_intent"
	CodeTooFewIntents        = "too_few_intents"
	CodeIntentTooFewExamples = "intent_too_few_examples"
	CodeEntityTooFewExamples = "entity_too_few_examples"
	CodeNothingChanged       = "nothing_changed"
)

// Issue codes of warnings, which do not; Status documents each.
const (
	CodeIntentFewExamples    = "intent_few_examples"
	CodeImbalance            = "imbalance"
	CodeDuplicateAcross      = "duplicate_across_intents"
	CodeNearDuplicateAcross  = "near_duplicate_across_intents"
	CodeSimilarityIncomplete = "similarity_check_incomplete"
	CodeInconsistentEntity   = "inconsistent_entity"
	CodeMostlyNumbers        = "mostly_numbers"
	CodeSingleWord           = "single_word"
	CodeOpaqueIntentName     = "opaque_intent_name"
	CodeNoTestSentences      = "no_test_sentences"
	CodeTestUnknownIntent    = "test_unknown_intent"
	CodeIntentWithoutTest    = "intent_without_test"
	CodeTranslationMismatch  = "translation_entities_mismatch"
)

// StatusInput is what Status looks at: one language of a version.
type StatusInput struct {
	// Language is the examples' language (any spelling nlu.ParseLanguage
	// accepts); it selects the chat abbreviations expanded before
	// comparing sentences ("vc" = "você"). "" expands none.
	Language      string        `json:"language"`
	Examples      []nlu.Example `json:"examples"`
	TestSentences []nlu.Example `json:"test_sentences"`
	// Changed is true when the examples changed since the last training.
	Changed bool `json:"changed"`
	// Trained is true when a model exists.
	Trained bool `json:"trained"`
	// MismatchedTranslations are the texts of the examples that translate
	// an example whose entity labels (entity and group) have changed since,
	// so that they no longer match.
	MismatchedTranslations []string `json:"mismatched_translations"`
	// Untranslated counts the examples of other languages with no
	// translation into this one yet; it is reported in Counts.
	Untranslated int `json:"untranslated"`
}

// StatusReport says whether the data can be trained and what would make it
// better. Ready is true when Requirements is empty.
type StatusReport struct {
	Ready        bool    `json:"ready"`
	Requirements []Issue `json:"requirements"`
	Warnings     []Issue `json:"warnings"`
	Counts       Counts  `json:"counts"`
}

// Issue is one requirement or warning. Code is stable and snake_case;
// Message is English, for people, and names what it is about. Intents,
// Entities and Examples (texts, at most 10) are the things concerned, for
// user interfaces to link to.
type Issue struct {
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	Intents  []string `json:"intents,omitempty"`
	Entities []string `json:"entities,omitempty"`
	Examples []string `json:"examples,omitempty"`
}

// Counts sums up the data. Examples without an intent count in Examples
// only. ExamplesPerEntity counts the examples annotated with the entity at
// least once; TestSentencesPerIntent the test sentences expecting each
// intent ("" for out-of-scope ones). Untranslated is StatusInput's.
type Counts struct {
	Examples               int            `json:"examples"`
	Intents                int            `json:"intents"`
	Entities               int            `json:"entities"`
	TestSentences          int            `json:"test_sentences"`
	ExamplesPerIntent      map[string]int `json:"examples_per_intent"`
	ExamplesPerEntity      map[string]int `json:"examples_per_entity"`
	TestSentencesPerIntent map[string]int `json:"test_sentences_per_intent"`
	Untranslated           int            `json:"untranslated"`
}

// Status checks examples and test sentences before training. It does no I/O
// and returns the same report, in the same order, for the same input.
//
// Requirements (any of them blocks training), in this order:
//
//   - missing_intent: an example's intent is empty or blank.
//   - too_few_intents: fewer than MinIntents (2) distinct intents.
//   - intent_too_few_examples: intents with fewer than MinExamplesPerIntent
//     (2) examples, all in one issue.
//   - entity_too_few_examples: entities annotated in fewer than
//     MinExamplesPerEntity (2) examples, all in one issue.
//   - nothing_changed: Trained and not Changed.
//
// Warnings, in this order:
//
//   - intent_few_examples: intents with at least 2 but fewer than
//     FewExamplesPerIntent (5) examples.
//   - imbalance: with two or more intents, largest/smallest > ImbalanceRatio
//     (10); or, with three or more, one intent holds more than
//     DominantShare (50%) of the examples.
//   - duplicate_across_intents: one issue per set of intents sharing
//     sentences that are equal once case, accents, punctuation and spacing
//     are ignored ("Cancelar!" = "cancelar").
//   - near_duplicate_across_intents: one issue per pair of intents with
//     sentences, not equal as above, whose sets of words (folded, runs of
//     three or more equal letters squeezed, chat abbreviations of Language
//     expanded, punctuation and emojis left out) have a Jaccard similarity
//     ≥ NearDuplicateJaccard (0.8), or whose sets of character trigrams (of
//     the sentence as compared above, with a space at each end) have a
//     cosine similarity ≥ NearDuplicateCosine (0.9). The search is exact
//     (no pair is missed) but bounded in steps and to 2,000 pairs (see
//     similarSets); similarity_check_incomplete is added in the rare case
//     it stops early.
//   - inconsistent_entity: one issue per entity and folded value that is
//     annotated in one example and appears, as whole tokens and overlapping
//     no annotation, in another. Its search is bounded like the
//     near-duplicate one and silently keeps what it found when it stops.
//   - mostly_numbers: examples where number tokens outnumber word tokens.
//   - single_word: one issue per intent whose one-word examples are more
//     than SingleWordShare (30%) of its examples.
//   - opaque_intent_name: one issue listing the intents whose names say
//     nothing in words ("i7", "intent_2", "nova_intencao"): the classifier
//     learns each intent's name as one more example, so a descriptive name
//     ("segunda_via_boleto") helps intents with few examples.
//   - no_test_sentences: there are none.
//   - test_unknown_intent: test sentences expecting an intent no example
//     has (an empty intent is an out-of-scope test and is fine).
//   - intent_without_test: intents no test sentence expects, when there are
//     test sentences.
//   - translation_entities_mismatch: one issue listing the
//     MismatchedTranslations (at most 10 texts), whose entities must be
//     annotated again as their originals' now are.
//
// Issues of one code are sorted by the intents and entities they name.
func Status(in StatusInput) StatusReport {
	a := analyse(in.Language, in.Examples)
	rep := StatusReport{Requirements: []Issue{}, Warnings: []Issue{}}
	rep.Counts = a.counts(in.TestSentences)

	req := func(is ...Issue) { rep.Requirements = append(rep.Requirements, is...) }
	warn := func(is ...Issue) { rep.Warnings = append(rep.Warnings, is...) }

	req(a.missingIntent()...)
	req(a.tooFewIntents()...)
	req(a.intentsBelow(CodeIntentTooFewExamples, 0, MinExamplesPerIntent)...)
	req(a.entityTooFew()...)
	if in.Trained && !in.Changed {
		req(Issue{Code: CodeNothingChanged, Message: "Nothing changed since the last training; change the examples before training again."})
	}

	warn(a.intentsBelow(CodeIntentFewExamples, MinExamplesPerIntent, FewExamplesPerIntent)...)
	warn(a.imbalance()...)
	warn(a.duplicateIssues()...)
	warn(a.nearDuplicateIssues()...)
	warn(a.inconsistentEntities()...)
	warn(a.mostlyNumbers()...)
	warn(a.singleWords()...)
	warn(a.opaqueIntentNames()...)
	warn(testIssues(a, in.TestSentences)...)
	if n := len(in.MismatchedTranslations); n > 0 {
		msg := "1 translation no longer has the entities of its original: annotate it again."
		if n > 1 {
			msg = fmt.Sprintf("%d translations no longer have the entities of their originals: annotate them again.", n)
		}
		warn(Issue{Code: CodeTranslationMismatch, Message: msg, Examples: capTexts(in.MismatchedTranslations)})
	}
	rep.Counts.Untranslated = in.Untranslated

	rep.Ready = len(rep.Requirements) == 0
	return rep
}

// analysis is what Status and Quality compute once over the examples.
type analysis struct {
	lang   string
	exs    []nlu.Example
	toks   [][]nlu.Token
	intent []string // trimmed intent of each example

	perIntent map[string]int
	intents   []string // sorted

	perEntity map[string]int
	entities  []string // sorted

	sentences []sentence
	dupes     []int // indices of sentences under two or more intents
	near      []nearPair
	complete  bool // the near-duplicate search finished
}

// sentence is one distinct folded text.
type sentence struct {
	key      string
	examples []int    // in input order
	intents  []string // sorted, distinct, non-empty
}

// nearPair is two sentences nearly the same under different intents.
type nearPair struct{ a, b int }

func analyse(lang string, exs []nlu.Example) *analysis {
	if l, ok := nlu.ParseLanguage(lang); ok {
		lang = l
	}
	a := &analysis{
		lang: lang, exs: exs,
		toks:      make([][]nlu.Token, len(exs)),
		intent:    make([]string, len(exs)),
		perIntent: map[string]int{},
		perEntity: map[string]int{},
		complete:  true,
	}
	byKey := map[string]int{}
	for i, ex := range exs {
		a.toks[i] = nlu.Tokenize(ex.Text)
		it := strings.TrimSpace(ex.Intent)
		a.intent[i] = it
		if it != "" {
			a.perIntent[it]++
		}
		var ents []string
		for _, sp := range ex.Entities {
			if e := strings.TrimSpace(sp.Entity); e != "" && !slices.Contains(ents, e) {
				ents = append(ents, e)
				a.perEntity[e]++
			}
		}
		k := sentenceKey(a.toks[i])
		if k == "" {
			continue
		}
		s, ok := byKey[k]
		if !ok {
			s = len(a.sentences)
			byKey[k] = s
			a.sentences = append(a.sentences, sentence{key: k})
		}
		a.sentences[s].examples = append(a.sentences[s].examples, i)
		if it != "" && !slices.Contains(a.sentences[s].intents, it) {
			a.sentences[s].intents = append(a.sentences[s].intents, it)
		}
	}
	a.intents = sortedKeys(a.perIntent)
	a.entities = sortedKeys(a.perEntity)
	for i := range a.sentences {
		slices.Sort(a.sentences[i].intents)
		if len(a.sentences[i].intents) > 1 {
			a.dupes = append(a.dupes, i)
		}
	}
	a.findNear()
	return a
}

// sentenceKey folds case and accents, drops punctuation and joins the tokens
// with one space.
func sentenceKey(toks []nlu.Token) string {
	var b strings.Builder
	for _, t := range toks {
		if t.Kind == nlu.KindPunct {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(nlu.Fold(t.Text))
	}
	return b.String()
}

// textOf returns the text of the first example of s under intent.
func (a *analysis) textOf(s sentence, intent string) string {
	for _, e := range s.examples {
		if a.intent[e] == intent {
			return a.exs[e].Text
		}
	}
	return a.exs[s.examples[0]].Text
}

// crossIntent reports whether two sentences hold examples of two different
// intents.
func crossIntent(x, y sentence) bool {
	for _, i := range x.intents {
		for _, j := range y.intents {
			if i != j {
				return true
			}
		}
	}
	return false
}

// findNear fills a.near with the pairs of sentences under different intents
// that are nearly the same, by word Jaccard or trigram cosine.
func (a *analysis) findNear() {
	if len(a.sentences) < 2 {
		return
	}
	words := make([][]int32, len(a.sentences))
	grams := make([][]int32, len(a.sentences))
	wordIDs := map[string]int32{}
	gramIDs := map[uint64]int32{}
	for i, s := range a.sentences {
		for _, t := range a.toks[s.examples[0]] {
			var w string
			switch t.Kind {
			case nlu.KindPunct, nlu.KindSymbol:
				continue
			case nlu.KindWord:
				w = nlu.Expand(a.lang, t.Norm)
			case nlu.KindNumber:
				w = t.Text
			default:
				w = t.Norm
			}
			words[i] = appendID(words[i], wordIDs, w)
		}
		rs := []rune(" " + s.key + " ")
		for k := 0; k+3 <= len(rs); k++ {
			g := uint64(rs[k])<<42 | uint64(rs[k+1])<<21 | uint64(rs[k+2])
			grams[i] = appendGramID(grams[i], gramIDs, g)
		}
	}
	keep := func(i, j int) bool { return crossIntent(a.sentences[i], a.sentences[j]) }
	budget := similarityBudget
	pj, okJ := similarSets(words, simJaccard, NearDuplicateJaccard, keep, &budget, maxNearPairs)
	pc, okC := similarSets(grams, simCosine, NearDuplicateCosine, keep, &budget, maxNearPairs-len(pj))
	a.complete = okJ && okC
	all := sortPairs(append(pj, pc...))
	for i, p := range all {
		if i > 0 && p == all[i-1] {
			continue
		}
		a.near = append(a.near, nearPair{p[0], p[1]})
	}
}

func appendID(set []int32, ids map[string]int32, w string) []int32 {
	id, ok := ids[w]
	if !ok {
		id = int32(len(ids))
		ids[w] = id
	}
	if slices.Contains(set, id) {
		return set
	}
	return append(set, id)
}

func appendGramID(set []int32, ids map[uint64]int32, g uint64) []int32 {
	id, ok := ids[g]
	if !ok {
		id = int32(len(ids))
		ids[g] = id
	}
	if slices.Contains(set, id) {
		return set
	}
	return append(set, id)
}

func (a *analysis) counts(tests []nlu.Example) Counts {
	c := Counts{
		Examples:               len(a.exs),
		Intents:                len(a.intents),
		Entities:               len(a.entities),
		TestSentences:          len(tests),
		ExamplesPerIntent:      maps.Clone(a.perIntent),
		ExamplesPerEntity:      maps.Clone(a.perEntity),
		TestSentencesPerIntent: map[string]int{},
	}
	for _, t := range tests {
		c.TestSentencesPerIntent[strings.TrimSpace(t.Intent)]++
	}
	return c
}

func (a *analysis) missingIntent() []Issue {
	var texts []string
	for i, it := range a.intent {
		if it == "" {
			texts = append(texts, a.exs[i].Text)
		}
	}
	if len(texts) == 0 {
		return nil
	}
	return []Issue{{
		Code:     CodeMissingIntent,
		Message:  fmt.Sprintf("%s no intent: %s; give each one an intent.", plural(len(texts), "example has", "examples have"), quoteTexts(texts, 3)),
		Examples: capTexts(texts),
	}}
}

func (a *analysis) tooFewIntents() []Issue {
	switch len(a.intents) {
	case 0:
		return []Issue{{Code: CodeTooFewIntents, Message: fmt.Sprintf("Training needs examples of at least %d intents; there are none.", MinIntents)}}
	case 1:
		return []Issue{{
			Code:    CodeTooFewIntents,
			Message: fmt.Sprintf("Training needs at least %d intents; there is only %s. Add examples of another intent.", MinIntents, quoteName(a.intents[0])),
			Intents: slices.Clone(a.intents),
		}}
	}
	return nil
}

// intentsBelow reports the intents with lo <= examples < hi in one issue.
func (a *analysis) intentsBelow(code string, lo, hi int) []Issue {
	var names []string
	for _, it := range a.intents {
		if n := a.perIntent[it]; n >= lo && n < hi {
			names = append(names, it)
		}
	}
	if len(names) == 0 {
		return nil
	}
	var texts []string
	for i, it := range a.intent {
		if slices.Contains(names, it) {
			texts = append(texts, a.exs[i].Text)
		}
	}
	var msg string
	if code == CodeIntentTooFewExamples {
		msg = fmt.Sprintf("Each intent needs at least %d examples: %s.", MinExamplesPerIntent, countsPhrase(names, a.perIntent, 5))
	} else {
		msg = fmt.Sprintf("Intents with fewer than %d examples are hard to recognise: %s. Aim for 10 or more each.", FewExamplesPerIntent, countsPhrase(names, a.perIntent, 5))
	}
	return []Issue{{Code: code, Message: msg, Intents: names, Examples: capTexts(texts)}}
}

func (a *analysis) entityTooFew() []Issue {
	var names []string
	for _, e := range a.entities {
		if a.perEntity[e] < MinExamplesPerEntity {
			names = append(names, e)
		}
	}
	if len(names) == 0 {
		return nil
	}
	var texts []string
	for i, ex := range a.exs {
		for _, sp := range ex.Entities {
			if slices.Contains(names, strings.TrimSpace(sp.Entity)) {
				texts = append(texts, a.exs[i].Text)
				break
			}
		}
	}
	return []Issue{{
		Code:     CodeEntityTooFewExamples,
		Message:  fmt.Sprintf("Each entity needs at least %d annotated examples: %s.", MinExamplesPerEntity, countsPhrase(names, a.perEntity, 5)),
		Entities: names,
		Examples: capTexts(texts),
	}}
}

func (a *analysis) imbalance() []Issue {
	if len(a.intents) < 2 {
		return nil
	}
	largest, smallest := a.intents[0], a.intents[0]
	total := 0
	for _, it := range a.intents {
		n := a.perIntent[it]
		total += n
		if n > a.perIntent[largest] {
			largest = it
		}
		if n < a.perIntent[smallest] {
			smallest = it
		}
	}
	nl, ns := a.perIntent[largest], a.perIntent[smallest]
	ratio := float64(nl) / float64(ns)
	share := float64(nl) / float64(total)
	var parts []string
	if ratio > ImbalanceRatio {
		parts = append(parts, fmt.Sprintf("%s has %d examples and %s only %d (%.0f×)", quoteName(largest), nl, quoteName(smallest), ns, ratio))
	}
	if len(a.intents) >= 3 && share > DominantShare {
		parts = append(parts, fmt.Sprintf("%s holds %.0f%% of all examples (%d of %d)", quoteName(largest), 100*share, nl, total))
	}
	if len(parts) == 0 {
		return nil
	}
	return []Issue{{
		Code:    CodeImbalance,
		Message: fmt.Sprintf("The intents are imbalanced: %s. The model leans towards large intents; add examples to the small ones or trim the largest.", strings.Join(parts, "; ")),
		Intents: []string{largest, smallest},
	}}
}

func (a *analysis) duplicateIssues() []Issue {
	groups := map[string][]int{} // intents joined by "\x00" → sentences
	for _, s := range a.dupes {
		k := strings.Join(a.sentences[s].intents, "\x00")
		groups[k] = append(groups[k], s)
	}
	var out []Issue
	for _, k := range sortedKeys(groups) {
		intents := strings.Split(k, "\x00")
		var shown, texts []string
		for _, s := range groups[k] {
			shown = append(shown, a.exs[a.sentences[s].examples[0]].Text)
			for _, e := range a.sentences[s].examples {
				if !slices.Contains(texts, a.exs[e].Text) {
					texts = append(texts, a.exs[e].Text)
				}
			}
		}
		out = append(out, Issue{
			Code: CodeDuplicateAcross,
			Message: fmt.Sprintf("%s under %s (ignoring case, accents and punctuation): %s. Keep each sentence under one intent.",
				plural(len(shown), "sentence appears", "sentences appear"), namesPhrase(intents, 5), quoteTexts(shown, 3)),
			Intents:  intents,
			Examples: capTexts(texts),
		})
	}
	return out
}

func (a *analysis) nearDuplicateIssues() []Issue {
	type pairText struct{ x, xi, y, yi string }
	groups := map[[2]string][]pairText{}
	for _, p := range a.near {
		x, y := a.sentences[p.a], a.sentences[p.b]
		for _, i := range x.intents {
			for _, j := range y.intents {
				tx, ty := a.textOf(x, i), a.textOf(y, j)
				switch {
				case i < j:
					groups[[2]string{i, j}] = append(groups[[2]string{i, j}], pairText{tx, i, ty, j})
				case j < i:
					groups[[2]string{j, i}] = append(groups[[2]string{j, i}], pairText{ty, j, tx, i})
				}
			}
		}
	}
	keys := make([][2]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(p, q [2]string) int {
		return cmp.Or(strings.Compare(p[0], q[0]), strings.Compare(p[1], q[1]))
	})
	var out []Issue
	for _, k := range keys {
		ps := groups[k]
		var shown, texts []string
		for _, p := range ps {
			if len(shown) < 3 {
				shown = append(shown, fmt.Sprintf("%q (%s) ≈ %q (%s)", p.x, quoteName(p.xi), p.y, quoteName(p.yi)))
			}
			texts = append(texts, p.x, p.y)
		}
		more := ""
		if len(ps) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(ps)-len(shown))
		}
		out = append(out, Issue{
			Code: CodeNearDuplicateAcross,
			Message: fmt.Sprintf("%s nearly the same but under %s and %s: %s%s. Rephrase them or put them under one intent.",
				plural(len(ps), "pair of sentences is", "pairs of sentences are"), quoteName(k[0]), quoteName(k[1]), strings.Join(shown, "; "), more),
			Intents:  []string{k[0], k[1]},
			Examples: capTexts(texts),
		})
	}
	if !a.complete {
		out = append(out, Issue{
			Code:    CodeSimilarityIncomplete,
			Message: "The search for nearly identical sentences under different intents stopped early: too many sentences share the same words. Some near-duplicates may not be listed.",
		})
	}
	return out
}

// inconsistentEntities finds entity values annotated in one example and left
// bare in another.
func (a *analysis) inconsistentEntities() []Issue {
	type value struct {
		entity string
		key    string   // folded tokens joined by " "
		toks   []string // folded tokens
	}
	tagged := map[string][]int{} // entity + "\x00" + key → examples annotating it
	values := map[string]value{}
	for i, ex := range a.exs {
		for _, sp := range ex.Entities {
			e := strings.TrimSpace(sp.Entity)
			if e == "" {
				continue
			}
			var vt []string
			for _, t := range a.toks[i] {
				if t.Start >= sp.Start && t.End <= sp.End {
					vt = append(vt, nlu.Fold(t.Text))
				}
			}
			if len(vt) == 0 {
				continue
			}
			key := strings.Join(vt, " ")
			id := e + "\x00" + key
			if _, ok := values[id]; !ok {
				values[id] = value{entity: e, key: key, toks: vt}
			}
			if l := tagged[id]; len(l) == 0 || l[len(l)-1] != i {
				tagged[id] = append(tagged[id], i)
			}
		}
	}
	if len(values) == 0 {
		return nil
	}
	// postings of each folded token: example and token position
	type pos struct{ ex, tok int }
	post := map[string][]pos{}
	folded := make([][]string, len(a.exs))
	for i, ts := range a.toks {
		folded[i] = make([]string, len(ts))
		for k, t := range ts {
			f := nlu.Fold(t.Text)
			folded[i][k] = f
			post[f] = append(post[f], pos{i, k})
		}
	}
	budget := similarityBudget
	var out []Issue
	for _, id := range sortedKeys(values) {
		v := values[id]
		// probe the rarest token of the value
		best := 0
		for k, t := range v.toks {
			if len(post[t]) < len(post[v.toks[best]]) {
				best = k
			}
		}
		var bare []int
		ps := post[v.toks[best]]
		budget -= len(ps)
		if budget < 0 {
			break
		}
		for _, p := range ps {
			start := p.tok - best
			if start < 0 || start+len(v.toks) > len(folded[p.ex]) || (len(bare) > 0 && bare[len(bare)-1] == p.ex) {
				continue
			}
			if !slices.Equal(folded[p.ex][start:start+len(v.toks)], v.toks) {
				continue
			}
			toks := a.toks[p.ex]
			rs, re := toks[start].Start, toks[start+len(v.toks)-1].End
			covered := false
			for _, sp := range a.exs[p.ex].Entities {
				if sp.Start < re && rs < sp.End && strings.TrimSpace(sp.Entity) != "" {
					covered = true
					break
				}
			}
			if !covered {
				bare = append(bare, p.ex)
			}
		}
		if len(bare) == 0 {
			continue
		}
		tg := tagged[id]
		var texts []string
		for _, i := range bare {
			texts = append(texts, a.exs[i].Text)
		}
		where := fmt.Sprintf("%q", a.exs[tg[0]].Text)
		if len(tg) > 1 {
			where = fmt.Sprintf("%d examples (e.g. %q)", len(tg), a.exs[tg[0]].Text)
		}
		out = append(out, Issue{
			Code: CodeInconsistentEntity,
			Message: fmt.Sprintf("%q is annotated as entity %s in %s but not in %s: %s. Annotate it everywhere or nowhere.",
				v.key, quoteName(v.entity), where, plural(len(bare), "other example", "other examples"), quoteTexts(texts, 3)),
			Entities: []string{v.entity},
			Examples: capTexts(texts),
		})
	}
	return out
}

// wordCounts returns the word and number tokens of an example.
func wordCounts(toks []nlu.Token) (words, numbers int) {
	for _, t := range toks {
		switch t.Kind {
		case nlu.KindNumber:
			numbers++
		case nlu.KindWord, nlu.KindURL, nlu.KindEmail:
			words++
		}
	}
	return words, numbers
}

func (a *analysis) mostlyNumbers() []Issue {
	var texts []string
	var intents []string
	for i, ts := range a.toks {
		w, n := wordCounts(ts)
		if n > w {
			texts = append(texts, a.exs[i].Text)
			if it := a.intent[i]; it != "" && !slices.Contains(intents, it) {
				intents = append(intents, it)
			}
		}
	}
	if len(texts) == 0 {
		return nil
	}
	slices.Sort(intents)
	return []Issue{{
		Code: CodeMostlyNumbers,
		Message: fmt.Sprintf("%s mostly numbers: %s. A number alone says little about the intent; add the words around it, or capture it with an entity.",
			plural(len(texts), "example is", "examples are"), quoteTexts(texts, 3)),
		Intents:  intents,
		Examples: capTexts(texts),
	}}
}

func (a *analysis) singleWords() []Issue {
	single := map[string][]string{}
	for i, ts := range a.toks {
		if w, n := wordCounts(ts); w+n == 1 && a.intent[i] != "" {
			single[a.intent[i]] = append(single[a.intent[i]], a.exs[i].Text)
		}
	}
	var out []Issue
	for _, it := range sortedKeys(single) {
		texts, total := single[it], a.perIntent[it]
		share := float64(len(texts)) / float64(total)
		if share <= SingleWordShare {
			continue
		}
		out = append(out, Issue{
			Code: CodeSingleWord,
			Message: fmt.Sprintf("%s: %d of %d examples (%.0f%%) are a single word (%s). Single words are allowed, but the model learns more from whole sentences as people write them.",
				quoteName(it), len(texts), total, 100*share, quoteTexts(texts, 3)),
			Intents:  []string{it},
			Examples: capTexts(texts),
		})
	}
	return out
}

func testIssues(a *analysis, tests []nlu.Example) []Issue {
	if len(tests) == 0 {
		return []Issue{{Code: CodeNoTestSentences, Message: fmt.Sprintf("There are no test sentences. Add at least %d per intent, written apart from the examples, to measure the model honestly.", MinTestsPerIntent)}}
	}
	var out []Issue
	unknown := map[string]int{}
	var unknownTexts []string
	tested := map[string]bool{}
	for _, t := range tests {
		it := strings.TrimSpace(t.Intent)
		if it == "" {
			continue
		}
		tested[it] = true
		if a.perIntent[it] == 0 {
			unknown[it]++
			unknownTexts = append(unknownTexts, t.Text)
		}
	}
	if len(unknown) > 0 {
		names := sortedKeys(unknown)
		out = append(out, Issue{
			Code: CodeTestUnknownIntent,
			Message: fmt.Sprintf("%s an intent no example has: %s. Add examples of these intents or correct the test sentences.",
				plural(len(unknownTexts), "test sentence expects", "test sentences expect"), namesCounts(names, unknown, 5)),
			Intents:  names,
			Examples: capTexts(unknownTexts),
		})
	}
	var untested []string
	for _, it := range a.intents {
		if !tested[it] {
			untested = append(untested, it)
		}
	}
	if len(untested) > 0 {
		verb := "have"
		if len(untested) == 1 {
			verb = "has"
		}
		out = append(out, Issue{
			Code:    CodeIntentWithoutTest,
			Message: fmt.Sprintf("%s %s no test sentence; add at least %d each.", namesPhrase(untested, 5), verb, MinTestsPerIntent),
			Intents: untested,
		})
	}
	return out
}

// Message helpers.

func quoteName(s string) string { return "'" + s + "'" }

// namesPhrase quotes names: "'a'", "'a' and 'b'", "'a', 'b' and 2 more".
func namesPhrase(names []string, limit int) string {
	q := make([]string, 0, min(len(names), limit))
	for _, n := range names[:min(len(names), limit)] {
		q = append(q, quoteName(n))
	}
	return joinAnd(q, len(names)-len(q))
}

// joinAnd joins items with commas and a final "and", mentioning extra items
// left out.
func joinAnd(items []string, extra int) string {
	if extra > 0 {
		items = append(items, fmt.Sprintf("%d more", extra))
	}
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// countsPhrase groups names by count, smallest first: "'a' and 'b' have 1,
// 'c' has 3". At most limit names are quoted.
func countsPhrase(names []string, count map[string]int, limit int) string {
	byCount := map[int][]string{}
	for _, n := range names {
		byCount[count[n]] = append(byCount[count[n]], n)
	}
	ns := make([]int, 0, len(byCount))
	for c := range byCount {
		ns = append(ns, c)
	}
	slices.Sort(ns)
	var parts []string
	shown := 0
	for _, c := range ns {
		group := byCount[c]
		if shown >= limit {
			break
		}
		take := group[:min(len(group), limit-shown)]
		shown += len(take)
		verb := "have"
		if len(take) == 1 && len(group) == 1 {
			verb = "has"
		}
		parts = append(parts, fmt.Sprintf("%s %s %d", namesPhrase(take, len(take)), verb, c))
	}
	return joinAnd(parts, len(names)-shown)
}

// namesCounts quotes names with their counts: "'a' (0), 'b' (1) and 2 more".
func namesCounts(names []string, count map[string]int, limit int) string {
	q := make([]string, 0, min(len(names), limit))
	for _, n := range names[:min(len(names), limit)] {
		q = append(q, fmt.Sprintf("%s (%d)", quoteName(n), count[n]))
	}
	return joinAnd(q, len(names)-len(q))
}

// quoteTexts quotes up to limit texts: `"a", "b" and 3 more`.
func quoteTexts(texts []string, limit int) string {
	q := make([]string, 0, min(len(texts), limit))
	for _, t := range texts[:min(len(texts), limit)] {
		q = append(q, fmt.Sprintf("%q", t))
	}
	return joinAnd(q, len(texts)-len(q))
}

func capTexts(texts []string) []string {
	return slices.Clone(texts[:min(len(texts), maxIssueExamples)])
}

// plural returns "1 example" or "3 examples".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// genericNameWords say nothing about what an intent means.
var genericNameWords = map[string]bool{
	"intent": true, "intents": true, "intencao": true, "intencoes": true, "intencion": true, "intenciones": true,
	"class": true, "classe": true, "clase": true, "label": true, "rotulo": true, "etiqueta": true,
	"category": true, "categoria": true, "int": true, "test": true, "teste": true, "prueba": true,
	"new": true, "novo": true, "nova": true, "nuevo": true, "nueva": true, "other": true, "outro": true, "otro": true,
}

// opaqueIntentNames reports intents whose names have no word of three or
// more letters that is not generic.
func (a *analysis) opaqueIntentNames() []Issue {
	var opaque []string
	for _, name := range a.intents {
		meaningful := false
		for _, t := range nlu.Tokenize(nlu.IntentNameText(name)) {
			letters := 0
			for _, r := range t.Norm {
				if unicode.IsLetter(r) {
					letters++
				}
			}
			if t.Kind == nlu.KindWord && letters >= 3 && !genericNameWords[t.Norm] {
				meaningful = true
				break
			}
		}
		if !meaningful {
			opaque = append(opaque, name)
		}
	}
	if len(opaque) == 0 {
		return nil
	}
	return []Issue{{Code: CodeOpaqueIntentName, Intents: opaque,
		Message: fmt.Sprintf("%d intent name(s) say nothing in words (%s): the classifier learns each name as one more example, so a descriptive name such as \"segunda_via_boleto\" helps intents with few examples.",
			len(opaque), strings.Join(firstN(opaque, 5), ", "))}}
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
