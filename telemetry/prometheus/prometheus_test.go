package sessprom_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
	sessprom "github.com/sesskit/sesskit/telemetry/prometheus"
)

// TestPrometheus runs the real parts: a private redis-server, an app whose
// /metrics a real Prometheus scrapes (1 s scrape and rule intervals, the
// shipped alerts.yml loaded), and the redis_exporter on the same Redis.
// Through Prometheus's HTTP API: sesskit's series for loads, saves and the
// latency histogram move with traffic, the exporter's redis_up is there;
// with Redis stopped, errors are counted and SesskitBreakerOpen fires; with
// Redis back, the breaker closes. Skipped without the binaries, unless
// SESSKIT_REQUIRE_REDIS=1 (scripts/test.sh installs them).
func TestPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus")
	}
	for _, bin := range []string{"redis-server", "prometheus", "prometheus-redis-exporter"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("SESSKIT_REQUIRE_REDIS") == "1" {
				t.Fatalf("%s not found and SESSKIT_REQUIRE_REDIS=1", bin)
			}
			t.Skipf("%s not found", bin)
		}
	}
	dir := t.TempDir()
	rds := startRedis(t, dir)
	app := newMetricsApp(t, rds.addr)
	exporter := freeAddr(t)
	start(t, dir, "prometheus-redis-exporter", "-redis.addr", "redis://"+rds.addr, "-web.listen-address", exporter)
	waitHTTP(t, "redis_exporter", "http://"+exporter+"/metrics")
	prom := startPrometheus(t, dir, app.addr, exporter)

	for range 21 {
		app.request(t, http.MethodPost, http.StatusOK) // a save (the first: a create)
		app.request(t, http.MethodGet, http.StatusOK)  // a load
	}
	loads := `sesskit_store_calls_total{job="sesskit",operation="load",outcome="ok"}`
	saves := `sesskit_store_calls_total{job="sesskit",operation="save",outcome="ok"}`
	latency := `sesskit_store_call_duration_seconds_count{job="sesskit",operation="load"}`
	prom.waitValue(t, loads, func(v float64) bool { return v >= 20 })
	prom.waitValue(t, saves, func(v float64) bool { return v >= 20 })
	prom.waitValue(t, latency, func(v float64) bool { return v >= 20 })
	prom.waitValue(t, `count(sesskit_store_call_duration_seconds_bucket{job="sesskit",operation="load"})`,
		func(v float64) bool { return v == float64(len(sessprom.DefaultDurationBuckets)+1) })
	prom.waitValue(t, `redis_up{job="redis"}`, func(v float64) bool { return v == 1 })
	prom.waitValue(t, `redis_connected_clients{job="redis"}`, func(v float64) bool { return v >= 1 })

	for range 30 { // more traffic: the series move
		app.request(t, http.MethodGet, http.StatusOK)
	}
	prom.waitValue(t, loads, func(v float64) bool { return v >= 50 })
	prom.waitValue(t, latency, func(v float64) bool { return v >= 50 })
	if firing := prom.firing(t); firing["SesskitBreakerOpen"] {
		t.Fatal("SesskitBreakerOpen fires with Redis up")
	}

	rds.stop(t)
	for range 10 { // 3 failures open the breaker; the rest fail fast
		app.request(t, http.MethodGet, http.StatusServiceUnavailable)
	}
	prom.waitValue(t, `sum(sesskit_store_calls_total{job="sesskit",outcome="unavailable"})`, func(v float64) bool { return v >= 3 })
	prom.waitValue(t, `sum(sesskit_store_calls_total{job="sesskit",outcome="breaker_open"})`, func(v float64) bool { return v >= 1 })
	prom.waitValue(t, `redis_up{job="redis"}`, func(v float64) bool { return v == 0 })
	waitFor(t, "SesskitBreakerOpen to fire", 10*time.Second, func() (bool, string) {
		firing := prom.firing(t)
		return firing["SesskitBreakerOpen"], fmt.Sprint("firing: ", firing)
	})

	rds.restart(t)
	waitFor(t, "sessions to work again", 5*time.Second, func() (bool, string) {
		status := app.do(t, http.MethodPost)
		return status == http.StatusOK, fmt.Sprint("status ", status)
	})
	prom.waitValue(t, `sesskit_breaker_state{job="sesskit",state="closed"}`, func(v float64) bool { return v == 1 })
}

// metricsApp serves sessions on a Redis with a breaker that opens after 3
// failures, and its metrics on /metrics.
type metricsApp struct {
	addr   string
	srv    *httptest.Server
	client *http.Client
	mu     sync.Mutex
	cookie *http.Cookie
}

func newMetricsApp(t *testing.T, redisAddr string) *metricsApp {
	t.Helper()
	metrics := sessprom.New()
	// Failures fast: no dial retries, short timeouts (docs/production.md).
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr, ContextTimeoutEnabled: true,
		DialTimeout: 200 * time.Millisecond, DialerRetries: 1, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	store, err := redisstore.New(rdb, redisstore.WithTimeout(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(store, session.WithObserver(metrics), session.WithBreaker(3, 300*time.Millisecond),
		session.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler())
	mux.Handle("/", sesshttp.Middleware(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if r.Method == http.MethodPost {
			n, _ := session.Get[int](s, "n")
			_ = s.Set("n", n+1)
			return
		}
		if _, err := session.GetOr(s, "n", 0); err != nil {
			http.Error(w, http.StatusText(session.ErrorStatus(err)), session.ErrorStatus(err))
		}
	})))
	a := &metricsApp{srv: httptest.NewServer(mux)}
	t.Cleanup(a.srv.Close)
	a.addr, a.client = a.srv.Listener.Addr().String(), a.srv.Client()
	return a
}

