// Package sessiontest holds the conformance suites every sesskit store and
// adapter passes, so the in-process store, the Redis store and the four
// framework adapters keep one contract.
//
// TestStore checks a session.Store through its interface:
//
//	func TestConformance(t *testing.T) {
//		sessiontest.TestStore(t, func(t *testing.T) session.Store { return memstore.New() })
//	}
//
// TestAdapter drives an adapter over real HTTP on 127.0.0.1, on memstore and,
// when SESSKIT_REDIS_URL is set, on Redis: the adapter supplies only the
// glue that mounts the suite's routes in its framework (see Adapter).
//
// The suites use real time with short durations, so a run against a real
// server takes a few seconds.
package sessiontest
