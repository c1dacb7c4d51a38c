package sessprom_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
	sessprom "github.com/sesskit/sesskit/telemetry/prometheus"
)

// BenchmarkReadPath measures what the metrics add to a request that reads
// one value of a 10-value session (one load), on memstore and on Redis
// (SESSKIT_REDIS_URL). cpu-ns/op is the process's CPU time (user and
// system, all threads) per request, which waiting on Redis does not hide:
//
//	go test -run '^$' -bench ReadPath -benchtime 20000x ./telemetry/prometheus
func BenchmarkReadPath(b *testing.B) {
	for _, st := range sessiontest.Stores() {
		for _, obs := range []struct {
			name string
			opts []session.Option
		}{{"bare", nil}, {"sessprom", []session.Option{session.WithObserver(sessprom.New())}}} {
			b.Run(st.Name+"/"+obs.name, func(b *testing.B) {
				opts := append([]session.Option{session.WithLogger(slog.New(slog.DiscardHandler))}, obs.opts...)
				m, err := session.New(st.New(b), opts...)
				if err != nil {
					b.Fatal(err)
				}
				benchRead(b, m)
			})
		}
	}
}

// benchRead creates a 10-value session, then reads one of its values per
// iteration through the net/http middleware.
func benchRead(b *testing.B, m *session.Manager) {
	create := sesshttp.Middleware(m)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		for i := range 10 {
			_ = s.Set(fmt.Sprint("key", i), fmt.Sprint("a value of some thirty bytes ", i))
		}
	}))
	rec := httptest.NewRecorder()
	create.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	cookie := rec.Result().Cookies()[0]
	read := sesshttp.Middleware(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := session.Get[string](session.FromContext(r.Context()), "key3"); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}))
	req := httptest.NewRequestWithContext(b.Context(), http.MethodGet, "/", nil)
	req.AddCookie(cookie)
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		rec := httptest.NewRecorder()
		read.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("read: %d", rec.Code)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStoreCall is the metrics' own cost per store call, which a read
// request makes once (its load):
//
//	go test -run '^$' -bench StoreCall ./telemetry/prometheus
func BenchmarkStoreCall(b *testing.B) {
	metrics := sessprom.New()
	call := session.StoreCall{Op: "load", Start: time.Now(), Duration: 150 * time.Microsecond, Bytes: 320}
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		metrics.StoreCall(b.Context(), call)
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
}
