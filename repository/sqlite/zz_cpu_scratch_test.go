package sqlite_test

import (
	"os"
	"syscall"
	"testing"
)

func cpuNow() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}

func TestMain(m *testing.M) {
	start := cpuNow()
	code := m.Run()
	println("total cpu ms", int(cpuNow()-start))
	os.Exit(code)
}
