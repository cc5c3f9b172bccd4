package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ledongthuc/pdf"
)

// PDF work bounds, beyond the file size and page count. The reader's own
// Page.Content builds a new font at every Tf operator, parsing its
// ToUnicode map again each time, and resolves the Widths array again for
// every glyph; a PDF of a few KiB could keep a core busy for minutes. The
// glyphs are therefore read by pageGlyphs, which loads each font once per
// file, and these bounds keep what is left linear in the file.
const (
	// maxPDFFontSelections bounds the Tf operators of one page; a dense
	// page set by a generator that selects the font for every word has a
	// few thousand.
	maxPDFFontSelections = 10_000
	// maxPDFToUnicodeBytes bounds one font's decoded ToUnicode map; the
	// map of a full CJK font takes a few hundred KiB.
	maxPDFToUnicodeBytes = 1 << 20 // bytes
	// maxPDFFileContentBytes bounds the decoded content streams of all
	// pages together, so that many pages sharing one compressible stream
	// cannot add up to gigabytes of lexing; a 1,000-page text PDF holds
	// about 50 MiB.
	maxPDFFileContentBytes = 64 << 20 // bytes
	// maxPDFDecodeWork bounds, across a file, the bytes of text shown
	// through a ToUnicode map times that map's size: the reader decodes
	// every glyph code by a linear scan of the map. A 1,000-page file set
	// in fonts with 3 KiB maps uses about a third of it (about 2 s of CPU
	// for the whole bound).
	maxPDFDecodeWork = 1 << 36 // bytes × bytes
)

// Errors past the PDF work bounds.
var (
	errPDFFontSelections = errors.New("too many font selections")
	errPDFToUnicode      = errors.New("ToUnicode map too large")
	errPDFFileContent    = errors.New("page content too large in total")
	errPDFDecodeWork     = errors.New("too much text decoded through ToUnicode maps")
)

// pdfWork is what reading one PDF has cost so far, against the per-file
// bounds, and the fonts it has loaded.
type pdfWork struct {
	contentBytes int64 // decoded page content read
	decodeWork   int64 // shown-text bytes × ToUnicode bytes
	toUnicode    int   // ToUnicode maps parsed
	fonts        map[string]*pdfFont
}

// pdfFont is a font loaded once: what the glyph positions need.
type pdfFont struct {
	base     string    // BaseFont, without a subset prefix
	first    int       // FirstChar
	widths   []float64 // Widths of the single-byte codes first…255
	enc      pdf.TextEncoding
	mapBytes int64 // the decoded size of the ToUnicode map enc scans, or 0
}

// width is the width of a one-byte code, in thousandths of the font size.
func (f *pdfFont) width(code int) float64 {
	if i := code - f.first; i >= 0 && i < len(f.widths) {
		return f.widths[i]
	}
	return 0
}

// font loads the font dictionary v, once per file: fonts are cached by
// their dictionary, whose text names the objects it refers to by number.
func (w *pdfWork) font(ctx context.Context, v pdf.Value) (*pdfFont, error) {
	key := v.String()
	if f, ok := w.fonts[key]; ok {
		return f, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f := &pdfFont{base: v.Key("BaseFont").Name(), first: int(v.Key("FirstChar").Int64())}
	if i := strings.Index(f.base, "+"); i >= 0 {
		f.base = f.base[i+1:]
	}
	if last := int(v.Key("LastChar").Int64()); f.first >= 0 && f.first <= 255 && last >= f.first {
		ws := v.Key("Widths")
		n := min(last, 255) - f.first + 1
		for i := 0; i < n && i < ws.Len(); i++ {
			f.widths = append(f.widths, ws.Index(i).Float64())
		}
	}
	// The reader parses the ToUnicode map for fonts without an encoding
	// or with Identity-H, and scans it for every glyph code.
	enc, toUnicode := v.Key("Encoding"), v.Key("ToUnicode")
	if (enc.Kind() == pdf.Null || (enc.Kind() == pdf.Name && enc.Name() == "Identity-H")) && toUnicode.Kind() == pdf.Stream {
		rc := toUnicode.Reader()
		var guard hexGuard // the map is lexed like a content stream
		n, err := io.Copy(&guard, &cappedReader{r: rc, n: maxPDFToUnicodeBytes})
		rc.Close()
		if errors.Is(err, errPartTooLarge) {
			return nil, errPDFToUnicode
		}
		if guard.open() {
			return nil, errors.New("a hex string (<…>) of a ToUnicode map never ends")
		}
		f.mapBytes = n
		w.toUnicode++
	}
	lf := pdf.Font{V: v}
	f.enc = lf.Encoder()
	if f.enc == nil {
		f.enc = nopEncoding{}
	}
	if w.fonts == nil {
		w.fonts = map[string]*pdfFont{}
	}
	w.fonts[key] = f
	return f, nil
}

// nopEncoding shows codes as they are.
type nopEncoding struct{}

func (nopEncoding) Decode(raw string) string { return raw }

// pdfStop carries an error out of the content interpreter.
type pdfStop struct{ err error }

// pdfMatrix is a PDF transformation matrix.
type pdfMatrix [3][3]float64

var pdfIdentity = pdfMatrix{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}

func (x pdfMatrix) mul(y pdfMatrix) pdfMatrix {
	var z pdfMatrix
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 3; k++ {
				z[i][j] += x[i][k] * y[k][j]
			}
		}
	}
	return z
}

// pdfState is the part of the graphics state text positions depend on.
type pdfState struct {
	Tc, Th, Tl, Tfs, Trise float64
	Tf                     *pdfFont
	Tm, Tlm, CTM           pdfMatrix
}

