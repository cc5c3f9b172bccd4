package content

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// Limits on what a request may carry, in runes (documented in the README).
const (
	MaxDocumentRunes = 500_000 // about 150 pages of text per document
	MaxTitleRunes    = 300
	MaxSourceRunes   = 2000
	MaxQuestionRunes = 1000
	MaxTopK          = 20
	// MaxDocuments bounds a repository's documents: every passage of a
	// repository is held in memory for retrieval.
	MaxDocuments = 5000
)

// Defaults of Config.
const (
	defaultTopK = 4
	// defaultMinCoverage: a passage is relevant when it holds words of the
	// question that carry at least this share of the question's IDF
	// weight. Below it, the answer is "the documents do not say" without
	// asking the LLM. Chosen on the development set (datasets/content,
	// extractive answers): 0.35 / 0.40 / 0.45 / 0.50 answered 59 / 48 / 44 /
	// 36% of the answerable questions from the right document and declined
	// 58 / 68 / 75 / 82% of the unanswerable ones; unweighted coverage at
	// 0.5 without synonyms, the first version, gave 44% and 62%.
	defaultMinCoverage = 0.45
	// embedBatch is how many passages go to the embedder at once.
	embedBatch = 64
)

// Config configures a Service.
type Config struct {
	// Embedder embeds passages and questions; nil means HashEmbedder{}.
	Embedder Embedder
	// LLM writes answers from the retrieved passages; nil means extractive
	// answers (the best sentences of the best passage).
	LLM LLM
	// TopK is how many passages an answer is written from (default 4).
	TopK int
	// MinCoverage is the IDF-weighted share of a question's content words a
	// passage must hold to be relevant (default 0.45).
	MinCoverage float64
	// MinCosine, when > 0, also admits passages whose embedding cosine with
	// the question reaches it (for embedders whose cosine is calibrated,
	// such as a real embedding model); 0 admits by words only.
	MinCosine float64
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Service manages a repository's documents and answers questions from them.
// It is safe for concurrent use.
type Service struct {
	store Store
	cfg   Config

	mu    sync.Mutex
	cache map[string]*Index
	gen   map[string]uint64 // bumped when a repository's documents change
	epoch uint64            // bumped by ForgetAll

	zs zeroShotModels
}

// NewService returns a Service over store.
func NewService(store Store, cfg Config) *Service {
	if cfg.Embedder == nil {
		cfg.Embedder = HashEmbedder{}
	}
	if cfg.TopK <= 0 {
		cfg.TopK = defaultTopK
	}
	if cfg.MinCoverage <= 0 {
		cfg.MinCoverage = defaultMinCoverage
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{store: store, cfg: cfg, cache: map[string]*Index{}, gen: map[string]uint64{}}
}

// DocumentInput is a new document.
type DocumentInput struct {
	Title    string `json:"title"`
	Text     string `json:"text"`
	Source   string `json:"source,omitempty" doc:"where the text came from: a URL or a file name"`
	Language string `json:"language,omitempty" doc:"pt_br, es or en in any spelling"`
}

// AddDocument chunks, embeds and stores a document. Returns EINVALID for a
// missing title or text or an unknown language, ETOOLARGE past the limits,
// ECONFLICT when the repository already has MaxDocuments, EUNAVAILABLE when
// the embedder fails, ENOTFOUND when the repository does not exist.
func (s *Service) AddDocument(ctx context.Context, repoUUID string, in DocumentInput) (Document, error) {
	title := strings.TrimSpace(in.Title)
	switch {
	case title == "":
		return Document{}, sabia.Errorf(sabia.EINVALID, "title is required")
	case utf8.RuneCountInString(title) > MaxTitleRunes:
		return Document{}, sabia.Errorf(sabia.ETOOLARGE, "title has more than %d characters", MaxTitleRunes)
	case strings.TrimSpace(in.Text) == "":
		return Document{}, sabia.Errorf(sabia.EINVALID, "text is required")
	case utf8.RuneCountInString(in.Source) > MaxSourceRunes:
		return Document{}, sabia.Errorf(sabia.ETOOLARGE, "source has more than %d characters", MaxSourceRunes)
	case !utf8.ValidString(in.Text) || !utf8.ValidString(title) || !utf8.ValidString(in.Source):
		return Document{}, sabia.Errorf(sabia.EINVALID, "title, text and source must be valid UTF-8")
	case strings.ContainsRune(in.Text+title+in.Source, 0):
		return Document{}, sabia.Errorf(sabia.EINVALID, "title, text and source must not contain NUL characters")
	}
	chars := utf8.RuneCountInString(in.Text)
	if chars > MaxDocumentRunes {
		return Document{}, sabia.Errorf(sabia.ETOOLARGE, "text has %d characters, more than %d; split the document", chars, MaxDocumentRunes)
	}
	lang := ""
	if in.Language != "" {
		l, ok := nlu.ParseLanguage(in.Language)
		if !ok {
			return Document{}, sabia.Errorf(sabia.EINVALID, "unknown language %q", in.Language)
		}
		lang = l
	}
	_, total, err := s.store.ListDocuments(ctx, repoUUID, 0, 1)
	if err != nil {
		return Document{}, err
	}
	if total >= MaxDocuments {
		return Document{}, sabia.Errorf(sabia.ECONFLICT, "the repository already has %d documents, the most it may hold", total)
	}
	rs := []rune(in.Text)
	spans := Split(in.Text)
	chunks := make([]Chunk, len(spans))
	texts := make([]string, len(spans))
	for i, sp := range spans {
		texts[i] = string(rs[sp.Start:sp.End])
		chunks[i] = Chunk{Ordinal: i, Start: sp.Start, End: sp.End, Text: texts[i]}
	}
	vecs, err := s.embedPassages(ctx, texts)
	if err != nil {
		return Document{}, sabia.Errorf(sabia.EUNAVAILABLE, "embedding the document: %v", err)
	}
	for i := range chunks {
		chunks[i].Embedder, chunks[i].Vector = s.cfg.Embedder.Name(), vecs[i]
	}
	d := Document{RepositoryUUID: repoUUID, Title: title, Source: strings.TrimSpace(in.Source), Language: lang,
		Text: in.Text, Chars: chars, Chunks: len(chunks), CreatedAt: s.cfg.Now().UTC()}
	if err := s.store.CreateDocument(ctx, &d, chunks); err != nil {
		return Document{}, err
	}
	s.Forget(repoUUID)
	return d, nil
}

func (s *Service) embedPassages(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for i := 0; i < len(texts); i += embedBatch {
		vs, err := s.cfg.Embedder.EmbedPassages(ctx, texts[i:min(i+embedBatch, len(texts))])
		if err != nil {
			return nil, err
		}
		if len(vs) != min(embedBatch, len(texts)-i) {
			return nil, fmt.Errorf("embedder returned %d vectors for %d passages", len(vs), min(embedBatch, len(texts)-i))
		}
		out = append(out, vs...)
	}
	return out, nil
}

// FindDocument returns a document with its text. Returns ENOTFOUND.
func (s *Service) FindDocument(ctx context.Context, repoUUID string, id int64) (Document, error) {
	return s.store.FindDocument(ctx, repoUUID, id)
}

// ListDocuments returns a page of the repository's documents, newest
// first, and their total.
func (s *Service) ListDocuments(ctx context.Context, repoUUID string, offset, limit int) ([]Document, int, error) {
	return s.store.ListDocuments(ctx, repoUUID, offset, limit)
}

// DeleteDocument deletes a document. Returns ENOTFOUND.
func (s *Service) DeleteDocument(ctx context.Context, repoUUID string, id int64) error {
	if err := s.store.DeleteDocument(ctx, repoUUID, id); err != nil {
		return err
	}
	s.Forget(repoUUID)
	return nil
}

// Forget drops the cached index of a repository (after its documents
// changed or it was deleted).
func (s *Service) Forget(repoUUID string) {
	s.mu.Lock()
	delete(s.cache, repoUUID)
	s.gen[repoUUID]++
	s.mu.Unlock()
}

// ForgetAll drops every cached index, for when changes made by other
// processes may have been missed.
func (s *Service) ForgetAll() {
	s.mu.Lock()
	clear(s.cache)
	s.epoch++
	s.mu.Unlock()
}

// index returns the repository's index, building it on first use. Passages
// embedded by another embedder are embedded again and saved.
func (s *Service) index(ctx context.Context, repoUUID string) (*Index, error) {
	s.mu.Lock()
	ix, ok := s.cache[repoUUID]
	gen, epoch := s.gen[repoUUID], s.epoch
	s.mu.Unlock()
	if ok {
		return ix, nil
	}
	docs := map[int64]*Document{}
	for off := 0; ; {
		page, total, err := s.store.ListDocuments(ctx, repoUUID, off, 1000)
		if err != nil {
			return nil, err
		}
		for i := range page {
			docs[page[i].ID] = &page[i]
		}
		off += len(page)
		if len(page) == 0 || off >= total {
			break
		}
	}
	chunks, err := s.store.ListChunks(ctx, repoUUID)
	if err != nil {
		return nil, err
	}
	name := s.cfg.Embedder.Name()
	var stale []int
	for i, c := range chunks {
		if c.Embedder != name || len(c.Vector) == 0 {
			stale = append(stale, i)
		}
	}
	cacheable := true
	if len(stale) > 0 {
		texts := make([]string, len(stale))
		for j, i := range stale {
			texts[j] = chunks[i].Text
		}
		vecs, err := s.embedPassages(ctx, texts)
		if err != nil {
			// Serve by words alone this time; try embedding again next time.
			cacheable = false
			for _, i := range stale {
				chunks[i].Vector = nil
			}
		} else {
			upd := make([]Chunk, len(stale))
			for j, i := range stale {
				chunks[i].Embedder, chunks[i].Vector = name, vecs[j]
				upd[j] = chunks[i]
			}
			if err := s.store.UpdateVectors(ctx, upd); err != nil {
				return nil, err
			}
		}
	}
	if _, ok := s.store.(VectorSearcher); ok {
		for i := range chunks {
			chunks[i].Vector = nil // the store ranks them
		}
	}
	ix = newIndex(chunks, docs)
	if cacheable {
		s.mu.Lock()
		if s.gen[repoUUID] == gen && s.epoch == epoch {
			s.cache[repoUUID] = ix
		}
		s.mu.Unlock()
	}
	return ix, nil
}

// Query is a question to a repository's documents.
type Query struct {
	Question string `json:"question"`
	Language string `json:"language,omitempty" doc:"pt_br, es or en in any spelling; expands chat abbreviations"`
	TopK     int    `json:"top_k,omitempty" doc:"passages to retrieve (search) or answer from (answer); default 4, at most 20"`
}

// Source is a passage an answer comes from, or a search result.
type Source struct {
	DocumentID int64   `json:"document_id"`
	Title      string  `json:"title"`
	Source     string  `json:"source,omitempty"`
	ChunkID    int64   `json:"chunk_id"`
	Start      int     `json:"start" doc:"rune offset of the passage in the document's text"`
	End        int     `json:"end"`
	Text       string  `json:"text"`
	Score      float64 `json:"score" doc:"fused rank score: higher is better"`
	Lexical    float64 `json:"lexical" doc:"BM25 score"`
	Vector     float64 `json:"vector" doc:"cosine of the embeddings when among the 50 passages nearest to the question by embedding, else 0"`
	Coverage   float64 `json:"coverage" doc:"share of the question's content words in the passage"`
	Relevant   bool    `json:"relevant"`
}

// Answer is the reply to a question.
type Answer struct {
	// Answered is false when the documents do not hold the answer; Answer
	// is then empty and Reason says why.
	Answered bool   `json:"answered"`
	Answer   string `json:"answer"`
	// Mode is "llm" or "extractive" when answered.
	Mode string `json:"mode,omitempty"`
	// Reason is "no_relevant_content" (no passage holds enough of the
	// question's words; the LLM is not asked) or "not_in_sources" (the LLM
	// read the passages and found no answer).
	Reason  string   `json:"reason,omitempty"`
	Sources []Source `json:"sources"`
}

// Reasons an Answer is not answered.
const (
	ReasonNoContent    = "no_relevant_content"
	ReasonNotInSources = "not_in_sources"
)

func (s *Service) checkQuery(q *Query) error {
	q.Question = strings.TrimSpace(q.Question)
	switch {
	case q.Question == "":
		return sabia.Errorf(sabia.EINVALID, "question is required")
	case utf8.RuneCountInString(q.Question) > MaxQuestionRunes:
		return sabia.Errorf(sabia.ETOOLARGE, "question has more than %d characters", MaxQuestionRunes)
	case q.TopK < 0 || q.TopK > MaxTopK:
		return sabia.Errorf(sabia.EINVALID, "top_k must be between 1 and %d", MaxTopK)
	}
	if q.Language != "" {
		l, ok := nlu.ParseLanguage(q.Language)
		if !ok {
			return sabia.Errorf(sabia.EINVALID, "unknown language %q", q.Language)
		}
		q.Language = l
	}
	if q.TopK == 0 {
		q.TopK = s.cfg.TopK
	}
	return nil
}

// Search returns the passages closest to the question, best first, each
// marked relevant or not. Returns EINVALID or ETOOLARGE for a bad query,
// EUNAVAILABLE when the embedder fails.
func (s *Service) Search(ctx context.Context, repoUUID string, q Query) ([]Source, error) {
	if err := s.checkQuery(&q); err != nil {
		return nil, err
	}
	hits, err := s.retrieve(ctx, repoUUID, q)
	if err != nil {
		return nil, err
	}
	out := make([]Source, len(hits))
	for i, h := range hits {
		out[i] = s.source(h)
	}
	return out, nil
}

func (s *Service) retrieve(ctx context.Context, repoUUID string, q Query) ([]Hit, error) {
	ix, err := s.index(ctx, repoUUID)
	if err != nil {
		return nil, err
	}
	if len(ix.passages) == 0 {
		return nil, nil
	}
	qvec, err := s.cfg.Embedder.EmbedQuery(ctx, q.Question)
	if err != nil {
		return nil, sabia.Errorf(sabia.EUNAVAILABLE, "embedding the question: %v", err)
	}
	lang := q.Language
	if lang == "" {
		lang = ix.lang
	}
	var vec []float64
	if vs, ok := s.store.(VectorSearcher); ok {
		scores, err := vs.NearestChunks(ctx, repoUUID, s.cfg.Embedder.Name(), qvec, candidates)
		if err != nil {
			return nil, fmt.Errorf("ranking passages by embedding: %w", err)
		}
		vec = ix.cosinesOf(scores)
	} else {
		vec = ix.cosines(qvec)
	}
	return ix.search(analyze(lang, q.Question), vec, q.TopK), nil
}

func (s *Service) relevant(h Hit) bool {
	return h.Coverage >= s.cfg.MinCoverage || (s.cfg.MinCosine > 0 && h.Vector >= s.cfg.MinCosine)
}

func (s *Service) source(h Hit) Source {
	src := Source{DocumentID: h.Chunk.DocumentID, ChunkID: h.Chunk.ID, Start: h.Chunk.Start, End: h.Chunk.End,
		Text: h.Chunk.Text, Score: h.Score, Lexical: h.Lexical, Vector: h.Vector, Coverage: h.Coverage, Relevant: s.relevant(h)}
	if h.Document != nil {
		src.Title, src.Source = h.Document.Title, h.Document.Source
	}
	return src
}

// LLM settings of an answer: a few sentences, and a low temperature for
// answers that stay close to the sources (go-openai does not send 0, which
// would leave the server's default, usually 1).
const (
	answerMaxTokens   = 400
	answerTemperature = 0.1
)

// noAnswer is what the LLM is told to reply when the passages do not hold
// the answer.
const noAnswer = "NO_ANSWER"

// llmSystem instructs the LLM. The passages are the only allowed knowledge;
// an honest NO_ANSWER beats a guess, since a flow routes a customer on it.
const llmSystem = `You answer a customer's question for a business, using only the numbered sources below the question.
Rules:
- Use only facts stated in the sources. Never add facts, prices, dates or promises that are not in them.
- Answer in the language of the question, in at most three short sentences, as a helpful support agent would.
- Cite the sources you used with their numbers in brackets, like [1] or [2][3].
- If the sources do not contain the answer, reply exactly ` + noAnswer + ` and nothing else.`

var citation = regexp.MustCompile(`\[(\d{1,2})\]`)

// Answer answers a question from the repository's documents: with the LLM
// when one is configured, from the relevant passages; otherwise with the
// best passage's best sentences. When no passage is relevant the answer is
// not answered (reason no_relevant_content) and the LLM is not asked.
// Returns EINVALID or ETOOLARGE for a bad query and EUNAVAILABLE when the
// embedder or the LLM fails.
func (s *Service) Answer(ctx context.Context, repoUUID string, q Query) (Answer, error) {
	if err := s.checkQuery(&q); err != nil {
		return Answer{}, err
	}
	hits, err := s.retrieve(ctx, repoUUID, q)
	if err != nil {
		return Answer{}, err
	}
	var rel []Hit
	for _, h := range hits {
		if s.relevant(h) {
			rel = append(rel, h)
		}
	}
	if len(rel) == 0 {
		return Answer{Reason: ReasonNoContent, Sources: []Source{}}, nil
	}
	if s.cfg.LLM == nil {
		return s.extractive(q, rel[0]), nil
	}
	var b strings.Builder
	b.WriteString("Question: ")
	b.WriteString(q.Question)
	b.WriteString("\n\nSources:\n")
	for i, h := range rel {
		title := ""
		if h.Document != nil {
			title = h.Document.Title
		}
		fmt.Fprintf(&b, "[%d] %s\n%s\n\n", i+1, title, h.Chunk.Text)
	}
	reply, err := s.cfg.LLM.Complete(ctx, Completion{System: llmSystem, User: b.String(), MaxTokens: answerMaxTokens, Temperature: answerTemperature})
	if err != nil {
		return Answer{}, sabia.Errorf(sabia.EUNAVAILABLE, "asking the LLM: %v", err)
	}
	reply = strings.TrimSpace(reply)
	if reply == "" || strings.Contains(reply, noAnswer) {
		return Answer{Reason: ReasonNotInSources, Sources: []Source{}}, nil
	}
	var cited []int
	for _, m := range citation.FindAllStringSubmatch(reply, -1) {
		n, _ := strconv.Atoi(m[1])
		if n >= 1 && n <= len(rel) && !slices.Contains(cited, n-1) {
			cited = append(cited, n-1)
		}
	}
	if len(cited) == 0 {
		for i := range rel {
			cited = append(cited, i)
		}
	}
	slices.Sort(cited)
	a := Answer{Answered: true, Answer: reply, Mode: "llm", Sources: make([]Source, 0, len(cited))}
	for _, i := range cited {
		a.Sources = append(a.Sources, s.source(rel[i]))
	}
	return a, nil
}

// extractive answers with the sentence of the passage that holds most of
// the question's words (a sentence with a figure first when the question
// asks for one) and the next sentence of its paragraph; when the best
// sentence is itself an FAQ question, with what follows it ("R: …").
func (s *Service) extractive(q Query, h Hit) Answer {
	lang := q.Language
	if lang == "" && h.Document != nil {
		lang = h.Document.Language
	}
	// The question's words, each with its forms: the word itself first,
	// then its prefix and synonym groups.
	var words [][]term
	for _, t := range analyze(lang, q.Question) {
		if t.tok == len(words) {
			words = append(words, nil)
		}
		words[t.tok] = append(words[t.tok], t)
	}
	quantity := asksQuantity(q.Question)
	rs := []rune(h.Chunk.Text)
	sents := sentences(rs)
	if len(sents) == 0 {
		return Answer{Answered: true, Mode: "extractive", Sources: []Source{s.source(h)}}
	}
	text := func(i int) string { return string(rs[sents[i].Start:sents[i].End]) }
	best, bestScore := 0, -1.0
	for i := range sents {
		has := map[string]bool{}
		for _, t := range analyze(lang, text(i)) {
			has[t.text] = true
		}
		score := 0.0
		for _, forms := range words {
			for k, f := range forms {
				if has[f.text] {
					// A word matched as itself counts 1, by prefix or
					// synonym a little less.
					if k == 0 {
						score++
					} else {
						score += looseMatch
					}
					break
				}
			}
		}
		if quantity && strings.ContainsAny(text(i), "0123456789") {
			score += quantityBonus
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	// A question line is answered by what follows it; any other sentence
	// is completed by the next one of its paragraph, which often holds the
	// figure or the condition.
	var parts []string
	first := best
	if isQuestionLine(text(best)) && best+1 < len(sents) {
		first = best + 1
	}
	for j := first; j < len(sents) && len(parts) < extractiveSentences; j++ {
		if j > first {
			gap := string(rs[sents[j-1].End:sents[j].Start])
			if strings.Count(gap, "\n") >= 2 || isQuestionLine(text(j)) {
				break
			}
			if len([]rune(strings.Join(parts, " ")))+len([]rune(text(j))) > extractiveMaxRunes {
				break
			}
		}
		parts = append(parts, stripAnswerLabel(text(j)))
	}
	return Answer{Answered: true, Answer: strings.Join(parts, " "), Mode: "extractive", Sources: []Source{s.source(h)}}
}

// Extractive answers: at most extractiveSentences sentences and, past the
// first, extractiveMaxRunes runes; quantityBonus is the score a sentence
// with a digit gains when the question asks how much, how many or when.
const (
	extractiveSentences = 2
	looseMatch          = 0.8
	extractiveMaxRunes  = 400
	quantityBonus       = 0.5
)

// quantityWords are (folded) words of questions about amounts, prices,
// counts, times and deadlines.
var quantityWords = map[string]bool{
	"quanto": true, "quanta": true, "quantos": true, "quantas": true, "qto": true, "qtos": true, "qtas": true, "qnto": true,
	"cuanto": true, "cuanta": true, "cuantos": true, "cuantas": true, "much": true, "many": true, "long": true,
	"quando": true, "cuando": true, "when": true, "horas": true, "hora": true, "horario": true, "time": true,
	"preco": true, "precio": true, "price": true, "custa": true, "cuesta": true, "cost": true, "costs": true, "valor": true,
	"prazo": true, "plazo": true, "dias": true, "days": true, "taxa": true, "tarifa": true, "fee": true,
}

func asksQuantity(question string) bool {
	for _, t := range nlu.Tokenize(question) {
		if quantityWords[t.Norm] {
			return true
		}
	}
	return false
}

// questionLabels start the question line of FAQ layouts.
var questionLabels = []string{"p:", "q:", "pergunta:", "pregunta:", "question:"}

// isQuestionLine reports whether a sentence is an FAQ question: it ends
// with '?' or starts with a question label.
func isQuestionLine(s string) bool {
	if strings.HasSuffix(s, "?") {
		return true
	}
	low := strings.ToLower(s)
	for _, l := range questionLabels {
		if strings.HasPrefix(low, l) {
			return true
		}
	}
	return false
}

// answerLabels start the answer line of FAQ layouts ("R: Sim, …").
var answerLabels = []string{"r:", "resp:", "resposta:", "respuesta:", "a:", "answer:"}

// stripAnswerLabel drops an FAQ answer label from the start of a line.
func stripAnswerLabel(line string) string {
	low := strings.ToLower(line)
	for _, l := range answerLabels {
		if strings.HasPrefix(low, l) {
			return strings.TrimSpace(line[len(l):])
		}
	}
	return line
}
