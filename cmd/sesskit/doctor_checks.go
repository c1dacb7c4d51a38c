package main

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// checkVersion: sesskit is tested on Redis 7; 6.x has ACLs but no ACL
// DRYRUN (doctor cannot check rights) and is not tested.
func checkVersion(version string) finding {
	f := finding{Check: "version", Status: pass, Detail: "Redis " + version}
	major, _ := strconv.Atoi(strings.SplitN(version, ".", 2)[0])
	switch {
	case major == 0:
		f.Status, f.Detail = warn, fmt.Sprintf("cannot tell the Redis version (%q)", version)
	case major < 6:
		f.Status, f.Detail = fail, fmt.Sprintf("Redis %s: sesskit needs 6.0 or later (ACLs, and tested on 7)", version)
	case major < 7:
		f.Status, f.Detail = warn, fmt.Sprintf("Redis %s: works, but sesskit is tested on 7.x and doctor cannot check ACL rights before 7.0", version)
	}
	return f
}

// checkScripts runs a trivial script: every change sesskit makes is one.
func checkScripts(ctx context.Context, c *redis.Client) finding {
	n, err := c.Eval(ctx, "return 1", nil).Int()
	if err != nil || n != 1 {
		return finding{Check: "scripts", Status: fail, Detail: fmt.Sprintf("EVAL of a Lua script failed (%v): every session change is a script", err)}
	}
	return finding{Check: "scripts", Status: pass, Detail: "Lua scripts run (EVAL)"}
}

// checkMemory follows docs/production.md: maxmemory with volatile-lru.
func checkMemory(maxmemory, policy string) []finding {
	limit, _ := strconv.ParseInt(maxmemory, 10, 64)
	mem := finding{Check: "maxmemory", Status: pass, Detail: bytesLabel(limit)}
	if limit == 0 {
		if policy == "noeviction" {
			mem.Status, mem.Detail = warn, "none: Redis grows until the machine runs out of memory; set maxmemory"
		} else {
			mem.Status, mem.Detail = fail, fmt.Sprintf("none, with maxmemory-policy %s: nothing is ever evicted and Redis grows until the machine runs out of memory; set maxmemory", policy)
		}
	}
	pol := finding{Check: "policy", Status: pass, Detail: policy + ": when full, the sessions used least recently are evicted, as if expired"}
	switch {
	case policy == "volatile-lru":
	case strings.HasPrefix(policy, "volatile-"):
		pol.Detail = policy + ": evicts only keys with a TTL (every session has one); volatile-lru is recommended"
	case strings.HasPrefix(policy, "allkeys-"):
		pol.Status, pol.Detail = warn, policy+": any key can be evicted: sessions (users logged out) and, on a shared Redis, other data; volatile-lru evicts only keys with a TTL"
	case policy == "noeviction":
		pol.Status, pol.Detail = warn, "noeviction: when full, writes fail (session changes get errors) instead of evicting old sessions; volatile-lru evicts them"
	default:
		pol.Status, pol.Detail = warn, fmt.Sprintf("%q: unknown policy", policy)
	}
	return []finding{mem, pol}
}

// checkPersistence: without it a restart logs everybody out; RDB alone
// brings logged-out sessions back (docs/production.md).
func checkPersistence(ctx context.Context, c *redis.Client, info map[string]string) finding {
	f := finding{Check: "persistence"}
	if info["rdb_last_bgsave_status"] == "err" || info["aof_last_write_status"] == "err" {
		f.Status, f.Detail = fail, "the last RDB save or AOF write failed (see the Redis log): with stop-writes-on-bgsave-error every write is refused"
		return f
	}
	if info["aof_enabled"] == "1" {
		fsync := "?"
		if v, err := c.ConfigGet(ctx, "appendfsync").Result(); err == nil {
			fsync = v["appendfsync"]
		}
		f.Status, f.Detail = pass, "AOF on (appendfsync "+fsync+"): a restart keeps the sessions"
		if fsync == "no" {
			f.Status, f.Detail = warn, "AOF on with appendfsync no: a crash loses the writes the OS had not flushed (up to ~30 s); everysec is recommended"
		}
		return f
	}
	save, err := c.ConfigGet(ctx, "save").Result()
	switch {
	case err != nil:
		f.Status, f.Detail = warn, "AOF off; cannot read the RDB setting (CONFIG GET refused): a restart without persistence logs everybody out"
	case strings.TrimSpace(save["save"]) == "":
		f.Status, f.Detail = warn, "none: a restart logs everybody out (AOF with appendfsync everysec is recommended)"
	default:
		f.Status, f.Detail = warn, "RDB snapshots only (save "+save["save"]+"): after a restart, sessions logged out since the last snapshot come back; AOF is recommended"
	}
	return f
}

