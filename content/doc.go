// Package content answers questions from a repository's own documents: it
// chunks documents into passages with offsets, embeds them, retrieves the
// passages closest to a question by words (BM25) and by meaning (vector
// cosine), fused, and writes an answer with its sources through an LLM, or
// says honestly that the documents do not say.
//
// The package declares what it needs — Store, Embedder, LLM — and its
// sub-packages and other adapters implement them: repository/sqlite stores
// documents, content/openai talks to any OpenAI-compatible endpoint. Without
// an LLM the answer is extractive (the passage's best sentences); without an
// embedding endpoint HashEmbedder embeds in process.
package content
