package stack_test

import (
	"testing"

	"github.com/sesskit/sesskit/benchmarks/stack"
)

// BenchmarkScenario measures every scenario on every stack, in process
// (no sockets between client and server; real Redis from SESSKIT_REDIS_URL):
// BenchmarkScenario/<scenario>/<framework>/<library>. scripts/bench.sh runs
// it and puts the medians in BENCHMARKS.md.
func BenchmarkScenario(b *testing.B) {
	cfg := testConfig(b)
	stacks := buildStacks(b, cfg)
	for _, sc := range stack.Scenarios {
		for _, st := range stacks {
			b.Run(sc.Name+"/"+st.Name(), func(b *testing.B) {
				c := stack.NewClient(st)
				cookie := ""
				if sc.Seed >= 0 {
					var err error
					if cookie, err = stack.Seed(c, sc.Seed); err != nil {
						b.Fatal(err)
					}
				}
				// Load the scripts and fill the pools before measuring.
				for range 3 {
					if status := c.Do(sc.Method, sc.Path, cookie); status != 200 {
						b.Fatalf("status %d: %s", status, c.Body())
					}
				}
				b.ReportAllocs()
				for b.Loop() {
					if status := c.Do(sc.Method, sc.Path, cookie); status != 200 {
						b.Fatalf("status %d: %s", status, c.Body())
					}
				}
			})
		}
	}
}
