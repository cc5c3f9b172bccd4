package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/weni-ai/sabia"
)

// errPartTooLarge is returned by a capped reader past its bound.
var errPartTooLarge = errors.New("part larger than its bound")

// cappedReader reads at most n bytes and fails past them, so that a zip
// entry cannot unpack into more than its bound whatever its header says.
type cappedReader struct {
	r io.Reader
	n int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		// Anything more is over the bound.
		var one [1]byte
		if k, _ := c.r.Read(one[:]); k > 0 {
			return 0, errPartTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	k, err := c.r.Read(p)
	c.n -= int64(k)
	return k, err
}

// maxXMLDepth bounds the nesting of elements in a DOCX part: the XML
// decoder keeps a stack entry per open element, so without it a 12 KiB
// file of nested elements holds hundreds of MiB. Word documents nest about
// 20 deep (tables in tables and text boxes included).
const maxXMLDepth = 256

// errXMLTooDeep is returned past maxXMLDepth.
var errXMLTooDeep = fmt.Errorf("elements nested more than %d deep", maxXMLDepth)

// depthLimited reads tokens from an XML decoder and fails as soon as
// elements nest more than maxXMLDepth deep, before the decoder's stack
// can grow further.
type depthLimited struct {
	d     *xml.Decoder
	depth int
}

// Token returns the next token, or errXMLTooDeep.
func (l *depthLimited) Token() (xml.Token, error) {
	tok, err := l.d.Token()
	switch tok.(type) {
	case xml.StartElement:
		if l.depth++; l.depth > maxXMLDepth {
			return nil, errXMLTooDeep
		}
	case xml.EndElement:
		l.depth--
	}
	return tok, err
}

// isDOCX reports whether data is a ZIP archive holding word/document.xml.
func isDOCX(data []byte) bool {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return false
	}
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			return true
		}
	}
	return false
}

// openPart opens a part of the archive by name, reading at most limit bytes.
func openPart(zr *zip.Reader, name string, limit int64) (io.ReadCloser, bool, error) {
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, true, err
		}
		return struct {
			io.Reader
			io.Closer
		}{&cappedReader{r: rc, n: limit}, rc}, true, nil
	}
	return nil, false, nil
}

// extractDOCX reads word/document.xml of a Word document: paragraphs
// (w:p) with their runs' text (w:t), tabs and breaks; headings (styles
// Title and Heading1…9) and list items on lines of their own; tables row by
// row with their cells separated by " | ". Deleted revisions, field codes
// and the fallback copies of text boxes are left out. The title is
// dc:title of docProps/core.xml.
func extractDOCX(ctx context.Context, name string, data []byte) (Extracted, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Extracted{}, wrap(sabia.EUNPROCESSABLE, err, "the file %s is not a readable Word document (.docx)", name)
	}
	if len(zr.File) > maxZipEntries {
		return Extracted{}, sabia.Errorf(sabia.ETOOLARGE, "the Word document %s holds more than %d files", name, maxZipEntries)
	}
	rc, found, err := openPart(zr, "word/document.xml", maxZipEntryBytes)
	if !found {
		return Extracted{}, sabia.Errorf(sabia.EUNPROCESSABLE, "the file %s is not a Word document: it has no word/document.xml", name)
	}
	if err != nil {
		return Extracted{}, wrap(sabia.EUNPROCESSABLE, err, "the Word document %s is corrupt", name)
	}
	defer rc.Close()
	text, err := docxText(ctx, rc)
	switch {
	case errors.Is(err, errPartTooLarge):
		return Extracted{}, wrap(sabia.ETOOLARGE, err, "the Word document %s unpacks into more than %d MiB", name, maxZipEntryBytes>>20)
	case errors.Is(err, errTooMuchText):
		return Extracted{}, tooMuchText(name)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return Extracted{}, fmt.Errorf("reading %s: %w", name, err)
	case errors.Is(err, errXMLTooDeep):
		return Extracted{}, tooDeep(name, err)
	case err != nil:
		return Extracted{}, wrap(sabia.EUNPROCESSABLE, err, "the Word document %s is corrupt", name)
	}
	title, err := docxTitle(zr)
	if err != nil {
		return Extracted{}, tooDeep(name, err)
	}
	return Extracted{Title: title, Text: text}, nil
}

