package nlu

// Classify ranks the intents of text without extracting entities: what a
// detector needs, at a fraction of Predict's cost.
func (m *Model) Classify(text string, opts PredictOptions) Prediction {
	return m.classify(Tokenize(text), opts)
}
