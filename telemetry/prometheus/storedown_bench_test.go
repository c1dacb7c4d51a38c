package sessprom_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
)

// BenchmarkStoreDown measures the time to the 503 while Redis is down
// (stopped: connections refused), over 1,000 reads from 8 clients, with
// go-redis's defaults and with the settings docs/production.md gives for
// use beside the breaker; without a breaker (every request tries Redis,
// as before the breaker opens) and with the breaker open. The request
// deadline is 1 s. Each run starts a redis-server of its own:
//
//	go test -run '^$' -bench StoreDown -benchtime 1x ./telemetry/prometheus
func BenchmarkStoreDown(b *testing.B) {
	clients := []struct {
		name string
		opt  func(addr string) *redis.Options
	}{
		{"go-redis-defaults", func(addr string) *redis.Options {
			opt, err := redisstore.ParseURL("redis://" + addr)
			if err != nil {
				b.Fatal(err)
			}
			return opt
		}},
		{"fast-fail", fastFailOptions},
	}
	for _, c := range clients {
		for _, breaker := range []struct {
			name     string
			failures int
		}{{"no-breaker", 0}, {"breaker-open", 5}} {
			b.Run(c.name+"/"+breaker.name, func(b *testing.B) {
				requireBinaries(b, "redis-server")
				rds := startRedis(b, b.TempDir())
				app := newMetricsApp(b, c.opt(rds.addr), session.WithBreaker(breaker.failures, time.Minute))
				app.request(b, http.MethodPost, http.StatusOK)
				rds.stop(b)
				for range 10 { // opens the breaker, if any
					app.request(b, http.MethodGet, http.StatusServiceUnavailable)
				}
				for b.Loop() {
					latencies := app.burst(b, 1000, 8)
					b.ReportMetric(ms(latencies[len(latencies)/2]), "p50-ms")
					b.ReportMetric(ms(latencies[len(latencies)*99/100]), "p99-ms")
					b.ReportMetric(ms(latencies[len(latencies)-1]), "max-ms")
				}
			})
		}
	}
}

// burst sends n reads from clients goroutines, each wanting a 503, and
// returns their latencies sorted.
func (a *metricsApp) burst(b *testing.B, n, clients int) []time.Duration {
	work := make(chan struct{}, n)
	for range n {
		work <- struct{}{}
	}
	close(work)
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for range work {
				start := time.Now()
				status := a.do(b, http.MethodGet)
				took := time.Since(start)
				if status != http.StatusServiceUnavailable {
					b.Errorf("status %d with Redis down, want 503", status)
				}
				mu.Lock()
				all = append(all, took)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(all)
	return all
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
