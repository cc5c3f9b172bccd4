// Package nlu is the centre of Sabiá: text normalisation and tokenisation with
// offsets into the original text, features, the intent classifier, entity
// extraction, out-of-scope detection, model encoding, explanations and
// evaluation metrics. It imports only the standard library and
// golang.org/x/text.
//
// All offsets in this package are rune (Unicode code point) offsets into the
// original text, end exclusive, as in the benchmark files and the Bothub API.
package nlu
