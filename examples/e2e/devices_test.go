package e2e_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestDevicesListLiveSessions: 100 logins of one user at once through three
// apps (Chi, Gin, Echo) on one store; GET /api/devices then lists exactly
// those 100 sessions (by handle, the SHA-256 of each token), marks only the
// asking one current, and the index in Redis holds exactly them. On a single
// node, Sentinel and a 3-master Cluster.
func TestDevicesListLiveSessions(t *testing.T) {
	t.Parallel()
	for _, bk := range userBackends {
		t.Run(bk.name, func(t *testing.T) {
			t.Parallel()
			b := bk.get(t)
			apps := startApps(t, b)
			user := uniqueUser("devices")
			tokens := loginMany(t, apps, user, 100)

			want := map[string]bool{}
			for _, tok := range tokens {
				want[handleOf(tok)] = true
			}
			if len(want) != 100 {
				t.Fatalf("100 logins gave %d distinct tokens", len(want))
			}
			if live := liveTokens(t, apps, user, tokens); len(live) != 100 {
				t.Fatalf("%d of 100 sessions are logged in, want all", len(live))
			}
			for i, a := range apps {
				devices := devicesOf(t, a, tokens[i])
				got := map[string]bool{}
				current := 0
				for _, d := range devices {
					got[d.ID] = true
					if d.Kind != "session" || d.Created.IsZero() || !d.Expires.After(d.Created) {
						t.Fatalf("%s: device %+v, want a session with created < expires", a.fw, d)
					}
					if d.Current {
						current++
						if d.ID != handleOf(tokens[i]) {
							t.Fatalf("%s: device %s marked current, want the asking session's", a.fw, d.ID)
						}
					}
				}
				if len(devices) != 100 || !maps.Equal(got, want) {
					t.Fatalf("%s: GET /api/devices lists %d devices (%d distinct), want exactly the 100 live sessions",
						a.fw, len(devices), len(got))
				}
				if current != 1 {
					t.Fatalf("%s: %d devices marked current, want 1", a.fw, current)
				}
				if !slices.IsSortedFunc(devices, func(x, y device) int { return y.Created.Compare(x.Created) }) {
					t.Fatalf("%s: devices not newest first", a.fw)
				}
			}

			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			indexed, err := b.rdb.ZRange(ctx, indexKey(user), 0, -1).Result()
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(indexed)
			if !slices.Equal(indexed, slices.Sorted(maps.Keys(want))) {
				t.Fatalf("the index holds %d entries, want exactly the 100 sessions", len(indexed))
			}
		})
	}
}

// TestRevokeOtherDevicesAndAll: 30 sessions of one user, spread on the
// Cluster over every master; POST /api/devices/revoke-others from one of
// them ends the 29 others (each one's next request, through any app, is
// anonymous, and its key is gone); DELETE /api/devices/{own id} then ends
// the last one, and the user's index is gone. On every topology.
func TestRevokeOtherDevicesAndAll(t *testing.T) {
	t.Parallel()
	for _, bk := range userBackends {
		t.Run(bk.name, func(t *testing.T) {
			t.Parallel()
			b := bk.get(t)
			apps := startApps(t, b)
			user := uniqueUser("revoke")
			tokens := loginMany(t, apps, user, 30)
			if cc, ok := b.rdb.(*redis.ClusterClient); ok {
				wantOnEveryMaster(t, cc, tokens)
			}

			c := noJar(t)
			keep := tokens[0]
			wantJSON(t, "revoke-others", c.do("POST", apps[1].url+"/api/devices/revoke-others", "", "Cookie", "session="+keep),
				200, `{"revoked":29}`)
			live := liveTokens(t, apps, user, tokens)
			if len(live) != 1 || !live[keep] {
				t.Fatalf("after revoke-others %d sessions are logged in, want only the one that asked", len(live))
			}
			for _, tok := range tokens[1:] {
				b.wantStored(t, "a revoked session", tok, false)
			}
			if d := devicesOf(t, apps[2], keep); len(d) != 1 || d[0].ID != handleOf(keep) || !d[0].Current {
				t.Fatalf("devices after revoke-others: %+v, want only the current session", d)
			}

			// An id that is not one of the user's: 404; then the own one.
			wantError(t, "DELETE another user's id", c.do("DELETE", apps[0].url+"/api/devices/"+handleOf("not-a-token"), "",
				"Cookie", "session="+keep), 404)
			wantStatus(t, "DELETE own id", c.do("DELETE", apps[0].url+"/api/devices/"+handleOf(keep), "", "Cookie", "session="+keep), 204)
			if n := len(liveTokens(t, apps, user, tokens)); n != 0 {
				t.Fatalf("after revoking every device %d sessions are logged in", n)
			}
			wantError(t, "GET /api/devices logged out", c.do("GET", apps[1].url+"/api/devices", "", "Cookie", "session="+keep), 401)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			if n, err := b.rdb.Exists(ctx, indexKey(user)).Result(); err != nil || n != 0 {
				t.Fatalf("index key after revoking every device: exists=%d, %v", n, err)
			}
		})
	}
}

