package repository_test

import (
	"slices"
	"testing"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/repository"
)

func TestClusterLogs(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	ctx := t.Context()
	e.add(t, r.UUID, ex("onde está meu pedido?", "tracking"), ex("meu pedido ainda não chegou", "tracking"),
		ex("quero a segunda via do boleto", "billing"), ex("me manda o boleto", "billing"))

	var logs []*repository.Log
	add := func(lang, intent, text string, conf float64, age time.Duration) *repository.Log {
		l := e.logOf(t, r, lang, intent, text, conf)
		l.CreatedAt = e.clock.now().Add(-age)
		logs = append(logs, l)
		return l
	}
	// out of scope, in the window: two themes
	sat := []*repository.Log{add("pt_br", "", "vocês entregam no sábado?", 0.2, time.Hour),
		add("pt_br", "", "entrega sabado?", 0.3, 2*time.Hour), add("pt_br", "", "sábado tem entrega", 0.1, 3*time.Hour)}
	// below the threshold (0.5) but not marked out of scope: counted by default
	late := []*repository.Log{add("pt_br", "", "cadê meu pedido??", 0.25, time.Hour),
		add("pt_br", "tracking", "pedido atrasado", 0.45, time.Hour)}
	late[1].OutOfScope = false
	// not taken by default: confident, too old, another language
	add("pt_br", "tracking", "meu pedido n chegou", 0.9, time.Hour)
	add("pt_br", "", "entrega no sabado?", 0.2, 40*24*time.Hour)
	add("es", "", "entregan el sábado?", 0.2, time.Hour)
	add("es", "", "entregan sabado?", 0.2, time.Hour)
	noErr(t, e.svc.InsertLogs(ctx, logs))

	ids := func(ls []*repository.Log) []int64 {
		var out []int64
		for _, l := range ls {
			out = append(out, l.ID)
		}
		slices.Sort(out)
		return out
	}
	got, err := e.svc.ClusterLogs(ctx, r.UUID, repository.LogClusterFilter{})
	noErr(t, err)
	if got.LogsConsidered != 5 || len(got.Clusters) != 2 {
		t.Fatalf("ClusterLogs = %+v, want 5 logs in 2 clusters", got)
	}
	if c := got.Clusters[0]; c.Size != 3 || !slices.Equal(c.LogIDs, ids(sat)) || c.Examples[0].LogID == 0 {
		t.Errorf("first cluster %+v, want the three about Saturday", c)
	}
	if c := got.Clusters[1]; !slices.Equal(c.LogIDs, ids(late)) || c.ClosestIntent == nil || c.ClosestIntent.Name != "tracking" {
		t.Errorf("second cluster %+v, want the late orders, closest to tracking", c)
	}

	for _, tc := range []struct {
		name       string
		f          repository.LogClusterFilter
		considered int
		clusters   int
	}{
		{"spanish", repository.LogClusterFilter{Language: "es"}, 2, 1},
		{"out of scope only", repository.LogClusterFilter{OutOfScope: ptr(true)}, 4, 1},
		{"older window", repository.LogClusterFilter{From: ptr(e.clock.now().Add(-50 * 24 * time.Hour))}, 6, 2},
		{"every confidence", repository.LogClusterFilter{MaxConfidence: ptr(1.0)}, 6, 2},
		{"a singleton is dropped", repository.LogClusterFilter{OutOfScope: ptr(false), MaxConfidence: ptr(0.5)}, 1, 0},
		{"unless asked", repository.LogClusterFilter{MinSize: 1, OutOfScope: ptr(false), MaxConfidence: ptr(0.5)}, 1, 1},
		{"min size 4", repository.LogClusterFilter{MinSize: 4, From: ptr(e.clock.now().Add(-50 * 24 * time.Hour))}, 6, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.svc.ClusterLogs(ctx, r.UUID, tc.f)
			noErr(t, err)
			if got.LogsConsidered != tc.considered || len(got.Clusters) != tc.clusters {
				t.Errorf("%d logs, %d clusters (%+v); want %d, %d", got.LogsConsidered, len(got.Clusters), got.Clusters, tc.considered, tc.clusters)
			}
		})
	}

	for _, tc := range []struct {
		name string
		uuid string
		f    repository.LogClusterFilter
		code string
	}{
		{"unknown repository", "nope", repository.LogClusterFilter{}, sabia.ENOTFOUND},
		{"unknown language", r.UUID, repository.LogClusterFilter{Language: "xx"}, sabia.EINVALID},
		{"language not of the repository", r.UUID, repository.LogClusterFilter{Language: "en"}, sabia.EINVALID},
		{"negative min size", r.UUID, repository.LogClusterFilter{MinSize: -2}, sabia.EINVALID},
		{"confidence above 1", r.UUID, repository.LogClusterFilter{MaxConfidence: ptr(1.5)}, sabia.EINVALID},
		{"from after to", r.UUID, repository.LogClusterFilter{From: ptr(e.clock.now()), To: ptr(e.clock.now().Add(-time.Hour))}, sabia.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.svc.ClusterLogs(ctx, tc.uuid, tc.f); sabia.ErrorCode(err) != tc.code {
				t.Errorf("error %v, want %s", err, tc.code)
			}
		})
	}
}
