package repository

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/datasets"
)

// DefaultClusterDays is the window ClusterLogs reads when the filter has
// neither From nor To: the default log retention.
const DefaultClusterDays = 30 // days

// LogClusterFilter selects the logs ClusterLogs groups. Language "" means
// the repository's main language. From (inclusive) and To (exclusive) bound
// the creation time; without From, it is DefaultClusterDays before To (or
// now). MaxConfidence (inclusive) and OutOfScope filter as in LogFilter; when
// both are nil, the logs taken are those out of scope or below the
// repository's threshold. MinSize is the smallest cluster returned (0:
// datasets.DefaultDiscoverMinSize).
type LogClusterFilter struct {
	Language      string     `json:"language"`
	From          *time.Time `json:"from"`
	To            *time.Time `json:"to"`
	MaxConfidence *float64   `json:"max_confidence"`
	OutOfScope    *bool      `json:"out_of_scope"`
	MinSize       int        `json:"min_size"`
}

// LogClusters is what ClusterLogs found: the topics, largest first, and
// how many logs were read to find them.
type LogClusters struct {
	Clusters       []LogCluster `json:"clusters"`
	LogsConsidered int          `json:"logs_considered"`
}

// LogCluster is one topic of logged texts (see datasets.Cluster): up to
// five representative texts, its keywords, every log's ID, and the existing
// intent closest to it (nil when the version has no examples in the
// language, or none shares a word with the topic).
type LogCluster struct {
	Size          int                   `json:"size"`
	Keywords      []string              `json:"keywords"`
	Examples      []LogClusterExample   `json:"examples"`
	LogIDs        []int64               `json:"log_ids"`
	ClosestIntent *datasets.IntentMatch `json:"closest_intent"`
}

// LogClusterExample is a representative text of a LogCluster and the newest
// log that has it.
type LogClusterExample struct {
	LogID int64  `json:"log_id"`
	Text  string `json:"text"`
}

// ClusterLogs groups by topic the logged texts of one language that the
// bot did not know (by default: out of scope or below the repository's
// threshold, in the last DefaultClusterDays days), for a maintainer to turn
// a group into an intent or add it to one. It reads the newest
// datasets.MaxDiscoverTexts matching logs at most (in pages of MaxPageSize;
// a log written meanwhile may push one out of the page it was in) and
// compares each cluster with the examples of the default version.
//
// Returns ENOTFOUND, or EINVALID for an unknown language, a confidence
// outside [0, 1], From after To or a negative MinSize.
func (s *Service) ClusterLogs(ctx context.Context, repoUUID string, f LogClusterFilter) (LogClusters, error) {
	repo, v, lang, err := s.scope(ctx, repoUUID, 0, f.Language)
	if err != nil {
		return LogClusters{}, err
	}
	if f.MinSize < 0 {
		return LogClusters{}, sabia.Errorf(sabia.EINVALID, "min_size %d is negative", f.MinSize)
	}
	base := LogFilter{Language: lang, From: f.From, To: f.To}
	if base.From == nil {
		end := s.clock()
		if f.To != nil {
			end = *f.To
		}
		from := end.AddDate(0, 0, -DefaultClusterDays)
		base.From = &from
	}
	var logs []Log
	if f.MaxConfidence != nil || f.OutOfScope != nil {
		lf := base
		lf.MaxConfidence, lf.OutOfScope = f.MaxConfidence, f.OutOfScope
		if logs, err = s.newestLogs(ctx, repoUUID, lf, nil); err != nil {
			return LogClusters{}, err
		}
	} else {
		yes, no := true, false
		oos := base
		oos.OutOfScope = &yes
		out, err := s.newestLogs(ctx, repoUUID, oos, nil)
		if err != nil {
			return LogClusters{}, err
		}
		low := base
		low.OutOfScope, low.MaxConfidence = &no, &repo.Threshold
		below, err := s.newestLogs(ctx, repoUUID, low, func(l Log) bool { return l.Confidence < repo.Threshold })
		if err != nil {
			return LogClusters{}, err
		}
		logs = append(out, below...)
		slices.SortFunc(logs, func(a, b Log) int {
			if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
				return c
			}
			return cmp.Compare(b.ID, a.ID)
		})
		logs = logs[:min(len(logs), datasets.MaxDiscoverTexts)]
	}

	examples, _, err := s.store.TrainingSet(ctx, v.ID, lang)
	if err != nil {
		return LogClusters{}, fmt.Errorf("loading the examples of version %d: %w", v.ID, err)
	}
	texts := make([]datasets.DiscoverText, len(logs))
	for i, l := range logs {
		texts[i] = datasets.DiscoverText{ID: l.ID, Text: l.Text}
	}
	found, err := datasets.Discover(lang, texts, datasets.DiscoverOptions{MinSize: f.MinSize, Intents: examples})
	if err != nil {
		return LogClusters{}, fmt.Errorf("clustering %d logs: %w", len(texts), err)
	}
	res := LogClusters{Clusters: make([]LogCluster, len(found)), LogsConsidered: len(logs)}
	for i, c := range found {
		lc := LogCluster{Size: c.Size, Keywords: c.Keywords, Examples: make([]LogClusterExample, len(c.Examples)),
			LogIDs: c.IDs, ClosestIntent: c.ClosestIntent}
		for j, e := range c.Examples {
			lc.Examples[j] = LogClusterExample{LogID: e.ID, Text: e.Text}
		}
		res.Clusters[i] = lc
	}
	return res, nil
}

// newestLogs pages through ListLogs, newest first, keeping the logs keep
// accepts (all when nil), until datasets.MaxDiscoverTexts are kept or none
// are left. A log seen twice (pages shift as logs are written) is kept once.
func (s *Service) newestLogs(ctx context.Context, repoUUID string, f LogFilter, keep func(Log) bool) ([]Log, error) {
	var out []Log
	seen := map[int64]bool{}
	f.Limit = MaxPageSize
	for len(out) < datasets.MaxDiscoverTexts {
		page, _, err := s.ListLogs(ctx, repoUUID, f)
		if err != nil {
			return nil, fmt.Errorf("listing logs from %d: %w", f.Offset, err)
		}
		for _, l := range page {
			if !seen[l.ID] && (keep == nil || keep(l)) && len(out) < datasets.MaxDiscoverTexts {
				seen[l.ID] = true
				out = append(out, l)
			}
		}
		if len(page) < f.Limit {
			break
		}
		f.Offset += len(page)
	}
	return out, nil
}
