package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/content"
	"github.com/weni-ai/sabia/content/extract"
	"github.com/weni-ai/sabia/repository"
)

// MaxUploadBytes bounds the body of a document upload: the file
// (extract.MaxFileBytes) plus its form fields and multipart framing.
const MaxUploadBytes = extract.MaxFileBytes + maxUploadFieldBytes*4 + 64<<10

// maxUploadFieldBytes bounds each text field of an upload (a source of
// content.MaxSourceRunes characters fits).
const maxUploadFieldBytes = 4 * content.MaxSourceRunes

// UploadForm documents the multipart/form-data body of a document upload.
type UploadForm struct {
	File     File   `json:"file" doc:"the document: PDF (with a text layer), DOCX, HTML, Markdown or plain text, at most 20 MiB"`
	Title    string `json:"title,omitempty" doc:"default: the document's own title, else the file name"`
	Language string `json:"language,omitempty"`
	Source   string `json:"source,omitempty" doc:"default: the file name"`
}

// UploadResponse is the document created from an uploaded file, without
// its text.
type UploadResponse struct {
	content.Document
	// Format is how the file was read: pdf, docx, html, markdown or text.
	Format string `json:"format"`
	// ExtractedChars is how many characters of text the file gave.
	ExtractedChars int `json:"extracted_chars"`
}

func (s *Server) uploadRoute() {
	s.handle(route{Method: http.MethodPost, Pattern: "/v1/repositories/{uuid}/documents/upload",
		Summary: "Add a document from a file (multipart/form-data: file, and optional title, language, source): PDF with a text layer, DOCX, HTML, Markdown or plain text, at most 20 MiB; its text is extracted, split into passages and embedded",
		Tag:     "content", Auth: authAny, Multipart: UploadForm{}, Response: UploadResponse{}, Status: http.StatusCreated},
		func(w http.ResponseWriter, r *http.Request) {
			resp, err := s.uploadDocument(w, r)
			if err != nil {
				writeError(w, r, err)
				return
			}
			writeJSON(w, http.StatusCreated, resp)
		})
}

// uploadDocument reads the multipart body, extracts the file's text and
// adds it as a document.
func (s *Server) uploadDocument(w http.ResponseWriter, r *http.Request) (UploadResponse, error) {
	uuid, err := scoped(r, repository.RoleContributor)
	if err != nil {
		return UploadResponse{}, err
	}
	c, err := s.contentService()
	if err != nil {
		return UploadResponse{}, err
	}
	if _, err := s.repos.FindRepository(r.Context(), uuid); err != nil {
		return UploadResponse{}, err
	}
	form, err := readUpload(w, r)
	if err != nil {
		return UploadResponse{}, err
	}
	ex, err := extract.Text(r.Context(), form.filename, form.contentType, bytes.NewReader(form.file))
	if err != nil {
		return UploadResponse{}, fmt.Errorf("extracting the text of an upload: %w", err)
	}
	in := content.DocumentInput{Title: form.fields["title"], Text: ex.Text, Source: form.fields["source"], Language: form.fields["language"]}
	if strings.TrimSpace(in.Title) == "" {
		in.Title = ex.Title
	}
	if strings.TrimSpace(in.Source) == "" {
		in.Source = form.filename
	}
	d, err := c.AddDocument(r.Context(), uuid, in)
	if err != nil {
		return UploadResponse{}, err
	}
	d.Text = ""
	return UploadResponse{Document: d, Format: string(ex.Format), ExtractedChars: utf8.RuneCountInString(ex.Text)}, nil
}

// upload is a read multipart body.
type upload struct {
	file                  []byte
	filename, contentType string
	fields                map[string]string
}

// readUpload reads a multipart/form-data body of at most MaxUploadBytes:
// one file part named "file" and the optional fields title, language and
// source. Returns EINVALID for another body, a missing file, an unknown or
// repeated part, and ETOOLARGE past the limits.
func readUpload(w http.ResponseWriter, r *http.Request) (upload, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return upload{}, sabia.Errorf(sabia.EINVALID, "send the file as multipart/form-data with a part named \"file\" (curl -F file=@faq.pdf)")
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return upload{}, sabia.Errorf(sabia.EINVALID, "malformed multipart body: %v", err)
	}
	up := upload{fields: map[string]string{}}
	seenFile := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return upload{}, uploadReadError(err)
		}
		name := part.FormName()
		switch name {
		case "file":
			if seenFile {
				return upload{}, sabia.Errorf(sabia.EINVALID, "send one file per upload")
			}
			seenFile = true
			up.filename, up.contentType = part.FileName(), part.Header.Get("Content-Type")
			up.file, err = io.ReadAll(io.LimitReader(part, extract.MaxFileBytes+1))
			if err != nil {
				return upload{}, uploadReadError(err)
			}
			if len(up.file) > extract.MaxFileBytes {
				return upload{}, sabia.Errorf(sabia.ETOOLARGE, "the file %q is larger than %d MiB", up.filename, extract.MaxFileBytes>>20)
			}
		case "title", "language", "source":
			if _, ok := up.fields[name]; ok {
				return upload{}, sabia.Errorf(sabia.EINVALID, "form field %q is repeated", name)
			}
			v, err := io.ReadAll(io.LimitReader(part, maxUploadFieldBytes+1))
			if err != nil {
				return upload{}, uploadReadError(err)
			}
			if len(v) > maxUploadFieldBytes {
				return upload{}, sabia.Errorf(sabia.ETOOLARGE, "form field %q is longer than %d bytes", name, maxUploadFieldBytes)
			}
			if !utf8.Valid(v) {
				return upload{}, sabia.Errorf(sabia.EINVALID, "form field %q is not valid UTF-8", name)
			}
			up.fields[name] = strings.TrimSpace(string(v))
		default:
			return upload{}, sabia.Errorf(sabia.EINVALID, "unknown form field %q: send file, and optionally title, language and source", name)
		}
		_ = part.Close()
	}
	if !seenFile {
		return upload{}, sabia.Errorf(sabia.EINVALID, "the form has no part named \"file\"")
	}
	return up, nil
}

func uploadReadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return sabia.Errorf(sabia.ETOOLARGE, "the upload is larger than %d MiB", extract.MaxFileBytes>>20)
	}
	e := sabia.Errorf(sabia.EINVALID, "could not read the multipart body")
	e.Err = err
	return e
}
