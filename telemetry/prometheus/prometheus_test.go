package sessprom_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

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
	requireBinaries(t, "redis-server", "prometheus", "prometheus-redis-exporter")
	dir := t.TempDir()
	rds := startRedis(t, dir)
	app := newMetricsApp(t, fastFailOptions(rds.addr), session.WithBreaker(3, 300*time.Millisecond))
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
