package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anishathalye/porcupine"
)

// Recording a history: groups of clients share a session (a lineage) and
// run random operations on it through HTTP, each against a random app, and
// every call and return is recorded with its time.

// Bounds of the clients' work.
const (
	linGroups        = 4               // sessions used at once
	linClients       = 3               // clients per session
	linMaxOps        = 60              // operations before a session is left for a new one
	linMaxUnknown    = 3               // unknown writes before a session is left
	linRequestExpiry = 5 * time.Second // a request with no answer by then is unknown
)

// linApps is the set of apps the clients spread their requests over. A
// fault may swap a killed app for its restart.
type linApps struct {
	mu      sync.Mutex
	targets []linTarget
}

// linTarget is one app: its name in the history (its framework and port)
// and its URL.
type linTarget struct{ name, url string }

func (a *linApps) pick(rng *rand.Rand) linTarget {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.targets[rng.IntN(len(a.targets))]
}

func (a *linApps) set(targets []linTarget) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.targets = targets
}

// linRecorder collects the history.
type linRecorder struct {
	start time.Time
	mu    sync.Mutex
	ops   []porcupine.Operation
}

func (r *linRecorder) now() int64 { return time.Since(r.start).Nanoseconds() }

// add records an operation; app names the app that served it.
func (r *linRecorder) add(client int, app string, in linInput, out linOutput, call, ret int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, porcupine.Operation{ClientId: client, Input: in, Output: out, Call: call, Return: ret, Metadata: app})
}

// history returns the operations, each unknown one returning after every
// other: it may take effect at any time after its call.
func (r *linRecorder) history() []porcupine.Operation {
	r.mu.Lock()
	defer r.mu.Unlock()
	var last int64
	for _, op := range r.ops {
		last = max(last, op.Return)
	}
	ops := slices.Clone(r.ops)
	for i := range ops {
		if ops[i].Output.(linOutput).unknown {
			ops[i].Return = last + 1
		}
	}
	return ops
}

// linLineage is one session as its clients know it: the token they use.
type linLineage struct {
	id      int
	mu      sync.Mutex
	token   string
	ended   atomic.Bool
	ops     atomic.Int32
	unknown atomic.Int32
}

func (l *linLineage) current() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.token
}

// renewed moves the clients to the new token, unless another renew already
// moved them on.
func (l *linLineage) renewed(from, to string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.token == from {
		l.token = to
	}
}

// linWorkload runs the clients and records what they see.
type linWorkload struct {
	apps *linApps
	rec  *linRecorder
	hc   *http.Client
	// weights of the operations (by linKind), for the random choice
	weights  [opDestroy + 1]int
	seq      atomic.Int64 // unique values, messages and user names
	lineages atomic.Int64
}

// defaultWeights favour the data operations; renews and destroys are rarer,
// as each ends or moves a session.
var defaultWeights = [opDestroy + 1]int{
	opGet: 16, opSet: 16, opDel: 5, opIncr: 14, opAppend: 12, opPop: 8, opRead: 12, opRenew: 5, opDestroy: 2,
}

func newWorkload(apps *linApps) *linWorkload {
	tr := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: linGroups * linClients}
	return &linWorkload{
		apps:    apps,
		rec:     &linRecorder{start: time.Now()},
		hc:      &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		weights: defaultWeights,
	}
}

// run drives the groups until ctx is done, then waits for the operations
// in flight to return.
func (w *linWorkload) run(ctx context.Context) {
	var wg sync.WaitGroup
	for g := range linGroups {
		wg.Go(func() { w.group(ctx, g) })
	}
	wg.Wait()
	w.hc.CloseIdleConnections()
}

// group runs one session after another with its clients.
func (w *linWorkload) group(ctx context.Context, g int) {
	rng := rand.New(rand.NewPCG(uint64(g), uint64(time.Now().UnixNano())))
	for ctx.Err() == nil {
		l := w.create(ctx, rng, g*linClients)
		if l == nil {
			return
		}
		var wg sync.WaitGroup
		for c := range linClients {
			crng := rand.New(rand.NewPCG(rng.Uint64(), uint64(c)))
			wg.Go(func() { w.client(ctx, crng, l, g*linClients+c) })
		}
		wg.Wait()
	}
}

