package e2e_test

import (
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// The configuration code is shared (internal/demo), so the configuration
// tables below run whole on chi and only a sample of their cases on the other
// apps, to keep the number of processes down.

// TestFirstLogLine checks the first log line, which names the address, the
// store and the codec, and that flags win over environment variables.
func TestFirstLogLine(t *testing.T) {
	t.Parallel()
	redisURL := os.Getenv("SESSKIT_REDIS_URL")
	cases := []struct {
		name         string
		env, args    []string
		redis        bool
		store, codec string
	}{
		{name: "defaults", store: "memory", codec: "json"},
		{name: "codec flag", args: []string{"-codec", "msgpack"}, store: "memory", codec: "msgpack"},
		{name: "codec env", env: []string{"SESSION_CODEC=msgpack"}, store: "memory", codec: "msgpack"},
		{name: "flag wins over env", env: []string{"SESSION_CODEC=msgpack"}, args: []string{"-codec", "json"}, store: "memory", codec: "json"},
		{name: "redis flag", args: []string{"-redis", redisURL}, redis: true, store: "redis", codec: "json"},
		{name: "redis env", env: []string{"REDIS_URL=" + redisURL, "SESSION_CODEC=msgpack"}, redis: true, store: "redis", codec: "msgpack"},
		{name: "redis flag wins over REDIS_ADDRS", env: []string{"REDIS_ADDRS=127.0.0.1:1,127.0.0.1:2"}, args: []string{"-redis", redisURL}, redis: true, store: "redis", codec: "json"},
	}
	for _, fw := range frameworks {
		for _, tc := range cases {
			if fw != "chi" && !slices.Contains([]string{"defaults", "redis env"}, tc.name) {
				continue
			}
			t.Run(fw+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				if tc.redis {
					singleRedis(t)
				}
				a := start(t, fw, tc.env, tc.args...)
				want := `^time=\S+ level=INFO msg="sesskit demo listening" framework=` + fw +
					` addr=127\.0\.0\.1:\d+ store=` + tc.store + ` codec=` + tc.codec + `$`
				if !regexp.MustCompile(want).MatchString(a.first) {
					t.Fatalf("first log line %q\nwant match for %s", a.first, want)
				}
				wantJSON(t, "GET /healthz", newClient(t).do("GET", a.url+"/healthz", ""), 200, `{"store":"ok","breaker":"closed"}`)
			})
		}
	}
}

// TestAddrEnv checks that ADDR sets the address when -addr is absent.
func TestAddrEnv(t *testing.T) {
	t.Parallel()
	a := launch(t, "chi", []string{"ADDR=127.0.0.1:0"})
	wantJSON(t, "GET /healthz", newClient(t).do("GET", a.url+"/healthz", ""), 200, `{"store":"ok","breaker":"closed"}`)
}

// TestSecureCookie checks -secure and COOKIE_SECURE=1.
func TestSecureCookie(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		env    []string
		args   []string
		secure bool
	}{
		{"default", nil, nil, false},
		{"flag", nil, []string{"-secure"}, true},
		{"env", []string{"COOKIE_SECURE=1"}, nil, true},
		{"flag wins over env", []string{"COOKIE_SECURE=1"}, []string{"-secure=false"}, false},
	}
	for _, fw := range frameworks {
		for _, tc := range cases {
			if fw != "chi" && !slices.Contains([]string{"flag"}, tc.name) {
				continue
			}
			t.Run(fw+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				a := start(t, fw, tc.env, tc.args...)
				r := noJar(t).do("POST", a.url+"/api/visits", "")
				ck := setCookie(r)
				if ck == nil || ck.Secure != tc.secure {
					t.Fatalf("Set-Cookie %q, want Secure=%v", r.header.Values("Set-Cookie"), tc.secure)
				}
			})
		}
	}
}

// TestBadConfig checks that bad configuration ends the process with a
// non-zero status and one clear line on stderr.
func TestBadConfig(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	cases := []struct {
		name      string
		env, args []string
		says      string // the line contains this
	}{
		{"unknown codec", nil, []string{"-codec", "xml"}, "codec"},
		{"unknown codec in env", []string{"SESSION_CODEC=yaml"}, nil, "codec"},
		{"unparsable URL", nil, []string{"-redis", "redis://:s3cret@127.0.0.1:notaport/0"}, "redis"},
		{"not a Redis URL", nil, []string{"-redis", "http://127.0.0.1:1"}, "redis"},
		{"unparsable URL in env", []string{"REDIS_URL=redis://[::1"}, nil, "redis"},
		{"master name without addresses", []string{"REDIS_MASTER_NAME=sesskit"}, nil, "REDIS_ADDRS"},
		{"address without port", []string{"REDIS_ADDRS=127.0.0.1"}, nil, "REDIS_ADDRS"},
		{"URL and addresses", []string{"REDIS_URL=redis://127.0.0.1:1/0", "REDIS_ADDRS=127.0.0.1:2"}, nil, "REDIS_ADDRS"},
		{"bad COOKIE_SECURE", []string{"COOKIE_SECURE=maybe"}, nil, "COOKIE_SECURE"},
		{"unknown flag", nil, []string{"-nope"}, "nope"},
		{"argument", nil, []string{"extra"}, "extra"},
		{"address in use", nil, []string{"-addr", busy.Addr().String()}, "address already in use"},
		{"bad address", nil, []string{"-addr", "127.0.0.1:notaport"}, "notaport"},
	}
	for _, fw := range frameworks {
		for _, tc := range cases {
			if fw != "chi" && !slices.Contains([]string{"unknown codec", "unparsable URL", "address in use"}, tc.name) {
				continue
			}
			t.Run(fw+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				code, stderr := runToExit(t, fw, tc.env, tc.args...)
				lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
				switch {
				case code == 0:
					t.Fatalf("exit status 0, want non-zero; stderr %q", stderr)
				case len(lines) != 1 || lines[0] == "":
					t.Fatalf("stderr has %d lines, want 1: %q", len(lines), stderr)
				case !strings.Contains(lines[0], tc.says):
					t.Fatalf("stderr %q does not mention %q", lines[0], tc.says)
				case strings.Contains(stderr, "s3cret"):
					t.Fatalf("stderr reveals the Redis password: %q", stderr)
				}
			})
		}
	}
}

// TestSignals checks that SIGTERM and SIGINT shut every app down with exit
// status 0 (stop checks the status). Every other test stops its apps with
// SIGTERM too.
func TestSignals(t *testing.T) {
	t.Parallel()
	for _, fw := range frameworks {
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
			if fw != "chi" && sig == syscall.SIGTERM {
				continue
			}
			t.Run(fw+"/"+sig.String(), func(t *testing.T) {
				t.Parallel()
				a := start(t, fw, nil)
				c := newClient(t)
				wantJSON(t, "POST /api/visits", c.do("POST", a.url+"/api/visits", ""), 200, `{"visits":1}`)
				a.stop(t, sig)
				if logs := a.logs.String(); strings.Contains(logs, "panic") || !strings.Contains(logs, "stopped") {
					t.Fatalf("logs after %v:\n%s", sig, logs)
				}
			})
		}
	}
}
