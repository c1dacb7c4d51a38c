// Package redisstore keeps sesskit sessions in Redis (single node, Sentinel
// or Cluster) through a go-redis v9 UniversalClient.
//
// # Layout
//
// One hash per session under prefix + id, where id is the engine's SHA-256
// of the token (base64url, 43 characters), so neither a dump nor a MONITOR
// log yields a usable token:
//
//	sesskit:<id>  HASH  "@c" created (unix ms)  "@d" absolute deadline (unix ms)
//	                    one field per value: the codec-tagged bytes
//	              TTL   min(idle timeout, deadline - now)
//
// layout.go holds the whole layout; scripts.go the Lua scripts.
//
// # Round trips
//
// Load is one EVALSHA: HGETALL, and a PEXPIRE only when more than the touch
// interval of lifetime was used. Save is one EVALSHA writing only the delta
// (HDEL, HSET, PEXPIRE) after checking that the session still exists, its
// deadline and the size limit; concurrent Saves of different fields of one
// session all survive. Delete is one DEL, Ping one PING (on a Cluster, one
// per primary, in parallel). Every script touches one key, so all of it
// works on a Cluster, and every script is idempotent, so go-redis may retry
// it after a timeout.
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
// go-redis's retries (MaxRetries, default 3) are safe with these scripts.
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
