package sqlite_test

import (
	"syscall"
	"testing"
)

func cpuNow() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}

func BenchmarkZZCPU(b *testing.B) {
	start := cpuNow()
	r := testing.Benchmark(BenchmarkInsertLogs)
	b.ReportMetric((cpuNow()-start)/float64(r.N), "cpu-ms/batch")
	b.ReportMetric(float64(r.T.Milliseconds())/float64(r.N), "wall-ms/batch")
}
