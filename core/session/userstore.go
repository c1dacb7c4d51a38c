package session

import (
	"context"
	"time"
)

// UserStore is what a store offers, on top of Store, for the per-user
// features: the index of a user's sessions and remember-me tokens
// (Manager.Devices, Revoke, RevokeAll, WithSessionLimit) and the
// remember-me tokens themselves (WithRememberMe). memstore and redisstore
// implement it. A Manager over a store without it refuses those options.
//
// Entries are named by handles: a session's handle is its ID; a
// remember-me token's is "r" followed by its ID. A handle is not a token
// and cannot be used as one.
type UserStore interface {
	// Index changes user's index in one atomic step: it removes drop, then
	// adds add, and removes entries whose deadline is not after now. With
	// limit.Max > 0 it keeps at most Max session entries (remember-me
	// entries do not count): beyond it the oldest are removed and returned,
	// for the caller to revoke, or with limit.Refuse nothing changes and it
	// returns ErrTooManySessions. The index expires with its latest
	// deadline.
	Index(ctx context.Context, user string, add []IndexEntry, drop []string, limit Limit, now time.Time) (evicted []string, err error)

	// Indexed returns the entries of user's index whose deadline is after
	// now, in no particular order. It changes nothing.
	Indexed(ctx context.Context, user string, now time.Time) ([]IndexEntry, error)

	// Describe returns what is stored under each handle, in order; a
	// handle whose session or token is gone has Found false.
	Describe(ctx context.Context, handles []string) ([]Device, error)

	// Revoke deletes the sessions and remember-me tokens under handles.
	Revoke(ctx context.Context, handles []string) error

	// SaveRemember stores a remember-me token under id until rec.Expires.
	SaveRemember(ctx context.Context, id string, rec RememberRecord) error

	// UseRemember checks a presented validator hash against the token under
	// id in one atomic step. When it matches, the token is rotated to next
	// (the presented one stays accepted for RememberGrace, answering
	// RememberRecent) and RememberOK comes back with the record. A validator
	// that matches neither means a stolen copy: RememberStolen, with the
	// record's user. RememberNotFound when there is no token.
	UseRemember(ctx context.Context, id, validator, next string, now time.Time) (RememberRecord, RememberOutcome, error)
}

// IndexEntry is one entry of a user's index.
type IndexEntry struct {
	Handle   string
	Deadline time.Time // when the session or token ends at the latest
}

// Limit is the per-user session limit Index enforces.
type Limit struct {
	Max    int  // session entries per user; 0: no limit
	Refuse bool // refuse a new session beyond Max instead of evicting the oldest
}

// Device is one of a user's sessions or remember-me tokens.
type Device struct {
	Handle     string    // opaque: not a token, and not usable as one
	Remembered bool      // a remember-me token rather than a session
	Current    bool      // the session of the request that asked (Manager.Devices leaves it false; handlers set it)
	Created    time.Time // when it began
	LastActive time.Time // when its lifetime was last extended (within the touch interval)
	Expires    time.Time // when it ends at the latest
	Label      string    // what the app recorded at login (SetLabel), e.g. a User-Agent
	Restored   bool      // a session restored from a remember-me token
	User       string    // whose it is
	Found      bool      // it still exists (Describe)
}

// RememberRecord is a remember-me token as a store holds it.
type RememberRecord struct {
	Validator string    // SHA-256 of the validator, base64url: the secret half is never stored
	User      string    // whom it logs in
	Label     string    // the device label of the login that made it
	Created   time.Time // when it was issued
	Expires   time.Time // when it ends
}

// RememberOutcome is what UseRemember found.
type RememberOutcome int

// The outcomes of UseRemember.
const (
	RememberNotFound RememberOutcome = iota // no such token (expired, revoked)
	RememberOK                              // it matched and was rotated
	RememberRecent                          // the validator was rotated less than RememberGrace ago: a concurrent request of the same browser
	RememberStolen                          // the validator is neither the current nor the grace one: a stolen copy
)

// RememberGrace is how long after a rotation the previous remember-me
// validator is recognised as such (RememberRecent: no login, no alarm), so
// that two requests a browser sends at once with the same cookie are not
// taken for a theft. Later it counts as a stolen copy.
const RememberGrace = 30 * time.Second
