package storetest

import (
	"fmt"
	"testing"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

// on returns the fixture with version v in place of the default one, so
// that its builders make things of v.
func (f fixture) on(v repository.Version) fixture { return fixture{repo: f.repo, version: v} }

// newVersion creates a version of the fixture's repository named name,
// copied from version from (0: empty).
func (f fixture) newVersion(t *testing.T, s repository.Store, name string, isDefault bool, from int64) repository.Version {
	t.Helper()
	v := repository.Version{RepositoryUUID: f.repo.UUID, Name: name, IsDefault: isDefault, CreatedAt: at(10)}
	noErr(t, s.CreateVersion(t.Context(), &v, from))
	if v.ID == 0 {
		t.Fatalf("CreateVersion left ID 0: %+v", v)
	}
	return v
}

// defaults returns the names of a repository's default versions (there
// must always be exactly one).
func defaults(t *testing.T, s repository.Store, repoUUID string) []string {
	t.Helper()
	list, err := s.ListVersions(t.Context(), repoUUID)
	noErr(t, err)
	out := []string{}
	for _, v := range list {
		if v.IsDefault {
			out = append(out, v.Name)
		}
	}
	return out
}

func versionNames(t *testing.T, s repository.Store, repoUUID string) []string {
	t.Helper()
	list, err := s.ListVersions(t.Context(), repoUUID)
	noErr(t, err)
	out := []string{}
	for _, v := range list {
		out = append(out, v.Name)
	}
	return out
}

func testCreateVersion(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	other := newRepo(t, s, "r2", t0)
	f.add(t, s, f.example("pt_br", "boleto", "qro a 2ª via do boleto"))

	empty := f.newVersion(t, s, "natal-2025", false, 0)
	got, err := s.FindVersion(ctx, empty.ID)
	noErr(t, err)
	sameTime(t, "CreatedAt", got.CreatedAt, at(10))
	equal(t, "version", got, empty)
	equal(t, "versions", versionNames(t, s, "r1"), []string{"master", "natal-2025"})
	equal(t, "defaults", defaults(t, s, "r1"), []string{"master"})
	equal(t, "examples of an empty version", countExamples(t, s, repository.ExampleFilter{VersionID: empty.ID}), 0)
	equal(t, "revision of an empty version", revision(t, s, empty.ID, "pt_br"), int64(0))

	// The same name in another repository is another version.
	other.newVersion(t, s, "natal-2025", false, 0)

	tests := []struct {
		name string
		v    repository.Version
		from int64
		code string
	}{
		{"name taken", repository.Version{RepositoryUUID: "r1", Name: "natal-2025", IsDefault: true, CreatedAt: at(11)}, 0, sabia.ECONFLICT},
		{"name taken, copying", repository.Version{RepositoryUUID: "r1", Name: "master", CreatedAt: at(11)}, f.version.ID, sabia.ECONFLICT},
		{"missing repository", repository.Version{RepositoryUUID: "missing", Name: "v2", CreatedAt: at(11)}, 0, sabia.ENOTFOUND},
		{"from another repository", repository.Version{RepositoryUUID: "r1", Name: "v2", IsDefault: true, CreatedAt: at(11)}, other.version.ID, sabia.ENOTFOUND},
		{"from a missing version", repository.Version{RepositoryUUID: "r1", Name: "v2", CreatedAt: at(11)}, empty.ID + 1000, sabia.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.v
			wantCode(t, s.CreateVersion(ctx, &v, tt.from), tt.code, "")
			// Nothing changed: no new version, the same default.
			equal(t, "versions", versionNames(t, s, "r1"), []string{"master", "natal-2025"})
			equal(t, "defaults", defaults(t, s, "r1"), []string{"master"})
			equal(t, "examples of r1", countExamples(t, s, repository.ExampleFilter{RepositoryUUID: "r1"}), 1)
		})
	}

	// A new default version takes over from the old one at once.
	def := f.newVersion(t, s, "v2", true, 0)
	equal(t, "defaults", defaults(t, s, "r1"), []string{"v2"})
	got, err = s.DefaultVersion(ctx, "r1")
	noErr(t, err)
	equal(t, "default version", got.ID, def.ID)
	equal(t, "defaults of r2", defaults(t, s, "r2"), []string{"master"})
}

