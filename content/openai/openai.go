// Package openai implements content.Embedder and content.LLM on any
// OpenAI-compatible HTTP API (OpenAI itself, Ollama, vLLM, LocalAI, ...)
// with the github.com/sashabaranov/go-openai client.
package openai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/weni-ai/sabia/content"
)

// DefaultMaxBatch is how many inputs go in one embeddings request when
// Config.MaxBatch is zero.
const DefaultMaxBatch = 64

// DefaultTimeout bounds each HTTP request when Config.Timeout is zero.
const DefaultTimeout = 60 * time.Second

// Config says which endpoint and models a Client uses.
type Config struct {
	// BaseURL is the API root, up to and including the version segment,
	// for example "http://localhost:11434/v1" (Ollama) or
	// "https://api.openai.com/v1". Required.
	BaseURL string
	// APIKey is sent as a bearer token; local servers usually accept any
	// value or none.
	APIKey string
	// ChatModel is the model Complete uses, e.g. "gpt-4o-mini" or
	// "llama3.1". Required only for Complete.
	ChatModel string
	// EmbeddingModel is the model EmbedPassages and EmbedQuery use, e.g.
	// "text-embedding-3-small" or "nomic-embed-text". Required only for
	// embedding.
	EmbeddingModel string
	// Dimensions, when positive, asks the server for vectors of that length
	// (text-embedding-3 and later) and is checked against what comes back.
	// Zero leaves the model's own length.
	Dimensions int
	// Timeout bounds each HTTP request; zero means DefaultTimeout. The
	// caller's context can end a request sooner.
	Timeout time.Duration
	// MaxBatch is the most inputs sent in one embeddings request; zero
	// means DefaultMaxBatch.
	MaxBatch int
}

// Client talks to an OpenAI-compatible endpoint. It implements
// content.Embedder and content.LLM and is safe for concurrent use.
type Client struct {
	cfg    Config
	client *goopenai.Client
}

var (
	_ content.Embedder = (*Client)(nil)
	_ content.LLM      = (*Client)(nil)
)

