package session

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The per-user side: every session that records a user (SetUser) is listed
// in that user's index, with the user's remember-me tokens, so an app can
// show "where am I logged in", revoke one device, or log a user out
// everywhere (a password change, a locked account). The store keeps the
// index (UserStore); it is updated when a session records a user, is
// renewed or destroyed, and entries whose session is gone are removed when
// a listing meets them.

// maxLabelLen bounds SetLabel; longer labels are cut.
const maxLabelLen = 100

// Devices lists user's sessions and remember-me tokens, newest first.
// Entries whose session has ended are left out (and dropped from the
// index).
func (m *Manager) Devices(ctx context.Context, user string) ([]Device, error) {
	if m.users == nil {
		return nil, ErrNoUserStore
	}
	devices, gone, err := m.devices(ctx, user)
	if err != nil {
		return nil, err
	}
	if len(gone) > 0 {
		if _, err := m.users.Index(ctx, user, nil, gone, Limit{}, m.cfg.now()); err != nil {
			m.cfg.logger.Warn("session: index cleanup failed", "error", err)
		}
	}
	return devices, nil
}

// devices reads user's index and describes its entries: the live ones,
// newest first, and the handles of those that are gone.
func (m *Manager) devices(ctx context.Context, user string) (live []Device, gone []string, err error) {
	entries, err := m.users.Indexed(ctx, user, m.cfg.now())
	if err != nil {
		return nil, nil, fmt.Errorf("session: devices: %w", err)
	}
	handles := make([]string, len(entries))
	for i, e := range entries {
		handles[i] = e.Handle
	}
	described, err := m.users.Describe(ctx, handles)
	if err != nil {
		return nil, nil, fmt.Errorf("session: devices: %w", err)
	}
	now := m.cfg.now()
	for _, d := range described {
		if !d.Found || d.User != user || !now.Before(d.Expires) {
			gone = append(gone, d.Handle)
			continue
		}
		live = append(live, d)
	}
	slices.SortFunc(live, func(a, b Device) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.Handle, b.Handle)
	})
	return live, gone, nil
}

// Revoke ends one of user's sessions or remember-me tokens by its handle
// (Device.Handle). It returns an error wrapping ErrNotFound when the handle
// is not one of user's, so one user can never revoke another's.
func (m *Manager) Revoke(ctx context.Context, user, handle string) error {
	if m.users == nil {
		return ErrNoUserStore
	}
	entries, err := m.users.Indexed(ctx, user, m.cfg.now())
	if err != nil {
		return fmt.Errorf("session: revoke: %w", err)
	}
	if !slices.ContainsFunc(entries, func(e IndexEntry) bool { return e.Handle == handle }) {
		return fmt.Errorf("session: revoke: %w", ErrNotFound)
	}
	return m.revoke(ctx, user, []string{handle})
}

// RevokeAll ends every session and remember-me token of user except those
// whose handles are in keep (the current device, say), and returns how
// many live ones it ended. Sessions spread over a Cluster are deleted per
// slot, in pipelines.
func (m *Manager) RevokeAll(ctx context.Context, user string, keep ...string) (int, error) {
	if m.users == nil {
		return 0, ErrNoUserStore
	}
	live, gone, err := m.devices(ctx, user)
	if err != nil {
		return 0, err
	}
	var handles []string
	for _, d := range live {
		if !slices.Contains(keep, d.Handle) {
			handles = append(handles, d.Handle)
		}
	}
	if err := m.revoke(ctx, user, append(handles, gone...)); err != nil {
		return 0, err
	}
	return len(handles), nil
}

// revoke deletes handles and drops them from user's index.
func (m *Manager) revoke(ctx context.Context, user string, handles []string) error {
	if len(handles) == 0 {
		return nil
	}
	if err := m.users.Revoke(ctx, handles); err != nil {
		return fmt.Errorf("session: revoke: %w", err)
	}
	if _, err := m.users.Index(ctx, user, nil, handles, Limit{}, m.cfg.now()); err != nil {
		return fmt.Errorf("session: revoke: %w", err)
	}
	return nil
}

// Handle returns the session's handle, to mark "this device" in a list of
// Devices: "" for a session not stored yet.
func (s *Session) Handle() (string, error) {
	if err := s.lock(); err != nil {
		return "", err
	}
	defer s.mu.Unlock()
	if err := s.load(s.ctx); err != nil || s.status != StatusActive {
		return "", err
	}
	return s.hashedToken(), nil
}