func testCopyVersion(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es", "en")
	cancel := f.example("pt_br", "cancelar", "cancela aí pfv")
	f.add(t, s,
		f.example("pt_br", "segunda_via", "qro a 2ª via do boleto", span(8, 11, "documento", "tipo"), span(16, 22, "documento", "")),
		cancel,
		f.example("es", "cancelar", "cancelá mi suscripción porfa", span(11, 22, "producto", "")),
	)
	f.add(t, s, f.translation(cancel, "es", "cancelalo porfa"))
	f.addTests(t, s,
		f.sentence("pt_br", "segunda_via", "manda o boleto de novo", span(8, 14, "documento", "")),
		f.sentence("es", "cancelar", "quiero dar de baja el plan"),
	)
	m := f.model(t, s, "pt_br")
	j := repository.Job{ID: "job-r1", Kind: repository.JobTrain, RepositoryUUID: "r1", VersionID: f.version.ID,
		Language: "pt_br", Status: repository.JobSucceeded, ModelID: m.ID, CreatedAt: t0}
	noErr(t, s.CreateJob(ctx, &j))
	noErr(t, s.SaveEvaluation(ctx, f.evaluation("pt_br", repository.EvaluationTestSet, m.ID, t0), []byte(`{}`),
		[]repository.EvaluationResult{result(0, "manda o boleto de novo", "segunda_via", "segunda_via", 0.9)}))
	noErr(t, s.InsertLogs(ctx, []*repository.Log{f.log("pt_br", "segunda_via", "2 via pfv", 0.9, t0)}))
	srcRev := revision(t, s, f.version.ID, "pt_br")

	clone := f.newVersion(t, s, "teste-natal", false, f.version.ID)
	c := f.on(clone)
	equal(t, "defaults", defaults(t, s, "r1"), []string{"master"})

	// The examples and test sentences are copied with their spans, under
	// new IDs, dated at the version's creation.
	srcEx, _, err := s.ListExamples(ctx, repository.ExampleFilter{VersionID: f.version.ID})
	noErr(t, err)
	cloneEx, _, err := s.ListExamples(ctx, repository.ExampleFilter{VersionID: clone.ID})
	noErr(t, err)
	srcTests, _, err := s.ListTestSentences(ctx, repository.TestSentenceFilter{VersionID: f.version.ID})
	noErr(t, err)
	cloneTests, _, err := s.ListTestSentences(ctx, repository.TestSentenceFilter{VersionID: clone.ID})
	noErr(t, err)
	if len(cloneEx) != 4 || len(cloneTests) != 2 {
		t.Fatalf("copied %d examples and %d test sentences, want 4 and 2", len(cloneEx), len(cloneTests))
	}
	// A copied translation translates the copy of its original.
	equal(t, "source translation", srcEx[3].TranslatedFrom, srcEx[1].ID)
	equal(t, "copied translation", cloneEx[3].TranslatedFrom, cloneEx[1].ID)
	equal(t, "copied original", cloneEx[1].TranslatedFrom, int64(0))
	check := func(what string, src, got repository.Example) {
		t.Helper()
		if got.ID == src.ID || got.VersionID != clone.ID || got.RepositoryUUID != "r1" {
			t.Fatalf("%s copy = %+v, want a new ID in version %d", what, got, clone.ID)
		}
		sameTime(t, what+" CreatedAt", got.CreatedAt, clone.CreatedAt)
		sameTime(t, what+" UpdatedAt", got.UpdatedAt, clone.CreatedAt)
		equal(t, what, []any{got.Text, got.Language, got.Intent, got.Entities}, []any{src.Text, src.Language, src.Intent, src.Entities})
	}
	for i := range srcEx {
		check("example", srcEx[i], cloneEx[i])
	}
	for i := range srcTests {
		check("test sentence", repository.Example(srcTests[i]), repository.Example(cloneTests[i]))
	}
	for _, lang := range []string{"pt_br", "es"} {
		srcSet, _, err := s.TrainingSet(ctx, f.version.ID, lang)
		noErr(t, err)
		set, rev, err := s.TrainingSet(ctx, clone.ID, lang)
		noErr(t, err)
		equal(t, "training set of "+lang, set, srcSet)
		// The copy needs training: its revision moved past 0.
		equal(t, "revision of "+lang, rev, int64(1))
		srcTestSet, err := s.TestSet(ctx, f.version.ID, lang)
		noErr(t, err)
		testSet, err := s.TestSet(ctx, clone.ID, lang)
		noErr(t, err)
		equal(t, "test set of "+lang, testSet, srcTestSet)
	}
	equal(t, "revision of a language without examples", revision(t, s, clone.ID, "en"), int64(0))
	intents, err := s.ListIntents(ctx, clone.ID, "")
	noErr(t, err)
	equal(t, "intents", intents, []repository.IntentSummary{intentSum("cancelar", 3), intentSum("segunda_via", 1)})

	// Models, jobs, evaluations and logs stay with the original.
	_, err = s.LatestModelInfo(ctx, "r1", clone.ID, "pt_br")
	wantCode(t, err, sabia.ENOTFOUND, "")
	jobs, err := s.ListJobs(ctx, repository.JobFilter{VersionID: clone.ID})
	noErr(t, err)
	equal(t, "jobs of the copy", len(jobs), 0)
	equal(t, "evaluations of the copy", countEvaluations(t, s, repository.EvaluationFilter{VersionID: clone.ID}), 0)
	equal(t, "logs of the copy", countLogs(t, s, repository.LogFilter{VersionID: clone.ID}), 0)

	// The two versions live apart from now on.
	noErr(t, s.DeleteExample(ctx, cloneEx[0].ID))
	c.add(t, s, c.example("pt_br", "saudacao", "oii, td bem?"))
	equal(t, "examples of the original", countExamples(t, s, repository.ExampleFilter{VersionID: f.version.ID}), 4)
	equal(t, "revision of the original", revision(t, s, f.version.ID, "pt_br"), srcRev)
	_, err = s.RenameIntent(ctx, clone.ID, "cancelar", "cancelamento", at(20))
	noErr(t, err)
	srcIntents, err := s.ListIntents(ctx, f.version.ID, "")
	noErr(t, err)
	equal(t, "intents of the original", srcIntents, []repository.IntentSummary{intentSum("cancelar", 3), intentSum("segunda_via", 1)})

	// A copy of the copy, made the default: the old default steps down.
	third := c.newVersion(t, s, "v3", true, clone.ID)
	equal(t, "defaults", defaults(t, s, "r1"), []string{"v3"})
	equal(t, "examples of the copy of the copy", countExamples(t, s, repository.ExampleFilter{VersionID: third.ID}), 4)

	// Copying an empty version copies nothing and bumps nothing.
	empty := f.newVersion(t, s, "vazia", false, 0)
	fromEmpty := f.newVersion(t, s, "vazia-2", false, empty.ID)
	equal(t, "examples copied from an empty version", countExamples(t, s, repository.ExampleFilter{VersionID: fromEmpty.ID}), 0)
	equal(t, "revision copied from an empty version", revision(t, s, fromEmpty.ID, "pt_br"), int64(0))
}

