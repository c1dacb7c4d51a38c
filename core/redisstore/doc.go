// Package redisstore keeps sesskit sessions in Redis (single node, Sentinel
// or Cluster) through a go-redis v9 UniversalClient.
//
// # Layout
//
// One hash per session under prefix + id, where id is the engine's SHA-256
// of the token (base64url, 43 characters), so neither a dump nor a MONITOR
// log yields a usable token. Metadata fields start with '@' (created,
// deadline, last touch, running size and count, user, device label); every
// value is one field. A user's sessions are indexed in a sorted set; a
// remember-me token is a small hash. layout.go holds the whole layout
// (keys.go: what tools reading keys themselves use, such as cmd/sesskit);
// scripts.go the Lua scripts.
//
// # Round trips and Redis work
//
// Load is one plain HGETALL: no script, no write, so reads go on while Redis
// pauses writes. Every change (Save, Incr, Pop, Swap, Touch) is one EVALSHA
// of one flat script that reads only the metadata and the fields it changes
// (one HMGET), checks that the session still exists and is within its
// deadlines, keeps a running size for the limits, and writes the delta
// (HDEL, HSET) with a PEXPIRE only when the touch is due: its cost grows
// with what changed, never with the session. Create is MULTI/HSET/PEXPIRE/
// EXEC; Delete and Take are one small script each; concurrent changes of
// different fields of one session all survive. Every script touches one
// key, so all of it works on a Cluster.
//
// # Client settings
//
// Every call carries the request context plus a deadline (WithTimeout), but
// go-redis applies context deadlines to socket reads and writes only with
// ContextTimeoutEnabled; New refuses a client without it. ParseURL and
// UniversalOptions return options with it set:
//
//	opt, err := redisstore.ParseURL("redis://127.0.0.1:6379/0")
//	rdb := redis.NewClient(opt)
//
//	rdb := redis.NewUniversalClient(redisstore.UniversalOptions("", "node1:6379", "node2:6379"))
//
// go-redis's retries (MaxRetries, default 3) are safe: calls whose effect
// would change when run twice (Incr, Pop, Swap, Take, appends) are sent with
// retries off, so a lost reply becomes an error, never a double effect.
// With Sentinel or Cluster, a write acknowledged by a primary that fails
// over before replicating is lost; WithWait trades a round trip per Save
// for waiting on replicas. On a Cluster every failed call makes the client
// reload its slot map in the background: go-redis reloads on redirects and
// every 60 s, but a dead primary sends no redirect, so without it requests
// for its slots would fail for up to a minute after a replica took over.
//
// # Errors
//
// Failures to reach Redis or to get an answer in time wrap
// session.ErrUnavailable (and the go-redis cause); data that does not follow
// the layout, including a key of another type, wraps session.ErrCorrupt;
// Save reports session.ErrNotFound and session.ErrTooLarge as the
// session.Store contract says. Messages never contain an id or a key.
package redisstore
