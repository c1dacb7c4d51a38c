package session

import "errors"

// Get returns the value under key decoded as a T. It returns the zero T and
// an error wrapping ErrNoValue when there is none:
//
//	n, err := session.Get[int](s, "visits")
//	if err != nil && !errors.Is(err, session.ErrNoValue) { ... }
//
// GetOr is the one-line form for optional values.
func Get[T any](s *Session, key string) (T, error) {
	var v T
	err := s.Get(key, &v)
	return v, err
}

// GetOr returns the value under key decoded as a T, or def when there is
// none. Every other error (the store failed, the value does not decode into
// a T) is returned as is:
//
//	theme, err := session.GetOr(s, "theme", "light")
func GetOr[T any](s *Session, key string, def T) (T, error) {
	v, err := Get[T](s, key)
	if errors.Is(err, ErrNoValue) {
		return def, nil
	}
	return v, err
}
