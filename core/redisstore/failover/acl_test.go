package failover_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// The least-privilege ACL users of docs/production.md; keep the two in step.
const (
	aclUser     = "sesskit"
	aclPassword = "acl-test-password"
)

// dataRules: what the store needs on every data node (primaries, and
// replicas, which become primaries). HELLO and AUTH need no permission.
var dataRules = []string{
	"reset", "on", ">" + aclPassword,
	"~sesskit:*",    // the default key prefix (redisstore.DefaultPrefix)
	"resetchannels", // no Pub/Sub
	"-@all",
	"+evalsha", "+eval", // every change; EVAL after NOSCRIPT
	"+hgetall",                                                             // Load, and inside the take script
	"+hmget", "+hget", "+exists", "+pexpire", "+hset", "+hdel", "+hincrby", // inside the scripts
	"+pttl",                                                                                     // Store.TTL, for tools
	"+zrangebyscore", "+zadd", "+zrem", "+zrange", "+zremrangebyscore", "+zscore", "+pexpireat", // the per-user index
	"+multi", "+exec", // SaveRemember (HSET and PEXPIREAT together)
	"+del",  // inside the scripts, and Delete
	"+ping", // Ping (on a Cluster, every primary)
	"+wait", // WithWait
}

// clusterRules: what a ClusterClient needs on top: the slot map, and the
// command table it routes by. Refused COMMAND is not fatal, but go-redis
// then asks again, on up to 3 nodes, before every command.
var clusterRules = []string{"+cluster|slots", "+command"}

// sentinelRules: what a failover client needs on every Sentinel: the
// primary's address, the other Sentinels, and the failover announcements.
var sentinelRules = []string{
	"reset", "on", ">" + aclPassword, "resetkeys", "resetchannels", "-@all",
	"+sentinel|get-master-addr-by-name", "+sentinel|sentinels",
	"+subscribe", "&+switch-master", "&+replica-reconf-done",
	"+ping", // the subscription's health check
}

// setinfoRule: go-redis names itself with CLIENT SETINFO on connect (Redis
// 7.2 and later; it ignores a refusal, and the rule is unknown before 7.2).
const setinfoRule = "+client|setinfo"

// TestACL runs every store call, every branch of every script, as the
// least-privilege user on each topology, then checks that no node logged an
// ACL denial (go-redis ignores some refused commands) and that keys outside
// the pattern are refused.
func TestACL(t *testing.T) {
	t.Run("single", func(t *testing.T) {
		t.Parallel()
		top := startTopology(t, "single")
		addr := top.get(t, "SESSKIT_REDIS_SINGLE_ADDR")
		admin := nodeClient(t, addr)
		createUser(t, admin, dataRules)
		opt, err := redisstore.ParseURL("redis://" + aclUser + ":" + aclPassword + "@" + addr + "/0")
		if err != nil {
			t.Fatal(err)
		}
		rdb := redis.NewClient(opt)
		t.Cleanup(func() { _ = rdb.Close() })
		exerciseACL(t, rdb, admin, false)
		checkACLLog(t, admin)
		checkKeyPattern(t, rdb)
	})

	t.Run("sentinel", func(t *testing.T) {
		t.Parallel()
		top := startTopology(t, "sentinel")
		sentinels := top.list(t, "SESSKIT_REDIS_SENTINEL_ADDRS")
		primary := nodeClient(t, top.get(t, "SESSKIT_REDIS_SENTINEL_PRIMARY_ADDR"))
		replica := nodeClient(t, top.get(t, "SESSKIT_REDIS_SENTINEL_REPLICA_ADDR"))
		var nodes []*redis.Client
		for _, c := range []*redis.Client{primary, replica} {
			createUser(t, c, dataRules)
			nodes = append(nodes, c)
		}
		for _, addr := range sentinels {
			c := nodeClient(t, addr)
			createUser(t, c, sentinelRules)
			nodes = append(nodes, c)
		}
		opt := redisstore.UniversalOptions(top.get(t, "SESSKIT_REDIS_SENTINEL_MASTER"), sentinels...)
		opt.Username, opt.Password = aclUser, aclPassword
		opt.SentinelUsername, opt.SentinelPassword = aclUser, aclPassword
		rdb := redis.NewUniversalClient(opt)
		t.Cleanup(func() { _ = rdb.Close() })
		exerciseACL(t, rdb, primary, true)
		// The client's subscription to the Sentinels pings them every 3 s
		// when idle (go-redis health check): let it.
		time.Sleep(4 * time.Second)
		checkACLLog(t, nodes...)
		checkKeyPattern(t, rdb)
	})

	t.Run("cluster", func(t *testing.T) {
		t.Parallel()
		top := startTopology(t, "cluster")
		var nodes []*redis.Client
		for _, addr := range top.list(t, "SESSKIT_REDIS_CLUSTER_NODES") {
			c := nodeClient(t, addr)
			createUser(t, c, append(dataRules, clusterRules...))
			nodes = append(nodes, c)
		}
		addrs := top.list(t, "SESSKIT_REDIS_CLUSTER_ADDRS")
		opt := redisstore.UniversalOptions("", addrs...)
		opt.Username, opt.Password = aclUser, aclPassword
		rdb := redis.NewUniversalClient(opt)
		t.Cleanup(func() { _ = rdb.Close() })
		admin := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
		t.Cleanup(func() { _ = admin.Close() })
		exerciseACL(t, rdb, admin, true)
		checkACLLog(t, nodes...)
		checkKeyPattern(t, rdb)
	})
}

