package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/datasets"
	"github.com/weni-ai/sabia/repository"
)

// MaxImportBytes bounds an import's body: a file of up to
// repository.MaxImport examples.
const MaxImportBytes = 32 << 20

func (s *Server) importExportRoutes() {
	const base = "/v1/repositories/{uuid}"
	s.handle(route{Method: http.MethodPost, Pattern: base + "/import",
		Summary: "Import examples from a file sent as the raw body (query: format jsonl, rasa, csv, bothub, luis or dialogflow; language; version): all or none; texts already there or repeated are skipped and counted; a Bothub file's translations become translations of their examples",
		Tag:     "examples", Auth: authAny, Response: repository.ImportResult{}},
		func(w http.ResponseWriter, r *http.Request) {
			res, err := s.importFile(r)
			if err != nil {
				writeError(w, r, err)
				return
			}
			writeJSON(w, http.StatusOK, res)
		})
	s.handle(route{Method: http.MethodGet, Pattern: base + "/export",
		Summary: "Export a version's examples of one language as a file to download (query: format jsonl, rasa, csv, bothub, luis or dialogflow; language, default the main one; version); bothub nests each example's translations",
		Tag:     "examples", Auth: authAny},
		func(w http.ResponseWriter, r *http.Request) {
			uuid, v, lang, err := scopedVersion(r, repository.RoleUser)
			if err == nil {
				err = s.exportFile(w, r, uuid, v, lang)
			}
			if err != nil {
				writeError(w, r, err)
			}
		})
}

func (s *Server) importFile(r *http.Request) (repository.ImportResult, error) {
	uuid, v, lang, err := scopedVersion(r, repository.RoleContributor)
	if err != nil {
		return repository.ImportResult{}, err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		return repository.ImportResult{}, sabia.Errorf(sabia.EINVALID, "query parameter \"format\" is required: one of %s", strings.Join(datasets.Formats, ", "))
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxImportBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return repository.ImportResult{}, sabia.Errorf(sabia.ETOOLARGE, "the file is larger than %d bytes", MaxImportBytes)
		}
		return repository.ImportResult{}, sabia.Errorf(sabia.EINVALID, "could not read the file")
	}
	exs, trs, err := datasets.DecodeTranslated(format, bytes.NewReader(body))
	if err != nil {
		return repository.ImportResult{}, err
	}
	var in [][]repository.TranslationInput
	for _, ts := range trs {
		list := make([]repository.TranslationInput, len(ts))
		for j, t := range ts {
			list[j] = repository.TranslationInput{Language: t.Language, Text: t.Text, Entities: t.Entities}
		}
		in = append(in, list)
	}
	return s.repos.ImportExamples(r.Context(), uuid, v, lang, exs, in)
}

func (s *Server) exportFile(w http.ResponseWriter, r *http.Request, uuid string, version int64, lang string) error {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "jsonl"
	}
	ext := datasets.FileExtension(format)
	if ext == "" {
		return sabia.Errorf(sabia.EINVALID, "unknown format %q: one of %s", format, strings.Join(datasets.Formats, ", "))
	}
	repo, err := s.repos.FindRepository(r.Context(), uuid)
	if err != nil {
		return err
	}
	if lang == "" {
		lang = repo.Language
	}
	exs, trs, err := s.repos.ExportExamples(r.Context(), uuid, version, lang)
	if err != nil {
		return err
	}
	out := make([][]datasets.Translation, len(trs))
	for i, ts := range trs {
		for _, t := range ts {
			out[i] = append(out[i], datasets.Translation{Language: t.Language, Text: t.Text, Entities: t.Entities})
		}
	}
	var buf bytes.Buffer
	if err := datasets.EncodeTranslated(format, &buf, lang, exs, out); err != nil {
		return fmt.Errorf("exporting %s: %w", uuid, err)
	}
	w.Header().Set("Content-Type", datasets.ContentType(format))
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fileName(repo.Name)+"-"+lang+"."+ext))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// fileName keeps the letters and digits of a name for a download's file
// name ("Loja do Zé" → "Loja-do-Zé").
func fileName(name string) string {
	f := strings.FieldsFunc(name, func(r rune) bool {
		return !(r == '-' || r == '_' || ('0' <= r && r <= '9') || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || r > 127)
	})
	if len(f) == 0 {
		return "examples"
	}
	return strings.Join(f, "-")
}
