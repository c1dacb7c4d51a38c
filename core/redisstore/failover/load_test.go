package failover_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
)

// The load: a few workers, each cycling through its own sessions. One step
// is a write request (a real commit of a unique value) followed by a
// read-back of that value in a new request. Pauses keep the CPU modest on a
// 2-core CI machine; the step count and a time limit bound every run.
const (
	workers           = 3
	sessionsPerWorker = 16 // spread over every Cluster shard
	stepPause         = 25 * time.Millisecond
	maxSteps          = 2400 // per worker
	maxLoadTime       = 90 * time.Second
	requestDeadline   = time.Second // every request's context deadline
)

// result is one request as the client saw it.
type result struct {
	start, end time.Time
	ok         bool
	status     int  // 0 when the request got no HTTP answer
	handled    bool // a 503 from the session error handler
}

// commit is a value whose write the client saw succeed.
type commit struct{ token, key, value string }

// load drives session requests through one Manager behind a real HTTP
// server on 127.0.0.1.
type load struct {
	label  string // what differs between loads, e.g. "WAIT 1"
	srv    *httptest.Server
	client *http.Client
	stop   chan struct{}
	wg     sync.WaitGroup

	mu         sync.Mutex
	results    []result
	acked      []commit
	readMisses int // read-backs that did not return the value just written
}

// newLoad serves m (with an error handler marking its answers) and starts
// the workers; the load runs until stopLoad or its limits.
func newLoad(t *testing.T, label string, store session.Store) *load {
	t.Helper()
	m, err := session.New(store,
		session.WithIdleTimeout(time.Hour),
		session.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	mw := sesshttp.Middleware(m, sesshttp.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, err error) {
		w.Header().Set("X-Session-Error", "1")
		w.WriteHeader(session.ErrorStatus(err))
	}))
	l := &load{
		label: label,
		srv:   httptest.NewServer(withDeadline(mw(routes()))),
		// The server bounds every request; the client timeout only keeps a
		// broken run from hanging.
		client: &http.Client{Timeout: requestDeadline + 10*time.Second},
		stop:   make(chan struct{}),
	}
	t.Cleanup(l.srv.Close)
	t.Cleanup(l.stopLoad)
	for w := range workers {
		l.wg.Add(1)
		go l.work(w)
	}
	return l
}

// withDeadline gives every request the deadline a real server would.
func withDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), requestDeadline)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// routes: POST /write?k=&v= sets a value, GET /read?k= returns it (404 when
// absent), GET /all returns every value as JSON. A handler that meets a
// store error writes nothing: the middleware then answers through the error
// handler.
func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /write", func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromContext(r.Context()).Set(r.FormValue("k"), r.FormValue("v")); err != nil {
			http.Error(w, "bad key", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /read", func(w http.ResponseWriter, r *http.Request) {
		v, err := session.Get[string](session.FromContext(r.Context()), r.FormValue("k"))
		switch {
		case errors.Is(err, session.ErrNoValue):
			w.WriteHeader(http.StatusNotFound)
		case err == nil:
			io.WriteString(w, v)
		}
	})
	mux.HandleFunc("GET /all", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		keys, err := s.Keys()
		if err != nil {
			return
		}
		all := map[string]string{}
		for _, k := range keys {
			if all[k], err = session.Get[string](s, k); err != nil {
				return
			}
		}
		json.NewEncoder(w).Encode(all)
	})
	return mux
}

// work is one worker: write a unique value to the next of its sessions,
// read it back, pause.
func (l *load) work(w int) {
	defer l.wg.Done()
	tokens := make([]string, sessionsPerWorker)
	limit := time.After(maxLoadTime)
	for step := range maxSteps {
		select {
		case <-l.stop:
			return
		case <-limit:
			return
		default:
		}
		i := step % sessionsPerWorker
		key, value := fmt.Sprintf("k%d", step), fmt.Sprintf("w%d-%d", w, step)
		q := url.Values{"k": {key}, "v": {value}}
		resp, _ := l.do(http.MethodPost, "/write?"+q.Encode(), &tokens[i], http.StatusNoContent)
		if resp != nil && resp.StatusCode == http.StatusNoContent {
			l.mu.Lock()
			l.acked = append(l.acked, commit{tokens[i], key, value})
			l.mu.Unlock()
			resp, body := l.do(http.MethodGet, "/read?k="+key, &tokens[i], http.StatusOK, http.StatusNotFound)
			if resp != nil && resp.StatusCode != http.StatusServiceUnavailable && body != value {
				l.mu.Lock()
				l.readMisses++
				l.mu.Unlock()
			}
		}
		time.Sleep(stepPause)
	}
}

