package session

import (
	"context"
	"math"
	"time"
)

// Store keeps sessions. The engine gives it the hashed session ID, never the
// raw token, and encoded values it treats as opaque bytes.
//
// Every method takes the request context first and must honour its deadline.
// Every method that changes an existing session does so in one atomic step
// that first checks the session still exists and is within its deadlines
// (Rules), so a request in flight can never resurrect a session that was
// destroyed, renewed or expired. A session with a lifetime of its own
// (Record.Lifetime) is judged and extended by r.For(its lifetime), not r.
// Implementations: redisstore (production)
// and memstore (tests, one instance). The conformance suite in package
// sessiontest pins the contract down.
//
// Errors: ErrNotFound (the session is gone), ErrRenewed (it was renewed
// away from this ID), ErrTooLarge (a limit of Rules; nothing was written),
// ErrCorrupt (data that does not follow the layout), ErrUnavailable (the
// store failed; the change may or may not have happened).
type Store interface {
	// Load returns the session stored under id, changing nothing, so loads
	// keep working while the store refuses writes. A missing session is
	// found=false with a nil error. Load does not judge deadlines: the
	// engine does, from the Record.
	Load(ctx context.Context, id string) (rec Record, found bool, err error)

	// Create writes a new session under id (a fresh random ID) holding
	// rec's Created, Deadline, User, Label, Restored, Lifetime and Values;
	// its lifetime is r.For(rec.Lifetime).TTL. It returns ErrTooLarge,
	// writing nothing, when the values break r's limits.
	Create(ctx context.Context, id string, rec Record, r Rules) error

	// Save applies ch to the session under id: deletes first, then sets,
	// then appends.
	Save(ctx context.Context, id string, ch Change, r Rules) error

	// Touch extends the session's lifetime to r.TTL and records r.Now as its
	// last touch. A missing session stays missing.
	Touch(ctx context.Context, id string, r Rules) error

	// Take returns the session under id and removes it in one atomic step,
	// leaving a marker for RenewGrace under which every later call on id
	// returns ErrRenewed. Renew moves a session to a new ID with it.
	Take(ctx context.Context, id string, r Rules) (rec Record, found bool, err error)

	// Delete removes the session under id and returns the user it recorded
	// (""), so the caller can take it out of the user's index. Deleting a
	// missing session is not an error.
	Delete(ctx context.Context, id string) (user string, err error)

	// Incr adds delta to the counter under key (absent counts as 0) and
	// returns the new value. When key holds something other than a counter
	// it returns a *NotCounterError carrying that value and changes nothing.
	Incr(ctx context.Context, id, key string, delta int64, r Rules) (int64, error)

	// Pop removes the value under key and returns it; nil when there was
	// none.
	Pop(ctx context.Context, id, key string, r Rules) ([]byte, error)

	// Swap replaces the value under key with new (nil deletes it) if the
	// stored value still equals old (nil: absent). It returns the value
	// stored afterwards, and whether it swapped.
	Swap(ctx context.Context, id, key string, old, new []byte, r Rules) (cur []byte, swapped bool, err error)

	// Ping reports whether the store can be reached.
	Ping(ctx context.Context) error
}

// RenewGrace is how long a renewed session's old ID keeps answering
// ErrRenewed instead of "not found", so a request still in flight with the
// old token neither starts a new session nor clears the client's new token.
const RenewGrace = time.Minute

// FieldOverhead is what every stored value costs against MaxSize on top of
// its key and bytes: about what Redis spends per hash field, so a session of
// many tiny values is bounded by what it really costs.
const FieldOverhead = 64

// Record is one session as a store holds it.
type Record struct {
	Created  time.Time         // when the session began
	Deadline time.Time         // absolute expiry as stored; the engine caps it (Rules.Absolute)
	Touched  time.Time         // when its lifetime was last extended; zero if never recorded
	User     string            // the user recorded by SetUser, or ""
	Label    string            // the device label recorded by SetLabel, or ""
	Restored bool              // the session was restored from a remember-me token
	Lifetime Lifetime          // the session's own timeouts (SetLifetime); zero: the Manager's
	Values   map[string][]byte // key -> stored value (codec-tagged, a counter or a list)
}

