package sessiontest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// The routes an adapter mounts for TestAdapter. Each is a few lines of glue
// in the framework's own style around one helper of this package, which
// does all the session work:
//
//	route               glue (framework-native)                      helper
//	any  /plain/...     read the body, write status and body back    Handle
//	GET  /stream        write each chunk, flush after each           Stream
//	GET  /redirect      redirect with status 302 to the target       Redirect
//	GET  /fail          answer the error through the framework's     Fail
//	                    own error path with status FailStatus
//	GET  /panic         call Panic; the framework's recovery         Panic
//	                    middleware, installed outside the session
//	                    middleware, answers 500
//
// The session middleware wraps every route; the handlers get the session
// through the adapter's accessor.
const (
	PlainPrefix  = "/plain/"   // catch-all prefix served by Handle, any method
	StreamPath   = "/stream"   // served with Stream; the gate id is the query parameter GateParam
	RedirectPath = "/redirect" // served with Redirect
	FailPath     = "/fail"     // served with Fail
	PanicPath    = "/panic"    // served with Panic
	GateParam    = "gate"      // query parameter of StreamPath naming the gate to wait at
)

// FailStatus is the status the FailPath route answers with, through the
// framework's error path (an error return where the framework has one).
const FailStatus = http.StatusUnprocessableEntity

// ErrRouteFailed is the error Fail returns, for the framework's error path.
var ErrRouteFailed = errors.New("sessiontest: route failed")

// Handle serves the plain routes: path is the request path, below
// PlainPrefix, and body the request body. It does the session work and
// returns what the glue must answer:
//
//	none           200 "ok"; does not touch the session
//	get/{key}      200 the value as JSON; 404 when absent
//	set/{key}      stores the JSON request body under key; 200 "ok"
//	del/{key}      deletes key; 200 "ok"
//	pop/{key}      200 the value as JSON, deleted; 404 when absent
//	incr/{key}     adds 1 to the counter under key (session.Incr); 200 the new value
//	append/{key}   appends the JSON request body to the list under key; 200 "ok"
//	keys           200 the session's keys as a JSON array
//	status         200 "new" or "active"
//	renew          renews the token (Session.Renew); 200 "ok"
//	login/{user}   renews the token and records the user; 200 "ok"
//	remember/{user}
//	               login, and a remember-me token (Session.Remember)
//	user           200 the user recorded, or "" (none); with " restored"
//	               after it when the session was restored from a token
//	devices        200 the user's devices as a JSON array of
//	               "handle[ current]" strings, newest first
//	revoke/{handle}
//	               revokes one of the user's devices; 404 when not theirs
//	revoke-others  revokes the user's other devices; 200 how many
//	destroy        destroys the session (Session.Destroy); 200 "ok"
//	lifetime/{idle}/{absolute}
//	               gives the session its own lifetime (Session.SetLifetime;
//	               Go durations, "0" keeps the Manager's); 400 beyond the
//	               Manager's ceiling
//	expires        200 Session.Expires as unix seconds
//	hold/{gate}/{route}
//	               serves route, then waits until the suite opens the gate
//	               before it returns: the commit comes after whatever the
//	               suite does meanwhile
//
// A bad key answers 400; any other session error 500 with its text, which
// the suite must never see: the adapter's error handler answers instead.
func Handle(ctx context.Context, s *session.Session, path string, body []byte) (status int, respBody []byte) {
	action, key, _ := strings.Cut(strings.TrimPrefix(path, PlainPrefix), "/")
	var err error
	switch action {
	case "hold":
		gate, route, _ := strings.Cut(key, "/")
		status, respBody = Handle(ctx, s, PlainPrefix+route, body)
		adapterWaitGate(ctx, gate)
		return status, respBody
	case "login", "remember":
		if err = s.Renew(ctx); err == nil {
			err = s.SetUser(key)
		}
		if err == nil && action == "remember" {
			err = s.Remember()
		}
	case "user":
		var u string
		var restored bool
		if u, err = s.User(); err == nil {
			if restored, err = s.Restored(); err == nil && restored {
				u += " restored"
			}
		}
		if err == nil {
			return http.StatusOK, []byte(u)
		}
	case "devices":
		var devices []session.Device
		if devices, err = s.Devices(ctx); err == nil {
			out := []string{}
			for _, d := range devices {
				if d.Current {
					d.Handle += " current"
				}
				out = append(out, d.Handle)
			}
			return adapterJSON(out)
		}
	case "revoke":
		err = s.RevokeDevice(ctx, key)
		if errors.Is(err, session.ErrNotFound) {
			return http.StatusNotFound, []byte("not one of yours")
		}
	case "revoke-others":
		var n int
		if n, err = s.RevokeOtherDevices(ctx); err == nil {
			return adapterJSON(n)
		}
	case "none":
		return http.StatusOK, []byte("ok")
	case "get":
		var v any
		if err = s.Get(key, &v); err == nil {
			return adapterJSON(v)
		}
	case "set":
		var v any
		if json.Unmarshal(body, &v) != nil {
			return http.StatusBadRequest, []byte("bad JSON")
		}
		err = s.Set(key, v)
	case "del":
		err = s.Delete(key)
	case "pop":
		var v any
		if v, err = session.Pop[any](s, key); err == nil {
			return adapterJSON(v)
		}
	case "incr":
		var n int64
		if n, err = session.Incr(s, key, 1); err == nil {
			return adapterJSON(n)
		}
	case "append":
		var v any
		if json.Unmarshal(body, &v) != nil {
			return http.StatusBadRequest, []byte("bad JSON")
		}
		err = session.Append(s, key, v)
	case "keys":
		var keys []string
		if keys, err = s.Keys(); err == nil {
			return adapterJSON(keys)
		}
	case "status":
		var st session.Status
		if st, err = s.Status(); err == nil {
			return http.StatusOK, []byte(st.String())
		}
	case "renew":
		err = s.Renew(ctx)
	case "destroy":
		err = s.Destroy(ctx)
	case "lifetime":
		idle, absolute, _ := strings.Cut(key, "/")
		i, ierr := time.ParseDuration(idle)
		a, aerr := time.ParseDuration(absolute)
		if ierr != nil || aerr != nil {
			return http.StatusBadRequest, []byte("bad duration")
		}
		if err = s.SetLifetime(i, a); errors.Is(err, session.ErrLifetime) {
			return http.StatusBadRequest, []byte("bad lifetime")
		}
	case "expires":
		var at time.Time
		if at, err = s.Expires(); err == nil {
			return adapterJSON(at.Unix())
		}
	default:
		return http.StatusNotFound, []byte("no such route")
	}
	switch {
	case err == nil:
		return http.StatusOK, []byte("ok")
	case errors.Is(err, session.ErrNoValue):
		return http.StatusNotFound, []byte("absent")
	case errors.Is(err, session.ErrInvalidKey):
		return http.StatusBadRequest, []byte("bad key")
	}
	return http.StatusInternalServerError, []byte(err.Error())
}

