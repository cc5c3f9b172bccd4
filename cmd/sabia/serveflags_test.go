package main

import (
	"strings"
	"testing"
)

// TestServeRefusesBadFlags: serve refuses nonsense numbers before opening
// anything.
func TestServeRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--cache-bytes", "0"}, "--cache-bytes"},
		{[]string{"--cache-bytes", "muito"}, "--cache-bytes"},
		{[]string{"--rate-limit", "NaN"}, "--rate-limit"},
		{[]string{"--rate-limit", "-1"}, "--rate-limit"},
		{[]string{"--rate-limit", "1e-12"}, "--rate-limit"},
		{[]string{"--rate-limit", "+Inf"}, "--rate-limit"},
		{[]string{"--rate-burst", "-2"}, "--rate-burst"},
	} {
		cmd := newServeCmd()
		cmd.SetArgs(append(tc.args, "--data-dir", t.TempDir(), "--addr", "127.0.0.1:0"))
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		err := cmd.Execute()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("serve %v: %v, want an error about %s", tc.args, err, tc.want)
		}
	}
}
