package sessprom_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
	sessprom "github.com/sesskit/sesskit/telemetry/prometheus"
)

func Example() {
	metrics := sessprom.New()
	m, err := session.New(memstore.New(), session.WithObserver(metrics))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler())
	mux.Handle("POST /visits", sesshttp.Middleware(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		n, _ := session.Get[int](s, "visits")
		_ = s.Set("visits", n+1)
	})))

	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/visits", nil))
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for line := range strings.Lines(string(body)) {
		if strings.HasPrefix(line, "sesskit_store_calls_total") || strings.HasPrefix(line, "sesskit_session_events_total{event=\"created\"}") {
			fmt.Print(line)
		}
	}
	// Output:
	// sesskit_session_events_total{event="created"} 1
	// sesskit_store_calls_total{operation="create",outcome="ok"} 1
}
