package session_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
)

// wellFormed is the token shape, written independently of the engine.
func wellFormed(s string) bool {
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil && len(b) == 32 && base64.RawURLEncoding.EncodeToString(b) == s
}

var malformedTokens = []string{
	strings.Repeat("A", 42),
	strings.Repeat("A", 44),
	strings.Repeat("A", 4096),
	strings.Repeat("A", 42) + "B", // non-canonical last character
	strings.Repeat("A", 42) + "*",
	"*",
	"{}",
	"{" + strings.Repeat("A", 41) + "}",
	strings.Repeat("A", 40) + "\r\nX",
	strings.Repeat("A", 42) + "\x00",
	strings.Repeat("A", 21) + "+/" + strings.Repeat("A", 20),
	strings.Repeat("A", 41) + "==",
	strings.Repeat("é", 21) + "A",
}

func TestMalformedTokensNeverReachTheStore(t *testing.T) {
	h := newHarness(t, session.WithHeaderToken("X-Session-Token"))
	for _, tok := range malformedTokens {
		for _, viaHeader := range []bool{false, true} {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
			if viaHeader {
				req.Header["X-Session-Token"] = []string{tok}
			} else {
				req.Header.Set("Cookie", "session="+tok)
			}
			rec := newRecorder()
			sesshttp.Middleware(h.m)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				s := session.FromContext(r.Context())
				if fresh, err := statusNew(s); !fresh || err != nil {
					t.Errorf("%q: new = %v, %v", tok, fresh, err)
				}
			})).ServeHTTP(rec, req)
		}
	}
	if n := h.calls(); n != 0 {
		t.Errorf("malformed tokens caused %d store calls", n)
	}
}

func TestUnknownTokenIsNotAdopted(t *testing.T) {
	h := newHarness(t)
	unknown := strings.Repeat("A", 43)
	resp := h.do(unknown, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		must(t, s.Set("a", 1))
	})
	c := sessionCookie(resp)
	if c == nil || c.Value == unknown {
		t.Fatalf("unknown token was adopted: %v", c)
	}
	if !isNew(t, h, unknown) {
		t.Error("a session was created under the client-chosen token")
	}
}

func TestStaleCookieIsExpiredWhenRead(t *testing.T) {
	h := newHarness(t)
	resp := h.do(strings.Repeat("A", 43), func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		_, _ = s.Keys()
	})
	if c := sessionCookie(resp); c == nil || c.MaxAge >= 0 {
		t.Errorf("stale cookie not expired: %v", c)
	}
}

func FuzzToken(f *testing.F) {
	for _, tok := range malformedTokens {
		f.Add(tok)
	}
	f.Add(strings.Repeat("A", 43))
	f.Add("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-_E")
	f.Fuzz(func(t *testing.T, tok string) {
		h := newHarness(t)
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
		req.Header.Set("Cookie", "session="+tok)
		sesshttp.Middleware(h.m)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			_, _ = session.FromContext(r.Context()).Keys()
		})).ServeHTTP(newRecorder(), req)
		parsed, err := req.Cookie("session")
		reached := h.loads() > 0
		if reached && (err != nil || !wellFormed(parsed.Value)) {
			t.Fatalf("token %q reached the store", tok)
		}
		if !reached && err == nil && wellFormed(parsed.Value) {
			t.Fatalf("well-formed token %q was not looked up", tok)
		}
	})
}
