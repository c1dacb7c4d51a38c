package session

import "errors"

var (
	// ErrNotFound is returned by Store.Save when the session to change no
	// longer exists.
	ErrNotFound = errors.New("session: not found")
	// ErrCorrupt marks stored data that does not follow the layout; the
	// engine treats such a session as absent.
	ErrCorrupt = errors.New("session: corrupt session data")
	// ErrTooLarge is returned when a value or a whole session exceeds the
	// configured size limit. Nothing is written.
	ErrTooLarge = errors.New("session: too large")
	// ErrNoValue is returned by Get and Pop when the key holds no value.
	ErrNoValue = errors.New("session: no value for key")
	// ErrDecode is returned by Get and Pop when the stored value does not
	// decode into the type asked for.
	ErrDecode = errors.New("session: value does not decode into the type asked for")
	// ErrInvalidKey is returned for keys that are empty, too long, not
	// valid UTF-8 or reserved (starting with '@').
	ErrInvalidKey = errors.New("session: invalid key")
	// ErrNoSession is returned by every method of the session that
	// FromContext hands out when no sesskit middleware ran for the request.
	ErrNoSession = errors.New("session: no session in context (is the middleware installed?)")
	// ErrUnavailable wraps store failures: the store could not be reached or
	// did not answer in time. Stores wrap their failures with it, so a load
	// error a handler sees matches it.
	ErrUnavailable = errors.New("session: store unavailable")
	// ErrInvalidOption is returned by New for a configuration that cannot work.
	ErrInvalidOption = errors.New("session: invalid option")
)
