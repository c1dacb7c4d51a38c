// Package memstore is an in-process session.Store for tests and for a single
// instance in development: sessions live in this process's memory and vanish
// when it restarts, and two instances never see each other's sessions. Use
// redisstore for anything else.
//
// The store follows the same rules as the Redis store, so code tested against
// it behaves the same in production: a session lives for
// session.TTL(now, deadline, idle) after each write, Load extends it only once
// more than the touch interval has been used, a Save that is not a Create
// never brings back a session that expired or was deleted, and a change that
// would make the session larger than Change.MaxSize is refused whole.
//
// # Clocks
//
// Like Redis, the store does lifetime arithmetic with the engine's clock
// (Touch.Now, Change.Now) and judges expiry with its own clock (WithClock,
// time.Now by default): a write at engine time now stores the session until
// storeClock() + session.TTL(now, deadline, idle), and the session is gone
// once the store's clock reaches that instant. The absolute deadline is also
// checked against the engine's clock on every Load and Save, as the Redis
// scripts do. Give the store and the session.Manager the same fake clock and
// both agree to the nanosecond, with no sleeping in tests.
package memstore
