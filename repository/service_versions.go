package repository

import (
	"context"
	"fmt"

	"github.com/weni-ai/sabia"
)

// MaxVersions bounds the versions of a repository. Each version made as a
// copy holds all the examples and test sentences of its source, and teams
// keep a handful (the one in production, one per change under test), so 50
// leaves room for that without letting a script multiply a repository's
// data without end.
const MaxVersions = 50

// VersionInput is what CreateVersion needs. Name is validated like intent
// names; From, when not 0, is the version whose examples and test
// sentences the new one starts with (otherwise it starts empty); IsDefault
// makes it the repository's default version at once.
type VersionInput struct {
	Name      string `json:"name"`
	From      int64  `json:"from_version_id,omitempty" doc:"version to copy examples and test sentences from; 0 or absent for an empty version"`
	IsDefault bool   `json:"is_default,omitempty"`
}

// VersionUpdate changes the non-nil fields of a version. IsDefault may only
// be true: a repository always has one default version, so the way to stop
// one being the default is to make another one the default.
type VersionUpdate struct {
	Name      *string `json:"name,omitempty"`
	IsDefault *bool   `json:"is_default,omitempty" doc:"only true: makes this the default version (the previous one stops being it)"`
}

// CreateVersion creates a version of a repository, empty or a copy of the
// examples and test sentences of version in.From (never its models: the
// copy must be trained). Returns ENOTFOUND if the repository does not exist
// or in.From is not one of its versions, EINVALID for a bad name or past
// MaxVersions, ECONFLICT if the repository has a version with the name.
func (s *Service) CreateVersion(ctx context.Context, repoUUID string, in VersionInput) (Version, error) {
	name, verr := cleanLabel("version name", in.Name)
	if verr != nil {
		return Version{}, verr
	}
	if in.From < 0 {
		return Version{}, sabia.Errorf(sabia.ENOTFOUND, "version %d not found", in.From)
	}
	list, err := s.ListVersions(ctx, repoUUID)
	if err != nil {
		return Version{}, err
	}
	if len(list) >= MaxVersions {
		return Version{}, sabia.Errorf(sabia.EINVALID, "the repository has %d versions, the most it may have; delete one first", len(list))
	}
	v := Version{RepositoryUUID: repoUUID, Name: name, IsDefault: in.IsDefault, CreatedAt: s.clock()}
	if err := s.store.CreateVersion(ctx, &v, in.From); err != nil {
		return Version{}, fmt.Errorf("creating version %q: %w", name, err)
	}
	return v, nil
}

// UpdateVersion renames a version of a repository and/or makes it the
// default. Returns ENOTFOUND if the version is not the repository's,
// EINVALID for a bad name or IsDefault false, ECONFLICT if another version
// has the name.
func (s *Service) UpdateVersion(ctx context.Context, repoUUID string, id int64, u VersionUpdate) (Version, error) {
	v, err := s.findVersion(ctx, repoUUID, id)
	if err != nil {
		return Version{}, err
	}
	if u.Name != nil {
		name, verr := cleanLabel("version name", *u.Name)
		if verr != nil {
			return Version{}, verr
		}
		v.Name = name
	}
	// IsDefault says what this call asks, not what was read: the store
	// keeps a default it finds under its lock, and a rename passing the
	// default it read could take it back from a version made default since.
	v.IsDefault = false
	if u.IsDefault != nil {
		if !*u.IsDefault {
			return Version{}, sabia.Errorf(sabia.EINVALID,
				"is_default can only be true: a repository always has a default version, so make another version the default instead")
		}
		v.IsDefault = true
	}
	if err := s.store.UpdateVersion(ctx, &v); err != nil {
		return Version{}, fmt.Errorf("updating version %d: %w", id, err)
	}
	return v, nil
}

// DeleteVersion deletes a version of a repository with its examples, test
// sentences, jobs, models, evaluations and logs. Returns ENOTFOUND if the
// version is not the repository's, EINVALID if it is the default version.
func (s *Service) DeleteVersion(ctx context.Context, repoUUID string, id int64) error {
	if _, err := s.findVersion(ctx, repoUUID, id); err != nil {
		return err
	}
	if err := s.store.DeleteVersion(ctx, id); err != nil {
		return fmt.Errorf("deleting version %d: %w", id, err)
	}
	return nil
}

// findVersion is FindVersion without its "0 means the default" rule: id
// must name a version of the repository.
func (s *Service) findVersion(ctx context.Context, repoUUID string, id int64) (Version, error) {
	if id <= 0 {
		return Version{}, sabia.Errorf(sabia.ENOTFOUND, "version %d not found", id)
	}
	return s.FindVersion(ctx, repoUUID, id)
}
