package main

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows training progress: a bar on a terminal, a line per tenth
// otherwise (logs stay readable in CI).
type progress struct {
	mu    sync.Mutex
	bar   *progressbar.ProgressBar
	w     io.Writer
	label string
	last  int
}

func newProgress(w io.Writer, label string) *progress {
	p := &progress{w: w, label: label, last: -1}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(1000, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(label),
			progressbar.OptionClearOnFinish())
	}
	return p
}

func (p *progress) set(v float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Set(int(v * 1000))
		return
	}
	if tenth := int(v * 10); tenth > p.last {
		p.last = tenth
		fmt.Fprintf(p.w, "%s: %d%%\n", p.label, tenth*10)
	}
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
