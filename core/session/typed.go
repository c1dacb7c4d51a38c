package session

// Get returns the value under key decoded as a T. It returns the zero T and
// an error wrapping ErrNoValue when there is none:
//
//	n, err := session.Get[int](s, "visits")
//	if err != nil && !errors.Is(err, session.ErrNoValue) { ... }
func Get[T any](s *Session, key string) (T, error) {
	var v T
	err := s.Get(key, &v)
	return v, err
}