// wantOnEveryMaster fails unless the sessions of tokens are stored on
// every master of the Cluster.
func wantOnEveryMaster(t *testing.T, cc *redis.ClusterClient, tokens []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	shards, err := cc.ClusterShards(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	masters, holding := map[int]bool{}, map[int]bool{}
	for i, sh := range shards {
		if len(sh.Slots) > 0 {
			masters[i] = true
		}
	}
	for _, tok := range tokens {
		slot, err := cc.ClusterKeySlot(ctx, redisKey(tok)).Result()
		if err != nil {
			t.Fatal(err)
		}
		for i, sh := range shards {
			for _, r := range sh.Slots {
				if slot >= r.Start && slot <= r.End {
					holding[i] = true
				}
			}
		}
	}
	if len(masters) < 3 || len(holding) != len(masters) {
		t.Fatalf("sessions on %d of %d masters, want every one of at least 3", len(holding), len(masters))
	}
}

// TestSessionLimit: with -session-limit 3, logins of one user through
// three apps leave at most 3 valid sessions, and the devices list names
// only valid ones: 20 logins one after another, and 20 at once. On every
// topology.
func TestSessionLimit(t *testing.T) {
	t.Parallel()
	for _, bk := range userBackends {
		t.Run(bk.name, func(t *testing.T) {
			t.Parallel()
			b := bk.get(t)
			apps := startApps(t, b, "-session-limit", "3")
			t.Run("sequential", func(t *testing.T) {
				user := uniqueUser("limit")
				var tokens []string
				for i := range 20 {
					tokens = append(tokens, loginMany(t, apps[i%3:i%3+1], user, 1)...)
				}
				wantLimitOfThree(t, apps, user, tokens, 3)
			})
			t.Run("concurrent", func(t *testing.T) {
				user := uniqueUser("limit")
				wantLimitOfThree(t, apps, user, loginMany(t, apps, user, 20), 1)
			})
		})
	}
}

// wantLimitOfThree checks that from min to 3 of tokens are valid sessions
// of user, and that GET /api/devices lists only those.
func wantLimitOfThree(t *testing.T, apps []*app, user string, tokens []string, min int) {
	t.Helper()
	live := liveTokens(t, apps, user, tokens)
	if len(live) < min || len(live) > 3 {
		t.Fatalf("%d valid sessions after %d logins with a limit of 3, want %d to 3", len(live), len(tokens), min)
	}
	liveHandles := map[string]bool{}
	for tok := range live {
		liveHandles[handleOf(tok)] = true
	}
	for tok := range live {
		devices := devicesOf(t, apps[0], tok)
		for _, d := range devices {
			if !liveHandles[d.ID] {
				t.Fatalf("GET /api/devices lists %s, which is not a valid session", d.ID)
			}
		}
		if len(devices) != len(live) {
			t.Fatalf("GET /api/devices lists %d devices, want the %d valid sessions", len(devices), len(live))
		}
	}
}

// TestIndexKeysExpire: with short lifetimes (-idle-timeout 1s,
// -absolute-timeout 2s, -remember 2s) the index, session and remember-me
// keys of a user are all gone once every session has ended: the sessions'
// within their idle timeout, the index and the tokens within the absolute
// timeout and the remember lifetime (the stated cleanup bound: the index
// expires with its latest deadline). On every topology.
func TestIndexKeysExpire(t *testing.T) {
	t.Parallel()
	for _, bk := range userBackends {
		t.Run(bk.name, func(t *testing.T) {
			t.Parallel()
			b := bk.get(t)
			apps := startApps(t, b, "-idle-timeout", "1s", "-absolute-timeout", "2s", "-remember", "2s")
			user := uniqueUser("expire")
			began := time.Now()
			tokens := loginMany(t, apps, user, 10)
			c := noJar(t)
			r := c.do("POST", apps[0].url+"/api/login", `{"user":"`+user+`","remember":true}`)
			wantJSON(t, "login with remember", r, 200, `{"user":"`+user+`","remember":true}`)
			keys := []string{indexKey(user), rememberKey(cookieNamed(r, "remember").Value)}
			for _, tok := range append(tokens, cookieNamed(r, "session").Value) {
				keys = append(keys, redisKey(tok))
			}

			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			bound := began.Add(2*time.Second + 1500*time.Millisecond) // latest deadline, plus the time the logins took and slack
			for {
				left := 0
				for _, k := range keys {
					n, err := b.rdb.Exists(ctx, k).Result()
					if err != nil {
						t.Fatal(err)
					}
					left += int(n)
				}
				if left == 0 {
					t.Logf("every key gone %v after the first login", time.Since(began).Round(100*time.Millisecond))
					break
				}
				if time.Now().After(bound) {
					t.Fatalf("%d of %d keys (index, remember-me token, sessions) still exist %v after the first login",
						left, len(keys), time.Since(began).Round(time.Millisecond))
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
}
