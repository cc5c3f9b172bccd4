package postgres

import "time"

// SetListenProbe sets how long a listener waits before pinging, for tests,
// and returns the function that restores it.
func SetListenProbe(d time.Duration) func() {
	old := listenProbe
	listenProbe = d
	return func() { listenProbe = old }
}
