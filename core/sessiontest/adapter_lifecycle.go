package sessiontest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// The lifecycle cases: renew, destroy and writes racing each other, store
// failures of every kind of call, degraded mode. Each stages its race with
// a request held at a gate (the hold route) while the suite sends others.

var adapterLifecycleCases = []struct {
	name string
	run  func(t *testing.T, r *adapterRun)
}{
	{"renew never undoes a concurrent destroy", testAdapterRenewAfterDestroy},
	{"renew carries a concurrent write", testAdapterRenewCarriesWrite},
	{"old token in flight leaves the new token alone", testAdapterInFlightAfterRenew},
	{"login starts a new absolute lifetime", testAdapterLoginLifetime},
	{"destroy deletes whatever the load found", testAdapterDestroyDegraded},
	{"destroy deletes an unreadable session", testAdapterDestroyCorrupt},
	{"degraded mode serves writes", testAdapterDegradedWrites},
	{"same-key operations", testAdapterSameKey},
}

// held starts req held at a fresh gate and returns the gate and where its
// response arrives, once the handler waits at the gate.
func (s *adapterServer) held(t *testing.T, route, token, body string) (*adapterGate, <-chan adapterResp) {
	t.Helper()
	g := adapterNewGate(t)
	done := make(chan adapterResp, 1)
	go func() {
		done <- s.do(t, adapterReq{method: http.MethodPost, path: PlainPrefix + "hold/" + g.id + "/" + route, cookie: token, body: body})
	}()
	g.arrivedAt(t)
	return g, done
}

// 1. A renew in flight while a logout destroys the session must not write
// the old values back under a new token.
func testAdapterRenewAfterDestroy(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	token := s.post(t, PlainPrefix+"login/alice", s.newSession(t), "").token(t)

	gate, done := s.held(t, "renew", token, "")
	s.post(t, PlainPrefix+"destroy", token, "").wantStatus(t, "destroy", http.StatusOK)
	gate.Open()
	res := <-done
	res.wantStatus(t, "renew after destroy", http.StatusOK)
	if c := res.cookie(t); c != nil && c.Value != "" {
		s.wantValue(t, c.Value, "a", "")
		s.get(t, PlainPrefix+"user", c.Value).wantStatus(t, "user of the renewed token", http.StatusOK, "")
	}
	s.wantValue(t, token, "a", "")
}

// 2. A write acknowledged on the old token while a renew is in flight is in
// the renewed session.
func testAdapterRenewCarriesWrite(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	token := s.newSession(t)
	gate, done := s.held(t, "renew", token, "")
	s.post(t, PlainPrefix+"set/b", token, `"2"`).wantStatus(t, "write during the renew", http.StatusOK)
	gate.Open()
	res := <-done
	res.wantStatus(t, "renew", http.StatusOK)
	renewed := res.token(t)
	s.wantValue(t, renewed, "b", `"2"`)
	s.wantValue(t, renewed, "a", `"1"`)

	// After the renew, a write on the old token fails and sends no token.
	late := s.post(t, PlainPrefix+"set/c", token, `"3"`)
	late.wantStatus(t, "write on the renewed-away token", http.StatusConflict)
	late.wantNoToken(t, "write on the renewed-away token")
	s.wantValue(t, renewed, "c", "")
}

// 3. A request that started with the old token and ends after a login must
// not replace or expire the new token, whether it read or wrote.
func testAdapterInFlightAfterRenew(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	token := s.newSession(t)
	readGate, readDone := s.held(t, "get/a", token, "")
	writeGate, writeDone := s.held(t, "set/c", token, `"3"`)
	newToken := s.post(t, PlainPrefix+"login/alice", token, "").token(t)
	readGate.Open()
	writeGate.Open()

	read := <-readDone
	read.wantStatus(t, "read in flight", http.StatusOK, `"1"`)
	read.wantNoToken(t, "read in flight")
	write := <-writeDone
	write.wantStatus(t, "write in flight", http.StatusConflict)
	write.wantNoToken(t, "write in flight")

	// Requests that start after the login with the old token are answered
	// as new, and still leave the client's new token alone.
	after := s.get(t, PlainPrefix+"get/a", token)
	after.wantStatus(t, "read with the old token", http.StatusNotFound)
	after.wantNoToken(t, "read with the old token")

	s.get(t, PlainPrefix+"user", newToken).wantStatus(t, "user", http.StatusOK, "alice")
	s.wantValue(t, newToken, "a", `"1"`)
	s.wantValue(t, newToken, "c", "")
}

