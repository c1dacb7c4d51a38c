package session_test

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
)

func TestNewVisitorGetsSecureCookie(t *testing.T) {
	h := newHarness(t)
	resp := h.do("", func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		must(t, s.Set("visits", 1))
	})
	c := sessionCookie(resp)
	if c == nil {
		t.Fatal("no cookie")
	}
	if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge <= 0 {
		t.Errorf("cookie flags: %+v", c)
	}
	if len(c.Value) != 43 {
		t.Errorf("token length %d, want 43", len(c.Value))
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q", got)
	}
	if n := h.calls(); n != 1 {
		t.Errorf("store calls for a new visitor = %d, want 1", n)
	}
}

func TestUntouchedSessionCostsNothing(t *testing.T) {
	h := newHarness(t)
	token := h.newSession(map[string]any{"a": 1})
	before := h.calls()
	for _, tok := range []string{"", token, "garbage"} {
		resp := h.do(tok, func(w http.ResponseWriter, _ *http.Request, _ *session.Session) {
			w.WriteHeader(http.StatusOK)
		})
		if len(resp.Cookies()) != 0 {
			t.Errorf("token %q: untouched session set a cookie", tok)
		}
	}
	if n := h.calls() - before; n != 0 {
		t.Errorf("untouched requests made %d store calls", n)
	}
}

func TestReadWriteDeleteRoundTrips(t *testing.T) {
	h := newHarness(t)
	token := h.newSession(map[string]any{"visits": 41, "name": "ann"})
	tests := []struct {
		name       string
		handler    func(*testing.T, *session.Session)
		loads, svs int32
	}{
		{"read", func(t *testing.T, s *session.Session) {
			n, err := session.Get[int](s, "visits")
			must(t, err)
			if n != 41 {
				t.Errorf("visits = %d", n)
			}
		}, 1, 0},
		{"write only", func(t *testing.T, s *session.Session) { must(t, s.Set("color", "red")) }, 0, 1},
		{"read then write", func(t *testing.T, s *session.Session) {
			n, err := session.Get[int](s, "visits")
			must(t, err)
			must(t, s.Set("visits", n+1))
		}, 1, 1},
		{"delete only", func(t *testing.T, s *session.Session) { must(t, s.Delete("color")) }, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, sv := h.loads(), h.writes()
			resp := h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) { tt.handler(t, s) })
			if c := sessionCookie(resp); c != nil {
				t.Errorf("existing session re-sent its cookie: %v", c)
			}
			if got := h.loads() - l; got != tt.loads {
				t.Errorf("loads = %d, want %d", got, tt.loads)
			}
			if got := h.writes() - sv; got != tt.svs {
				t.Errorf("saves = %d, want %d", got, tt.svs)
			}
		})
	}
	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		keys, err := s.Keys()
		must(t, err)
		if want := []string{"name", "visits"}; !slices.Equal(keys, want) {
			t.Errorf("keys = %v, want %v", keys, want)
		}
		if n, _ := session.Get[int](s, "visits"); n != 42 {
			t.Errorf("visits = %d, want 42", n)
		}
	})
}

func TestTypedValues(t *testing.T) {
	type cartLine struct {
		SKU string `json:"sku"`
		Qty int    `json:"qty"`
	}
	h := newHarness(t)
	token := h.newSession(map[string]any{
		"big":  int64(1) << 60,
		"cart": []cartLine{{"A1", 2}},
		"f":    1.5,
	})
	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		if n, err := session.Get[int64](s, "big"); err != nil || n != 1<<60 {
			t.Errorf("big = %d, %v", n, err)
		}
		if c, err := session.Get[[]cartLine](s, "cart"); err != nil || len(c) != 1 || c[0] != (cartLine{"A1", 2}) {
			t.Errorf("cart = %v, %v", c, err)
		}
		var anyv any
		must(t, s.Get("big", &anyv))
		if fmt.Sprint(anyv) != "1152921504606846976" {
			t.Errorf("big as any = %v (%T): integers must stay exact", anyv, anyv)
		}
		if _, err := session.Get[string](s, "f"); !errors.Is(err, session.ErrDecode) {
			t.Errorf("decoding a number into a string: %v, want ErrDecode", err)
		}
		if _, err := session.Get[int](s, "missing"); !errors.Is(err, session.ErrNoValue) {
			t.Errorf("missing key: %v, want ErrNoValue", err)
		}
		if ok, err := s.Has("cart"); !ok || err != nil {
			t.Errorf("Has(cart) = %v, %v", ok, err)
		}
	})
}

