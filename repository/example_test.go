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
