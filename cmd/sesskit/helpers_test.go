package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
)

// A topology is one of the Redis deployments scripts/test.sh starts, with
// the flags that point the command at it and a client for the test.
type topology struct {
	name string
	args []string
	rdb  redis.UniversalClient
}

// topologies returns the deployments the environment names. Without any
// the test skips; with SESSKIT_REQUIRE_REDIS=1 each missing one fails it.
func topologies(t *testing.T) []topology {
	t.Helper()
	var out []topology
	require := os.Getenv("SESSKIT_REQUIRE_REDIS") == "1"
	if u := os.Getenv("SESSKIT_REDIS_URL"); u != "" {
		opt, err := redisstore.ParseURL(u)
		if err != nil {
			t.Fatalf("SESSKIT_REDIS_URL: %v", err)
		}
		out = append(out, topology{"single", []string{"-redis", u}, redis.NewClient(opt)})
	} else if require {
		t.Fatal("SESSKIT_REDIS_URL is not set and SESSKIT_REQUIRE_REDIS=1")
	}
	addrs, master := os.Getenv("SESSKIT_REDIS_SENTINEL_ADDRS"), os.Getenv("SESSKIT_REDIS_SENTINEL_MASTER")
	if addrs != "" && master != "" {
		out = append(out, topology{"sentinel", []string{"-addrs", addrs, "-master-name", master},
			redis.NewUniversalClient(redisstore.UniversalOptions(master, strings.Split(addrs, ",")...))})
	} else if require {
		t.Fatal("SESSKIT_REDIS_SENTINEL_ADDRS/_MASTER are not set and SESSKIT_REQUIRE_REDIS=1")
	}
	if addrs := os.Getenv("SESSKIT_REDIS_CLUSTER_ADDRS"); addrs != "" {
		out = append(out, topology{"cluster", []string{"-addrs", addrs},
			redis.NewUniversalClient(redisstore.UniversalOptions("", strings.Split(addrs, ",")...))})
	} else if require {
		t.Fatal("SESSKIT_REDIS_CLUSTER_ADDRS is not set and SESSKIT_REQUIRE_REDIS=1")
	}
	if len(out) == 0 {
		t.Skip("no Redis: set SESSKIT_REDIS_URL (scripts/test.sh does)")
	}
	for _, tp := range out {
		t.Cleanup(func() { tp.rdb.Close() })
	}
	return out
}

// eachTopology runs fn as a subtest per topology.
func eachTopology(t *testing.T, fn func(t *testing.T, tp topology)) {
	for _, tp := range topologies(t) {
		t.Run(tp.name, func(t *testing.T) { fn(t, tp) })
	}
}

// result is what one run of the command did.
type result struct {
	code           int
	stdout, stderr string
}

// sesskit runs the command in-process.
func sesskit(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// cmdArgs is the command, its connection flags and the rest.
func cmdArgs(cmd []string, conn []string, rest ...string) []string {
	return append(append(append([]string{}, cmd...), conn...), rest...)
}

// uniquePrefix keeps a test's keys apart from every other test's on the
// shared servers.
func uniquePrefix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "sktest" + hex.EncodeToString(b) + ":"
}

// app is an application on a topology: a Manager under its own prefix,
// behind sesshttp, as a web app would run it.
type app struct {
	m      *session.Manager
	store  *redisstore.Store
	prefix string
	conn   []string // the command's connection flags, -prefix included
}

func newApp(t *testing.T, tp topology, prefix string, opts ...session.Option) *app {
	t.Helper()
	store, err := redisstore.New(tp.rdb, redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(store, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &app{m: m, store: store, prefix: prefix, conn: append(append([]string{}, tp.args...), "-prefix", prefix)}
}

// request serves one request carrying cookie (nil: none) with fn as the
// handler, and returns the session cookie the response set, or cookie.
func (a *app) request(t *testing.T, cookie *http.Cookie, fn func(s *session.Session) error) *http.Cookie {
	t.Helper()
	req := httptest.NewRequest("GET", "/", nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	var handlerErr error
	h := sesshttp.Middleware(a.m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlerErr = fn(session.FromContext(r.Context()))
	}))
	h.ServeHTTP(rec, req)
	if handlerErr != nil {
		t.Fatalf("handler: %v", handlerErr)
	}
	if rec.Code != http.StatusOK {
		t.Fatalf("request: status %d: %s", rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == session.DefaultCookieName && c.MaxAge >= 0 && c.Value != "" {
			return c
		}
	}
	return cookie
}

// login makes a session for user (none when "") holding values, and
// returns its cookie and its handle.
func (a *app) login(t *testing.T, user string, values map[string]any) (*http.Cookie, string) {
	t.Helper()
	c := a.request(t, nil, func(s *session.Session) error {
		if user != "" {
			if err := s.SetUser(user); err != nil {
				return err
			}
		}
		for k, v := range values {
			if err := s.Set(k, v); err != nil {
				return err
			}
		}
		return nil
	})
	if c == nil {
		t.Fatal("no session cookie")
	}
	return c, handleOf(c.Value)
}

// handleOf is a session's handle: its ID, the SHA-256 of the token.
func handleOf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// privateRedis starts a redis-server of the test's own with extra
// configuration (flags such as "--maxmemory-policy", "allkeys-lru") and
// returns its URL; it is stopped at cleanup.
func privateRedis(t testing.TB, conf ...string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("SESSKIT_REQUIRE_REDIS") == "1" {
			t.Fatal("redis-server not found and SESSKIT_REQUIRE_REDIS=1")
		}
		t.Skip("redis-server not found")
	}
	dir := t.TempDir()
	port := freePort(t)
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir}, conf...)
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port)})
	defer rdb.Close()
	for start := time.Now(); rdb.Ping(context.Background()).Err() != nil; time.Sleep(20 * time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("private redis-server did not answer on %d", port)
		}
	}
	return url
}

// freePort returns a port nothing listens on, just now.
func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
