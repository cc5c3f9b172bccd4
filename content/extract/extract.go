// Package extract turns uploaded files (PDF, DOCX, HTML, Markdown, plain
// text) into the plain text of a content.Document.
//
// The text it returns is shaped for content.Split: one paragraph per block
// separated by blank lines, headings, list items and table rows on lines of
// their own, table cells separated by " | ", words split by a line-end
// hyphen joined again. It wraps the PDF reader and the HTML parser so that
// the content package itself depends on neither.
package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/content"
)

// Limits. A file is read whole into memory, so its size bounds the memory
// of one upload; the other limits bound what a small file may unpack into.
const (
	// MaxFileBytes bounds an uploaded file: a 150-page PDF with images
	// fits; larger files are rarely text a chatbot should answer from.
	MaxFileBytes = 20 << 20 // bytes
	// MaxPDFPages bounds the pages of a PDF read.
	MaxPDFPages = 1000
	// maxPDFPageContentBytes bounds the decoded content stream of one PDF
	// page; a dense text page takes tens of KiB, and the reader keeps a
	// value per glyph, so this also bounds its memory.
	maxPDFPageContentBytes = 2 << 20 // bytes
	// maxZipEntries bounds the files in a DOCX archive (a Word document
	// has a few dozen).
	maxZipEntries = 10_000
	// maxZipEntryBytes bounds what one DOCX part may unpack into, whatever
	// its header claims, against zip bombs. A 500-page document.xml is
	// about 20 MiB.
	maxZipEntryBytes = 64 << 20 // bytes
	// maxMetadataBytes bounds docProps/core.xml.
	maxMetadataBytes = 1 << 20 // bytes
	// maxTextRunes stops an extraction as soon as its text cannot be a
	// document (content.MaxDocumentRunes), instead of unpacking the rest.
	maxTextRunes = content.MaxDocumentRunes
)

// Format names a supported file format.
type Format string

// The supported formats.
const (
	PDF      Format = "pdf"
	DOCX     Format = "docx"
	HTML     Format = "html"
	Markdown Format = "markdown"
	Plain    Format = "text"
)

// Extracted is the text of a file.
type Extracted struct {
	// Title is the document's own title (PDF Info title, DOCX core
	// properties, HTML <title> or first <h1>, Markdown's first "# "
	// heading), or the file name without its extension when it has none.
	Title string
	// Text is plain text: paragraphs separated by blank lines.
	Text string
	// Format is the format the file was read as.
	Format Format
}

// Text reads a file of at most MaxFileBytes and returns its text. The
// format comes from contentType (when specific), then filename's
// extension, then the file's first bytes (%PDF-, a ZIP holding
// word/document.xml, an HTML tag, UTF-8 text).
//
// Returns ETOOLARGE for a file over MaxFileBytes, a PDF of more than
// MaxPDFPages pages or past one of the PDF work bounds (page content,
// font selections, ToUnicode maps), a DOCX part unpacking past its bound
// or text past content.MaxDocumentRunes; EUNPROCESSABLE for an
// unsupported format, a corrupt or encrypted file, a DOCX part nesting
// elements more than maxXMLDepth deep, a PDF with no text layer (a scan:
// OCR is not supported) or a file with no text; EINVALID for a bad
// reader; the context's error, wrapped, when ctx ends. Messages name the
// file.
func Text(ctx context.Context, filename, contentType string, r io.Reader) (Extracted, error) {
	name := displayName(filename)
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return Extracted{}, wrap(sabia.EINVALID, err, "could not read the file %s", name)
	}
	if len(data) > MaxFileBytes {
		return Extracted{}, sabia.Errorf(sabia.ETOOLARGE, "the file %s is larger than %d MiB", name, MaxFileBytes>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Extracted{}, sabia.Errorf(sabia.EUNPROCESSABLE, "the file %s is empty", name)
	}
	f, err := detect(filename, contentType, data)
	if err != nil {
		return Extracted{}, err
	}
	var out Extracted
	switch f {
	case PDF:
		out, err = extractPDF(ctx, name, data)
	case DOCX:
		out, err = extractDOCX(ctx, name, data)
	case HTML:
		out, err = extractHTML(name, contentType, data)
	case Markdown:
		out, err = extractMarkdown(name, data)
	default:
		out, err = extractPlain(name, data)
	}
	if err != nil {
		return Extracted{}, err
	}
	out.Format = f
	out.Text = tidy(out.Text)
	if out.Text == "" {
		if f == PDF {
			return Extracted{}, sabia.Errorf(sabia.EUNPROCESSABLE, "the PDF %s has no text layer; OCR is not supported (is it a scan?)", name)
		}
		return Extracted{}, sabia.Errorf(sabia.EUNPROCESSABLE, "the file %s holds no text", name)
	}
	if n := utf8.RuneCountInString(out.Text); n > maxTextRunes {
		return Extracted{}, tooMuchText(name)
	}
	out.Title = clipTitle(oneLine(tidy(out.Title)))
	if out.Title == "" {
		out.Title = clipTitle(stem(filename))
	}
	return out, nil
}

