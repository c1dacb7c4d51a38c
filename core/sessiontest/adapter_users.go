package sessiontest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// The per-user cases: devices, revoke, the session limit, remember-me.
// They run only on stores that are session.UserStore.

var adapterUserCases = []struct {
	name string
	run  func(t *testing.T, r *adapterRun)
}{
	{"devices and revoke", testAdapterDevices},
	{"session limit", testAdapterSessionLimit},
	{"remember me", testAdapterRemember},
}

// login logs a fresh client in as user and returns its token.
func (s *adapterServer) login(t *testing.T, user string) string {
	t.Helper()
	res := s.post(t, PlainPrefix+"login/"+user, "", "")
	res.wantStatus(t, "login "+user, http.StatusOK)
	return res.token(t)
}

// devices returns what the devices route answers for token.
func (s *adapterServer) devices(t *testing.T, token string) []string {
	t.Helper()
	res := s.get(t, PlainPrefix+"devices", token)
	res.wantStatus(t, "devices", http.StatusOK)
	var out []string
	if err := json.Unmarshal([]byte(res.body), &out); err != nil {
		t.Fatalf("devices: %q: %v", res.body, err)
	}
	return out
}

func (s *adapterServer) wantUser(t *testing.T, what, token, user string) {
	t.Helper()
	s.get(t, PlainPrefix+"user", token).wantStatus(t, what, http.StatusOK, user)
}

func testAdapterDevices(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	phone, laptop, tablet := s.login(t, "alice"), s.login(t, "alice"), s.login(t, "alice")
	bob := s.login(t, "bob")
	list := s.devices(t, laptop)
	want := []string{TokenID(phone), TokenID(laptop) + " current", TokenID(tablet)}
	if slices.Sort(list); len(list) != 3 || !slices.Equal(list, slices.Sorted(slices.Values(want))) {
		t.Fatalf("alice's devices from the laptop = %q, want %q", list, want)
	}
	phoneHandle, tabletHandle := TokenID(phone), TokenID(tablet)
	s.post(t, PlainPrefix+"revoke/"+phoneHandle, bob, "").wantStatus(t, "bob revokes alice's phone", http.StatusNotFound)
	s.wantUser(t, "the phone after bob tried", phone, "alice")
	s.post(t, PlainPrefix+"revoke/"+phoneHandle, laptop, "").wantStatus(t, "revoke the phone", http.StatusOK)
	s.wantUser(t, "the phone after its revoke", phone, "")
	s.post(t, PlainPrefix+"revoke/"+tabletHandle, laptop, "").wantStatus(t, "revoke the tablet", http.StatusOK)
	s.post(t, PlainPrefix+"revoke/"+tabletHandle, laptop, "").wantStatus(t, "revoke it again", http.StatusNotFound)
	s.wantUser(t, "the tablet", tablet, "")

	others := []string{s.login(t, "alice"), s.login(t, "alice")}
	s.post(t, PlainPrefix+"revoke-others", laptop, "").wantStatus(t, "revoke the others", http.StatusOK, "2")
	for _, tok := range others {
		s.wantUser(t, "another device after revoke-others", tok, "")
	}
	s.wantUser(t, "the laptop", laptop, "alice")
	s.wantUser(t, "bob", bob, "bob")
	if list := s.devices(t, laptop); len(list) != 1 || !strings.HasSuffix(list[0], " current") {
		t.Fatalf("devices after revoke-others = %q, want the laptop alone", list)
	}

	// A logout takes the session out of the user's list.
	s.post(t, PlainPrefix+"destroy", laptop, "").wantStatus(t, "logout", http.StatusOK)
	if list := s.devices(t, s.login(t, "alice")); len(list) != 1 {
		t.Fatalf("devices after the logout and a new login = %q, want one", list)
	}
}

