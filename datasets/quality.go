package datasets

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/weni-ai/sabia/nlu"
)

// Quality component names, in the order Quality reports them.
const (
	ComponentBalance           = "balance"
	ComponentExamplesPerIntent = "examples_per_intent"
	ComponentTestCoverage      = "test_coverage"
	ComponentCrossValidation   = "cross_validation"
	ComponentTestAccuracy      = "test_accuracy"
	ComponentDuplicates        = "duplicates"
)

// Quality tuning.
const (
	// saturationExamples is the number of examples per intent at which the
	// examples_per_intent curve reaches 100; with ln n / ln 25 it gives
	// about 70 at 10 examples, the minimum we recommend.
	saturationExamples = 25

	// recommendedExamples is what a weak intent is asked to reach first.
	recommendedExamples = 10

	// strongScore is the component score from which no suggestion is
	// given (duplicates excepted: any conflict gets one).
	strongScore = 80.0

	// duplicatePenalty is the points the duplicates component loses per
	// percent of examples in conflict with another intent: 20% loses all.
	duplicatePenalty = 5.0
)

// Component weights; see Quality.
const (
	weightBalance           = 1.0
	weightExamplesPerIntent = 3.0
	weightTestCoverage      = 1.0
	weightCrossValidation   = 2.0
	weightTestAccuracy      = 2.0
	weightDuplicates        = 1.0
)

// QualityInput is what Quality scores: one language of a version and,
// when the model was evaluated, its accuracies as fractions in [0, 1] (nil
// when never measured; values outside are clamped, NaN counts as nil).
// Language plays the part it plays in StatusInput.
type QualityInput struct {
	Language                string        `json:"language"`
	Examples                []nlu.Example `json:"examples"`
	TestSentences           []nlu.Example `json:"test_sentences"`
	CrossValidationAccuracy *float64      `json:"cross_validation_accuracy"`
	TestAccuracy            *float64      `json:"test_accuracy"`
}

// QualityReport is the strength of the data ("força da inteligência"):
// Score from 0 to 100 and the components it is made of.
type QualityReport struct {
	Score      float64     `json:"score"`
	Components []Component `json:"components"`
}

// Component is one measured aspect of the data. Name is stable; Score is
// 0..100; Weight is its weight in QualityReport.Score (0 when it could not be
// measured); Explanation says what was measured, with the numbers;
// Suggestion is one concrete thing to do, empty when the component is
// strong.
type Component struct {
	Name        string  `json:"name"`
	Score       float64 `json:"score"`
	Weight      float64 `json:"weight"`
	Explanation string  `json:"explanation"`
	Suggestion  string  `json:"suggestion"`
}