// The ACL rights the store needs (docs/production.md, and the rules
// core/redisstore/failover/acl_test.go proves), each as a command ACL
// DRYRUN can try on a session key (K) or a user index key (U).
var (
	aclNeeded = [][]string{
		{"hgetall", "K"}, {"evalsha", "0000000000000000000000000000000000000000", "1", "K"}, {"eval", "return 1", "1", "K"},
		{"hmget", "K", "f"}, {"hget", "K", "f"}, {"exists", "K"}, {"pexpire", "K", "1"}, {"hset", "K", "f", "v"},
		{"hdel", "K", "f"}, {"hincrby", "K", "f", "1"}, {"del", "K"}, {"pttl", "K"}, {"pexpireat", "K", "1"},
		{"zrangebyscore", "U", "0", "1"}, {"zadd", "U", "1", "m"}, {"zrem", "U", "m"}, {"zrange", "U", "0", "1"},
		{"zremrangebyscore", "U", "0", "1"}, {"zscore", "U", "m"}, {"multi"}, {"exec"}, {"ping"},
	}
	aclCluster  = [][]string{{"cluster", "slots"}, {"command"}}
	aclOptional = [][]string{{"wait", "0", "0"}} // WithWait only
)

// checkACL asks ACL DRYRUN whether the user may run every command the store
// needs on keys under the prefix. It needs Redis 7 and a connection allowed
// to run ACL DRYRUN; without either it says it could not check.
func checkACL(ctx context.Context, cn *conn, c *redis.Client, version, user string) finding {
	f := finding{Check: "acl"}
	if major, _ := strconv.Atoi(strings.SplitN(version, ".", 2)[0]); major < 7 {
		f.Status, f.Detail = warn, "cannot check (ACL DRYRUN needs Redis 7): see docs/production.md for the rights"
		return f
	}
	if user == "" {
		var err error
		if user, err = c.Do(ctx, "ACL", "WHOAMI").Text(); err != nil {
			f.Status, f.Detail = warn, fmt.Sprintf("cannot check: ACL WHOAMI failed (%v)", err)
			return f
		}
	}
	key := cn.store.Prefix() + strings.Repeat("A", 43)
	index := cn.store.Prefix() + "u:" + strings.Repeat("A", 43)
	try := func(cmd []string) (string, error) {
		args := []any{"ACL", "DRYRUN", user}
		for _, a := range cmd {
			switch a {
			case "K":
				a = key
			case "U":
				a = index
			}
			args = append(args, a)
		}
		return c.Do(ctx, args...).Text()
	}
	needed := slices.Clone(aclNeeded)
	if cn.topology == "cluster" {
		needed = append(needed, aclCluster...)
	}
	var missing, optional []string
	for i, cmd := range append(needed, aclOptional...) {
		reply, err := try(cmd)
		if err != nil {
			f.Status, f.Detail = warn, fmt.Sprintf("cannot check user %q: ACL DRYRUN failed (%v); run doctor as a user allowed ACL DRYRUN, with -acl-user for the application's user", user, err)
			return f
		}
		if reply != "OK" {
			if len(missing)+len(optional) == 0 {
				f.Detail = reply
			}
			if i >= len(needed) {
				optional = append(optional, cmd[0])
			} else {
				missing = append(missing, strings.Join(cmd[:min(len(cmd), 2)], "|"))
			}
		}
	}
	switch {
	case len(missing) > 0:
		f.Status, f.Detail = fail, fmt.Sprintf("user %q lacks rights the store needs on %s*: %s (first refusal: %s); see docs/production.md", user, cn.store.Prefix(), strings.Join(missing, ", "), f.Detail)
	case len(optional) > 0:
		f.Status, f.Detail = warn, fmt.Sprintf("user %q has every right the store needs, but not %s (needed with redisstore.WithWait)", user, strings.Join(optional, ", "))
	default:
		f.Status, f.Detail = pass, fmt.Sprintf("user %q may run every command the store needs on %s*", user, cn.store.Prefix())
	}
	return f
}

