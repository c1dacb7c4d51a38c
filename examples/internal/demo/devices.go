package demo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// The devices routes: the logged-in user's sessions and remember-me
// tokens, listed, revoked one by one, or all but this one.

// Device is one entry of GET /api/devices.
type Device struct {
	ID         string    `json:"id"` // the handle: not a token, and not usable as one
	Current    bool      `json:"current"`
	Created    time.Time `json:"created"`
	LastActive time.Time `json:"last_active"`
	Expires    time.Time `json:"expires"`
	Kind       string    `json:"kind"` // "session" or "remember"
	Label      string    `json:"label"`
}

const msgNotLoggedIn = "not logged in"

// Devices answers the user's sessions, newest first: 200
// {"devices":[...]}, 401 when nobody is logged in.
func Devices(ctx context.Context, s *session.Session) (int, any) {
	devices, err := listDevices(ctx, s)
	return reply(err, http.StatusOK, map[string][]Device{"devices": devices})
}

// RevokeDevice ends the user's session or remember-me token id: 204; 404
// when id is not one of the user's; 401 when nobody is logged in. Revoking
// the current session is a logout.
func RevokeDevice(ctx context.Context, s *session.Session, id string) (int, any) {
	return reply(revokeDevice(ctx, s, id), http.StatusNoContent, nil)
}

// RevokeOtherDevices ends every other session and remember-me token of the
// user: 200 {"revoked":N}; 401 when nobody is logged in.
func RevokeOtherDevices(ctx context.Context, s *session.Session) (int, any) {
	n, err := revokeOthers(ctx, s)
	return reply(err, http.StatusOK, map[string]int{"revoked": n})
}

func listDevices(ctx context.Context, s *session.Session) ([]Device, error) {
	if err := needUser(s); err != nil {
		return nil, err
	}
	list, err := s.Devices(ctx)
	if err != nil {
		return nil, err
	}
	devices := make([]Device, 0, len(list))
	for _, d := range list {
		kind := "session"
		if d.Remembered {
			kind = "remember"
		}
		devices = append(devices, Device{ID: d.Handle, Current: d.Current, Created: d.Created.UTC(),
			LastActive: d.LastActive.UTC(), Expires: d.Expires.UTC(), Kind: kind, Label: d.Label})
	}
	return devices, nil
}

func revokeDevice(ctx context.Context, s *session.Session, id string) error {
	if err := needUser(s); err != nil {
		return err
	}
	if own, err := s.Handle(); err != nil {
		return err
	} else if id == own {
		return s.Destroy(ctx)
	}
	err := s.RevokeDevice(ctx, id)
	if errors.Is(err, session.ErrNotFound) {
		return &problem{http.StatusNotFound, "no such device"}
	}
	return err
}

func revokeOthers(ctx context.Context, s *session.Session) (int, error) {
	if err := needUser(s); err != nil {
		return 0, err
	}
	return s.RevokeOtherDevices(ctx)
}

// needUser is a 401 problem when nobody is logged in.
func needUser(s *session.Session) error {
	user, err := s.User()
	if err == nil && user == "" {
		err = &problem{http.StatusUnauthorized, msgNotLoggedIn}
	}
	return err
}

// RevokeDeviceForm logs out the device in the field "id" (this one too).
func RevokeDeviceForm(ctx context.Context, s *session.Session, body []byte) error {
	f, err := parseForm(body)
	if err == nil {
		err = revokeDevice(ctx, s, f.Get("id"))
	}
	return outcome(s, err, "Device logged out.")
}

// RevokeOthersForm logs out every other device of the user.
func RevokeOthersForm(ctx context.Context, s *session.Session, _ []byte) error {
	n, err := revokeOthers(ctx, s)
	return outcome(s, err, fmt.Sprintf("Logged out %d other device(s).", n))
}