func adapterJSON(v any) (int, []byte) {
	b, err := json.Marshal(v)
	if err != nil {
		return http.StatusInternalServerError, []byte(err.Error())
	}
	return http.StatusOK, b
}

// Stream serves StreamPath. It sets "stream" to "on" at once and returns
// the chunks to write: the glue writes each and flushes after each. The
// second chunk waits until the suite has seen the response headers (the
// gate named by the GateParam query parameter opens) or ctx ends, so the
// session must be committed when the first chunk is flushed, not when the
// handler returns. In frameworks that buffer the response (Fiber), write
// the chunks from the framework's body stream writer.
func Stream(ctx context.Context, s *session.Session, gate string) iter.Seq[[]byte] {
	err := s.Set("stream", "on")
	return func(yield func([]byte) bool) {
		if err != nil {
			yield([]byte(err.Error()))
			return
		}
		if !yield([]byte("first\n")) {
			return
		}
		adapterWaitGate(ctx, gate)
		yield([]byte("last\n"))
	}
}

// Redirect serves RedirectPath: it sets "redirect" to "on" and returns the
// location the glue redirects to with status 302.
func Redirect(s *session.Session) (location string) {
	_ = s.Set("redirect", "on") // a failure shows as a missing value
	return PlainPrefix + "none"
}

// Fail serves FailPath: it sets "fail" to "on" and returns ErrRouteFailed,
// which the glue answers through the framework's error path with status
// FailStatus (Echo: echo.NewHTTPError; Fiber: fiber.NewError; Gin:
// c.AbortWithError; net/http and Chi: http.Error).
func Fail(s *session.Session) error {
	_ = s.Set("fail", "on")
	return ErrRouteFailed
}

// Panic serves PanicPath: it sets "panic" to "on" and panics. The
// framework's recovery middleware must answer 500, and the session
// middleware must save nothing and send no token.
func Panic(s *session.Session) {
	_ = s.Set("panic", "on")
	panic("sessiontest: handler panic (expected by the suite)")
}

// ServeHandler serves h on a real listener on 127.0.0.1 until the test ends
// and returns its base URL, for adapters on net/http (Chi, Gin, Echo).
func ServeHandler(t testing.TB, h http.Handler) (baseURL string) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// adapterGates holds the gates of the stream cases, by id.
var adapterGates sync.Map // string -> *adapterGate

// adapterGate is where a stream handler waits between its two chunks.
type adapterGate struct {
	id      string
	arrived chan struct{} // closed when the handler waits at the gate
	opened  chan struct{} // closed when the test lets it go on
	arrive  sync.Once
	open    sync.Once
}

// adapterNewGate registers a gate; it opens at the end of the test at the
// latest.
func adapterNewGate(t testing.TB) *adapterGate {
	g := &adapterGate{id: rand.Text(), arrived: make(chan struct{}), opened: make(chan struct{})}
	adapterGates.Store(g.id, g)
	t.Cleanup(g.Open)
	return g
}

// Open lets the handler waiting at g go on.
func (g *adapterGate) Open() {
	g.open.Do(func() { close(g.opened); adapterGates.Delete(g.id) })
}

// arrivedAt blocks until a handler waits at g, or fails the test after a
// while.
func (g *adapterGate) arrivedAt(t testing.TB) {
	t.Helper()
	select {
	case <-g.arrived:
	case <-time.After(adapterStuck):
		t.Fatal("the handler never reached its gate")
	}
}

// adapterWaitGate blocks until the gate opens, ctx ends or a minute passed
// (a broken adapter must not hang the server's shutdown forever).
func adapterWaitGate(ctx context.Context, id string) {
	v, ok := adapterGates.Load(id)
	if !ok {
		return
	}
	g := v.(*adapterGate)
	g.arrive.Do(func() { close(g.arrived) })
	select {
	case <-g.opened:
	case <-ctx.Done():
	case <-time.After(time.Minute):
	}
}