// create starts a lineage with a write on no session, retrying until one
// is known to have made a session.
func (w *linWorkload) create(ctx context.Context, rng *rand.Rand, client int) *linLineage {
	id := int(w.lineages.Add(1))
	for ctx.Err() == nil {
		in := linInput{lineage: id, kind: opCreate, key: "a", value: w.seq.Add(1)}
		call := w.rec.now()
		app := w.apps.pick(rng)
		out, sent := w.call(app.url, in)
		if sent && !out.unknown {
			w.rec.add(client, app.name, in, out, call, w.rec.now())
			if out.status == 204 && out.token != "" {
				return &linLineage{id: id, token: out.token}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// client runs random operations on l until it ends.
func (w *linWorkload) client(ctx context.Context, rng *rand.Rand, l *linLineage, client int) {
	for ctx.Err() == nil && !l.ended.Load() {
		in := w.randomOp(rng, l)
		call := w.rec.now()
		app := w.apps.pick(rng)
		out, sent := w.call(app.url, in)
		if !sent {
			time.Sleep(20 * time.Millisecond) // an app restarting: nothing happened
			continue
		}
		w.rec.add(client, app.name, in, out, call, w.rec.now())
		w.follow(l, in, out)
	}
}

// follow updates what the clients know of l after an operation, and ends
// l when they can no longer tell which token is its live one, when it is
// destroyed, or when it has had its share of operations.
func (w *linWorkload) follow(l *linLineage, in linInput, out linOutput) {
	switch {
	case in.kind == opRenew && !out.unknown && out.status == 200:
		l.renewed(in.token, out.token)
	case in.kind == opRenew && out.unknown,
		in.kind == opDestroy,
		out.status == 409 && in.token == l.current(): // an unknown renew did happen
		l.ended.Store(true)
	case out.unknown && in.kind.writes() && l.unknown.Add(1) >= linMaxUnknown:
		l.ended.Store(true)
	}
	if l.ops.Add(1) >= linMaxOps {
		l.ended.Store(true)
	}
}

func (w *linWorkload) randomOp(rng *rand.Rand, l *linLineage) linInput {
	total := 0
	for _, n := range w.weights {
		total += n
	}
	n := rng.IntN(total)
	kind := opGet
	for k, wk := range w.weights {
		if n < wk {
			kind = linKind(k)
			break
		}
		n -= wk
	}
	in := linInput{lineage: l.id, kind: kind, token: l.current(), key: []string{"a", "b"}[rng.IntN(2)]}
	switch kind {
	case opSet, opAppend:
		in.value = w.seq.Add(1)
	case opRenew:
		// A user of its own each time: logins are throttled per user name.
		in.user = "u" + strconv.FormatInt(w.seq.Add(1), 10)
	}
	return in
}

// call sends in to the app at base. sent is false when the request never
// reached the app (it was not listening): then nothing happened.
func (w *linWorkload) call(base string, in linInput) (out linOutput, sent bool) {
	method, path, body := linRoute(in)
	var wrote atomic.Bool
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { wrote.Store(true) },
	})
	ctx, cancel := context.WithTimeout(ctx, linRequestExpiry)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, base+path, nil)
	if err != nil {
		panic(err)
	}
	// A body without GetBody makes the request one the Transport never
	// sends twice: it replays GETs that fail on a reused connection, and
	// a GET /api/flash that ran before its app died would then run again,
	// or vanish from the history as a dial error.
	req.Body, req.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if in.token != "" {
		req.Header.Set("Cookie", "session="+in.token)
	}
	resp, err := w.hc.Do(req)
	if err != nil {
		var op *net.OpError
		if !wrote.Load() && errors.As(err, &op) && op.Op == "dial" {
			return linOutput{}, false
		}
		return linOutput{unknown: true}, true
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode == http.StatusServiceUnavailable {
		return linOutput{unknown: true}, true
	}
	out = linOutput{status: resp.StatusCode}
	for _, c := range resp.Cookies() {
		if c.Name == "session" && c.Value != "" && c.MaxAge >= 0 && c.Value != in.token {
			out.token = c.Value
		}
	}
	if resp.StatusCode == 200 {
		if err := parseAnswer(in.kind, raw, &out); err != nil {
			out.status = -resp.StatusCode // a 200 the model never gives
		}
	}
	return out, true
}

// linRoute is the request for an operation.
func linRoute(in linInput) (method, path, body string) {
	switch in.kind {
	case opCreate, opSet:
		return "PUT", "/api/values/" + in.key, strconv.FormatInt(in.value, 10)
	case opGet:
		return "GET", "/api/values/" + in.key, ""
	case opDel:
		return "DELETE", "/api/values/" + in.key, ""
	case opIncr:
		return "POST", "/api/visits", ""
	case opAppend:
		return "POST", "/api/flash", fmt.Sprintf(`{"message":"%d"}`, in.value)
	case opPop:
		return "GET", "/api/flash", ""
	case opRead:
		return "GET", "/api/session", ""
	case opRenew:
		return "POST", "/api/login", fmt.Sprintf(`{"user":%q}`, in.user)
	case opDestroy:
		return "POST", "/api/logout", ""
	}
	panic("unknown operation " + in.kind.String())
}

// parseAnswer reads a 200 body into out.
func parseAnswer(kind linKind, raw []byte, out *linOutput) error {
	switch kind {
	case opGet:
		return json.Unmarshal(raw, &out.value)
	case opIncr:
		var v struct{ Visits *int64 }
		if err := json.Unmarshal(raw, &v); err != nil || v.Visits == nil {
			return fmt.Errorf("bad visits answer %s", raw)
		}
		out.value = *v.Visits
	case opPop:
		var v struct{ Messages []string }
		if err := json.Unmarshal(raw, &v); err != nil || v.Messages == nil {
			return fmt.Errorf("bad flash answer %s", raw)
		}
		out.flash = flashList(v.Messages)
	case opRead:
		var v struct {
			User   *string
			Values map[string]json.RawMessage
		}
		if err := json.Unmarshal(raw, &v); err != nil || v.Values == nil {
			return fmt.Errorf("bad session answer %s", raw)
		}
		return readSession(v.User, v.Values, &out.snap)
	}
	return nil
}

// readSession fills s from GET /api/session's user and values.
func readSession(user *string, values map[string]json.RawMessage, s *sess) error {
	if user != nil {
		s.user = *user
	}
	var other []string
	for k, raw := range values {
		var err error
		switch k {
		case "a", "b":
			var v int64
			err = json.Unmarshal(raw, &v)
			s.put(k, optInt{true, v})
		case "visits":
			err = json.Unmarshal(raw, &s.visits)
		case "flash":
			var msgs []string
			err = json.Unmarshal(raw, &msgs)
			s.flash = flashList(msgs)
		default:
			other = append(other, k)
		}
		if err != nil {
			return fmt.Errorf("value %s: %v", k, err)
		}
	}
	slices.Sort(other)
	s.extra = strings.Join(other, ",")
	return nil
}

func flashList(msgs []string) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString(m + ",")
	}
	return b.String()
}
