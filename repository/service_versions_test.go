package repository_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/repository"
)

func TestCreateVersion(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	other := e.repo(t)
	master, err := e.svc.FindVersion(t.Context(), r.UUID, 0)
	noErr(t, err)
	otherMaster, err := e.svc.FindVersion(t.Context(), other.UUID, 0)
	noErr(t, err)
	e.add(t, r.UUID, ex("qro a 2ª via do boleto", "segunda_via", sp(16, 22, "documento")), ex("cancela aí pfv", "cancelar"))

	tests := []struct {
		name string
		repo string
		in   repository.VersionInput
		code string
		msg  string
	}{
		{"name required", r.UUID, repository.VersionInput{Name: "   "}, sabia.EINVALID, "version name is required"},
		{"name with a space", r.UUID, repository.VersionInput{Name: "black friday"}, sabia.EINVALID,
			`version name "black friday" may contain only letters, digits, "_", "-" and "."`},
		{"name too long", r.UUID, repository.VersionInput{Name: strings.Repeat("v", repository.MaxLabelRunes+1)}, sabia.EINVALID, ""},
		{"name not UTF-8", r.UUID, repository.VersionInput{Name: "v\xff"}, sabia.EINVALID, "version name is not valid UTF-8"},
		{"name taken", r.UUID, repository.VersionInput{Name: " master "}, sabia.ECONFLICT, `version "master" already exists`},
		{"from another repository", r.UUID, repository.VersionInput{Name: "v2", From: otherMaster.ID}, sabia.ENOTFOUND, ""},
		{"from a missing version", r.UUID, repository.VersionInput{Name: "v2", From: otherMaster.ID + 1000}, sabia.ENOTFOUND, ""},
		{"from a negative id", r.UUID, repository.VersionInput{Name: "v2", From: -1}, sabia.ENOTFOUND, ""},
		{"missing repository", "missing", repository.VersionInput{Name: "v2"}, sabia.ENOTFOUND, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.CreateVersion(t.Context(), tt.repo, tt.in)
			wantError(t, err, tt.code, tt.msg)
			list, err := e.svc.ListVersions(t.Context(), r.UUID)
			noErr(t, err)
			if len(list) != 1 {
				t.Fatalf("versions after a refused create: %+v", list)
			}
		})
	}

	e.clock.advance(time.Hour)
	v, err := e.svc.CreateVersion(t.Context(), r.UUID, repository.VersionInput{Name: " natal-2025 ", From: master.ID})
	noErr(t, err)
	want := e.clock.now().UTC().Truncate(time.Microsecond)
	if v.Name != "natal-2025" || v.IsDefault || v.RepositoryUUID != r.UUID || !v.CreatedAt.Equal(want) || v.CreatedAt.Location() != time.UTC {
		t.Fatalf("version = %+v, want natal-2025, not default, created %v in UTC", v, want)
	}
	got, n, err := e.svc.ListExamples(t.Context(), r.UUID, repository.ExampleFilter{VersionID: v.ID})
	noErr(t, err)
	if n != 2 || got[0].Text != "qro a 2ª via do boleto" || len(got[0].Entities) != 1 || !got[0].CreatedAt.Equal(want) {
		t.Fatalf("copied examples = %+v", got)
	}
	def, err := e.svc.FindVersion(t.Context(), r.UUID, 0)
	noErr(t, err)
	if def.ID != master.ID {
		t.Fatalf("default = %+v, want master still", def)
	}
}

func TestMaxVersions(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	for i := 1; i < repository.MaxVersions; i++ {
		_, err := e.svc.CreateVersion(t.Context(), r.UUID, repository.VersionInput{Name: fmt.Sprintf("v%d", i)})
		noErr(t, err)
	}
	_, err := e.svc.CreateVersion(t.Context(), r.UUID, repository.VersionInput{Name: "mais-uma"})
	wantError(t, err, sabia.EINVALID, fmt.Sprintf("the repository has %d versions, the most it may have; delete one first", repository.MaxVersions))
	list, err := e.svc.ListVersions(t.Context(), r.UUID)
	noErr(t, err)
	noErr(t, e.svc.DeleteVersion(t.Context(), r.UUID, list[len(list)-1].ID))
	_, err = e.svc.CreateVersion(t.Context(), r.UUID, repository.VersionInput{Name: "mais-uma"})
	noErr(t, err)
}