// detect picks the format of a file.
func detect(filename, contentType string, data []byte) (Format, error) {
	name := displayName(filename)
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		switch mt {
		case "application/pdf", "application/x-pdf":
			return PDF, nil
		case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
			return DOCX, nil
		case "text/html", "application/xhtml+xml":
			return HTML, nil
		case "text/markdown", "text/x-markdown":
			return Markdown, nil
		case "text/plain":
			if f, ok := byExtension(filename); ok && (f == Markdown || f == HTML) {
				return f, nil // browsers send .md and some .htm files as text/plain
			}
			return Plain, nil
		case "application/msword":
			return "", sabia.Errorf(sabia.EUNPROCESSABLE, "the file %s is an old Word .doc; save it as .docx", name)
		}
	}
	if f, ok := byExtension(filename); ok {
		return f, nil
	}
	if strings.EqualFold(path.Ext(filename), ".doc") {
		return "", sabia.Errorf(sabia.EUNPROCESSABLE, "the file %s is an old Word .doc; save it as .docx", name)
	}
	return sniff(name, data)
}

func byExtension(filename string) (Format, bool) {
	switch strings.ToLower(path.Ext(filename)) {
	case ".pdf":
		return PDF, true
	case ".docx":
		return DOCX, true
	case ".html", ".htm", ".xhtml":
		return HTML, true
	case ".md", ".markdown":
		return Markdown, true
	case ".txt", ".text":
		return Plain, true
	}
	return "", false
}

// sniff looks at a file's first bytes.
func sniff(name string, data []byte) (Format, error) {
	head := data[:min(len(data), 1024)]
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return PDF, nil
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		if isDOCX(data) {
			return DOCX, nil
		}
		return "", sabia.Errorf(sabia.EUNPROCESSABLE, "the file %s is a ZIP archive but not a Word document (no word/document.xml)", name)
	}
	lower := bytes.ToLower(bytes.TrimLeft(bytes.TrimPrefix(head, bom), " \t\r\n"))
	if bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")) ||
		(bytes.HasPrefix(lower, []byte("<?xml")) && bytes.Contains(lower, []byte("<html"))) {
		return HTML, nil
	}
	if isUTF16(data) || (utf8.Valid(trimPartialRune(head)) && !bytes.ContainsRune(head, 0)) {
		return Plain, nil
	}
	return "", sabia.Errorf(sabia.EUNPROCESSABLE, "the format of the file %s is not supported: send PDF, DOCX, HTML, Markdown or plain text", name)
}

// trimPartialRune drops an incomplete UTF-8 sequence cut at the end of b.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}

var bom = []byte("\xef\xbb\xbf")

func isUTF16(data []byte) bool {
	return bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff})
}

// decodeText returns data as UTF-8: without a UTF-8 BOM, decoded from
// UTF-16 when it starts with a UTF-16 BOM, and from Windows-1252 (what
// Windows editors in Brazil and Latin America save) when not valid UTF-8.
func decodeText(data []byte) string {
	switch {
	case bytes.HasPrefix(data, bom):
		data = data[len(bom):]
	case isUTF16(data):
		big := data[0] == 0xfe
		data = data[2:]
		u := make([]uint16, len(data)/2)
		for i := range u {
			if big {
				u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			} else {
				u[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
			}
		}
		return string(utf16.Decode(u))
	}
	if utf8.Valid(data) {
		return string(data)
	}
	s, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return strings.ToValidUTF8(string(data), "\uFFFD")
	}
	return string(s)
}

