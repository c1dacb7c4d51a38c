package session

import (
	"context"
	"fmt"
)

// Renew gives the session a new token and makes the old one useless. Call
// it on login and on any privilege change. The switch happens at Commit, in
// two store steps: the stored session is taken (read and removed in one
// atomic step), then written under the new token with this request's
// changes. So a concurrent Destroy is never undone (the take finds nothing
// and the renewed session starts empty) and a concurrent write on the old
// token either lands before the take and is carried over, or fails.
//
// The renewed session keeps its absolute deadline, unless the request also
// changes the user (SetUser: a login), in which case it gets a full
// absolute lifetime from now: the timeout counts from authentication, as
// OWASP reads it. ctx is not used until Commit; Renew never fails on a
// store error itself.
func (s *Session) Renew(ctx context.Context) error {
	if err := s.lockChange(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.renew = true
	return nil
}

// Destroy deletes the stored session now, under the token the client
// presented whatever the load found, and expires the client's token. The
// Session starts over empty and New: values set afterwards (a "logged out"
// flash, say) are saved under a fresh token.
//
// When the store fails, Destroy returns the error and the request fails
// with it (503 through the adapter's error handler), even in degraded mode:
// a logout that did not happen must not look as if it did. After Commit it
// still deletes (the token stops working) but cannot expire the cookie.
func (s *Session) Destroy(ctx context.Context) error {
	if err := s.lock(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	for _, id := range s.ids() {
		user, err := s.m.store.Delete(ctx, id)
		if err != nil {
			err = fmt.Errorf("session: destroy: %w", err)
			s.failed = err
			return err
		}
		s.unindex(ctx, user, id)
		s.m.observe(ctx, EventDestroyed)
	}
	if s.rememberToken != "" {
		if !s.done {
			s.clearRemember() // the cookie can still be expired
		}
		if err := s.forgetRemember(ctx); err != nil {
			s.failed = err
			return err
		}
	}
	if s.done {
		return nil
	}
	s.startFresh()
	s.set, s.del, s.appends, s.newUser, s.newLife, s.renew, s.superseded = nil, nil, nil, nil, nil, false, false
	s.presented = ""
	return nil
}

// ids are the stored sessions this request knows: the one the client
// presented and one created in this request, if any.
func (s *Session) ids() []string {
	var ids []string
	if s.token != "" {
		ids = append(ids, s.hashedToken())
	}
	if s.presented != "" && s.presented != s.token {
		ids = append(ids, storeID(s.presented))
	}
	return ids
}
