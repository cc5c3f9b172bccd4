// Package repository is Sabiá's "inteligência": repositories with their
// languages and versions, the training examples and held-out test sentences
// of each version with their intents and entity spans, API tokens, training
// jobs, trained models, their evaluations, and the log of every
// classification.
//
// The package holds the domain types, the Store interface that persistence
// implements (repository/sqlite now, repository/postgres later; both pass
// repository/storetest) and the Service that validates input and calls the
// Store. Every error the Service returns on purpose is a *sabia.Error whose
// Code is documented on the method; anything else is internal.
//
// Offsets of entity spans are rune offsets into the example text, end
// exclusive (see nlu.Span). Versions are addressed by ID; 0 means the
// repository's default version wherever a Service method takes a version ID,
// except in EvaluationFilter and LogFilter, where 0 means every version.
// Languages are accepted in any spelling nlu.ParseLanguage knows and stored in
// their canonical form ("pt-BR" → "pt_br").
package repository
