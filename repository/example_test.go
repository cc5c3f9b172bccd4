package repository_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlite"
)

// A batch is stored whole or not at all; errors name the failing item by
// its index from 0.
func ExampleService_AddExamples() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "sabia")
	defer os.RemoveAll(dir)
	store, _ := sqlite.Open(ctx, filepath.Join(dir, "sabia.db"))
	defer store.Close()
	svc := repository.NewService(store, nil)

	r, _ := svc.CreateRepository(ctx, repository.RepositoryInput{Name: "Banco", Language: "pt-BR", Languages: []string{"es"}})
	_, err := svc.AddExamples(ctx, r.UUID, []repository.ExampleInput{
		{Text: "qro a 2ª via do boleto", Intent: "segunda_via", Entities: []nlu.Span{{Start: 16, End: 22, Entity: "documento"}}},
		{Text: "cancelar mi suscripción", Intent: "cancelar", Language: "es", Entities: []nlu.Span{{Start: 12, End: 40, Entity: "produto"}}},
	})
	fmt.Println(sabia.ErrorCode(err), sabia.ErrorMessage(err))

	added, _ := svc.AddExamples(ctx, r.UUID, []repository.ExampleInput{
		{Text: " qro a 2ª via do boleto ", Intent: "segunda_via", Entities: []nlu.Span{{Start: 17, End: 23, Entity: "documento"}}},
	})
	fmt.Printf("%q %v\n", added[0].Text, added[0].Entities)
	// Output:
	// invalid example 1: entity end 40 is past the end of the text (23 characters)
	// "qro a 2ª via do boleto" [{16 22 documento }]
}

// Every classification is logged; a maintainer turns a logged text into an
// example (or a test sentence) of the log's version and language, keeping
// the logged intent or correcting it.
func ExampleService_LogToExample() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "sabia")
	defer os.RemoveAll(dir)
	store, _ := sqlite.Open(ctx, filepath.Join(dir, "sabia.db"))
	defer store.Close()
	svc := repository.NewService(store, nil)

	r, _ := svc.CreateRepository(ctx, repository.RepositoryInput{Name: "Banco", Language: "pt-BR"})
	v, _ := svc.FindVersion(ctx, r.UUID, 0)
	log := &repository.Log{RepositoryUUID: r.UUID, VersionID: v.ID, Language: "pt_br", Text: "qro a 2a via do boleto",
		Intent: "pix", Confidence: 0.41, Route: repository.RouteParse}
	_ = svc.InsertLogs(ctx, []*repository.Log{log})

	e, _ := svc.LogToExample(ctx, r.UUID, log.ID, "segunda_via", &[]nlu.Span{{Start: 16, End: 22, Entity: "documento"}})
	fmt.Printf("%q %s %v\n", e.Text, e.Intent, e.Entities)
	_, err := svc.LogToExample(ctx, r.UUID, log.ID, "", nil)
	fmt.Println(sabia.ErrorCode(err), sabia.ErrorMessage(err))
	// Output:
	// "qro a 2a via do boleto" segunda_via [{16 22 documento }]
	// conflict text "qro a 2a via do boleto" already exists in pt_br (example 1)
}