func tooDeep(name string, err error) error {
	return wrap(sabia.EUNPROCESSABLE, err, "the Word document %s nests XML elements more than %d deep", name, maxXMLDepth)
}

// docxTitle returns dc:title of docProps/core.xml, or "" when there is
// none or it cannot be read. Returns errXMLTooDeep past maxXMLDepth.
func docxTitle(zr *zip.Reader) (string, error) {
	rc, found, err := openPart(zr, "docProps/core.xml", maxMetadataBytes)
	if !found || err != nil {
		return "", nil
	}
	defer rc.Close()
	return coreTitle(rc)
}

// coreTitle decodes the title of a core properties part.
func coreTitle(r io.Reader) (string, error) {
	var core struct {
		Title string `xml:"title"`
	}
	err := xml.NewTokenDecoder(&depthLimited{d: xml.NewDecoder(r)}).Decode(&core)
	if errors.Is(err, errXMLTooDeep) {
		return "", err
	}
	if err != nil {
		return "", nil
	}
	return core.Title, nil
}

// docxText walks the XML of a document part.
func docxText(ctx context.Context, r io.Reader) (string, error) {
	raw := xml.NewDecoder(r)
	raw.Strict = false
	dec := &depthLimited{d: raw}
	var (
		out       blocks
		inText    bool  // inside w:t
		skip      int   // depth inside elements whose text is left out
		tables    []int // per open table row: cells seen so far
		para      paraState
		paraDepth int // w:p nesting (text boxes hold paragraphs inside runs)
		tokens    int
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		if tokens++; tokens%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return "", err
			}
			if out.full() {
				return "", errTooMuchText
			}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if skip > 0 {
				skip++
				continue
			}
			switch t.Name.Local {
			case "delText", "instrText", "Fallback", "del", "moveFrom", "rPrChange", "pPrChange":
				skip = 1
			case "p":
				paraDepth++
				if paraDepth == 1 {
					para = paraState{}
				}
			case "pStyle":
				style := strings.ToLower(attr(t, "val"))
				if style == "title" || strings.HasPrefix(style, "heading") || strings.HasPrefix(style, "ttulo") || strings.HasPrefix(style, "titulo") {
					para.heading = true
				}
			case "outlineLvl":
				para.heading = attr(t, "val") != "9" // level 9 is body text
			case "numPr":
				para.list = true
			case "t":
				inText = true
				para.open(&out, len(tables) > 0)
			case "tab", "ptab":
				if paraDepth > 0 {
					out.text(" ")
				}
			case "br", "cr":
				if attr(t, "type") == "page" {
					out.paragraph()
				} else {
					out.line()
				}
			case "noBreakHyphen":
				para.open(&out, len(tables) > 0)
				out.text("-")
			case "sym":
				para.open(&out, len(tables) > 0)
			case "tbl":
				out.paragraph()
			case "tr":
				out.line()
				tables = append(tables, 0)
			case "tc":
				if k := len(tables); k > 0 {
					if tables[k-1] > 0 {
						out.cell()
					}
					tables[k-1]++
				}
			}
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				paraDepth--
				if paraDepth == 0 {
					para.close(&out, len(tables) > 0)
				}
			case "tc":
				// Paragraphs inside a cell stay on the row's line.
			case "tr":
				if len(tables) > 0 {
					tables = tables[:len(tables)-1]
				}
				out.line()
			case "tbl":
				out.paragraph()
			}
		case xml.CharData:
			if inText && skip == 0 {
				out.text(string(t))
			}
		}
	}
	if out.full() {
		return "", errTooMuchText
	}
	return out.String(), nil
}

// paraState is what is known of the paragraph being read.
type paraState struct {
	heading, list bool
	opened        bool
}

// open starts the paragraph's text on the right kind of line, once.
func (p *paraState) open(out *blocks, inTable bool) {
	if p.opened {
		return
	}
	p.opened = true
	if inTable {
		out.text(" ") // paragraphs of a cell share its line
		return
	}
	p.separate(out)
}

// close ends the paragraph.
func (p *paraState) close(out *blocks, inTable bool) {
	if p.opened && !inTable {
		p.separate(out)
	}
}

// separate sets a paragraph apart: list items by a line break, headings
// and others by a blank line.
func (p *paraState) separate(out *blocks) {
	if p.list && !p.heading {
		out.line()
	} else {
		out.paragraph()
	}
}

func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
