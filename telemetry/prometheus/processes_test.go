package sessprom_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redis-server and Prometheus processes the tests start, stop and kill
// themselves.

// requireBinaries skips the test when one of the programs is not on PATH,
// or fails it when SESSKIT_REQUIRE_REDIS=1.
func requireBinaries(t testing.TB, names ...string) {
	t.Helper()
	for _, bin := range names {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("SESSKIT_REQUIRE_REDIS") == "1" {
				t.Fatalf("%s not found and SESSKIT_REQUIRE_REDIS=1", bin)
			}
			t.Skipf("%s not found", bin)
		}
	}
}

// redisServer is a redis-server of the test's own, on a free port.
type redisServer struct {
	addr, dir string
	proc      *process
}

func startRedis(t testing.TB, dir string) *redisServer {
	r := &redisServer{addr: freeAddr(t), dir: filepath.Join(dir, "redis")}
	if err := os.MkdirAll(r.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	r.restart(t)
	return r
}

// restart starts the server (again) on its address, empty.
func (r *redisServer) restart(t testing.TB) {
	t.Helper()
	_, port, _ := net.SplitHostPort(r.addr)
	r.proc = start(t, r.dir, "redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", r.dir)
	waitFor(t, "redis-server on "+r.addr, 5*time.Second, func() (bool, string) {
		c := redis.NewClient(&redis.Options{Addr: r.addr, MaxRetries: -1, DialerRetries: 1})
		defer c.Close()
		err := c.Ping(t.Context()).Err()
		return err == nil, fmt.Sprint(err)
	})
}

// stop kills the server at once, as a crash would.
func (r *redisServer) stop(t testing.TB) {
	t.Helper()
	r.proc.kill(t)
}

// process is a command the test started.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when it ended
}

// kill ends the process at once, as a crash would, and waits for it.
func (p *process) kill(t testing.TB) {
	t.Helper()
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		t.Errorf("%s (pid %d) did not end after kill", p.cmd.Path, p.cmd.Process.Pid)
	}
}

// start runs a command with its output in dir/<name>.log; the process is
// killed at cleanup if it still runs.
func start(t testing.TB, dir, name string, args ...string) *process {
	t.Helper()
	log, err := os.OpenFile(filepath.Join(dir, name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); log.Close(); close(p.done) }()
	t.Cleanup(func() {
		p.kill(t)
		if t.Failed() {
			if out, err := os.ReadFile(log.Name()); err == nil {
				t.Logf("%s log:\n%s", name, tail(string(out), 20))
			}
		}
	})
	return p
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// freeAddr returns a 127.0.0.1 address with a port free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitFor polls ok every 100 ms until it holds or timeout passes.
func waitFor(t testing.TB, what string, timeout time.Duration, ok func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		done, state := ok()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s; last: %s", timeout, what, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