// tidy normalises extracted text: \n line ends, no control characters, no
// soft hyphens, spaces collapsed and trimmed on every line, at most one
// blank line in a row, none at either end.
func tidy(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	blank := 0 // newlines pending
	space := false
	started := false
	for _, r := range s {
		switch {
		case r == '\r':
			continue
		case r == '\n' || r == '\u2028' || r == '\u2029' || r == '\f' || r == '\v':
			if r == '\u2029' || r == '\f' {
				blank += 2
			} else {
				blank++
			}
			space = false
			continue
		case r == '\u00ad' || r == '\u200b' || r == '\ufeff' || r == 0:
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r):
			continue
		}
		if started {
			switch {
			case blank >= 2:
				b.WriteString("\n\n")
			case blank == 1:
				b.WriteByte('\n')
			case space:
				b.WriteByte(' ')
			}
		}
		blank, space, started = 0, false, true
		b.WriteRune(r)
	}
	return b.String()
}

// oneLine collapses a title's white space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func clipTitle(s string) string {
	if utf8.RuneCountInString(s) <= content.MaxTitleRunes {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:content.MaxTitleRunes]))
}

// stem is a file name without directories or extension.
func stem(filename string) string {
	base := path.Base(strings.ReplaceAll(filename, "\\", "/"))
	if base == "." || base == "/" {
		return ""
	}
	return strings.TrimSuffix(base, path.Ext(base))
}

// displayName is the file name as messages show it.
func displayName(filename string) string {
	base := path.Base(strings.ReplaceAll(filename, "\\", "/"))
	if filename == "" || base == "." || base == "/" {
		return "(unnamed)"
	}
	return fmt.Sprintf("%q", base)
}

// wrap builds a domain error whose cause is err.
func wrap(code string, err error, format string, args ...any) error {
	e := sabia.Errorf(code, format, args...)
	e.Err = err
	return e
}

func tooMuchText(name string) error {
	return sabia.Errorf(sabia.ETOOLARGE, "the file %s has more than %d characters of text; split the document", name, maxTextRunes)
}

// errTooMuchText stops a walk whose text is already over maxTextRunes.
var errTooMuchText = errors.New("too much text")

// blocks builds extracted text block by block: words flow into the current
// line, and lines and paragraphs are closed explicitly, so that every
// extractor shapes its text the same way for the chunker.
type blocks struct {
	b     strings.Builder
	runes int
	// pending is the break owed before the next word: 0 none, 1 a space,
	// 2 a line break, 3 a blank line.
	pending int
}

// text appends words. Runs of white space become one space.
func (k *blocks) text(s string) {
	for _, r := range s {
		if unicode.IsSpace(r) {
			k.pending = max(k.pending, 1)
			continue
		}
		if k.b.Len() > 0 {
			switch k.pending {
			case 1:
				k.b.WriteByte(' ')
			case 2:
				k.b.WriteByte('\n')
			case 3:
				k.b.WriteString("\n\n")
			}
		}
		k.pending = 0
		k.b.WriteRune(r)
		k.runes++
	}
}

// raw appends text keeping its line breaks (preformatted text).
func (k *blocks) raw(s string) {
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			k.line()
		}
		k.text(line)
	}
}

// line ends the current line.
func (k *blocks) line() { k.pending = max(k.pending, 2) }

// paragraph ends the current paragraph.
func (k *blocks) paragraph() { k.pending = 3 }

// cell separates table cells on one line.
func (k *blocks) cell() {
	if k.b.Len() > 0 && k.pending < 2 {
		k.pending = 0
		k.b.WriteString(" | ")
	}
}

// full reports whether the text is already longer than a document may be.
func (k *blocks) full() bool { return k.runes > maxTextRunes }

func (k *blocks) String() string { return k.b.String() }
