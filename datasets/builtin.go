package datasets

import (
	"bytes"
	"embed"
	"fmt"
	"slices"

	sabia "github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// Intents of the built-in detectors, as they appear in the built-in data.
// Negative examples have intent "".
const (
	IntentHumanHandoff = "human_handoff" // the user asks for a person: agent, attendant, manager, SAC
	IntentOptOut       = "opt_out"       // the user asks to stop receiving messages from this sender
)

// builtinFS holds the built-in data sets; builtin/README.md documents them.
//
//go:embed builtin/*.jsonl
var builtinFS embed.FS

// DetectorTraining returns the training examples of the built-in detectors
// (human_handoff, opt_out and negatives) for lang: "pt_br", "es" or "en", or
// any spelling nlu.ParseLanguage accepts for them ("pt-BR", "por", "es_MX").
//
// Returns ENOTFOUND for any other language.
func DetectorTraining(lang string) ([]nlu.Example, error) {
	return readBuiltin("detectors_", lang)
}

// DetectorEvalSet returns the examples of one held-out evaluation set of the
// built-in detectors (one of EvalSets) for lang, as DetectorTraining does.
// The sets were written apart from the training data and share no sentence
// with it; builtin/README.md tells how each was written and how independent
// it still is. Never train on them.
//
// Returns EINVALID for an unknown set, ENOTFOUND for any other language.
func DetectorEvalSet(set, lang string) ([]nlu.Example, error) {
	if !slices.Contains(EvalSets, set) {
		return nil, sabia.Errorf(sabia.EINVALID, "unknown evaluation set %q; known: %v", set, EvalSets)
	}
	return readBuiltin("detectors_"+set+"_", lang)
}

// readBuiltin reads builtin/<prefix><lang>.jsonl.
func readBuiltin(prefix, lang string) ([]nlu.Example, error) {
	code, _ := nlu.ParseLanguage(lang)
	switch code {
	case nlu.LangPortugueseBR, nlu.LangSpanish, nlu.LangEnglish:
	default:
		return nil, sabia.Errorf(sabia.ENOTFOUND, "no built-in detector data for language %q", lang)
	}
	name := "builtin/" + prefix + code + ".jsonl"
	b, err := builtinFS.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", name, err)
	}
	exs, err := ReadJSONL(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return exs, nil
}
