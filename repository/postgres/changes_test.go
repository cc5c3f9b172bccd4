package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/weni-ai/sabia/content"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/postgres"
)

// TestListen: a Store hears the committed changes of another Store on the
// same database, never its own nor those of a rolled-back write, and after
// its connection is cut it reconnects and reports ChangeLost.
func TestListen(t *testing.T) {
	dsn := newDatabase(t)
	writer, listener := open(t, dsn), open(t, dsn)
	createRepository(t, writer)("r1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	heard := make(chan postgres.Change, 16)
	errs := make(chan error, 16)
	if err := listener.Listen(ctx, func(c postgres.Change) { heard <- c }, func(err error) { errs <- err }); err != nil {
		t.Fatal(err)
	}
	next := func(what string) postgres.Change {
		t.Helper()
		select {
		case c := <-heard:
			c.Origin = ""
			return c
		case <-time.After(20 * time.Second):
			t.Fatalf("no change heard: %s", what)
		}
		return postgres.Change{}
	}
	at := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)

	// The listener's own write is not reported to itself.
	r, err := listener.FindRepository(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	r.Threshold = 0.5
	if err := listener.UpdateRepository(ctx, &r); err != nil {
		t.Fatal(err)
	}
	// A failed write sends nothing: the model's version does not exist.
	if err := writer.SaveModel(ctx, &repository.Model{RepositoryUUID: "r1", VersionID: 9999, Language: "pt_br", TrainedAt: at}); err == nil {
		t.Fatal("SaveModel on a missing version: no error")
	}
	v, err := writer.DefaultVersion(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	m := repository.Model{RepositoryUUID: "r1", VersionID: v.ID, Language: "pt_br", Data: []byte{1}, TrainedAt: at}
	if err := writer.SaveModel(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if c := next("model"); c != (postgres.Change{Kind: postgres.ChangeModel, Repository: "r1", Version: v.ID, Language: "pt_br", Model: m.ID}) {
		t.Errorf("model change = %+v", c)
	}
	d := content.Document{RepositoryUUID: "r1", Title: "FAQ", Text: "Entregamos em todo o Brasil.", Chars: 28, CreatedAt: at}
	if err := writer.CreateDocument(ctx, &d, nil); err != nil {
		t.Fatal(err)
	}
	if c := next("document"); c != (postgres.Change{Kind: postgres.ChangeDocuments, Repository: "r1"}) {
		t.Errorf("document change = %+v", c)
	}

	// Versions: a new version that is not the default sends nothing; one
	// made the default, a rename and a deletion send ChangeVersions.
	quiet := repository.Version{RepositoryUUID: "r1", Name: "rascunho", CreatedAt: at}
	if err := writer.CreateVersion(ctx, &quiet, v.ID); err != nil {
		t.Fatal(err)
	}
	clone := repository.Version{RepositoryUUID: "r1", Name: "natal", IsDefault: true, CreatedAt: at}
	if err := writer.CreateVersion(ctx, &clone, v.ID); err != nil {
		t.Fatal(err)
	}
	versions := postgres.Change{Kind: postgres.ChangeVersions, Repository: "r1"}
	if c := next("new default version"); c != versions {
		t.Errorf("new default version = %+v", c)
	}
	v.IsDefault = true
	if err := writer.UpdateVersion(ctx, &v); err != nil {
		t.Fatal(err)
	}
	if c := next("default switched back"); c != versions {
		t.Errorf("default switch = %+v", c)
	}
	clone.Name, clone.IsDefault = "natal-2026", false // no longer the default
	if err := writer.UpdateVersion(ctx, &clone); err != nil {
		t.Fatal(err)
	}
	if c := next("rename"); c != versions {
		t.Errorf("rename = %+v", c)
	}
	if err := writer.DeleteVersion(ctx, v.ID); err == nil {
		t.Fatal("deleting the default version: no error")
	}
	if err := writer.DeleteVersion(ctx, clone.ID); err != nil {
		t.Fatal(err)
	}
	if c, want := next("version deletion"), (postgres.Change{Kind: postgres.ChangeVersions, Repository: "r1", Version: clone.ID}); c != want {
		t.Errorf("version deletion = %+v, want %+v", c, want)
	}

	if err := writer.DeleteRepository(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	if c := next("deletion"); c != (postgres.Change{Kind: postgres.ChangeRepositoryDeleted, Repository: "r1"}) {
		t.Errorf("deletion = %+v", c)
	}

	// Cut the listening connection: the listener reconnects and says that
	// it may have missed changes.
	if _, err := writer.DB().ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
WHERE datname = current_database() AND query LIKE 'LISTEN%'`); err != nil {
		t.Fatal(err)
	}
	select {
	case <-errs:
	case <-time.After(20 * time.Second):
		t.Fatal("the cut connection was not reported")
	}
	if c := next("reconnection"); c.Kind != postgres.ChangeLost {
		t.Errorf("after reconnecting = %+v, want ChangeLost", c)
	}
	select {
	case c := <-heard:
		t.Errorf("unexpected change %+v", c)
	default:
	}
}

// TestListenThroughQuietSpells: a listener that pings the server between
// waits (a quiet connection is probed, not taken for a dead one) still hears
// changes after many probes, and a revoked token is announced.
func TestListenThroughQuietSpells(t *testing.T) {
	defer postgres.SetListenProbe(20 * time.Millisecond)()
	dsn := newDatabase(t)
	writer, listener := open(t, dsn), open(t, dsn)
	createRepository(t, writer)("r1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	heard := make(chan postgres.Change, 4)
	errs := make(chan error, 4)
	if err := listener.Listen(ctx, func(c postgres.Change) { heard <- c }, func(err error) { errs <- err }); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // about 15 probes
	tok := repository.Token{ID: "tok-1", RepositoryUUID: "r1", Name: "fluxo", Role: repository.RoleUser,
		CreatedAt: time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)}
	if err := writer.CreateToken(ctx, &tok, repository.HashSecret("sabia_segredo")); err != nil {
		t.Fatal(err)
	}
	if err := writer.RevokeToken(ctx, tok.ID, tok.CreatedAt.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-heard:
		if c.Kind != postgres.ChangeToken || c.Token != tok.ID {
			t.Errorf("heard %+v, want the revocation of %s", c, tok.ID)
		}
	case err := <-errs:
		t.Fatalf("the listener failed: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the revocation was not heard")
	}
	select {
	case err := <-errs:
		t.Errorf("the quiet connection was reported broken: %v", err)
	default:
	}
}