// 16. A login late in an anonymous session gets a full absolute lifetime;
// a renew without a login keeps the deadline.
func testAdapterLoginLifetime(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	token := s.newSession(t)
	renewed := s.post(t, PlainPrefix+"renew", token, "").cookie(t)
	login := s.post(t, PlainPrefix+"login/alice", renewed.Value, "").cookie(t)
	if renewed == nil || login == nil {
		t.Fatal("no cookie")
	}
	if login.MaxAge < renewed.MaxAge {
		t.Errorf("login cookie Max-Age %d, below the anonymous session's %d", login.MaxAge, renewed.MaxAge)
	}
}

// 4. Destroy deletes under the presented token even when the load failed
// and the session was served degraded.
func testAdapterDestroyDegraded(t *testing.T, r *adapterRun) {
	s := r.serve(t, session.WithDegradedMode())
	token := s.newSession(t)
	s.store.Fail(OpLoad)
	res := s.get(t, PlainPrefix+"get/a", token) // a degraded read: absent
	res.wantStatus(t, "degraded read", http.StatusNotFound)
	s.post(t, PlainPrefix+"destroy", token, "").wantStatus(t, "destroy", http.StatusOK)
	s.store.Heal()
	s.wantValue(t, token, "a", "")
	s.get(t, PlainPrefix+"status", token).wantStatus(t, "status", http.StatusOK, "new")
}

// 4. Destroy deletes a session this instance cannot read (a value from a
// codec it does not know, mid-rollout): on the others the token still
// worked.
func testAdapterDestroyCorrupt(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	token := s.newSession(t)
	rules := session.Rules{Now: time.Now(), Idle: long, Absolute: long}
	unknown := session.Change{Set: map[string][]byte{"z": []byte("\x7funknown codec")}}
	if err := s.store.Store.Save(context.WithoutCancel(t.Context()), TokenID(token), unknown, rules); err != nil {
		t.Fatal(err)
	}
	s.get(t, PlainPrefix+"get/a", token).wantStatus(t, "read of an unreadable session", http.StatusNotFound)
	s.post(t, PlainPrefix+"destroy", token, "").wantStatus(t, "destroy", http.StatusOK)
	if _, found, err := s.store.Load(context.WithoutCancel(t.Context()), TokenID(token)); found || err != nil {
		t.Fatalf("after destroy the unreadable session is still stored (found %v, %v)", found, err)
	}
}

// 7. In degraded mode a request that only writes is served while the store
// is down: nothing saved, no token.
func testAdapterDegradedWrites(t *testing.T, r *adapterRun) {
	s := r.serve(t, session.WithDegradedMode())
	token := s.newSession(t)
	s.store.Fail()
	for _, tc := range []struct{ name, token string }{{"new visitor", ""}, {"existing session", token}} {
		res := s.post(t, PlainPrefix+"set/b", tc.token, `"2"`)
		res.wantStatus(t, tc.name, http.StatusOK)
		res.wantNoToken(t, tc.name)
		res = s.post(t, PlainPrefix+"incr/n", tc.token, "")
		res.wantStatus(t, tc.name+" incr", http.StatusOK, "1")
		res.wantNoToken(t, tc.name+" incr")
	}
	s.store.Heal()
	s.wantValue(t, token, "b", "")
}

// The same-key operations through the adapter: a counter, a list, and
// their round trips on an existing session.
func testAdapterSameKey(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	token := s.newSession(t)
	before := s.counts()
	s.post(t, PlainPrefix+"incr/n", token, "").wantStatus(t, "incr", http.StatusOK, "1")
	s.wantCalls(t, "incr on an existing session", before, 0, 1, 0)
	s.post(t, PlainPrefix+"incr/n", token, "").wantStatus(t, "incr", http.StatusOK, "2")
	s.post(t, PlainPrefix+"append/l", token, `"x"`).wantStatus(t, "append", http.StatusOK)
	s.post(t, PlainPrefix+"append/l", token, `"y"`).wantStatus(t, "append", http.StatusOK)
	s.wantValue(t, token, "l", `["x","y"]`)
	s.post(t, PlainPrefix+"pop/l", token, "").wantStatus(t, "pop", http.StatusOK, `["x","y"]`)
	s.wantValue(t, token, "n", "2")

	// On a new session the first increment creates it.
	res := s.post(t, PlainPrefix+"incr/n", "", "")
	res.wantStatus(t, "incr on a new session", http.StatusOK, "1")
	s.wantValue(t, res.token(t), "n", "1")
}

// TokenID is the ID a store holds the session of token under, as the
// engine computes it: SHA-256, unpadded base64url.
func TokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
