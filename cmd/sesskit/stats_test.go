package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/codecs/msgpack"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
)

// TestStats: stats counts exactly the sessions made under a prefix of the
// test's own, with their users and codecs, on every topology.
func TestStats(t *testing.T) {
	eachTopology(t, func(t *testing.T, tp topology) {
		prefix := uniquePrefix()
		jsonApp := newApp(t, tp, prefix)
		mpApp := newApp(t, tp, prefix, session.WithCodec(msgpack.Codec{}))
		const withUser, anonymous, packed = 7, 5, 4
		for i := range withUser {
			jsonApp.login(t, "user"+string(rune('a'+i)), map[string]any{"cart": []int{i}})
		}
		for range anonymous {
			jsonApp.login(t, "", map[string]any{"theme": "dark", "n": 1})
		}
		for range packed {
			mpApp.login(t, "", map[string]any{"prefs": map[string]int{"a": 1}})
		}
		res := sesskit(t, cmdArgs([]string{"stats"}, jsonApp.conn, "-json")...)
		if res.code != 0 {
			t.Fatalf("stats: exit %d: %s", res.code, res.stderr)
		}
		var r statsReport
		if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
			t.Fatalf("stats -json: %v\n%s", err, res.stdout)
		}
		if want := int64(withUser + anonymous + packed); r.Sessions != want {
			t.Errorf("sessions = %d, want %d", r.Sessions, want)
		}
		if r.WithUser != withUser || r.UserIndexes != withUser {
			t.Errorf("with a user %d, user indexes %d; want %d each", r.WithUser, r.UserIndexes, withUser)
		}
		if r.Codecs["json"] != withUser+2*anonymous || r.Codecs["msgpack"] != packed {
			t.Errorf("codecs = %v", r.Codecs)
		}
		if r.NoTTL != 0 || r.Corrupt != 0 || r.OtherKeys != 0 {
			t.Errorf("problems reported: %+v", r)
		}
		if r.Memory.Sampled != r.Sessions || r.Memory.PerSession <= 0 {
			t.Errorf("memory = %+v, want every session sampled", r.Memory)
		}
		var ttls int64
		for _, b := range r.TTL {
			ttls += b.Count
		}
		if ttls != r.Sessions {
			t.Errorf("TTL histogram holds %d sessions, want %d", ttls, r.Sessions)
		}
		if tp.name == "cluster" && r.Primaries < 2 {
			t.Errorf("primaries = %d on a Cluster", r.Primaries)
		}

		// The text form says the same over many small batches, and a pipe
		// gets no progress bar.
		res = sesskit(t, cmdArgs([]string{"stats"}, jsonApp.conn, "-sample", "3", "-batch", "3")...)
		if res.code != 0 || !strings.Contains(res.stdout, "sessions     16 ") || res.stderr != "" {
			t.Errorf("stats: exit %d\n%s\nstderr: %q", res.code, res.stdout, res.stderr)
		}
	})
}

// TestStatsRestricted: a user allowed only what counting needs (SCAN,
// HGETALL, PTTL) still gets exact counts; the memory figures are left out.
func TestStatsRestricted(t *testing.T) {
	url := privateRedis(t)
	opt, _ := redisstore.ParseURL(url)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	err := rdb.Do(t.Context(), "ACL", "SETUSER", "ops", "reset", "on", ">secret", "~sesskit:*", "-@all",
		"+scan", "+hgetall", "+pttl", "+ping").Err()
	if err != nil {
		t.Fatal(err)
	}
	a := newApp(t, topology{name: "private", args: []string{"-redis", url}, rdb: rdb}, "sesskit:")
	for range 3 {
		a.login(t, "", map[string]any{"cart": 1})
	}
	t.Setenv("REDIS_USERNAME", "ops")
	t.Setenv("REDIS_PASSWORD", "secret")
	res := sesskit(t, "stats", "-redis", url, "-json")
	var r statsReport
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil || res.code != 0 {
		t.Fatalf("stats as ops: exit %d, %v\n%s%s", res.code, err, res.stdout, res.stderr)
	}
	if r.Sessions != 3 || r.Memory.Sampled != 0 || r.Memory.UsedMemory != 0 {
		t.Errorf("stats as ops: %+v", r)
	}
	// Without the password: refused, exit 1.
	t.Setenv("REDIS_PASSWORD", "wrong")
	if res := sesskit(t, "stats", "-redis", url); res.code != 1 || !strings.Contains(res.stderr, "WRONGPASS") {
		t.Errorf("wrong password: exit %d: %s", res.code, res.stderr)
	}
}