func testUpdateVersion(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0)
	newRepo(t, s, "r2", t0)
	v2 := f.newVersion(t, s, "v2", false, 0)

	// A rename; the other fields come back from the store.
	u := repository.Version{ID: v2.ID, Name: "black-friday"}
	noErr(t, s.UpdateVersion(ctx, &u))
	sameTime(t, "CreatedAt", u.CreatedAt, v2.CreatedAt)
	equal(t, "renamed", u, repository.Version{ID: v2.ID, RepositoryUUID: "r1", Name: "black-friday", CreatedAt: u.CreatedAt})
	got, err := s.FindVersion(ctx, v2.ID)
	noErr(t, err)
	equal(t, "stored", got, u)

	tests := []struct {
		name string
		v    repository.Version
		code string
	}{
		{"name of another version", repository.Version{ID: v2.ID, Name: "master", IsDefault: true}, sabia.ECONFLICT},
		{"missing", repository.Version{ID: v2.ID + 1000, Name: "x", IsDefault: true}, sabia.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.v
			wantCode(t, s.UpdateVersion(ctx, &v), tt.code, "")
			equal(t, "versions", versionNames(t, s, "r1"), []string{"master", "black-friday"})
			equal(t, "defaults", defaults(t, s, "r1"), []string{"master"})
		})
	}

	// Making a version the default unsets the other, in the repository
	// alone.
	u = repository.Version{ID: v2.ID, Name: "black-friday", IsDefault: true}
	noErr(t, s.UpdateVersion(ctx, &u))
	equal(t, "defaults", defaults(t, s, "r1"), []string{"black-friday"})
	equal(t, "defaults of r2", defaults(t, s, "r2"), []string{"master"})
	def, err := s.DefaultVersion(ctx, "r1")
	noErr(t, err)
	equal(t, "default", def.ID, v2.ID)

	// IsDefault false never leaves a repository without a default.
	u = repository.Version{ID: v2.ID, Name: "bf-2025", IsDefault: false}
	noErr(t, s.UpdateVersion(ctx, &u))
	equal(t, "still default", u.IsDefault, true)
	equal(t, "defaults after un-defaulting", defaults(t, s, "r1"), []string{"bf-2025"})

	// Making the default the default again changes nothing.
	u = repository.Version{ID: v2.ID, Name: "bf-2025", IsDefault: true}
	noErr(t, s.UpdateVersion(ctx, &u))
	equal(t, "defaults after a no-op", defaults(t, s, "r1"), []string{"bf-2025"})

	// And back to the first.
	u = repository.Version{ID: f.version.ID, Name: "master", IsDefault: true}
	noErr(t, s.UpdateVersion(ctx, &u))
	equal(t, "defaults switched back", defaults(t, s, "r1"), []string{"master"})
}