func TestUpdateAndDeleteVersion(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	other := e.repo(t)
	master, err := e.svc.FindVersion(t.Context(), r.UUID, 0)
	noErr(t, err)
	v2, err := e.svc.CreateVersion(t.Context(), r.UUID, repository.VersionInput{Name: "v2"})
	noErr(t, err)
	otherMaster, err := e.svc.FindVersion(t.Context(), other.UUID, 0)
	noErr(t, err)

	tests := []struct {
		name string
		id   int64
		u    repository.VersionUpdate
		code string
		msg  string
	}{
		{"un-default", master.ID, repository.VersionUpdate{IsDefault: ptr(false)}, sabia.EINVALID,
			"is_default can only be true: a repository always has a default version, so make another version the default instead"},
		{"bad name", v2.ID, repository.VersionUpdate{Name: ptr("")}, sabia.EINVALID, "version name is required"},
		{"name taken", v2.ID, repository.VersionUpdate{Name: ptr("master")}, sabia.ECONFLICT, `version "master" already exists`},
		{"another repository's version", otherMaster.ID, repository.VersionUpdate{Name: ptr("x")}, sabia.ENOTFOUND, ""},
		{"id 0 is no version here", 0, repository.VersionUpdate{Name: ptr("x")}, sabia.ENOTFOUND, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.UpdateVersion(t.Context(), r.UUID, tt.id, tt.u)
			wantError(t, err, tt.code, tt.msg)
		})
	}
	got, err := e.svc.FindVersion(t.Context(), other.UUID, otherMaster.ID)
	noErr(t, err)
	if got.Name != "master" {
		t.Fatalf("another repository's version changed: %+v", got)
	}

	u, err := e.svc.UpdateVersion(t.Context(), r.UUID, v2.ID, repository.VersionUpdate{Name: ptr("black-friday"), IsDefault: ptr(true)})
	noErr(t, err)
	if u.Name != "black-friday" || !u.IsDefault || !u.CreatedAt.Equal(v2.CreatedAt) {
		t.Fatalf("updated = %+v", u)
	}
	def, err := e.svc.FindVersion(t.Context(), r.UUID, 0)
	noErr(t, err)
	if def.ID != v2.ID {
		t.Fatalf("default = %+v, want v2", def)
	}

	wantError(t, e.svc.DeleteVersion(t.Context(), r.UUID, v2.ID), sabia.EINVALID,
		`version "black-friday" is the repository's default version and cannot be deleted; make another version the default first`)
	wantError(t, e.svc.DeleteVersion(t.Context(), r.UUID, otherMaster.ID), sabia.ENOTFOUND, "")
	wantError(t, e.svc.DeleteVersion(t.Context(), r.UUID, 0), sabia.ENOTFOUND, "")
	noErr(t, e.svc.DeleteVersion(t.Context(), r.UUID, master.ID))
	list, err := e.svc.ListVersions(t.Context(), r.UUID)
	noErr(t, err)
	if len(list) != 1 || list[0].ID != v2.ID {
		t.Fatalf("versions = %+v, want black-friday alone", list)
	}
	if _, err := e.svc.FindVersion(t.Context(), other.UUID, otherMaster.ID); err != nil {
		t.Fatalf("another repository's version: %v", err)
	}
}

// switchStore runs, once, another request's "make B the default" just
// before a version update reaches the store: the window between
// Service.UpdateVersion's read and its write.
type switchStore struct {
	repository.Store
	before func()
}

func (s *switchStore) UpdateVersion(ctx context.Context, v *repository.Version) error {
	if f := s.before; f != nil {
		s.before = nil
		f()
	}
	return s.Store.UpdateVersion(ctx, v)
}

// TestRenameKeepsADefaultSwitchedMeanwhile: renaming the default version
// while another request makes another version the default leaves the new
// default in place (the rename passed the default it had read and took the
// default back).
func TestRenameKeepsADefaultSwitchedMeanwhile(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	ss := &switchStore{Store: e.store}
	svc := repository.NewService(ss, time.Now)
	r, err := svc.CreateRepository(ctx, repository.RepositoryInput{Name: "Loja", Language: "pt_br"})
	noErr(t, err)
	a, err := svc.FindVersion(ctx, r.UUID, 0)
	noErr(t, err)
	b, err := svc.CreateVersion(ctx, r.UUID, repository.VersionInput{Name: "natal"})
	noErr(t, err)
	yes := true
	ss.before = func() {
		if _, err := svc.UpdateVersion(ctx, r.UUID, b.ID, repository.VersionUpdate{IsDefault: &yes}); err != nil {
			t.Error(err)
		}
	}
	name := "antiga"
	got, err := svc.UpdateVersion(ctx, r.UUID, a.ID, repository.VersionUpdate{Name: &name})
	noErr(t, err)
	if got.IsDefault {
		t.Errorf("the renamed version says it is the default: %+v", got)
	}
	d, err := svc.FindVersion(ctx, r.UUID, 0)
	noErr(t, err)
	if d.ID != b.ID {
		t.Fatalf("default is version %d (%s); the switch to %d was undone by a rename", d.ID, d.Name, b.ID)
	}
}
