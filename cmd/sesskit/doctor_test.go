package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestDoctorFails: allkeys-lru with no maxmemory fails (nothing is ever
// evicted and Redis grows without bound), with the policy warned about.
func TestDoctorFails(t *testing.T) {
	url := privateRedis(t, "--maxmemory", "0", "--maxmemory-policy", "allkeys-lru")
	res := sesskit(t, "doctor", "-redis", url)
	if res.code != 1 {
		t.Fatalf("doctor: exit %d, want 1\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"FAIL  maxmemory", "WARN  policy       allkeys-lru", "WARN  persistence"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, res.stdout)
		}
	}
}

// TestDoctorPasses: maxmemory with volatile-lru, AOF every second, and a
// user with exactly the rights docs/production.md lists: every check
// passes.
func TestDoctorPasses(t *testing.T) {
	url := privateRedis(t, "--maxmemory", "100mb", "--maxmemory-policy", "volatile-lru",
		"--appendonly", "yes", "--appendfsync", "everysec")
	opt, _ := redis.ParseURL(url)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	rules := []any{"ACL", "SETUSER", "app", "reset", "on", "nopass", "~sesskit:*", "resetchannels", "-@all",
		"+evalsha", "+eval", "+hgetall", "+hmget", "+hget", "+exists", "+pexpire", "+hset", "+hdel", "+hincrby",
		"+pttl", "+zrangebyscore", "+zadd", "+zrem", "+zrange", "+zremrangebyscore", "+zscore", "+pexpireat",
		"+multi", "+exec", "+del", "+ping", "+wait"}
	if err := rdb.Do(context.Background(), rules...).Err(); err != nil {
		t.Fatal(err)
	}
	res := sesskit(t, "doctor", "-redis", url, "-acl-user", "app", "-json")
	if res.code != 0 {
		t.Fatalf("doctor: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	var r doctorReport
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		// Latency depends on the machine's load; everything else must pass.
		if f.Status != pass && f.Check != "latency" {
			t.Errorf("%s: %s %s", f.Check, f.Status, f.Detail)
		}
	}
	if r.Failed != 0 || len(r.Findings) < 7 {
		t.Errorf("report %+v", r)
	}

	// The same user without the index commands fails the ACL check.
	if err := rdb.Do(context.Background(), "ACL", "SETUSER", "app", "-zadd").Err(); err != nil {
		t.Fatal(err)
	}
	res = sesskit(t, "doctor", "-redis", url, "-acl-user", "app")
	if res.code != 1 || !strings.Contains(res.stdout, "FAIL  acl") || !strings.Contains(res.stdout, "zadd") {
		t.Errorf("doctor with -zadd: exit %d\n%s", res.code, res.stdout)
	}
}

// TestDoctorTopologies: doctor runs on every topology scripts/test.sh
// starts and checks Cluster slots and replicas. Those servers have no
// maxmemory or persistence (warnings), and other tests may fail a node
// over meanwhile, so only the shape of the report is checked.
func TestDoctorTopologies(t *testing.T) {
	eachTopology(t, func(t *testing.T, tp topology) {
		res := sesskit(t, cmdArgs([]string{"doctor"}, tp.args, "-json")...)
		var r doctorReport
		if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
			t.Fatalf("doctor -json: exit %d: %v\n%s%s", res.code, err, res.stdout, res.stderr)
		}
		checks := map[string]bool{}
		for _, f := range r.Findings {
			checks[f.Check] = true
		}
		if wantCode := min(r.Failed, 1); res.code != wantCode {
			t.Errorf("exit %d with %d failed checks", res.code, r.Failed)
		}
		if !checks["maxmemory"] || !checks["acl"] || !checks["latency"] {
			t.Errorf("doctor: checks %v", checks)
		}
		if tp.name == "cluster" && !checks["cluster"] || tp.name == "sentinel" && !checks["sentinels"] || tp.name != "single" && !checks["replicas"] {
			t.Errorf("%s: checks %v", tp.name, checks)
		}
	})
}