func TestFlashPop(t *testing.T) {
	h := newHarness(t)
	token := h.newSession(map[string]any{"flash": []string{"hi", "there"}})
	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		msgs, err := session.Pop[[]string](s, "flash")
		must(t, err)
		if !slices.Equal(msgs, []string{"hi", "there"}) {
			t.Errorf("flash = %v", msgs)
		}
	})
	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		if _, err := session.Pop[[]string](s, "flash"); !errors.Is(err, session.ErrNoValue) {
			t.Errorf("second pop: %v, want ErrNoValue", err)
		}
	})
}

func TestInvalidKeys(t *testing.T) {
	h := newHarness(t)
	h.do("", func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		for _, key := range []string{"", "@user", "@x", string(make([]byte, 300)), "\xff\xfe"} {
			if err := s.Set(key, 1); !errors.Is(err, session.ErrInvalidKey) {
				t.Errorf("Set(%q): %v, want ErrInvalidKey", key, err)
			}
			if err := s.Get(key, new(int)); !errors.Is(err, session.ErrInvalidKey) {
				t.Errorf("Get(%q): %v, want ErrInvalidKey", key, err)
			}
		}
	})
}

func TestSizeLimits(t *testing.T) {
	// "a" costs 69 bytes with its FieldOverhead, each k 139: two fit in 400, three do not.
	h := newHarness(t, session.WithMaxValueSize(100), session.WithMaxSessionSize(400))
	token := h.newSession(map[string]any{"a": "x"})
	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		if err := s.Set("big", string(make([]byte, 200))); !errors.Is(err, session.ErrTooLarge) {
			t.Errorf("oversized value: %v, want ErrTooLarge", err)
		}
		if _, err := s.Keys(); err != nil { // load, so Set can see the session size
			t.Fatal(err)
		}
		for i := range 3 {
			err := s.Set(fmt.Sprint("k", i), "0123456789012345678901234567890123456789012345678901234567890123456789")
			if i < 2 && err != nil {
				t.Errorf("value %d: %v", i, err)
			}
			if i == 2 && !errors.Is(err, session.ErrTooLarge) {
				t.Errorf("value over the session limit: %v, want ErrTooLarge", err)
			}
		}
	})
}

// A write-only request cannot see the session size; the store refuses it.
func TestSessionLimitEnforcedByStoreForBlindWrites(t *testing.T) {
	h := newHarness(t, session.WithMaxValueSize(100), session.WithMaxSessionSize(140))
	token := h.newSession(map[string]any{"a": "0123456789012345678901234567890123456789012345678901234567890123456789"})
	resp := h.do(token, func(w http.ResponseWriter, _ *http.Request, s *session.Session) {
		must(t, s.Set("b", "0123456789012345678901234567890123456789012345678901234567890123456789"))
		w.WriteHeader(http.StatusNoContent)
	})
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413", resp.StatusCode)
	}
	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		if ok, _ := s.Has("b"); ok {
			t.Error("refused value was stored")
		}
	})
}

func TestUserAndClear(t *testing.T) {
	h := newHarness(t)
	token := h.newSession(map[string]any{"a": 1})
	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) { must(t, s.SetUser("alice")) })
	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		u, err := s.User()
		if u != "alice" || err != nil {
			t.Errorf("user = %q, %v", u, err)
		}
		keys, _ := s.Keys()
		if !slices.Equal(keys, []string{"a"}) {
			t.Errorf("keys = %v: the user record must not show as a key", keys)
		}
		must(t, s.Clear())
	})
	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		keys, _ := s.Keys()
		u, _ := s.User()
		if len(keys) != 0 || u != "" {
			t.Errorf("after Clear: keys %v, user %q", keys, u)
		}
	})
}

func TestRenewMakesOldTokenUseless(t *testing.T) {
	h := newHarness(t)
	old := h.newSession(map[string]any{"cart": "A1"})
	resp := h.do(old, func(_ http.ResponseWriter, r *http.Request, s *session.Session) {
		must(t, s.Renew(r.Context()))
		must(t, s.SetUser("alice"))
	})
	c := sessionCookie(resp)
	if c == nil || c.Value == old {
		t.Fatalf("renew did not issue a new token: %v", c)
	}
	h.do(c.Value, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		cart, err := session.Get[string](s, "cart")
		u, _ := s.User()
		if cart != "A1" || u != "alice" || err != nil {
			t.Errorf("renewed session: cart %q user %q err %v", cart, u, err)
		}
	})
	h.do(old, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		if isNew, _ := statusNew(s); !isNew {
			t.Error("old token still loads a session")
		}
	})
}