// createUser creates the ACL user on one node, with CLIENT SETINFO where
// the server knows it.
func createUser(t *testing.T, c *redis.Client, rules []string) {
	t.Helper()
	args := []any{"ACL", "SETUSER", aclUser}
	for _, r := range rules {
		args = append(args, r)
	}
	if err := c.Do(t.Context(), args...).Err(); err != nil {
		t.Fatalf("ACL SETUSER on %s: %v", c.Options().Addr, err)
	}
	err := c.Do(t.Context(), "ACL", "SETUSER", aclUser, setinfoRule).Err()
	if err != nil && !strings.Contains(err.Error(), "Unknown command") {
		t.Fatalf("ACL SETUSER %s on %s: %v", setinfoRule, c.Options().Addr, err)
	}
}

// exerciseACL drives the store through every call and script branch as the
// ACL user. admin (the default user) plants a corrupt session and flushes
// the script cache first, so that EVAL runs too. replicated says whether
// WAIT can be satisfied.
func exerciseACL(t *testing.T, rdb redis.UniversalClient, admin redis.UniversalClient, replicated bool) {
	t.Helper()
	ctx := t.Context()
	flush := func(ctx context.Context, c *redis.Client) error { return c.ScriptFlush(ctx).Err() }
	if cluster, ok := admin.(*redis.ClusterClient); ok {
		if err := cluster.ForEachMaster(ctx, flush); err != nil {
			t.Fatal(err)
		}
	} else if err := flush(ctx, admin.(*redis.Client)); err != nil {
		t.Fatal(err)
	}
	s, err := redisstore.New(rdb)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	hour := time.Hour
	r := session.Rules{Now: now, Idle: hour, Absolute: 24 * hour, MaxSize: 1 << 10}
	create := func(id string, deadline time.Time) {
		t.Helper()
		err := s.Create(ctx, id, session.Record{Created: now, Deadline: deadline, Values: map[string][]byte{"a": []byte("j1")}}, r)
		if err != nil {
			t.Fatalf("create: %v", err) // EVALSHA, NOSCRIPT, EVAL: HSET, PEXPIRE
		}
	}
	id := sessiontest.RandomID()
	create(id, now.Add(12*hour))
	if _, found, err := s.Load(ctx, id); err != nil || !found {
		t.Fatalf("load: %v, %v", found, err) // HGETALL
	}
	steps := map[string]func() error{
		"save": func() error { // HMGET, HDEL, HSET, PEXPIRE
			return s.Save(ctx, id, session.Change{Set: map[string][]byte{"b": []byte("j2")}, Delete: []string{"a"}, Append: map[string][][]byte{"l": {[]byte("jx")}}}, r)
		},
		"incr":  func() error { _, err := s.Incr(ctx, id, "n", 1<<60, r); return err }, // HINCRBY, HGET
		"pop":   func() error { _, err := s.Pop(ctx, id, "l", r); return err },         // HDEL
		"swap":  func() error { _, _, err := s.Swap(ctx, id, "b", []byte("j2"), nil, r); return err },
		"touch": func() error { return s.Touch(ctx, id, r) },
		"ttl":   func() error { _, err := s.TTL(ctx, id); return err }, // PTTL
		"index": func() error { // ZREMRANGEBYSCORE, ZREM, ZRANGE, ZSCORE, ZADD, PEXPIREAT
			_, err := s.Index(ctx, "acl-user", []session.IndexEntry{{Handle: id, Deadline: now.Add(hour)}}, []string{"r" + id}, session.Limit{Max: 1}, now)
			if err == nil {
				_, err = s.Index(ctx, "acl-user", nil, nil, session.Limit{Max: 1, Refuse: true}, now)
			}
			return err
		},
		"indexed":  func() error { _, err := s.Indexed(ctx, "acl-user", now); return err }, // ZRANGEBYSCORE
		"describe": func() error { _, err := s.Describe(ctx, []string{id, "r" + id}); return err },
		"remember": func() error { // MULTI, HSET, PEXPIREAT, EXEC; HMGET, HSET
			rec := session.RememberRecord{Validator: "v", User: "acl-user", Created: now, Expires: now.Add(hour)}
			err := s.SaveRemember(ctx, id, rec)
			if err == nil {
				_, _, err = s.UseRemember(ctx, id, "v", "w", now)
			}
			if err == nil {
				err = s.Revoke(ctx, []string{"r" + id})
			}
			return err
		},
	}
	for name, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	late := r
	late.Now = now.Add(13 * hour)
	if err := s.Save(ctx, id, session.Change{}, late); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("change past the deadline: %v, want ErrNotFound", err) // DEL
	}
	if err := s.Save(ctx, sessiontest.RandomID(), session.Change{}, r); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("change of a missing session: %v, want ErrNotFound", err) // EXISTS
	}
	id = sessiontest.RandomID()
	create(id, now.Add(hour))
	if _, found, err := s.Take(ctx, id, r); err != nil || !found {
		t.Fatalf("take: %v, %v", found, err) // HGETALL, DEL, HSET, PEXPIRE
	}
	id = sessiontest.RandomID()
	if err := admin.HSet(ctx, redisstore.DefaultPrefix+id, "x", "y").Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, id, session.Change{}, r); !errors.Is(err, session.ErrCorrupt) {
		t.Fatalf("change of a corrupt session: %v, want ErrCorrupt", err)
	}
	if _, err := s.Delete(ctx, id); err != nil {
		t.Fatalf("delete: %v", err) // DEL
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	waiting, err := redisstore.New(rdb, redisstore.WithWait(1, 200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	err = waiting.Create(ctx, sessiontest.RandomID(), session.Record{Created: now, Deadline: now.Add(hour)}, r)
	switch {
	case replicated && err != nil:
		t.Fatalf("save with WAIT: %v", err)
	case !replicated && (!errors.Is(err, session.ErrUnavailable) || !strings.Contains(err.Error(), "replicas acknowledged")):
		t.Fatalf("save with WAIT and no replica: %v, want too few replicas", err) // WAIT ran
	}
}

// checkACLLog fails when any node logged an ACL denial.
func checkACLLog(t *testing.T, nodes ...*redis.Client) {
	t.Helper()
	for _, c := range nodes {
		entries, err := c.ACLLog(t.Context(), 100).Result()
		if err != nil {
			t.Fatalf("ACL LOG on %s: %v", c.Options().Addr, err)
		}
		for _, e := range entries {
			t.Errorf("%s denied %s %q to %s (%s, %d times)", c.Options().Addr, e.Reason, e.Object, e.Username, e.Context, e.Count)
		}
	}
}

// checkKeyPattern: a store with another prefix is refused by Redis.
func checkKeyPattern(t *testing.T, rdb redis.UniversalClient) {
	t.Helper()
	other, err := redisstore.New(rdb, redisstore.WithPrefix("other:"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	err = other.Create(t.Context(), sessiontest.RandomID(), session.Record{Created: now, Deadline: now.Add(time.Hour)}, session.Rules{Now: now, Idle: time.Hour, Absolute: time.Hour})
	if !errors.Is(err, session.ErrUnavailable) || !strings.Contains(err.Error(), "NOPERM") {
		t.Fatalf("save outside ~sesskit:* = %v, want NOPERM", err)
	}
}