// checkLatency times round trips: every request that touches its session
// waits one at least.
func checkLatency(ctx context.Context, cn *conn, c *redis.Client) finding {
	const n = 20
	times := make([]time.Duration, 0, n)
	for range n {
		bctx, cancel := cn.bound(ctx)
		start := time.Now()
		err := c.Ping(bctx).Err()
		cancel()
		if err != nil {
			return finding{Check: "latency", Status: fail, Detail: fmt.Sprintf("PING failed: %v", err)}
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	median, worst := times[n/2], times[n-1]
	f := finding{Check: "latency", Status: pass, Detail: fmt.Sprintf("round trip median %v, max %v over %d PINGs", round(median), round(worst), n)}
	if median >= 5*time.Millisecond {
		f.Status, f.Detail = warn, f.Detail+": every request that reads its session waits this at least; keep Redis near the application"
	}
	return f
}

func round(d time.Duration) time.Duration {
	if d > time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// checkCluster: the cluster is ok, every slot is served, and every slot
// range has a replica to fail over to.
func checkCluster(ctx context.Context, cn *conn) []finding {
	cluster := cn.rdb.(*redis.ClusterClient)
	bctx, cancel := cn.bound(ctx)
	defer cancel()
	state := finding{Check: "cluster", Status: pass}
	text, err := cluster.ClusterInfo(bctx).Result()
	if err != nil {
		state.Status, state.Detail = fail, fmt.Sprintf("CLUSTER INFO failed: %v", err)
		return []finding{state}
	}
	info := map[string]string{}
	for line := range strings.SplitSeq(text, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
			info[k] = v
		}
	}
	state.Detail = fmt.Sprintf("state %s, %s of 16384 slots assigned, %s served, %s nodes",
		info["cluster_state"], info["cluster_slots_assigned"], info["cluster_slots_ok"], info["cluster_known_nodes"])
	if info["cluster_state"] != "ok" || info["cluster_slots_assigned"] != "16384" || info["cluster_slots_ok"] != "16384" {
		state.Status, state.Detail = fail, state.Detail+": sessions in the missing slots cannot be served"
	}
	repl := finding{Check: "replicas", Status: pass}
	// CLUSTER NODES rather than SLOTS: SLOTS leaves out replicas that
	// have not replicated anything yet, as on a Cluster without data.
	nodes, err := cluster.ClusterNodes(bctx).Result()
	if err != nil {
		repl.Status, repl.Detail = warn, fmt.Sprintf("CLUSTER NODES failed: %v", err)
		return []finding{state, repl}
	}
	primaries := map[string]string{} // id -> address, of primaries serving slots
	replicas := map[string]int{}     // primary id -> replicas that are up
	for line := range strings.SplitSeq(strings.TrimSpace(nodes), "\n") {
		// <id> <ip:port@cport> <flags> <primary id> <ping> <pong> <epoch> <link> <slot>...
		f := strings.Fields(line)
		if len(f) < 8 || strings.Contains(f[2], "fail") || f[7] != "connected" && !strings.Contains(f[2], "myself") {
			continue
		}
		addr, _, _ := strings.Cut(f[1], "@")
		switch {
		case strings.Contains(f[2], "master") && len(f) > 8:
			primaries[f[0]] = addr
		case strings.Contains(f[2], "slave") || strings.Contains(f[2], "replica"):
			replicas[f[3]]++
		}
	}
	var bare []string
	for id, addr := range primaries {
		if replicas[id] == 0 {
			bare = append(bare, addr)
		}
	}
	sort.Strings(bare)
	repl.Detail = fmt.Sprintf("each of the %d primaries has a replica", len(primaries))
	if len(bare) > 0 {
		repl.Status, repl.Detail = warn, "primaries "+strings.Join(bare, ", ")+" have no replica: if one dies, its sessions are unavailable until it returns"
	}
	return []finding{state, repl}
}

// checkReplicas: a Sentinel primary needs a replica to fail over to.
func checkReplicas(ctx context.Context, cn *conn) []finding {
	c := cn.rdb.(*redis.Client)
	bctx, cancel := cn.bound(ctx)
	defer cancel()
	f := finding{Check: "replicas", Status: pass}
	info, err := c.InfoMap(bctx, "replication").Result()
	if err != nil {
		f.Status, f.Detail = warn, fmt.Sprintf("INFO replication failed: %v", err)
		return []finding{f}
	}
	n, _ := strconv.Atoi(info["Replication"]["connected_slaves"])
	f.Detail = fmt.Sprintf("the primary has %d connected replica(s)", n)
	if n == 0 {
		f.Status, f.Detail = warn, "the primary has no connected replica: Sentinel has nothing to fail over to"
	}
	return []finding{f}
}

// checkSentinels asks every Sentinel whether it can reach the quorum to
// fail the primary over (SENTINEL CKQUORUM).
func checkSentinels(ctx context.Context, cn *conn) finding {
	f := finding{Check: "sentinels"}
	var ok int
	var problems []string
	refused := false
	for _, opt := range cn.sentinels {
		sc := redis.NewSentinelClient(opt)
		bctx, cancel := cn.bound(ctx)
		reply, err := sc.CkQuorum(bctx, cn.master).Result()
		cancel()
		sc.Close()
		switch {
		case err == nil:
			ok++
			f.Detail = reply
		case redis.HasErrorPrefix(err, "NOPERM"):
			refused = true
		default:
			problems = append(problems, fmt.Sprintf("%s: %v", opt.Addr, err))
		}
	}
	switch {
	case len(problems) == 0 && refused && ok == 0:
		f.Status, f.Detail = warn, "cannot check: SENTINEL CKQUORUM refused (ACL); run doctor with Sentinel credentials allowed it"
	case len(problems) == 0:
		f.Status, f.Detail = pass, fmt.Sprintf("%d of %d Sentinels answer: %s", ok, len(cn.sentinels), f.Detail)
	case ok > 0:
		f.Status, f.Detail = warn, fmt.Sprintf("only %d of %d Sentinels answer (%s); %s", ok, len(cn.sentinels), f.Detail, strings.Join(problems, "; "))
	default:
		f.Status, f.Detail = fail, "no Sentinel can fail the primary over: "+strings.Join(problems, "; ")
	}
	return f
}
