package failover_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// topology is a private Redis topology started by scripts/redis/up.sh in a
// directory of the test's own and stopped by down.sh at cleanup.
type topology struct {
	dir string
	env map[string]string // the SESSKIT_REDIS_* lines of DIR/env
}

// startTopology runs scripts/redis/up.sh kind (single, sentinel, cluster)
// into a temp directory. Without redis-server the test skips, or fails when
// SESSKIT_REQUIRE_REDIS=1.
func startTopology(t testing.TB, kind string) *topology {
	t.Helper()
	for _, bin := range []string{"redis-server", "redis-cli", "bash"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("SESSKIT_REQUIRE_REDIS") == "1" {
				t.Fatalf("%s not found and SESSKIT_REQUIRE_REDIS=1", bin)
			}
			t.Skipf("%s not found", bin)
		}
	}
	scripts := scriptsDir(t)
	dir := filepath.Join(t.TempDir(), kind)
	start := time.Now()
	cmd := exec.Command("bash", filepath.Join(scripts, "up.sh"), kind, dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	// Registered even when up.sh failed: down.sh stops whatever it left.
	t.Cleanup(func() {
		if out, err := exec.Command("bash", filepath.Join(scripts, "down.sh"), dir).CombinedOutput(); err != nil {
			t.Errorf("down.sh %s: %v\n%s", dir, err, out)
		}
	})
	if err != nil {
		t.Fatalf("up.sh %s: %v\n%s", kind, err, stderr.String())
	}
	top := &topology{dir: dir, env: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "export ")
		if !ok {
			continue
		}
		name, value, _ := strings.Cut(line, "=")
		top.env[name] = strings.Trim(value, "'")
	}
	t.Logf("%s topology up in %.1fs", kind, time.Since(start).Seconds())
	return top
}

// scriptsDir finds scripts/redis above the package directory.
func scriptsDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		s := filepath.Join(dir, "scripts", "redis")
		if _, err := os.Stat(filepath.Join(s, "up.sh")); err == nil {
			return s
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("scripts/redis/up.sh not found above the package directory")
		}
		dir = parent
	}
}

// get returns one variable of the topology's env file.
func (top *topology) get(t testing.TB, name string) string {
	t.Helper()
	v, ok := top.env[name]
	if !ok {
		t.Fatalf("up.sh wrote no %s", name)
	}
	return v
}

// list returns a comma-separated variable as a slice.
func (top *topology) list(t testing.TB, name string) []string {
	return strings.Split(top.get(t, name), ",")
}

// kill sends SIGKILL to a node up.sh started (its PID comes from the env file
// or, after a restart, from the node's pidfile).
func (top *topology) kill(t testing.TB, addr string, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 %s (pid %d): %v", addr, pid, err)
	}
	t.Logf("kill -9 %s (pid %d)", addr, pid)
}

// restart starts a killed node again with its own redis.conf (plus args,
// e.g. --replicaof), as an operator would, and waits until it answers.
func (top *topology) restart(t testing.TB, addr string, args ...string) {
	t.Helper()
	_, port, _ := strings.Cut(addr, ":")
	conf := filepath.Join(top.dir, port, "redis.conf")
	if out, err := exec.Command("redis-server", append([]string{conf}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("restart %s: %v\n%s", addr, err, out)
	}
	c := nodeClient(t, addr)
	waitFor(t, 20*time.Second, "restarted "+addr+" to answer", func() bool {
		return c.Ping(t.Context()).Err() == nil
	})
	t.Logf("restarted %s", addr)
}

// pidOf reads a node's pidfile (the PID after a restart).
func (top *topology) pidOf(t testing.TB, addr string) int {
	t.Helper()
	_, port, _ := strings.Cut(addr, ":")
	b, err := os.ReadFile(filepath.Join(top.dir, port, "redis.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pidfile of %s: %v", addr, err)
	}
	return pid
}

// nodeClient is a plain client of one node, for administration (INFO,
// CLUSTER, SENTINEL), closed at cleanup. It never retries.
func nodeClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr: addr, MaxRetries: -1, DialerRetries: 1,
		DialTimeout: time.Second, ReadTimeout: 2 * time.Second, ContextTimeoutEnabled: true,
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// waitFor polls cond every 50 ms until it holds, failing after limit.
func waitFor(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// infoField returns one field of INFO section on a node, "" when absent.
func infoField(ctx context.Context, c *redis.Client, section, field string) string {
	info, err := c.Info(ctx, section).Result()
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}

// replicaInSync reports whether replica has applied everything primary had
// written when asked: the replica's own offset (real time, unlike the
// once-a-second acknowledgement the primary reports) has reached the
// primary's. The second result describes both for the log.
func replicaInSync(ctx context.Context, primary, replica *redis.Client) (bool, string) {
	p, err := strconv.ParseInt(infoField(ctx, primary, "replication", "master_repl_offset"), 10, 64)
	if err != nil {
		return false, "primary offset unreadable"
	}
	link := infoField(ctx, replica, "replication", "master_link_status")
	r, err := strconv.ParseInt(infoField(ctx, replica, "replication", "slave_repl_offset"), 10, 64)
	if err != nil || link != "up" {
		return false, "replica link " + link
	}
	return r >= p, fmt.Sprintf("primary offset %d, replica offset %d", p, r)
}