// SetLabel records a short label for this session's device (the
// User-Agent at login, say), shown by Devices. Labels are cut to 100 bytes
// and must be valid UTF-8.
func (s *Session) SetLabel(label string) error {
	if !utf8.ValidString(label) {
		return fmt.Errorf("%w: the label is not valid UTF-8", ErrInvalidKey)
	}
	if len(label) > maxLabelLen {
		label = strings.ToValidUTF8(label[:maxLabelLen], "")
	}
	if err := s.lockChange(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	label = strings.Clone(label)
	s.newLabel = &label
	return nil
}

// Restored reports whether this session was restored from a remember-me
// token rather than made by a login: apps ask for the password again
// before sensitive actions.
func (s *Session) Restored() (bool, error) {
	if err := s.lock(); err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	err := s.load(s.ctx)
	return s.restored, err
}

// index records a session in user's index, dropping the ones it replaces,
// and revokes sessions the limit evicts. A login's entry is written before
// its session, so a refused login changes nothing, or with a limit that
// evicts, after it (see indexesAfterCreate).
func (s *Session) index(ctx context.Context, user string, add []IndexEntry, drop []string) error {
	m := s.m
	if m.users == nil || user == "" {
		return nil
	}
	limit := Limit{}
	if len(add) > 0 {
		limit = m.cfg.limit
	}
	evicted, err := m.users.Index(ctx, user, add, drop, limit, m.cfg.now())
	if err != nil {
		return fmt.Errorf("session: index: %w", err)
	}
	if len(evicted) > 0 {
		if err := m.users.Revoke(ctx, evicted); err != nil {
			return fmt.Errorf("session: index: %w", err)
		}
	}
	return nil
}

// unindex drops handles from user's index; a failure is logged, as the
// entries are dropped anyway when a listing meets them.
func (s *Session) unindex(ctx context.Context, user string, handles ...string) {
	if s.m.users == nil || user == "" || len(handles) == 0 {
		return
	}
	if _, err := s.m.users.Index(ctx, user, nil, handles, Limit{}, s.m.cfg.now()); err != nil {
		s.m.cfg.logger.Warn("session: index update failed", "error", err)
	}
}

// Devices lists the sessions and remember-me tokens of the session's user,
// newest first, with this one marked Current (its remember-me token too,
// when the request carried it). It is nil when nobody is logged in.
func (s *Session) Devices(ctx context.Context) ([]Device, error) {
	user, own, err := s.owner()
	if err != nil || user == "" {
		return nil, err
	}
	devices, err := s.m.Devices(ctx, user)
	for i := range devices {
		devices[i].Current = slices.Contains(own, devices[i].Handle)
	}
	return devices, err
}

// RevokeDevice ends one of the user's other sessions or remember-me tokens
// by its handle; ErrNotFound when it is not one of the user's.
func (s *Session) RevokeDevice(ctx context.Context, handle string) error {
	user, _, err := s.owner()
	if err != nil {
		return err
	}
	if user == "" {
		return fmt.Errorf("session: revoke: nobody is logged in: %w", ErrNotFound)
	}
	return s.m.Revoke(ctx, user, handle)
}

// RevokeOtherDevices ends every session and remember-me token of the user
// but this session and the remember-me token of this request ("log out my
// other devices"), and returns how many it ended.
func (s *Session) RevokeOtherDevices(ctx context.Context) (int, error) {
	user, own, err := s.owner()
	if err != nil || user == "" {
		return 0, err
	}
	return s.m.RevokeAll(ctx, user, own...)
}

// owner returns the session's user and the handles that are this device's.
func (s *Session) owner() (user string, own []string, err error) {
	if err := s.lock(); err != nil {
		return "", nil, err
	}
	defer s.mu.Unlock()
	if err := s.load(s.ctx); err != nil {
		return "", nil, err
	}
	if s.m.users == nil {
		return "", nil, ErrNoUserStore
	}
	user = s.user
	if s.newUser != nil {
		user = *s.newUser
	}
	if s.status == StatusActive {
		own = append(own, s.hashedToken())
	}
	if id, _, ok := parseRemember(s.rememberToken); ok {
		own = append(own, rememberHandle(id))
	}
	return user, own, nil
}