// New checks cfg, fills in its defaults and returns a Client for it. It
// makes no request.
func New(cfg Config) (*Client, error) {
	cfg.BaseURL = strings.TrimSpace(cfg.BaseURL)
	if cfg.BaseURL == "" {
		return nil, errors.New("openai config: missing BaseURL")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("openai config: BaseURL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("openai config: BaseURL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.ChatModel == "" && cfg.EmbeddingModel == "" {
		return nil, errors.New("openai config: missing ChatModel and EmbeddingModel (set at least one)")
	}
	if cfg.Dimensions < 0 {
		return nil, fmt.Errorf("openai config: negative Dimensions %d", cfg.Dimensions)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("openai config: negative Timeout %s", cfg.Timeout)
	}
	if cfg.MaxBatch < 0 {
		return nil, fmt.Errorf("openai config: negative MaxBatch %d", cfg.MaxBatch)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBatch == 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}

	oc := goopenai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = cfg.BaseURL
	oc.HTTPClient = &http.Client{Timeout: cfg.Timeout}
	return &Client{cfg: cfg, client: goopenai.NewClientWithConfig(oc)}, nil
}

// Complete sends req.System as the system message and req.User as the user
// message to the chat model and returns the first choice's reply, trimmed.
func (c *Client) Complete(ctx context.Context, req content.Completion) (string, error) {
	if c.cfg.ChatModel == "" {
		return "", errors.New("openai chat completion: no ChatModel configured")
	}
	var msgs []goopenai.ChatCompletionMessage
	if req.System != "" {
		msgs = append(msgs, goopenai.ChatCompletionMessage{
			Role:    goopenai.ChatMessageRoleSystem,
			Content: req.System,
		})
	}
	msgs = append(msgs, goopenai.ChatCompletionMessage{
		Role:    goopenai.ChatMessageRoleUser,
		Content: req.User,
	})
	resp, err := c.client.CreateChatCompletion(ctx, goopenai.ChatCompletionRequest{
		Model:       c.cfg.ChatModel,
		Messages:    msgs,
		MaxTokens:   req.MaxTokens,
		Temperature: float32(req.Temperature),
	})
	if err != nil {
		return "", fmt.Errorf("openai chat completion: %w", err)
	}
	if len(resp.Choices) == 0 {
		return "", errors.New("openai chat completion: response has no choices")
	}
	return strings.TrimSpace(resp.Choices[0].Message.Content), nil
}

// Name returns "openai:" and the embedding model, and ":" and the
// dimensions when they are set.
func (c *Client) Name() string {
	name := "openai:" + c.cfg.EmbeddingModel
	if c.cfg.Dimensions > 0 {
		name += ":" + strconv.Itoa(c.cfg.Dimensions)
	}
	return name
}

// EmbedPassages embeds the passages in batches of at most MaxBatch and
// returns their vectors in the passages' order.
func (c *Client) EmbedPassages(ctx context.Context, passages []string) ([][]float32, error) {
	if c.cfg.EmbeddingModel == "" {
		return nil, errors.New("openai embeddings: no EmbeddingModel configured")
	}
	out := make([][]float32, 0, len(passages))
	for start := 0; start < len(passages); start += c.cfg.MaxBatch {
		end := min(start+c.cfg.MaxBatch, len(passages))
		vecs, err := c.embedBatch(ctx, passages[start:end])
		if err != nil {
			return nil, err
		}
		out = append(out, vecs...)
	}
	if err := sameLength(out); err != nil {
		return nil, err
	}
	return out, nil
}

// EmbedQuery returns the vector of query.
func (c *Client) EmbedQuery(ctx context.Context, query string) ([]float32, error) {
	vecs, err := c.EmbedPassages(ctx, []string{query})
	if err != nil {
		return nil, err
	}
	return vecs[0], nil
}

// embedBatch makes one embeddings request and orders the vectors by their
// index.
func (c *Client) embedBatch(ctx context.Context, inputs []string) ([][]float32, error) {
	resp, err := c.client.CreateEmbeddings(ctx, goopenai.EmbeddingRequestStrings{
		Input:          inputs,
		Model:          goopenai.EmbeddingModel(c.cfg.EmbeddingModel),
		EncodingFormat: goopenai.EmbeddingEncodingFormatFloat,
		Dimensions:     c.cfg.Dimensions,
	})
	if err != nil {
		return nil, fmt.Errorf("openai embeddings: %w", err)
	}
	if len(resp.Data) != len(inputs) {
		return nil, fmt.Errorf("openai embeddings: got %d vectors for %d inputs", len(resp.Data), len(inputs))
	}
	vecs := make([][]float32, len(inputs))
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(inputs) {
			return nil, fmt.Errorf("openai embeddings: vector index %d out of range [0, %d)", d.Index, len(inputs))
		}
		if vecs[d.Index] != nil {
			return nil, fmt.Errorf("openai embeddings: duplicate vector index %d", d.Index)
		}
		if len(d.Embedding) == 0 {
			return nil, fmt.Errorf("openai embeddings: empty vector at index %d", d.Index)
		}
		if c.cfg.Dimensions > 0 && len(d.Embedding) != c.cfg.Dimensions {
			return nil, fmt.Errorf("openai embeddings: vector %d has %d dimensions, want %d",
				d.Index, len(d.Embedding), c.cfg.Dimensions)
		}
		vecs[d.Index] = d.Embedding
	}
	return vecs, nil
}

// sameLength returns an error unless every vector has the length of the
// first.
func sameLength(vecs [][]float32) error {
	for i, v := range vecs {
		if len(v) != len(vecs[0]) {
			return fmt.Errorf("openai embeddings: vector %d has %d dimensions, vector 0 has %d",
				i, len(v), len(vecs[0]))
		}
	}
	return nil
}