func testDeleteVersion(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	doomed := f.on(f.newVersion(t, s, "rascunho", false, 0))
	for _, x := range []fixture{f, doomed} {
		x.add(t, s, x.example("pt_br", "segunda_via", "qro a 2ª via do boleto", span(16, 22, "documento", "")))
		x.addTests(t, s, x.sentence("es", "cancelar", "cancelá todo porfa"))
		m := x.model(t, s, "pt_br")
		j := repository.Job{ID: "job-" + x.version.Name, Kind: repository.JobTrain, RepositoryUUID: "r1", VersionID: x.version.ID,
			Language: "pt_br", Status: repository.JobSucceeded, ModelID: m.ID, CreatedAt: t0}
		noErr(t, s.CreateJob(ctx, &j))
		noErr(t, s.SaveEvaluation(ctx, x.evaluation("pt_br", repository.EvaluationTestSet, m.ID, t0), []byte(`{}`),
			[]repository.EvaluationResult{result(0, "manda o boleto", "segunda_via", "segunda_via", 0.9)}))
		noErr(t, s.InsertLogs(ctx, []*repository.Log{x.log("pt_br", "segunda_via", "2 via pfv", 0.9, t0)}))
	}
	ex, _, err := s.ListExamples(ctx, repository.ExampleFilter{VersionID: doomed.version.ID})
	noErr(t, err)
	ts, _, err := s.ListTestSentences(ctx, repository.TestSentenceFilter{VersionID: doomed.version.ID})
	noErr(t, err)
	evs, _, err := s.ListEvaluations(ctx, repository.EvaluationFilter{VersionID: doomed.version.ID})
	noErr(t, err)
	logs, _, err := s.ListLogs(ctx, repository.LogFilter{VersionID: doomed.version.ID})
	noErr(t, err)

	wantCode(t, s.DeleteVersion(ctx, f.version.ID), sabia.EINVALID, "default")
	wantCode(t, s.DeleteVersion(ctx, doomed.version.ID+1000), sabia.ENOTFOUND, "")
	equal(t, "versions after refusals", versionNames(t, s, "r1"), []string{"master", "rascunho"})

	noErr(t, s.DeleteVersion(ctx, doomed.version.ID))
	wantCode(t, s.DeleteVersion(ctx, doomed.version.ID), sabia.ENOTFOUND, "")
	_, err = s.FindVersion(ctx, doomed.version.ID)
	wantCode(t, err, sabia.ENOTFOUND, "")
	equal(t, "versions", versionNames(t, s, "r1"), []string{"master"})
	_, err = s.FindExample(ctx, ex[0].ID)
	wantCode(t, err, sabia.ENOTFOUND, "")
	_, err = s.FindTestSentence(ctx, ts[0].ID)
	wantCode(t, err, sabia.ENOTFOUND, "")
	_, err = s.Revision(ctx, doomed.version.ID, "pt_br")
	wantCode(t, err, sabia.ENOTFOUND, "")
	_, err = s.LatestModelInfo(ctx, "r1", doomed.version.ID, "pt_br")
	wantCode(t, err, sabia.ENOTFOUND, "")
	_, err = s.FindJob(ctx, "job-rascunho")
	wantCode(t, err, sabia.ENOTFOUND, "")
	_, _, err = s.FindEvaluation(ctx, evs[0].ID)
	wantCode(t, err, sabia.ENOTFOUND, "")
	_, err = s.FindLog(ctx, logs[0].ID)
	wantCode(t, err, sabia.ENOTFOUND, "")

	// The default version is whole.
	equal(t, "examples of master", countExamples(t, s, repository.ExampleFilter{VersionID: f.version.ID}), 1)
	equal(t, "test sentences of master", countTests(t, s, repository.TestSentenceFilter{VersionID: f.version.ID}), 1)
	equal(t, "revision of master", revision(t, s, f.version.ID, "pt_br"), int64(1))
	_, err = s.LatestModelInfo(ctx, "r1", f.version.ID, "pt_br")
	noErr(t, err)
	_, err = s.FindJob(ctx, "job-master")
	noErr(t, err)
	equal(t, "evaluations of master", countEvaluations(t, s, repository.EvaluationFilter{VersionID: f.version.ID}), 1)
	equal(t, "logs of master", countLogs(t, s, repository.LogFilter{VersionID: f.version.ID}), 1)
	ents, err := s.ListEntities(ctx, f.version.ID, "")
	noErr(t, err)
	equal(t, "entities of master", ents, []repository.EntitySummary{entitySum("documento", "", 1)})

	// A version that was the default can go once another took over.
	next := f.newVersion(t, s, "v2", true, f.version.ID)
	noErr(t, s.DeleteVersion(ctx, f.version.ID))
	equal(t, "versions after deleting the old default", versionNames(t, s, "r1"), []string{"v2"})
	equal(t, "defaults", defaults(t, s, "r1"), []string{"v2"})
	set, _, err := s.TrainingSet(ctx, next.ID, "pt_br")
	noErr(t, err)
	equal(t, "training set of the survivor", set, []nlu.Example{{Text: "qro a 2ª via do boleto", Intent: "segunda_via",
		Entities: []nlu.Span{span(16, 22, "documento", "")}}})
}