func TestDestroy(t *testing.T) {
	h := newHarness(t)
	token := h.newSession(map[string]any{"a": 1})
	resp := h.do(token, func(_ http.ResponseWriter, r *http.Request, s *session.Session) {
		must(t, s.Destroy(r.Context()))
	})
	c := sessionCookie(resp)
	if c == nil || c.MaxAge >= 0 || c.Value != "" {
		t.Errorf("destroy did not expire the cookie: %v", c)
	}
	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		if isNew, _ := statusNew(s); !isNew {
			t.Error("destroyed session still loads")
		}
	})
}

func TestDestroyThenSetStartsFreshSession(t *testing.T) {
	h := newHarness(t)
	token := h.newSession(map[string]any{"a": 1})
	resp := h.do(token, func(_ http.ResponseWriter, r *http.Request, s *session.Session) {
		must(t, s.Destroy(r.Context()))
		must(t, s.Set("flash", []string{"logged out"}))
	})
	c := sessionCookie(resp)
	if c == nil || c.Value == token || c.Value == "" {
		t.Fatalf("want a fresh token, got %v", c)
	}
	h.do(c.Value, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		if ok, _ := s.Has("a"); ok {
			t.Error("old data leaked into the new session")
		}
	})
}

// A request in flight when another request destroys the session must not
// bring it back; its changes go to a new session under a fresh token.
func TestCommitAfterConcurrentDestroyDoesNotResurrect(t *testing.T) {
	h := newHarness(t)
	token := h.newSession(map[string]any{"secret": "x"})
	resp := h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		must(t, s.Set("cart", "A1"))
		h.do(token, func(_ http.ResponseWriter, r *http.Request, s2 *session.Session) { must(t, s2.Destroy(r.Context())) })
	})
	c := sessionCookie(resp)
	if c == nil || c.Value == token {
		t.Fatalf("want a fresh token after the session vanished, got %v", c)
	}
	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		if isNew, _ := statusNew(s); !isNew {
			t.Error("destroyed session was resurrected")
		}
	})
	h.do(c.Value, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		if ok, _ := s.Has("secret"); ok {
			t.Error("new session carries the destroyed session's data")
		}
		if cart, _ := session.Get[string](s, "cart"); cart != "A1" {
			t.Errorf("cart = %q", cart)
		}
	})
}

func TestConcurrentRequestsKeepEachOthersChanges(t *testing.T) {
	h := newHarness(t)
	token := h.newSession(map[string]any{"seed": 0})
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
				if _, err := session.Get[int](s, "seed"); err != nil {
					t.Error(err)
				}
				must(t, s.Set(fmt.Sprint("k", i), i))
			})
		})
	}
	wg.Wait()
	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		keys, _ := s.Keys()
		if len(keys) != 51 {
			t.Errorf("%d keys survived, want 51", len(keys))
		}
	})
}

func TestHeaderTransport(t *testing.T) {
	h := newHarness(t, session.WithHeaderToken("X-Session-Token"))
	run := func(token string, f func(*session.Session)) *http.Response {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
		req.Header.Set("X-Session-Token", token)
		rec := newRecorder()
		sesshttp.Middleware(h.m)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			f(session.FromContext(r.Context()))
		})).ServeHTTP(rec, req)
		return rec.Result()
	}
	resp := run("new", func(s *session.Session) { must(t, s.Set("a", 1)) })
	token := resp.Header.Get("X-Session-Token")
	if len(token) != 43 || len(resp.Cookies()) != 0 {
		t.Fatalf("header transport: token %q, cookies %v", token, resp.Cookies())
	}
	resp = run(token, func(s *session.Session) {
		if n, _ := session.Get[int](s, "a"); n != 1 {
			t.Errorf("a = %d", n)
		}
		must(t, s.Renew(t.Context()))
	})
	renewed := resp.Header.Get("X-Session-Token")
	if renewed == "" || renewed == token || len(resp.Cookies()) != 0 {
		t.Errorf("renew over header: %q, cookies %v", renewed, resp.Cookies())
	}
}

func TestMiddlewareMissing(t *testing.T) {
	s := session.FromContext(t.Context())
	if err := s.Set("a", 1); !errors.Is(err, session.ErrNoSession) {
		t.Errorf("Set without middleware: %v", err)
	}
	if _, err := session.Get[int](s, "a"); !errors.Is(err, session.ErrNoSession) {
		t.Errorf("Get without middleware: %v", err)
	}
}
