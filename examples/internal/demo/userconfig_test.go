package demo_test

import (
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/examples/internal/demo"
)

func TestParseUserConfig(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  []string
		want demo.UserConfig
	}{
		{"defaults are zero", nil, nil, demo.UserConfig{}},
		{"flags", []string{"-remember", "1h", "-session-limit", "3", "-login-limit", "5/30s", "-trust-proxy",
			"-idle-timeout", "1s", "-absolute-timeout", "2s"}, nil,
			demo.UserConfig{Remember: time.Hour, SessionLimit: 3, LoginLimit: demo.Rate{N: 5, Per: 30 * time.Second},
				TrustProxy: true, Idle: time.Second, Absolute: 2 * time.Second}},
		{"env", nil, []string{"SESSION_REMEMBER=2h", "SESSION_LIMIT=4", "LOGIN_LIMIT=10/1m", "TRUST_PROXY=1",
			"SESSION_IDLE_TIMEOUT=5m", "SESSION_ABSOLUTE_TIMEOUT=1h"},
			demo.UserConfig{Remember: 2 * time.Hour, SessionLimit: 4, LoginLimit: demo.DefaultLoginLimit,
				TrustProxy: true, Idle: 5 * time.Minute, Absolute: time.Hour}},
		{"flags win over env", []string{"-remember", "1m", "-login-limit", "1/1s", "-trust-proxy=false"},
			[]string{"SESSION_REMEMBER=2h", "LOGIN_LIMIT=10/1m", "TRUST_PROXY=1"},
			demo.UserConfig{Remember: time.Minute, LoginLimit: demo.Rate{N: 1, Per: time.Second}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := demo.ParseConfig(tc.args, env(tc.env...), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if got.Users != tc.want {
				t.Fatalf("got %+v, want %+v", got.Users, tc.want)
			}
		})
	}
}

func TestParseUserConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  []string
	}{
		{"bad remember", []string{"-remember", "soon"}, nil},
		{"negative remember", []string{"-remember", "-1h"}, nil},
		{"bad SESSION_REMEMBER", nil, []string{"SESSION_REMEMBER=1 month"}},
		{"negative session limit", []string{"-session-limit", "-1"}, nil},
		{"bad SESSION_LIMIT", nil, []string{"SESSION_LIMIT=many"}},
		{"login limit without period", []string{"-login-limit", "10"}, nil},
		{"login limit of zero", []string{"-login-limit", "0/1m"}, nil},
		{"bad LOGIN_LIMIT", nil, []string{"LOGIN_LIMIT=10/forever"}},
		{"bad TRUST_PROXY", nil, []string{"TRUST_PROXY=maybe"}},
		{"bad SESSION_IDLE_TIMEOUT", nil, []string{"SESSION_IDLE_TIMEOUT=1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := demo.ParseConfig(tc.args, env(tc.env...), io.Discard); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestLoginAllowedInMemory(t *testing.T) {
	cfg := demo.Config{Addr: demo.DefaultAddr, Codec: "json",
		Users: demo.UserConfig{LoginLimit: demo.Rate{N: 2, Per: time.Hour}}}
	m, err := session.New(memstore.New(), cfg.SessionOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	a := demo.NewApp("test", cfg, m, nil)
	r := httptest.NewRequest("POST", "/api/login", nil)
	r.RemoteAddr = "192.0.2.1:1234"
	for i, want := range []bool{true, true, false} {
		wait, ok, err := a.LoginAllowed(t.Context(), "alice", r)
		if err != nil || ok != want {
			t.Fatalf("attempt %d: ok=%v, %v; want ok=%v", i+1, ok, err, want)
		}
		if !ok && (wait <= 59*time.Minute || wait > time.Hour || demo.RetryAfter(wait) != "3600") {
			t.Fatalf("attempt %d: retry after %v (%s s), want about an hour", i+1, wait, demo.RetryAfter(wait))
		}
	}
	if _, ok, _ := a.LoginAllowed(t.Context(), "bob", r); !ok {
		t.Fatal("another user from the same address is throttled")
	}
	r.RemoteAddr = "192.0.2.2:1234"
	if _, ok, _ := a.LoginAllowed(t.Context(), "alice", r); !ok {
		t.Fatal("the same user from another address is throttled")
	}
}

func TestRetryAfter(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "1", time.Millisecond: "1", time.Second: "1",
		1001 * time.Millisecond: "2", time.Minute: "60"} {
		if got := demo.RetryAfter(d); got != want {
			t.Errorf("RetryAfter(%v) = %s, want %s", d, got, want)
		}
	}
}
