package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Faults for the linearizability runs, each injected while the clients
// work: a Redis that stops serving (CLIENT PAUSE), a stalled or cut link
// between one app and Redis, an app killed (kill -9) and restarted, and
// the primary killed (kill -9) so that Sentinel or the Cluster promotes
// its replica.

// linFault is one kind of fault: start injects it and returns what ends it
// (nil when it ends by itself).
type linFault struct {
	name  string
	start func(t *testing.T, rng *rand.Rand) (end func())
}

// injectFaults runs faults one after another, in a shuffled round, until
// ctx is done and every fault has run at least once, recording them in log.
func injectFaults(t *testing.T, ctx context.Context, faults []linFault, log *faultLog) {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	var round []linFault
	for {
		if !sleepCtx(ctx, randDuration(rng, 500*time.Millisecond, 1500*time.Millisecond)) && allRan(faults, log.injected) {
			return
		}
		if len(round) == 0 {
			round = slices.Clone(faults)
			rng.Shuffle(len(round), func(i, j int) { round[i], round[j] = round[j], round[i] })
		}
		f := round[0]
		round = round[1:]
		began := log.began(f.name)
		end := f.start(t, rng)
		sleepCtx(ctx, randDuration(rng, 300*time.Millisecond, 2500*time.Millisecond))
		if end != nil {
			end()
		}
		log.ended(f.name, began)
	}
}

func allRan(faults []linFault, injected map[string]int) bool {
	for _, f := range faults {
		if injected[f.name] == 0 {
			return false
		}
	}
	return true
}

func randDuration(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}

// sleepCtx sleeps for d, or less when ctx ends; it reports whether ctx is
// still live.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// pauseFault makes a primary of top refuse to serve (every command, or
// only writes) for up to 2.5 s: CLIENT PAUSE ends by itself (CLIENT
// UNPAUSE would wait behind the pause it ends).
func pauseFault(top *linTopology) linFault {
	return linFault{name: "client-pause", start: func(t *testing.T, rng *rand.Rand) func() {
		c := top.admin(t, top.primary(t, rng))
		mode := []string{"ALL", "WRITE"}[rng.IntN(2)]
		ms := randDuration(rng, 300*time.Millisecond, 2500*time.Millisecond).Milliseconds()
		if err := c.Do(t.Context(), "CLIENT", "PAUSE", ms, mode).Err(); err != nil {
			t.Fatalf("CLIENT PAUSE on %s: %v", c.Options().Addr, err)
		}
		return nil
	}}
}

// linTopology is a private Redis topology started by scripts/redis/up.sh,
// so that its primaries can be paused and killed without disturbing the
// other tests; down.sh stops it at cleanup.
type linTopology struct {
	kind    string
	dir     string
	env     map[string]string
	clients map[string]*redis.Client // by address, for CLIENT, INFO, CLUSTER, SENTINEL
}

func startLinTopology(t *testing.T, kind string) *linTopology {
	t.Helper()
	for _, bin := range []string{"redis-server", "redis-cli", "bash"} {
		if _, err := exec.LookPath(bin); err != nil {
			if requireRedis() {
				t.Fatalf("%s not found and SESSKIT_REQUIRE_REDIS=1", bin)
			}
			t.Skipf("%s not found", bin)
		}
	}
	scripts, err := filepath.Abs(filepath.Join("..", "..", "scripts", "redis"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), kind)
	cmd := exec.Command("bash", filepath.Join(scripts, "up.sh"), kind, dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Cleanup(func() { // even when up.sh failed: down.sh stops what it left
		if out, err := exec.Command("bash", filepath.Join(scripts, "down.sh"), dir).CombinedOutput(); err != nil {
			t.Errorf("down.sh %s: %v\n%s", dir, err, out)
		}
	})
	if err != nil {
		t.Fatalf("up.sh %s: %v\n%s", kind, err, stderr.String())
	}
	top := &linTopology{kind: kind, dir: dir, env: map[string]string{}, clients: map[string]*redis.Client{}}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "export "); ok {
			name, value, _ := strings.Cut(line, "=")
			top.env[name] = strings.Trim(value, "'")
		}
	}
	return top
}

func (top *linTopology) get(t *testing.T, name string) string {
	t.Helper()
	v, ok := top.env[name]
	if !ok {
		t.Fatalf("up.sh wrote no %s", name)
	}
	return v
}

// kill sends SIGKILL to the node at addr (its PID from its pidfile).
func (top *linTopology) kill(t *testing.T, addr string) {
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
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 %s: %v", addr, err)
	}
}