// Lifetime is a session's own idle and absolute timeouts, set by
// Session.SetLifetime, in whole milliseconds. A zero field follows the
// Manager's timeout. Stores keep it with the session and apply it through
// Rules.For, so every instance honours it.
type Lifetime struct {
	Idle     time.Duration
	Absolute time.Duration
}

// Rules are the Manager's settings a store enforces on every change.
type Rules struct {
	Now           time.Time     // the engine's clock
	Idle          time.Duration // lifetime granted by a write or a touch
	Absolute      time.Duration // a session never outlives Created + Absolute, whatever it stores
	TouchInterval time.Duration // writes extend the lifetime only when this much was used
	MaxIdle       time.Duration // ceiling of a session's own idle timeout (Lifetime); 0: Idle
	MaxAbsolute   time.Duration // ceiling of a session's own absolute timeout; 0: Absolute
	MaxSize       int           // bytes of keys, values and FieldOverhead per value; 0: none
	MaxKeys       int           // values per session; 0: none
	MaxValue      int           // bytes of one stored value (lists grow by appends); 0: none
}

// Change is what one request does to a session: a delta, not a rewrite.
// A key appears in at most one of Set, Delete and Append.
type Change struct {
	Set    map[string][]byte   // values to write
	Delete []string            // values to remove
	Append map[string][][]byte // list elements to add, in order (see AppendList)
	User   *string             // the user to record; "" removes it; nil leaves it
	Label  *string             // the device label to record; nil leaves it
	// Lifetime, when not nil, becomes the session's own lifetime: the
	// store records it, moves the stored deadline to Created plus its
	// absolute timeout (as Rules.For gives it) and sets the TTL afresh.
	Lifetime *Lifetime
}

// TTL is the lifetime a session gets at now: the idle timeout, cut short by
// the absolute deadline. Stores use it so both enforce the same rule.
func TTL(now, deadline time.Time, idle time.Duration) time.Duration {
	if left := deadline.Sub(now); left < idle {
		return left
	}
	return idle
}

// Deadline is the session's effective absolute deadline: the stored one,
// but never later than created + absolute, so lowering the absolute timeout
// shortens existing sessions and a forged far-future deadline buys nothing.
func Deadline(created, stored time.Time, absolute time.Duration) time.Time {
	if limit := created.Add(absolute); limit.Before(stored) {
		return limit
	}
	return stored
}

// TTL is the lifetime a write at r.Now grants a session with the given
// effective deadline.
func (r Rules) TTL(deadline time.Time) time.Duration {
	return TTL(r.Now, deadline, r.Idle)
}

// For returns the rules of a session with its own lifetime l: each timeout
// l sets replaces the Manager's, capped by MaxIdle or MaxAbsolute (so
// lowering a ceiling shortens existing sessions too). A shorter idle
// timeout shortens the touch interval in proportion, computed in
// milliseconds as a script can, so a session is touched before it expires.
func (r Rules) For(l Lifetime) Rules {
	if l.Idle > 0 {
		idle := min(l.Idle, orDefault(r.MaxIdle, r.Idle))
		if idle < r.Idle {
			ms := math.Floor(float64(r.TouchInterval.Milliseconds()) * float64(idle.Milliseconds()) / float64(r.Idle.Milliseconds()))
			r.TouchInterval = time.Duration(ms) * time.Millisecond
		}
		r.Idle = idle
	}
	if l.Absolute > 0 {
		r.Absolute = min(l.Absolute, orDefault(r.MaxAbsolute, r.Absolute))
	}
	return r
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// TouchDue reports whether a session last touched at touched should have its
// lifetime extended at r.Now.
func (r Rules) TouchDue(touched time.Time) bool {
	return r.Now.Sub(touched) >= r.TouchInterval
}

// Size is what a value costs against Rules.MaxSize.
func Size(key string, value []byte) int {
	return len(key) + len(value) + FieldOverhead
}

// MaxClockSkew is how far in the future a stored creation time may lie
// before the session counts as corrupt: stores and engines on several
// machines do not share one clock.
const MaxClockSkew = 5 * time.Minute
