package session

// StoreID exposes storeID to the external tests.
var StoreID = storeID

// Discard drops s's changes, as a panicking handler would.
func Discard(s *Session) { s.discard() }
