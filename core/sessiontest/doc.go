// Package sessiontest holds the conformance suites that every sesskit
// session.Store must pass, so the in-process store and the Redis store keep
// one contract. Call TestStore from a store's own tests:
//
//	func TestConformance(t *testing.T) {
//		sessiontest.TestStore(t, func(t *testing.T) session.Store { return memstore.New() })
//	}
//
// The suites use only the session interfaces and real time with short
// durations, so a run against a real server takes a few seconds.
package sessiontest
