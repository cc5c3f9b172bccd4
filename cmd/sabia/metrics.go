package main

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/weni-ai/sabia/training"
)

// serverMetrics are the series serve adds to the API's: the Go runtime and
// the process, training jobs, models in memory and interaction logs.
type serverMetrics struct {
	reg      *prometheus.Registry
	jobs     *prometheus.CounterVec
	duration prometheus.Histogram

	mu      sync.Mutex
	started map[string]time.Time // running jobs by id
}

// newServerMetrics builds the registry /metrics serves.
func newServerMetrics() *serverMetrics {
	m := &serverMetrics{reg: prometheus.NewRegistry(), started: map[string]time.Time{},
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sabia_jobs_total",
			Help: "Jobs (training, evaluation) run by this server, by outcome: succeeded, failed, or retried (an attempt failed and the job was queued again)."},
			[]string{"outcome"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sabia_job_duration_seconds",
			Help:    "Time from a job's start on this server to its success or failure.",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600}}),
	}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.jobs, m.duration)
	return m
}

// watch adds the series read on each scrape: models reports the models in
// memory and their bytes, logs the interaction-log counters (written,
// dropped, failed).
func (m *serverMetrics) watch(models func() (int, int64), logs func() map[string]int64) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sabia_models_loaded", Help: "Trained models held in memory."},
			func() float64 { n, _ := models(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sabia_models_loaded_bytes", Help: "Encoded size of the models held in memory (bounded by --cache-bytes)."},
			func() float64 { _, b := models(); return float64(b) }),
	)
	for _, k := range []string{"logs_written", "logs_dropped", "logs_failed"} {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "sabia_interaction_" + k + "_total",
			Help: "Interaction logs " + k[len("logs_"):] + " by the batch writer since start."},
			func() float64 { return float64(logs()[k]) }))
	}
}

// jobState records a job's state change, as the queue reports it.
func (m *serverMetrics) jobState(id string, s training.State, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch s {
	case training.StateRunning:
		if _, ok := m.started[id]; !ok {
			m.started[id] = time.Now()
		}
	case training.StateQueued:
		if err != nil {
			m.jobs.WithLabelValues("retried").Inc()
		}
		delete(m.started, id)
	case training.StateSucceeded, training.StateFailed:
		m.jobs.WithLabelValues(string(s)).Inc()
		if t, ok := m.started[id]; ok {
			m.duration.Observe(time.Since(t).Seconds())
			delete(m.started, id)
		}
	}
}
