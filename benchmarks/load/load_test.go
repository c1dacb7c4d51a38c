package load_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sesskit/sesskit/benchmarks/load"
)

func server(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked":
			w.Write([]byte("part one, "))
			w.(http.Flusher).Flush()
			w.Write([]byte("part two"))
		case "/cookie":
			w.Write([]byte(r.Header.Get("Cookie")))
		case "/fail":
			http.Error(w, "no", http.StatusTeapot)
		default:
			w.Write([]byte("ok"))
		}
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestDo(t *testing.T) {
	addr := server(t)
	tests := []struct {
		method, target, cookie string
		status                 int
		body                   string
	}{
		{"GET", "/", "", 200, "ok"},
		{"GET", "/chunked", "", 200, "part one, part two"},
		{"PUT", "/cookie", "a=b", 200, "a=b"},
		{"POST", "/fail", "", 418, "no\n"},
	}
	for _, tt := range tests {
		status, body, err := load.Do(addr, load.NewRequest(tt.method, tt.target, tt.cookie))
		if err != nil || status != tt.status || string(body) != tt.body {
			t.Errorf("%s %s: %d %q %v; want %d %q", tt.method, tt.target, status, body, err, tt.status, tt.body)
		}
	}
}

func TestRun(t *testing.T) {
	addr := server(t)
	tests := []struct {
		target string
		errors bool
	}{
		{"/", false},
		{"/chunked", false},
		{"/fail", true},
	}
	for _, tt := range tests {
		res, err := load.Run(t.Context(), load.Options{
			Addr: addr, Concurrency: 2, Duration: 150 * time.Millisecond, Warmup: 20 * time.Millisecond,
			Request: func(int) []byte { return load.NewRequest("GET", tt.target, "") },
		})
		if err != nil {
			t.Fatal(err)
		}
		if tt.errors {
			if res.Errors == 0 || res.Requests != 0 || res.Err == nil {
				t.Errorf("%s: %+v, want only errors", tt.target, res)
			}
			continue
		}
		if res.Requests == 0 || res.Errors != 0 || res.RPS <= 0 || res.P50 <= 0 || res.P99 < res.P50 {
			t.Errorf("%s: %+v", tt.target, res)
		}
	}
}

func TestRunStopsAtMaxRequests(t *testing.T) {
	res, err := load.Run(t.Context(), load.Options{
		Addr: server(t), Concurrency: 3, Duration: time.Minute, MaxRequests: 5,
		Request: func(int) []byte { return load.NewRequest("GET", "/", "") },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 15 {
		t.Errorf("%d requests, want 3 connections x 5", res.Requests)
	}
}

func TestBurst(t *testing.T) {
	reqs := [][]byte{load.NewRequest("GET", "/", ""), load.NewRequest("GET", "/fail", "")}
	statuses, err := load.Burst(server(t), reqs)
	if err != nil || len(statuses) != 2 || statuses[0] != 200 || statuses[1] != 418 {
		t.Errorf("%v %v, want [200 418]", statuses, err)
	}
}