// do sends one request with the session token, follows the token the
// answer sets or clears, and records the result: ok when the status is one
// of want.
func (l *load) do(method, path string, token *string, want ...int) (*http.Response, string) {
	req, err := http.NewRequest(method, l.srv.URL+path, nil)
	if err != nil {
		panic(err)
	}
	if *token != "" {
		req.AddCookie(&http.Cookie{Name: session.DefaultCookieName, Value: *token})
	}
	r := result{start: time.Now()}
	resp, err := l.client.Do(req)
	var body []byte
	if err == nil {
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	r.end = time.Now()
	if err == nil {
		r.status = resp.StatusCode
		r.ok = slices.Contains(want, resp.StatusCode)
		r.handled = resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("X-Session-Error") != ""
		for _, c := range resp.Cookies() {
			if c.Name == session.DefaultCookieName {
				*token = c.Value // "" when the session was gone
			}
		}
	}
	l.mu.Lock()
	l.results = append(l.results, r)
	l.mu.Unlock()
	if err != nil {
		return nil, ""
	}
	return resp, string(body)
}

// stopLoad stops the workers and waits for them.
func (l *load) stopLoad() {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	l.wg.Wait()
}

// snapshot returns a copy of the results so far.
func (l *load) snapshot() []result {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.results)
}

// waitHealthy waits until the load has run clean for quiet: no request
// failed since max(since, last failure) - quiet, and some succeeded.
func (l *load) waitHealthy(t *testing.T, since time.Time, quiet, limit time.Duration) {
	t.Helper()
	waitFor(t, limit, l.label+" requests to succeed again", func() bool {
		from := since
		oks := 0
		for _, r := range l.snapshot() {
			if !r.ok && r.end.After(from) {
				from = r.end
			}
		}
		for _, r := range l.snapshot() {
			if r.ok && r.start.After(from) {
				oks++
			}
		}
		return time.Since(from) >= quiet && oks >= workers
	})
}

// waitSteps waits until at least n more requests succeeded.
func (l *load) waitSteps(t *testing.T, n int) {
	t.Helper()
	count := func() int {
		c := 0
		for _, r := range l.snapshot() {
			if r.ok {
				c++
			}
		}
		return c
	}
	target := count() + n
	waitFor(t, 30*time.Second, fmt.Sprintf("%d requests of %s", n, l.label), func() bool { return count() >= target })
}

// outcome is what a fault did to one load.
type outcome struct {
	requests, failed  int
	window            time.Duration // first failed request's start to last failed request's end
	slowestFailure    time.Duration
	unhandled         int // failures not answered by the session error handler
	acked, lost       int
	readMisses        int
	lostSessionTokens int // sessions the lost commits belonged to
}

// finish stops the load, then reads every acknowledged commit back through
// the Manager (retrying answers that are not 200 while the topology
// settles) and counts the ones that are gone.
func (l *load) finish(t *testing.T) outcome {
	t.Helper()
	l.stopLoad()
	var o outcome
	var first, last time.Time
	for _, r := range l.results {
		o.requests++
		if r.ok {
			continue
		}
		o.failed++
		if first.IsZero() || r.start.Before(first) {
			first = r.start
		}
		if r.end.After(last) {
			last = r.end
		}
		o.slowestFailure = max(o.slowestFailure, r.end.Sub(r.start))
		if !r.handled {
			o.unhandled++
		}
	}
	if o.failed > 0 {
		o.window = last.Sub(first)
	}
	byToken := map[string][]commit{}
	for _, c := range l.acked {
		byToken[c.token] = append(byToken[c.token], c)
	}
	tokens := make([]string, 0, len(byToken))
	for tok := range byToken {
		tokens = append(tokens, tok)
	}
	sort.Strings(tokens)
	for _, tok := range tokens {
		stored := l.readAll(t, tok)
		lostHere := 0
		for _, c := range byToken[tok] {
			if stored[c.key] != c.value {
				lostHere++
			}
		}
		if lostHere > 0 {
			o.lostSessionTokens++
		}
		o.lost += lostHere
	}
	o.acked, o.readMisses = len(l.acked), l.readMisses
	return o
}

// readAll returns every value of the session under token.
func (l *load) readAll(t *testing.T, token string) map[string]string {
	t.Helper()
	var lastErr string
	for range 50 {
		req, _ := http.NewRequest(http.MethodGet, l.srv.URL+"/all", nil)
		req.AddCookie(&http.Cookie{Name: session.DefaultCookieName, Value: token})
		resp, err := l.client.Do(req)
		if err != nil {
			lastErr = err.Error()
		} else {
			var all map[string]string
			err = json.NewDecoder(resp.Body).Decode(&all)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && err == nil {
				return all
			}
			lastErr = fmt.Sprintf("status %d, %v", resp.StatusCode, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: reading a session back after the fault: %s", l.label, lastErr)
	return nil
}

// line is the one-line summary: FAULT name: error window ..., ... lost (label).
func (o outcome) line(name, label string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "FAULT %s: ", name)
	if o.failed == 0 {
		fmt.Fprintf(&b, "no failed requests (of %d)", o.requests)
	} else {
		fmt.Fprintf(&b, "error window %.1fs, %d failed requests (of %d, slowest %.2fs)",
			o.window.Seconds(), o.failed, o.requests, o.slowestFailure.Seconds())
	}
	fmt.Fprintf(&b, ", %d/%d acknowledged commits lost", o.lost, o.acked)
	if o.lost > 0 {
		fmt.Fprintf(&b, " in %d sessions", o.lostSessionTokens)
	}
	if o.readMisses > 0 {
		fmt.Fprintf(&b, ", %d read-backs missed", o.readMisses)
	}
	fmt.Fprintf(&b, " (%s)", label)
	return b.String()
}
