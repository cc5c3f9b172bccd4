package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/weni-ai/sabia/content"
)

// contentQuestion is one line of a content evaluation set's questions.jsonl.
type contentQuestion struct {
	Language       string   `json:"language"`
	Question       string   `json:"question"`
	Answerable     bool     `json:"answerable"`
	Doc            string   `json:"doc"`
	AnswerContains []string `json:"answer_contains"`
}

// contentEvalResult is one output line of `sabia content-eval`.
type contentEvalResult struct {
	Language   string `json:"language"`
	Documents  int    `json:"documents"`
	Answerable int    `json:"answerable"`
	// Answered: share of answerable questions answered at all; Correct:
	// answered with a source from the right document and an answer holding
	// every expected string; RecallAtK: share whose top-k passages include
	// one of the right document holding every expected string.
	Answered float64 `json:"answered"`
	// RightSource: answered with a source from the right document.
	RightSource float64 `json:"right_source"`
	Correct     float64 `json:"correct"`
	RecallAtK   float64 `json:"recall_at_k"`
	K           int     `json:"k"`
	// Unanswerable: questions the documents do not answer; Abstained: share
	// of them not answered.
	Unanswerable int     `json:"unanswerable"`
	Abstained    float64 `json:"abstained"`
	Mode         string  `json:"mode"`
	P50US        float64 `json:"answer_p50_us"`
	P99US        float64 `json:"answer_p99_us"`
}

func newContentEvalCmd() *cobra.Command {
	var cfg serveConfig
	var dir string
	cmd := &cobra.Command{
		Use:   "content-eval --dir DIR",
		Short: "Measure content answers on a set of documents and questions",
		Long: "Loads DIR/docs/<language>/*.txt (first line: title) into one repository per language and\n" +
			"asks every question of DIR/questions.jsonl ({language, question, answerable, doc,\n" +
			"answer_contains}). Prints one JSON line per language and one for all: how many answerable\n" +
			"questions were answered, answered correctly and retrieved, and how many unanswerable ones\n" +
			"were declined. With --llm-base-url and --llm-model, answers are written by that model.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return contentEval(cmd.Context(), cfg, dir, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "datasets/content", "evaluation set directory")
	contentFlags(cmd, &cfg)
	return cmd
}

func contentEval(ctx context.Context, cfg serveConfig, dir string, out io.Writer) error {
	qs, err := readContentQuestions(filepath.Join(dir, "questions.jsonl"))
	if err != nil {
		return err
	}
	store := content.NewMemStore()
	// Served as the embedded store is: the Service ranks by the vectors it
	// holds (content.MemStore would rank them itself, as PostgreSQL does;
	// both retrieve the same passages, see content's tests).
	svc, err := newContentService(cfg, struct{ content.Store }{store})
	if err != nil {
		return err
	}
	mode := "extractive"
	if cfg.LLMModel != "" {
		mode = "llm"
	}
	langs := map[string][]contentQuestion{}
	for _, q := range qs {
		langs[q.Language] = append(langs[q.Language], q)
	}
	names := make([]string, 0, len(langs))
	for l := range langs {
		names = append(names, l)
	}
	sort.Strings(names)
	var all contentEvalResult
	var allLat []float64
	all.Language, all.Mode, all.K = "all", mode, 4
	for _, lang := range names {
		store.AddRepository(lang)
		docIDs := map[string]int64{}
		paths, _ := filepath.Glob(filepath.Join(dir, "docs", lang, "*.txt"))
		sort.Strings(paths)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			title, text, _ := strings.Cut(string(b), "\n")
			d, err := svc.AddDocument(ctx, lang, content.DocumentInput{Title: strings.TrimSpace(title), Text: text, Language: lang, Source: filepath.Base(p)})
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			docIDs[lang+"/"+strings.TrimSuffix(filepath.Base(p), ".txt")] = d.ID
		}
		// Build the language's index before timing: the first question of
		// a repository pays for it once, not every question.
		if _, err := svc.Search(ctx, lang, content.Query{Question: "index", Language: lang}); err != nil {
			return err
		}
		r := contentEvalResult{Language: lang, Documents: len(paths), Mode: mode, K: 4}
		var lat []float64
		for _, q := range langs[lang] {
			query := content.Query{Question: q.Question, Language: lang, TopK: r.K}
			t0 := nowMicro()
			a, err := svc.Answer(ctx, lang, query)
			lat = append(lat, nowMicro()-t0)
			if err != nil {
				return fmt.Errorf("%q: %w", q.Question, err)
			}
			if !q.Answerable {
				r.Unanswerable++
				if !a.Answered {
					r.Abstained++
				}
				continue
			}
			want, ok := docIDs[q.Doc]
			if !ok {
				return fmt.Errorf("question %q: unknown doc %q", q.Question, q.Doc)
			}
			r.Answerable++
			if a.Answered {
				r.Answered++
				right := false
				for _, s := range a.Sources {
					right = right || s.DocumentID == want
				}
				if right {
					r.RightSource++
				}
				if right && containsAll(a.Answer, q.AnswerContains) {
					r.Correct++
				}
			}
			hits, err := svc.Search(ctx, lang, query)
			if err != nil {
				return err
			}
			for _, h := range hits {
				if h.DocumentID == want && containsAll(h.Text, q.AnswerContains) {
					r.RecallAtK++
					break
				}
			}
		}
		all.Documents += r.Documents
		all.Answerable += r.Answerable
		all.Unanswerable += r.Unanswerable
		all.Answered += r.Answered
		all.RightSource += r.RightSource
		all.Correct += r.Correct
		all.RecallAtK += r.RecallAtK
		all.Abstained += r.Abstained
		allLat = append(allLat, lat...)
		finishContentEval(&r, lat)
		if err := json.NewEncoder(out).Encode(r); err != nil {
			return err
		}
	}
	finishContentEval(&all, allLat)
	return json.NewEncoder(out).Encode(all)
}

// finishContentEval turns counts into shares and adds latency percentiles.
func finishContentEval(r *contentEvalResult, lat []float64) {
	if r.Answerable > 0 {
		n := float64(r.Answerable)
		r.Answered, r.RightSource, r.Correct, r.RecallAtK = round4(r.Answered/n), round4(r.RightSource/n), round4(r.Correct/n), round4(r.RecallAtK/n)
	}
	if r.Unanswerable > 0 {
		r.Abstained = round4(r.Abstained / float64(r.Unanswerable))
	}
	sort.Float64s(lat)
	r.P50US, r.P99US = round4(percentile(lat, 0.5)), round4(percentile(lat, 0.99))
}

func containsAll(s string, subs []string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

func readContentQuestions(path string) ([]contentQuestion, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var qs []contentQuestion
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var q contentQuestion
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		qs = append(qs, q)
	}
	return qs, sc.Err()
}

// nowMicro is the monotonic clock in microseconds since the process began.
func nowMicro() float64 { return float64(time.Since(processStart).Nanoseconds()) / 1e3 }

var processStart = time.Now()