// pageGlyphs returns the glyphs a page draws, in order, as the reader's
// Page.Content does, but loading each font once (through w) instead of
// at every Tf, refusing a page that selects a font more than
// maxPDFFontSelections times, and checking ctx as it goes. Malformed
// operators panic, as in the reader.
func pageGlyphs(ctx context.Context, page pdf.Page, w *pdfWork) (glyphs []pdf.Text, err error) {
	contents := page.V.Key("Contents")
	if page.V.IsNull() || contents.Kind() == pdf.Null {
		return nil, nil
	}
	defer func() {
		if p := recover(); p != nil {
			stop, ok := p.(pdfStop)
			if !ok {
				panic(p)
			}
			glyphs, err = nil, stop.err
		}
	}()
	fontDicts := page.Resources().Key("Font")
	byName := map[string]*pdfFont{}
	var noFont pdfFont
	noFont.enc = nopEncoding{}
	g := pdfState{Th: 1, CTM: pdfIdentity, Tf: &noFont}
	var stack []pdfState
	ops, selections := 0, 0
	show := func(s string) {
		if g.Tf.mapBytes > 0 {
			if w.decodeWork += int64(len(s)) * g.Tf.mapBytes; w.decodeWork > maxPDFDecodeWork {
				panic(pdfStop{errPDFDecodeWork})
			}
		}
		n := 0
		for _, ch := range g.Tf.enc.Decode(s) {
			var w0 float64
			if n < len(s) {
				w0 = g.Tf.width(int(s[n]))
			}
			n++
			trm := pdfMatrix{{g.Tfs * g.Th, 0, 0}, {0, g.Tfs, 0}, {0, g.Trise, 1}}.mul(g.Tm).mul(g.CTM)
			glyphs = append(glyphs, pdf.Text{Font: g.Tf.base, FontSize: trm[0][0], X: trm[2][0], Y: trm[2][1], W: w0 / 1000 * trm[0][0], S: string(ch)})
			tx := (w0/1000*g.Tfs + g.Tc) * g.Th
			g.Tm = pdfMatrix{{1, 0, 0}, {0, 1, 0}, {tx, 0, 1}}.mul(g.Tm)
		}
	}
	need := func(args []pdf.Value, n int, op string) {
		if len(args) != n {
			panic(fmt.Sprintf("bad %s operator", op))
		}
	}
	matrixArg := func(args []pdf.Value, op string) pdfMatrix {
		need(args, 6, op)
		var m pdfMatrix
		for i := 0; i < 6; i++ {
			m[i/2][i%2] = args[i].Float64()
		}
		m[2][2] = 1
		return m
	}
	pdf.Interpret(contents, func(stk *pdf.Stack, op string) {
		args := make([]pdf.Value, stk.Len())
		for i := len(args) - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		if ops++; ops%4096 == 0 {
			if err := ctx.Err(); err != nil {
				panic(pdfStop{err})
			}
		}
		switch op {
		case "cm":
			g.CTM = matrixArg(args, op).mul(g.CTM)
		case "q":
			stack = append(stack, g)
		case "Q":
			if len(stack) == 0 {
				panic("Q without q")
			}
			g, stack = stack[len(stack)-1], stack[:len(stack)-1]
		case "BT":
			g.Tm, g.Tlm = pdfIdentity, pdfIdentity
		case "T*":
			g.Tlm = pdfMatrix{{1, 0, 0}, {0, 1, 0}, {0, -g.Tl, 1}}.mul(g.Tlm)
			g.Tm = g.Tlm
		case "Tc":
			need(args, 1, op)
			g.Tc = args[0].Float64()
		case "TD", "Td":
			need(args, 2, op)
			if op == "TD" {
				g.Tl = -args[1].Float64()
			}
			g.Tlm = pdfMatrix{{1, 0, 0}, {0, 1, 0}, {args[0].Float64(), args[1].Float64(), 1}}.mul(g.Tlm)
			g.Tm = g.Tlm
		case "Tf":
			need(args, 2, op)
			if selections++; selections > maxPDFFontSelections {
				panic(pdfStop{errPDFFontSelections})
			}
			name := args[0].Name()
			f, ok := byName[name]
			if !ok {
				var err error
				if f, err = w.font(ctx, fontDicts.Key(name)); err != nil {
					panic(pdfStop{err})
				}
				byName[name] = f
			}
			g.Tf, g.Tfs = f, args[1].Float64()
		case "\"", "'", "Tj":
			if op == "\"" {
				need(args, 3, op)
				g.Tc = args[1].Float64()
				args = args[2:]
			}
			need(args, 1, op)
			if op != "Tj" {
				g.Tlm = pdfMatrix{{1, 0, 0}, {0, 1, 0}, {0, -g.Tl, 1}}.mul(g.Tlm)
				g.Tm = g.Tlm
			}
			show(args[0].RawString())
		case "TJ":
			need(args, 1, op)
			v := args[0]
			for i := 0; i < v.Len(); i++ {
				if x := v.Index(i); x.Kind() == pdf.String {
					show(x.RawString())
				} else {
					tx := -x.Float64() / 1000 * g.Tfs * g.Th
					g.Tm = pdfMatrix{{1, 0, 0}, {0, 1, 0}, {tx, 0, 1}}.mul(g.Tm)
				}
			}
			show("\n")
		case "TL":
			need(args, 1, op)
			g.Tl = args[0].Float64()
		case "Tm":
			g.Tm = matrixArg(args, op)
			g.Tlm = g.Tm
		case "Ts":
			need(args, 1, op)
			g.Trise = args[0].Float64()
		case "Tz":
			need(args, 1, op)
			g.Th = args[0].Float64() / 100
		case "re":
			need(args, 4, op) // the reader checks rectangles too
		case "Tr", "Tw":
			need(args, 1, op)
		}
	})
	return glyphs, nil
}
