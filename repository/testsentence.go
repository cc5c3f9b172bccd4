package repository

// TestSentence is a labelled sentence held out from training: a version's
// models are evaluated on the test sentences of their language. It has the
// fields and rules of an Example (and converts to one); Text is unique among
// the test sentences of its version and language and may also be the text
// of an example.
type TestSentence Example

// TestSentenceInput is one test sentence to add, with the defaults and
// cleaning of ExampleInput.
type TestSentenceInput ExampleInput

// TestSentenceUpdate changes the non-nil fields of a test sentence, as
// ExampleUpdate does for an example.
type TestSentenceUpdate ExampleUpdate

// TestSentenceFilter selects test sentences with the rules of ExampleFilter.
// Results are ordered by ID. Limit 0 means no limit in the Store; the
// Service applies DefaultPageSize.
type TestSentenceFilter ExampleFilter
