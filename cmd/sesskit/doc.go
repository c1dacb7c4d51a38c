// Command sesskit inspects, lists, revokes and checks the sessions a
// sesskit deployment keeps in Redis (single node, Sentinel or Cluster),
// without code and without knowing the key layout:
//
//	sesskit stats              how many sessions, how much memory, TTLs, sizes, codecs
//	sesskit inspect HANDLE     one session's metadata and decoded values
//	sesskit user ls USER       a user's sessions and remember-me tokens
//	sesskit user revoke USER   log a user out everywhere
//	sesskit revoke HANDLE      end one session or remember-me token
//	sesskit doctor             is Redis configured for sessions?
//
// It connects like the examples do: -redis URL (or REDIS_URL) for one node;
// REDIS_ADDRS (several = Cluster) with REDIS_MASTER_NAME for Sentinel;
// credentials from REDIS_USERNAME and REDIS_PASSWORD (Sentinels:
// REDIS_SENTINEL_USERNAME, REDIS_SENTINEL_PASSWORD), never from flags, so
// they do not show in a process listing. A handle is what Devices shows: a
// session's ID (the SHA-256 of its token), never a token, so nothing this
// command prints can be used to log in. See README.md.
//
// Exit status: 0 done, 1 failed (Redis unreachable, unknown handle, a
// failed doctor check), 2 bad usage.
package main
