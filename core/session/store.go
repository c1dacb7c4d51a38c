package session

import (
	"context"
	"time"
)

// Store keeps sessions. The engine gives it the hashed session ID, never the
// raw token, and encoded values it treats as opaque bytes.
//
// Every method takes the request context first and must honour its deadline.
// Implementations: redisstore (production) and memstore (tests, one instance).
// The conformance suite in package sessiontest pins the contract down.
type Store interface {
	// Load returns the session stored under id. A missing or expired session
	// is found=false with a nil error. When the session exists and its
	// remaining lifetime has dropped by more than t.Interval, Load extends
	// it (a touch) in the same round trip. Data that does not follow the
	// layout is reported as an error wrapping ErrCorrupt.
	Load(ctx context.Context, id string, t Touch) (rec Record, found bool, err error)

	// Save applies ch to the session under id in one atomic step.
	// With ch.Create it writes a new session; otherwise it changes only the
	// fields named in ch and returns ErrNotFound when the session no longer
	// exists (so a request in flight cannot resurrect a destroyed session).
	// It returns ErrTooLarge, writing nothing, when the stored session would
	// exceed ch.MaxSize bytes.
	Save(ctx context.Context, id string, ch Change) error

	// Delete removes the session under id. Deleting a missing session is not
	// an error.
	Delete(ctx context.Context, id string) error

	// Ping reports whether the store can be reached.
	Ping(ctx context.Context) error
}

// Record is one session as a store holds it.
type Record struct {
	Created  time.Time         // when the session began
	Deadline time.Time         // absolute expiry, never extended
	TTL      time.Duration     // time left before idle expiry, as the store sees it
	Values   map[string][]byte // field name -> codec-tagged encoding
}

// Touch tells Load how to extend a session that is read.
type Touch struct {
	Now      time.Time     // the engine's clock
	Idle     time.Duration // the lifetime a touch grants, capped by the deadline
	Interval time.Duration // extend only when at least this much lifetime was used
}

// Change is what one request does to a session: a delta, not a rewrite.
type Change struct {
	Create   bool              // write a new session; Created and Deadline are set
	Now      time.Time         // the engine's clock
	Idle     time.Duration     // lifetime after this write, capped by the deadline
	Created  time.Time         // with Create: when the session began
	Deadline time.Time         // with Create: absolute expiry
	Set      map[string][]byte // fields to write
	Delete   []string          // fields to remove
	MaxSize  int               // refuse when the stored values would exceed this many bytes; 0: no limit
}

// TTL is the lifetime a session gets at now: the idle timeout, cut short by
// the absolute deadline. Stores use it so both enforce the same rule.
func TTL(now, deadline time.Time, idle time.Duration) time.Duration {
	if left := deadline.Sub(now); left < idle {
		return left
	}
	return idle
}
