package sessotel_test

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
	sessotel "github.com/sesskit/sesskit/telemetry/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"
)

// BenchmarkReadPath measures what the telemetry adds to a request that
// reads one value of a 10-value session (one load), on memstore and on
// Redis (SESSKIT_REDIS_URL): metrics only (the SDK's meter, no tracer),
// and metrics and a span per store call (the SDK's tracer, every span
// sampled and batched to an exporter that drops them). cpu-ns/op is the
// process's CPU time (user and system, all threads) per request, which
// waiting on Redis does not hide:
//
//	go test -run '^$' -bench ReadPath -benchtime 20000x ./telemetry/otel
func BenchmarkReadPath(b *testing.B) {
	variants := []struct {
		name string
		opts func(b *testing.B) []session.Option
	}{
		{"bare", func(*testing.B) []session.Option { return nil }},
		{"metrics", func(b *testing.B) []session.Option {
			return []session.Option{session.WithObserver(newTelemetry(b, sessotel.WithTracerProvider(noop.NewTracerProvider())))}
		}},
		{"metrics+spans", func(b *testing.B) []session.Option {
			tracers := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
			b.Cleanup(func() { _ = tracers.Shutdown(b.Context()) })
			return []session.Option{session.WithObserver(newTelemetry(b, sessotel.WithTracerProvider(tracers)))}
		}},
	}
	for _, st := range sessiontest.Stores() {
		for _, v := range variants {
			b.Run(st.Name+"/"+v.name, func(b *testing.B) {
				opts := append([]session.Option{session.WithLogger(slog.New(slog.DiscardHandler))}, v.opts(b)...)
				m, err := session.New(st.New(b), opts...)
				if err != nil {
					b.Fatal(err)
				}
				benchRead(b, m)
			})
		}
	}
}

func newTelemetry(b *testing.B, opts ...sessotel.Option) *sessotel.Telemetry {
	meters := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	tel, err := sessotel.New(append(opts, sessotel.WithMeterProvider(meters))...)
	if err != nil {
		b.Fatal(err)
	}
	return tel
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

// BenchmarkStoreCall is the telemetry's own cost per store call, which a
// read request makes once (its load): metrics only, and metrics and a span
// under the request's span, sampled (batched to an exporter that drops it)
// or not:
//
//	go test -run '^$' -bench StoreCall ./telemetry/otel
func BenchmarkStoreCall(b *testing.B) {
	call := session.StoreCall{Op: "load", Start: time.Now(), Duration: 150 * time.Microsecond, Bytes: 320}
	b.Run("metrics", func(b *testing.B) {
		tel := newTelemetry(b, sessotel.WithTracerProvider(noop.NewTracerProvider()))
		b.ReportAllocs()
		cpu := cpuTime()
		for b.Loop() {
			tel.StoreCall(b.Context(), call)
		}
		b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
	})
	for _, sampled := range []bool{true, false} {
		name, sampler := "metrics+spans", sdktrace.AlwaysSample()
		if !sampled {
			name, sampler = "metrics+unsampled-spans", sdktrace.NeverSample()
		}
		b.Run(name, func(b *testing.B) { benchSpans(b, call, sampler) })
	}
}

// benchSpans measures StoreCall under a request span that sampler samples
// or not (the store call's span follows its parent).
func benchSpans(b *testing.B, call session.StoreCall, sampler sdktrace.Sampler) {
	tracers := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()), sdktrace.WithSampler(sdktrace.ParentBased(sampler)))
	b.Cleanup(func() { _ = tracers.Shutdown(b.Context()) })
	tel := newTelemetry(b, sessotel.WithTracerProvider(tracers))
	ctx, request := tracers.Tracer("test").Start(b.Context(), "request")
	defer request.End()
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		tel.StoreCall(ctx, call)
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
}