// Quality scores examples and test sentences from 0 to 100. It does no I/O
// and is deterministic. With k intents holding n_i examples (N in all), T
// test sentences and t_i of them per intent, the components are:
//
//   - balance (weight 1): 100·J², where J = H/ln k is the normalised
//     entropy of the shares n_i/N (1 when every intent has as many
//     examples); 0 with fewer than two intents.
//   - examples_per_intent (weight 3): f(n) = 100·min(1, ln n / ln 25) per
//     intent (0 at 1 example, 72 at 10, 100 at 25 or more); the score is
//     the mean of the mean of f over all intents and the mean of f over the
//     weakest ⌈k/4⌉ intents, so weak intents count more.
//   - test_coverage (weight 1): 50·(share of intents with t_i ≥ 3) +
//     50·min(1, T / (0.2·N)).
//   - cross_validation (weight 2): 100·accuracy; weight 0 when not measured.
//   - test_accuracy (weight 2): 100·accuracy on the test sentences; weight
//     0 when not measured.
//   - duplicates (weight 1): 100·max(0, 1 − 5·c/N), c being the examples
//     whose sentence is, or nearly is, an example of another intent (as in
//     Status's duplicate_across_intents and near_duplicate_across_intents):
//     each percent of such examples costs 5 points.
//
// Score = Σ weight·score / Σ weight over the components with weight > 0.
// Scores are rounded to one decimal. A component below 80 (duplicates: below
// 100) carries a suggestion. With no examples every component scores 0.
func Quality(in QualityInput) QualityReport {
	a := analyse(in.Language, in.Examples)
	cs := []Component{
		a.balanceComponent(),
		a.examplesComponent(),
		a.testCoverageComponent(in.TestSentences),
		accuracyComponent(ComponentCrossValidation, weightCrossValidation, in.CrossValidationAccuracy, len(in.TestSentences)),
		accuracyComponent(ComponentTestAccuracy, weightTestAccuracy, in.TestAccuracy, len(in.TestSentences)),
		a.duplicatesComponent(),
	}
	var sum, weights float64
	for i := range cs {
		sum += cs[i].Weight * cs[i].Score
		weights += cs[i].Weight
		cs[i].Score = round1(cs[i].Score)
	}
	return QualityReport{Score: round1(ratio(sum, weights)), Components: cs}
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// noIntents is a component that cannot be measured without intents.
func (a *analysis) noIntents(name string, weight float64) Component {
	c := Component{Name: name, Weight: weight, Explanation: "There are no examples.", Suggestion: "Add examples of at least 2 intents, 10 or more each."}
	if len(a.exs) > 0 {
		c.Explanation = "No example has an intent."
		c.Suggestion = "Give the examples intents: at least 2 intents, 10 or more examples each."
	}
	return c
}

func (a *analysis) balanceComponent() Component {
	c := Component{Name: ComponentBalance, Weight: weightBalance}
	k := len(a.intents)
	if k == 0 {
		return a.noIntents(c.Name, c.Weight)
	}
	if k == 1 {
		c.Explanation = fmt.Sprintf("There is 1 intent (%s); balance needs at least 2.", quoteName(a.intents[0]))
		c.Suggestion = "Add examples of a second intent."
		return c
	}
	total, h := 0, 0.0
	for _, it := range a.intents {
		total += a.perIntent[it]
	}
	for _, it := range a.intents {
		p := float64(a.perIntent[it]) / float64(total)
		h -= p * math.Log(p)
	}
	j := h / math.Log(float64(k))
	c.Score = 100 * j * j
	small, large := a.extremes()
	c.Explanation = fmt.Sprintf("Examples are spread over %d intents with an evenness of %.2f (normalised entropy; 1 when all intents have as many examples), scored 100·%.2f²; the smallest is %s with %d, the largest %s with %d.",
		k, j, j, quoteName(small), a.perIntent[small], quoteName(large), a.perIntent[large])
	if c.Score < strongScore {
		target := int(math.Ceil(float64(total) / float64(k) / 2))
		var below []string
		for _, it := range a.intents {
			if a.perIntent[it] < target {
				below = append(below, it)
			}
		}
		if len(below) > 0 {
			c.Suggestion = fmt.Sprintf("Add %s, to reach half the average (%d).", moreExamples(below, a.perIntent, target, 3), target)
		} else {
			c.Suggestion = fmt.Sprintf("%s has %d of the %d examples: add examples to the other intents or trim it.", quoteName(large), a.perIntent[large], total)
		}
	}
	return c
}

// extremes returns the intents with the fewest and the most examples, the
// first by name on ties.
func (a *analysis) extremes() (small, large string) {
	small, large = a.intents[0], a.intents[0]
	for _, it := range a.intents {
		if a.perIntent[it] < a.perIntent[small] {
			small = it
		}
		if a.perIntent[it] > a.perIntent[large] {
			large = it
		}
	}
	return small, large
}

// examplesScore is the examples_per_intent curve for one intent.
func examplesScore(n int) float64 {
	if n <= 1 {
		return 0
	}
	return 100 * min(1, math.Log(float64(n))/math.Log(saturationExamples))
}

func (a *analysis) examplesComponent() Component {
	c := Component{Name: ComponentExamplesPerIntent, Weight: weightExamplesPerIntent}
	k := len(a.intents)
	if k == 0 {
		return a.noIntents(c.Name, c.Weight)
	}
	byCount := slices.Clone(a.intents)
	slices.SortStableFunc(byCount, func(x, y string) int { return a.perIntent[x] - a.perIntent[y] })
	var all, weak float64
	nWeak := (k + 3) / 4
	for i, it := range byCount {
		f := examplesScore(a.perIntent[it])
		all += f
		if i < nWeak {
			weak += f
		}
	}
	all /= float64(k)
	weak /= float64(nWeak)
	c.Score = (all + weak) / 2
	small, large := a.extremes()
	weakest := fmt.Sprintf("%d intents average", nWeak)
	if nWeak == 1 {
		weakest = "intent scores"
	}
	median := a.perIntent[byCount[k/2]]
	if k%2 == 0 {
		median = (a.perIntent[byCount[k/2-1]] + a.perIntent[byCount[k/2]]) / 2
	}
	c.Explanation = fmt.Sprintf("Intents have %d (%s) to %d (%s) examples, median %d. Each intent scores 100·ln n / ln %d (72 at 10, 100 at %d or more); the average is %.0f, the weakest %s %.0f, and the score is the mean of the two.",
		a.perIntent[small], quoteName(small), a.perIntent[large], quoteName(large), median, saturationExamples, saturationExamples, all, weakest, weak)
	if c.Score < strongScore {
		target := recommendedExamples
		if a.perIntent[byCount[0]] >= recommendedExamples {
			target = saturationExamples
		}
		var below []string
		for _, it := range a.intents {
			if a.perIntent[it] < target {
				below = append(below, it)
			}
		}
		c.Suggestion = fmt.Sprintf("Add %s.", moreExamples(below, a.perIntent, target, 3))
	}
	return c
}

// moreExamples says how many examples each intent below target needs,
// grouped by count, smallest first: "at least 7 more examples to 'boleto'
// and 'cancelar', which have 3; 5 more to 'pix', which has 5". At most
// limit groups are named.
func moreExamples(names []string, count map[string]int, target, limit int) string {
	byCount := map[int][]string{}
	for _, n := range names {
		byCount[count[n]] = append(byCount[count[n]], n)
	}
	ns := make([]int, 0, len(byCount))
	for n := range byCount {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	var parts []string
	shown := 0
	for i, n := range ns {
		if i == limit {
			break
		}
		group := byCount[n]
		shown += len(group)
		which := "which have"
		if len(group) == 1 {
			which = "which has"
		}
		if i == 0 {
			parts = append(parts, fmt.Sprintf("at least %s to %s, %s %d", plural(target-n, "more example", "more examples"), namesPhrase(group, 4), which, n))
		} else {
			parts = append(parts, fmt.Sprintf("%d more to %s, %s %d", target-n, namesPhrase(group, 4), which, n))
		}
	}
	s := strings.Join(parts, "; ")
	if rest := len(names) - shown; rest > 0 {
		s += fmt.Sprintf(" (and %s more)", plural(rest, "intent", "intents"))
	}
	return s
}

func (a *analysis) testCoverageComponent(tests []nlu.Example) Component {
	c := Component{Name: ComponentTestCoverage, Weight: weightTestCoverage}
	k := len(a.intents)
	if k == 0 {
		return a.noIntents(c.Name, c.Weight)
	}
	perIntent := map[string]int{}
	for _, t := range tests {
		perIntent[strings.TrimSpace(t.Intent)]++
	}
	var covered int
	var short []string
	for _, it := range a.intents {
		if perIntent[it] >= MinTestsPerIntent {
			covered++
		} else {
			short = append(short, it)
		}
	}
	intentShare := float64(covered) / float64(k)
	wantTests := int(math.Ceil(TestShare * float64(len(a.exs))))
	volume := min(1, ratio(float64(len(tests)), TestShare*float64(len(a.exs))))
	c.Score = 50*intentShare + 50*volume
	c.Explanation = fmt.Sprintf("Intents with at least %d test sentences: %d of %d; the %s are %.0f%% of the %s (%.0f%% wanted). Half the score is each.",
		MinTestsPerIntent, covered, k, plural(len(tests), "test sentence", "test sentences"), 100*ratio(float64(len(tests)), float64(len(a.exs))), plural(len(a.exs), "example", "examples"), 100*TestShare)
	if c.Score < strongScore {
		var parts []string
		if len(short) > 0 {
			byCount := map[string]int{}
			for _, it := range short {
				byCount[it] = perIntent[it]
			}
			parts = append(parts, fmt.Sprintf("test sentences to %s, to reach %d each", namesCounts(short, byCount, 5), MinTestsPerIntent))
		}
		if len(tests) < wantTests {
			parts = append(parts, fmt.Sprintf("%d more test sentences overall to reach %d", wantTests-len(tests), wantTests))
		}
		c.Suggestion = "Add " + strings.Join(parts, ", and ") + "."
	}
	return c
}

func accuracyComponent(name string, weight float64, acc *float64, tests int) Component {
	c := Component{Name: name, Weight: weight}
	what := "cross-validation"
	if name == ComponentTestAccuracy {
		what = "test sentence"
	}
	if acc == nil || math.IsNaN(*acc) {
		c.Weight = 0
		c.Explanation = fmt.Sprintf("No %s accuracy was measured; this component does not count.", what)
		switch {
		case name == ComponentCrossValidation:
			c.Suggestion = "Run a cross-validation to measure how well the model tells the intents apart."
		case tests == 0:
			c.Suggestion = "Add test sentences and run them against the trained model."
		default:
			c.Suggestion = "Run the test sentences against the trained model."
		}
		return c
	}
	v := min(1, max(0, *acc))
	c.Score = 100 * v
	c.Explanation = fmt.Sprintf("The %s accuracy is %.1f%%, scored as is.", what, 100*v)
	if c.Score < strongScore {
		if name == ComponentCrossValidation {
			c.Suggestion = "Look at the intents the cross-validation confuses most and add examples that tell them apart."
		} else {
			c.Suggestion = "Look at the test sentences the model gets wrong and add examples like them to their intents."
		}
	}
	return c
}

func (a *analysis) duplicatesComponent() Component {
	c := Component{Name: ComponentDuplicates, Weight: weightDuplicates}
	if len(a.exs) == 0 {
		return a.noIntents(c.Name, c.Weight)
	}
	conflict := map[int]bool{}
	for _, s := range a.dupes {
		for _, e := range a.sentences[s].examples {
			conflict[e] = true
		}
	}
	for _, p := range a.near {
		for _, s := range []int{p.a, p.b} {
			for _, e := range a.sentences[s].examples {
				conflict[e] = true
			}
		}
	}
	share := float64(len(conflict)) / float64(len(a.exs))
	c.Score = 100 * max(0, 1-duplicatePenalty*share)
	c.Explanation = fmt.Sprintf("%d of %d examples (%.1f%%) are the same or nearly the same sentence as an example of another intent; each percent costs %.0f points.",
		len(conflict), len(a.exs), 100*share, duplicatePenalty)
	if !a.complete {
		c.Explanation += " The search stopped early, so there may be more."
	}
	if len(conflict) > 0 {
		var sample string
		switch {
		case len(a.dupes) > 0:
			s := a.sentences[a.dupes[0]]
			sample = fmt.Sprintf("%q is under %s", a.exs[s.examples[0]].Text, namesPhrase(s.intents, 4))
		default:
			x, y := a.sentences[a.near[0].a], a.sentences[a.near[0].b]
			sample = fmt.Sprintf("%q (%s) is nearly %q (%s)", a.exs[x.examples[0]].Text, namesPhrase(x.intents, 2), a.exs[y.examples[0]].Text, namesPhrase(y.intents, 2))
		}
		c.Suggestion = fmt.Sprintf("Keep each sentence under one intent, starting with: %s.", sample)
	}
	return c
}

// ratio returns n/d, 0 when d is 0.
func ratio(n, d float64) float64 {
	if d == 0 || math.IsNaN(d) {
		return 0
	}
	return n / d
}
