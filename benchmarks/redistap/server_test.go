package redistap_test

import (
	"testing"

	"github.com/sesskit/sesskit/benchmarks/redistap"
)

// TestTopLevel counts each command once: nested calls (inside a script or
// EXEC) are left out, and a name that ran at both levels is split by calls.
func TestTopLevel(t *testing.T) {
	d := redistap.Server{
		Calls: map[string]int64{"evalsha": 10, "hmget": 20, "hset": 10, "hgetall": 10, "multi": 5, "exec": 5, "pexpire": 5, "info": 1},
		Usec:  map[string]int64{"evalsha": 100, "hmget": 30, "hset": 20, "hgetall": 7, "multi": 1, "exec": 40, "pexpire": 5, "info": 50},
	}
	tests := []struct {
		name  string
		top   map[string]float64 // per request
		n     float64
		usec  float64
		exact bool
	}{
		{"script and a plain read", map[string]float64{"EVALSHA": 1, "HGETALL": 1}, 10, 107, true},
		{"transaction", map[string]float64{"MULTI": 1, "EXEC": 1}, 5, 41, true},
		{"hset both top-level and nested", map[string]float64{"EVALSHA": 1, "HSET": 0.5}, 10, 100 + 10, false},
		{"nothing sent", map[string]float64{}, 10, 0, true},
	}
	for _, tt := range tests {
		usec, exact := d.TopLevel(tt.top, tt.n)
		if usec != tt.usec || exact != tt.exact {
			t.Errorf("%s: %v µs exact=%v, want %v exact=%v", tt.name, usec, exact, tt.usec, tt.exact)
		}
	}
}