func testAdapterSessionLimit(t *testing.T, r *adapterRun) {
	s := r.serve(t, session.WithSessionLimit(2, false))
	first := s.login(t, "carol")
	s.clock.advance(time.Second) // oldest by deadline, to the millisecond
	second := s.login(t, "carol")
	s.clock.advance(time.Second)
	third := s.login(t, "carol")
	s.wantUser(t, "the oldest session, evicted", first, "")
	s.wantUser(t, "the second", second, "carol")
	s.wantUser(t, "the newest", third, "carol")

	refusing := r.serve(t, session.WithSessionLimit(1, true))
	kept := refusing.login(t, "dave")
	anon := refusing.newSession(t)
	res := refusing.post(t, PlainPrefix+"login/dave", anon, "")
	res.wantStatus(t, "a login over a refusing limit", http.StatusConflict)
	res.wantNoToken(t, "a refused login")
	refusing.wantValue(t, anon, "a", `"1"`) // the anonymous session is untouched
	refusing.wantUser(t, "the session kept", kept, "dave")
}

func testAdapterRemember(t *testing.T, r *adapterRun) {
	s := r.serve(t, session.WithRememberMe(0), session.WithRememberCookieName(adapterRememberCookie))
	res := s.post(t, PlainPrefix+"remember/erin", s.newSession(t), "")
	res.wantStatus(t, "login with remember-me", http.StatusOK)
	first := res.namedCookie(t, adapterRememberCookie)
	if first == nil || first.Value == "" || !first.HttpOnly || first.MaxAge < 29*24*3600 {
		t.Fatalf("remember-me cookie %+v, want a 30-day HttpOnly cookie", first)
	}

	// The browser restarts: only the remember-me cookie is left.
	res = s.do(t, adapterReq{method: http.MethodGet, path: PlainPrefix + "user", remember: first.Value})
	res.wantStatus(t, "restored", http.StatusOK, "erin restored")
	restored := res.token(t)
	rotated := res.namedCookie(t, adapterRememberCookie)
	if rotated == nil || rotated.Value == first.Value || rotated.Value == "" {
		t.Fatalf("remember-me cookie after a restore %+v, want it rotated", rotated)
	}
	s.wantUser(t, "the restored session", restored, "erin restored")
	if list := s.devices(t, restored); len(list) != 3 { // the login's session, the restored one, the token
		t.Fatalf("devices = %q, want two sessions and the remember-me token", list)
	}

	// The same cookie at once is the browser's concurrent request: no
	// login, no alarm, cookies left alone.
	res = s.do(t, adapterReq{method: http.MethodGet, path: PlainPrefix + "user", remember: first.Value})
	res.wantStatus(t, "the previous cookie at once", http.StatusOK, "")
	res.wantNoToken(t, "the previous cookie at once")
	s.wantUser(t, "the restored session", restored, "erin restored")

	// A copy of the first cookie comes back later: every session of erin
	// ends, and every token.
	s.clock.advance(session.RememberGrace + time.Second)
	res = s.do(t, adapterReq{method: http.MethodGet, path: PlainPrefix + "user", remember: first.Value})
	res.wantStatus(t, "a stolen copy", http.StatusOK, "")
	if c := res.namedCookie(t, adapterRememberCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("a stolen copy: remember-me cookie %+v, want it expired", c)
	}
	s.wantUser(t, "the restored session after the theft", restored, "")
	res = s.do(t, adapterReq{method: http.MethodGet, path: PlainPrefix + "user", remember: rotated.Value})
	res.wantStatus(t, "the rotated token after the theft", http.StatusOK, "")

	// Logout expires both cookies and revokes the token.
	res = s.post(t, PlainPrefix+"remember/erin", s.newSession(t), "")
	token, remember := res.token(t), res.namedCookie(t, adapterRememberCookie).Value
	res = s.do(t, adapterReq{method: http.MethodPost, path: PlainPrefix + "destroy", cookie: token, remember: remember})
	res.wantExpired(t, "logout")
	if c := res.namedCookie(t, adapterRememberCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("logout: remember-me cookie %+v, want it expired", c)
	}
	res = s.do(t, adapterReq{method: http.MethodGet, path: PlainPrefix + "user", remember: remember})
	res.wantStatus(t, "the token after logout", http.StatusOK, "")
}
