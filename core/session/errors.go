package session

import (
	"errors"
	"net/http"
)

var (
	// ErrNotFound is returned by a Store when the session to change no
	// longer exists.
	ErrNotFound = errors.New("session: not found")
	// ErrRenewed is returned when the session was renewed away from the
	// token the request presented (by a concurrent login, say): the change
	// did not happen, and the client already holds, or is about to get,
	// the new token. Adapters answer 409 Conflict.
	ErrRenewed = errors.New("session: renewed by another request")
	// ErrCorrupt marks stored data that does not follow the layout; the
	// engine treats such a session as absent.
	ErrCorrupt = errors.New("session: corrupt session data")
	// ErrTooLarge is returned when a value or a whole session exceeds the
	// configured size or key limits (nothing is written), and when a stored
	// value would decode into far more memory than its size (a hostile
	// value: see the codecs' decode limits).
	ErrTooLarge = errors.New("session: too large")
	// ErrNoValue is returned by Get and Pop when the key holds no value.
	ErrNoValue = errors.New("session: no value for key")
	// ErrDecode is returned by Get and Pop when the stored value does not
	// decode into the type asked for.
	ErrDecode = errors.New("session: value does not decode into the type asked for")
	// ErrConflict is returned by Update when other requests kept changing
	// the key through all its attempts.
	ErrConflict = errors.New("session: too many concurrent changes to one key")
	// ErrTooManySessions is returned by Commit when a login would pass the
	// per-user session limit of WithSessionLimit in its refusing form.
	// Adapters answer 409 Conflict.
	ErrTooManySessions = errors.New("session: too many sessions for this user")
	// ErrNoUserStore is returned by the per-user features (Devices, Revoke,
	// RevokeAll) when the store keeps no per-user index (is not a UserStore).
	ErrNoUserStore = errors.New("session: the store keeps no per-user index")
	// ErrLifetime is returned by SetLifetime for a negative or sub-millisecond
	// timeout, or one beyond the Manager's ceiling (WithMaxLifetime).
	ErrLifetime = errors.New("session: lifetime beyond the Manager's ceiling (WithMaxLifetime) or not a positive whole number of milliseconds")
	// ErrInvalidKey is returned for keys that are empty, too long, not
	// valid UTF-8 or reserved (starting with '@').
	ErrInvalidKey = errors.New("session: invalid key")
	// ErrCommitted is returned by changes made after the session was
	// committed: the response has started, so the change could reach
	// neither the store nor the client. Make changes before writing.
	ErrCommitted = errors.New("session: change after the response started (the session is already saved)")
	// ErrNoSession is returned by every method of the session that
	// FromContext hands out when no sesskit middleware ran for the request.
	ErrNoSession = errors.New("session: no session in context: install the middleware, and read it with your adapter's From (sessgin.From(c), sessecho.From(c), sessfiber.From(c)) or session.FromContext(r.Context())")
	// ErrHijacked is returned by CommitHijacked when the session needs to
	// send the client a new token, which a hijacked connection cannot carry.
	ErrHijacked = errors.New("session: a new or renewed token cannot reach the client over a hijacked connection: save the session in an earlier response")
	// ErrUnavailable wraps store failures: the store could not be reached or
	// did not answer in time. Stores wrap their failures with it, so a load
	// error a handler sees matches it.
	ErrUnavailable = errors.New("session: store unavailable")
	// ErrInvalidOption is returned by New for a configuration that cannot work.
	ErrInvalidOption = errors.New("session: invalid option")
)

// ErrorStatus is the HTTP status for an error Commit returned: 413 for
// ErrTooLarge, 409 for ErrRenewed, ErrConflict and ErrTooManySessions, 503
// for everything else
// (the store failed). Adapters use it for their default error responses.
func ErrorStatus(err error) int {
	switch {
	case errors.Is(err, ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrRenewed), errors.Is(err, ErrConflict), errors.Is(err, ErrTooManySessions):
		return http.StatusConflict
	}
	return http.StatusServiceUnavailable
}
