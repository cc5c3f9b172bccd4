package repository

import "time"

// Model is a trained model of one version and language. Data is the encoded
// model (opaque here); Revision is the dataset revision it was trained on, so
// the data changed since the last training when Revision(version, language)
// is greater than the latest model's Revision.
type Model struct {
	ID             int64     `json:"id"`
	RepositoryUUID string    `json:"repository_uuid"`
	VersionID      int64     `json:"version_id"`
	Language       string    `json:"language"`
	Data           []byte    `json:"-"`
	Revision       int64     `json:"revision"`
	TrainedAt      time.Time `json:"trained_at"`
	// Size is len(Data) in bytes, kept so that LatestModelInfo can report
	// it without loading Data.
	Size int64 `json:"size"`
}