// do sends one request with the app's session cookie, keeps the cookie the
// response sets, and returns the status.
func (a *metricsApp) do(t *testing.T, method string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), method, a.srv.URL+"/", nil)
	a.mu.Lock()
	if a.cookie != nil {
		req.AddCookie(a.cookie)
	}
	a.mu.Unlock()
	res, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	for _, c := range res.Cookies() {
		a.mu.Lock()
		a.cookie = c
		a.mu.Unlock()
	}
	return res.StatusCode
}

func (a *metricsApp) request(t *testing.T, method string, want int) {
	t.Helper()
	if status := a.do(t, method); status != want {
		t.Fatalf("%s: status %d, want %d", method, status, want)
	}
}

// redisServer is a redis-server of the test's own, on a free port.
type redisServer struct {
	addr, dir string
	proc      *process
}

func startRedis(t *testing.T, dir string) *redisServer {
	r := &redisServer{addr: freeAddr(t), dir: filepath.Join(dir, "redis")}
	if err := os.MkdirAll(r.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	r.restart(t)
	return r
}

// restart starts the server (again) on its address, empty.
func (r *redisServer) restart(t *testing.T) {
	t.Helper()
	_, port, _ := net.SplitHostPort(r.addr)
	r.proc = start(t, r.dir, "redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", r.dir)
	waitFor(t, "redis-server on "+r.addr, 5*time.Second, func() (bool, string) {
		c := redis.NewClient(&redis.Options{Addr: r.addr, MaxRetries: -1, DialerRetries: 1})
		defer c.Close()
		err := c.Ping(t.Context()).Err()
		return err == nil, fmt.Sprint(err)
	})
}

// stop kills the server at once, as a crash would.
func (r *redisServer) stop(t *testing.T) {
	t.Helper()
	r.proc.kill(t)
}

// process is a command the test started.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when it ended
}

// kill ends the process at once, as a crash would, and waits for it.
func (p *process) kill(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		t.Errorf("%s (pid %d) did not end after kill", p.cmd.Path, p.cmd.Process.Pid)
	}
}

// start runs a command with its output in dir/<name>.log; the process is
// killed at cleanup if it still runs.
func start(t *testing.T, dir, name string, args ...string) *process {
	t.Helper()
	log, err := os.OpenFile(filepath.Join(dir, name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); log.Close(); close(p.done) }()
	t.Cleanup(func() {
		p.kill(t)
		if t.Failed() {
			if out, err := os.ReadFile(log.Name()); err == nil {
				t.Logf("%s log:\n%s", name, tail(string(out), 20))
			}
		}
	})
	return p
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// freeAddr returns a 127.0.0.1 address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitFor polls ok every 100 ms until it holds or timeout passes.
func waitFor(t *testing.T, what string, timeout time.Duration, ok func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		done, state := ok()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s; last: %s", timeout, what, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func waitHTTP(t *testing.T, what, url string) {
	t.Helper()
	waitFor(t, what, 10*time.Second, func() (bool, string) {
		res, err := http.Get(url)
		if err != nil {
			return false, err.Error()
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK, res.Status
	})
}

// prometheusServer is a Prometheus of the test's own.
type prometheusServer struct{ url string }

func startPrometheus(t *testing.T, dir, app, exporter string) *prometheusServer {
	t.Helper()
	rules, err := filepath.Abs("alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: [%q]
scrape_configs:
  - job_name: sesskit
    static_configs: [{targets: [%q]}]
  - job_name: redis
    static_configs: [{targets: [%q]}]
`, rules, app, exporter)
	file := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(file, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	start(t, dir, "prometheus", "--config.file="+file, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+addr, "--log.level=warn")
	p := &prometheusServer{url: "http://" + addr}
	waitHTTP(t, "Prometheus to be ready", p.url+"/-/ready")
	return p
}

// api GETs one Prometheus API path and decodes its data.
func (p *prometheusServer) api(t *testing.T, path string, data any) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.url+path, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var body struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return err
	}
	if body.Status != "success" {
		return fmt.Errorf("%s: %s", path, body.Error)
	}
	return json.Unmarshal(body.Data, data)
}

// waitValue waits (10 s at most) for the instant query to return one
// sample whose value satisfies ok.
func (p *prometheusServer) waitValue(t *testing.T, query string, ok func(float64) bool) {
	t.Helper()
	waitFor(t, query, 10*time.Second, func() (bool, string) {
		var data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		}
		if err := p.api(t, "/api/v1/query?query="+url.QueryEscape(query), &data); err != nil {
			return false, err.Error()
		}
		if len(data.Result) != 1 {
			return false, fmt.Sprintf("%d series", len(data.Result))
		}
		s, _ := data.Result[0].Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		return err == nil && ok(v), "value " + s
	})
}

// firing returns the alerts that fire.
func (p *prometheusServer) firing(t *testing.T) map[string]bool {
	t.Helper()
	var data struct {
		Alerts []struct {
			Labels map[string]string `json:"labels"`
			State  string            `json:"state"`
		} `json:"alerts"`
	}
	if err := p.api(t, "/api/v1/alerts", &data); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, a := range data.Alerts {
		if a.State == "firing" {
			out[a.Labels["alertname"]] = true
		}
	}
	return out
}