// testVersionIDsNeverReused: a deleted version's ID is never given to
// another version, also when the deleted one was the newest, or went with
// its repository: whatever still names the old ID (a training finishing
// late, a client's version_id) must not land on a new version.
func testVersionIDsNeverReused(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br")
	seen := map[int64]bool{f.version.ID: true}
	fresh := func(what string, id int64) {
		t.Helper()
		if seen[id] {
			t.Fatalf("%s got ID %d, which a deleted version had", what, id)
		}
		seen[id] = true
	}
	newest := f.newVersion(t, s, "natal", false, 0)
	fresh("a version", newest.ID)
	noErr(t, s.DeleteVersion(ctx, newest.ID))
	fresh("the version after deleting the newest", f.newVersion(t, s, "pascoa", false, 0).ID)

	g := newRepo(t, s, "r2", t0, "pt_br")
	fresh("another repository's default version", g.version.ID)
	last := g.newVersion(t, s, "rascunho", false, 0)
	fresh("its second version", last.ID)
	noErr(t, s.DeleteRepository(ctx, "r2"))
	fresh("the version after deleting a repository", f.newVersion(t, s, "carnaval", false, 0).ID)
	fresh("a new repository's default version", newRepo(t, s, "r3", t0, "pt_br").version.ID)
}

// testVersionsBounded: the store refuses a version past MaxVersions itself,
// whatever the caller checked before.
func testVersionsBounded(t *testing.T, s repository.Store) {
	f := newRepo(t, s, "r1", t0, "pt_br")
	for i := 1; i < repository.MaxVersions; i++ {
		f.newVersion(t, s, fmt.Sprintf("v%d", i), false, 0)
	}
	v := repository.Version{RepositoryUUID: "r1", Name: "demais", CreatedAt: t0}
	wantCode(t, s.CreateVersion(t.Context(), &v, 0), sabia.EINVALID, "")
}
