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

// Pop returns the value under key decoded as a T and deletes it, for flash
// messages that are shown once.
func Pop[T any](s *Session, key string) (T, error) {
	var v T
	if err := s.begin(); err != nil {
		return v, err
	}
	defer s.mu.Unlock()
	if err := checkKey(key); err != nil {
		return v, err
	}
	if err := s.get(key, &v); err != nil {
		return v, err
	}
	s.remove(key)
	return v, nil
}
