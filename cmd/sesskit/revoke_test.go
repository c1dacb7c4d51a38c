package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// anonymous reports whether the next request with cookie finds no session:
// no user, no values.
func anonymous(t *testing.T, a *app, cookie *http.Cookie) bool {
	t.Helper()
	var user string
	var isNew, has bool
	a.request(t, cookie, func(s *session.Session) error {
		var err error
		if user, err = s.User(); err != nil {
			return err
		}
		if has, err = s.Has("cart"); err != nil {
			return err
		}
		st, err := s.Status()
		isNew = st == session.StatusNew
		return err
	})
	return user == "" && !has && isNew
}

// TestRevoke: revoke HANDLE makes that session's next request anonymous,
// and leaves the user's other sessions alone.
func TestRevoke(t *testing.T) {
	eachTopology(t, func(t *testing.T, tp topology) {
		a := newApp(t, tp, uniquePrefix())
		phone, phoneHandle := a.login(t, "bob", map[string]any{"cart": 1})
		laptop, _ := a.login(t, "bob", map[string]any{"cart": 2})
		guest, guestHandle := a.login(t, "", map[string]any{"cart": 3})

		res := sesskit(t, cmdArgs([]string{"revoke"}, a.conn, phoneHandle)...)
		if res.code != 0 || !strings.Contains(res.stdout, `of user "bob"`) {
			t.Fatalf("revoke: exit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		if !anonymous(t, a, phone) {
			t.Error("the revoked session still answers")
		}
		if anonymous(t, a, laptop) {
			t.Error("revoking one device ended the other")
		}
		// A session without a user is in no index, and revoked all the same.
		if res := sesskit(t, cmdArgs([]string{"revoke"}, a.conn, guestHandle)...); res.code != 0 {
			t.Fatalf("revoke guest: exit %d: %s", res.code, res.stderr)
		}
		if !anonymous(t, a, guest) {
			t.Error("the revoked guest session still answers")
		}
		// Gone now: an unknown handle, exit 1.
		res = sesskit(t, cmdArgs([]string{"revoke"}, a.conn, phoneHandle)...)
		if res.code != 1 || !strings.Contains(res.stderr, "no session") {
			t.Errorf("revoke again: exit %d: %s", res.code, res.stderr)
		}
	})
}

// TestUser: user ls lists a user's sessions by handle; user revoke logs the
// user out everywhere.
func TestUser(t *testing.T) {
	eachTopology(t, func(t *testing.T, tp topology) {
		a := newApp(t, tp, uniquePrefix())
		c1, h1 := a.login(t, "carol", map[string]any{"cart": 1})
		c2, h2 := a.login(t, "carol", map[string]any{"cart": 2})
		other, _ := a.login(t, "dave", map[string]any{"cart": 3})

		res := sesskit(t, cmdArgs([]string{"user", "ls"}, a.conn, "-json", "carol")...)
		if res.code != 0 {
			t.Fatalf("user ls: exit %d: %s", res.code, res.stderr)
		}
		var devices []session.Device
		if err := json.Unmarshal([]byte(res.stdout), &devices); err != nil {
			t.Fatal(err)
		}
		handles := map[string]bool{}
		for _, d := range devices {
			handles[d.Handle] = true
		}
		if len(devices) != 2 || !handles[h1] || !handles[h2] {
			t.Fatalf("user ls = %+v, want %s and %s", devices, h1, h2)
		}
		if res := sesskit(t, cmdArgs([]string{"user", "ls"}, a.conn, "carol")...); !strings.Contains(res.stdout, h1) {
			t.Errorf("user ls text lacks %s:\n%s", h1, res.stdout)
		}

		res = sesskit(t, cmdArgs([]string{"user", "revoke"}, a.conn, "carol")...)
		if res.code != 0 || !strings.Contains(res.stdout, "revoked 2 ") {
			t.Fatalf("user revoke: exit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		if !anonymous(t, a, c1) || !anonymous(t, a, c2) {
			t.Error("a session of the revoked user still answers")
		}
		if anonymous(t, a, other) {
			t.Error("revoking carol ended dave's session")
		}
		if res := sesskit(t, cmdArgs([]string{"user", "ls"}, a.conn, "carol")...); res.code != 0 || !strings.Contains(res.stdout, "no sessions") {
			t.Errorf("user ls after revoke: exit %d\n%s", res.code, res.stdout)
		}
	})
}

// TestRemembered: a remember-me token shows in user ls, inspect shows its
// metadata (never its validator), and revoke ends it.
func TestRemembered(t *testing.T) {
	eachTopology(t, func(t *testing.T, tp topology) {
		a := newApp(t, tp, uniquePrefix(), session.WithRememberMe(24*time.Hour))
		a.request(t, nil, func(s *session.Session) error {
			if err := s.SetUser("erin"); err != nil {
				return err
			}
			return s.Remember()
		})
		devices, err := a.m.Devices(t.Context(), "erin")
		if err != nil {
			t.Fatal(err)
		}
		var token string
		for _, d := range devices {
			if d.Remembered {
				token = d.Handle
			}
		}
		if token == "" {
			t.Fatalf("no remember-me token in %+v", devices)
		}
		res := sesskit(t, cmdArgs([]string{"user", "ls"}, a.conn, "erin")...)
		if !strings.Contains(res.stdout, token) || !strings.Contains(res.stdout, "remember-me") {
			t.Errorf("user ls lacks the token:\n%s", res.stdout)
		}
		res = sesskit(t, cmdArgs([]string{"inspect"}, a.conn, "-json", token)...)
		var in inspected
		if err := json.Unmarshal([]byte(res.stdout), &in); err != nil || in.Kind != "remember" || in.User != "erin" || in.TTLMillis <= 0 {
			t.Errorf("inspect token: exit %d, %+v, %v\n%s", res.code, in, err, res.stderr)
		}
		if res := sesskit(t, cmdArgs([]string{"revoke"}, a.conn, token)...); res.code != 0 {
			t.Fatalf("revoke token: exit %d: %s", res.code, res.stderr)
		}
		if devices, _ := a.m.Devices(t.Context(), "erin"); len(devices) != 1 || devices[0].Remembered {
			t.Errorf("after revoke: %+v", devices)
		}
	})
}