// restart starts a killed node again with its redis.conf and args, as an
// operator would, and waits until it is a replica in sync with a primary.
func (top *linTopology) restart(t *testing.T, addr string, args ...string) {
	t.Helper()
	_, port, _ := strings.Cut(addr, ":")
	conf := filepath.Join(top.dir, port, "redis.conf")
	if out, err := exec.Command("redis-server", append([]string{conf}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("restart %s: %v\n%s", addr, err, out)
	}
	c := top.admin(t, addr)
	waitUntil(t, 30*time.Second, addr+" to come back as a replica in sync", func() bool {
		info, err := c.Info(t.Context(), "replication").Result()
		return err == nil && strings.Contains(info, "role:slave") && strings.Contains(info, "master_link_status:up") &&
			strings.Contains(info, "master_sync_in_progress:0")
	})
}

// sentinelPrimary is the address Sentinel gives for the primary now.
func (top *linTopology) sentinelPrimary(t *testing.T) string {
	t.Helper()
	addrs := strings.Split(top.get(t, "SESSKIT_REDIS_SENTINEL_ADDRS"), ",")
	s := redis.NewSentinelClient(top.admin(t, addrs[0]).Options())
	defer s.Close()
	addr, err := s.GetMasterAddrByName(t.Context(), top.get(t, "SESSKIT_REDIS_SENTINEL_MASTER")).Result()
	if err != nil {
		return ""
	}
	return addr[0] + ":" + addr[1]
}

// clusterPrimaries are the nodes serving slots now, as a live node of the
// Cluster sees them; down is a node to leave out (it may be dead).
func (top *linTopology) clusterPrimaries(t *testing.T, down string) []string {
	t.Helper()
	for _, addr := range strings.Split(top.get(t, "SESSKIT_REDIS_CLUSTER_NODES"), ",") {
		if addr == down {
			continue
		}
		out, err := top.admin(t, addr).ClusterNodes(t.Context()).Result()
		if err != nil {
			continue
		}
		var primaries []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			f := strings.Fields(line)
			if len(f) > 8 && strings.Contains(f[2], "master") && !strings.Contains(f[2], "fail") {
				a, _, _ := strings.Cut(f[1], "@")
				primaries = append(primaries, a)
			}
		}
		return primaries
	}
	return nil
}

// primaryKillFault kills -9 the primary (on a Cluster, a random one), waits
// for its replica to be promoted, and restarts the old primary as the new
// one's replica, so that writes that wait for a replica can succeed again.
func primaryKillFault(top *linTopology) linFault {
	return linFault{name: "primary-kill", start: func(t *testing.T, rng *rand.Rand) func() {
		switch top.kind {
		case "sentinel":
			old := top.sentinelPrimary(t)
			top.kill(t, old)
			var now string
			waitUntil(t, 30*time.Second, "Sentinel to promote a replica", func() bool {
				now = top.sentinelPrimary(t)
				return now != "" && now != old
			})
			host, port, _ := strings.Cut(now, ":")
			top.restart(t, old, "--replicaof", host, port)
		case "cluster":
			old := top.primary(t, rng)
			top.kill(t, old)
			waitUntil(t, 30*time.Second, "the Cluster to promote a replica of "+old, func() bool {
				p := top.clusterPrimaries(t, old)
				return len(p) == 3 && !slices.Contains(p, old)
			})
			top.restart(t, old)
		}
		return nil
	}}
}

// primary is the node serving writes now: the one node, Sentinel's
// primary, or a random one of the Cluster's.
func (top *linTopology) primary(t *testing.T, rng *rand.Rand) string {
	t.Helper()
	switch top.kind {
	case "sentinel":
		return top.sentinelPrimary(t)
	case "cluster":
		p := top.clusterPrimaries(t, "")
		return p[rng.IntN(len(p))]
	}
	return top.get(t, "SESSKIT_REDIS_SINGLE_ADDR")
}

// admin is a plain client of one node, for CLIENT, INFO, CLUSTER and
// SENTINEL; it never retries.
func (top *linTopology) admin(t *testing.T, addr string) *redis.Client {
	if c, ok := top.clients[addr]; ok {
		return c
	}
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second, ReadTimeout: 2 * time.Second})
	t.Cleanup(func() { _ = c.Close() })
	top.clients[addr] = c
	return c
}

// waitUntil polls cond every 50 ms until it holds, failing after limit.
func waitUntil(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
