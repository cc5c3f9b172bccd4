package nlu

// Span is an entity annotated in an example: rune offsets into the example's
// text, End exclusive. Group is the entity group ("" when none).
type Span struct {
	Start  int    `json:"start"`
	End    int    `json:"end"`
	Entity string `json:"entity"`
	Group  string `json:"group,omitempty"`
}

// Example is one training or test sentence. Intent "" marks an out-of-scope
// example: something the bot does not cover.
type Example struct {
	Text     string `json:"text"`
	Intent   string `json:"intent"`
	Entities []Span `json:"entities,omitempty"`
}

// Entity is an entity found in a text. Value keeps the user's original
// spelling; Start/End are rune offsets into the text, End exclusive. Source
// says what found it: "model" (learned tagger), "pattern" (a user's regex or
// list) or "builtin" (e-mail, phone, CPF, …). Canonical, when set, is the
// normalised value (a list entity's canonical name, digits of a CPF, an ISO date).
type Entity struct {
	Entity     string  `json:"entity"`
	Group      string  `json:"group,omitempty"`
	Value      string  `json:"value"`
	Start      int     `json:"start"`
	End        int     `json:"end"`
	Confidence float64 `json:"confidence"`
	Source     string  `json:"source,omitempty"`
	Canonical  string  `json:"canonical,omitempty"`
}

// Entity sources.
const (
	SourceModel   = "model"
	SourcePattern = "pattern"
	SourceBuiltin = "builtin"
)

// Scored is an intent with its confidence.
type Scored struct {
	Name       string  `json:"name"`
	Confidence float64 `json:"confidence"`
}

// Prediction is what a model says of one text. Ranking is sorted by
// confidence, descending, and its confidences sum to 1 (out-of-scope mass
// included when the model was trained with out-of-scope examples, in which
// case the sum over intents may be less than 1). Intent is "" and OutOfScope
// true when the top confidence is below the threshold used.
type Prediction struct {
	Intent     string   `json:"intent"`
	Confidence float64  `json:"confidence"`
	OutOfScope bool     `json:"out_of_scope"`
	Ranking    []Scored `json:"ranking"`
	Entities   []Entity `json:"entities"`
}
