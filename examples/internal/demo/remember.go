package demo

import (
	"context"
	"net/http"
	"strings"
	"unicode"

	"github.com/sesskit/sesskit/core/session"
)

// Remember me and device labels, done at login. The core does the rest: a
// request with no live session but a valid remember cookie is restored
// into a fresh session (Session.Restored), and the cookie rotates.

// RememberCookieName is the contract's remember-me cookie.
const RememberCookieName = "remember"

// maxLabel is the length of a device label, in characters.
const maxLabel = 80

// markDevice labels a session that just logged in with the client's
// User-Agent (cut to 80 characters), and with remember asks for a
// remember-me token, sent in its own cookie when the request ends.
func markDevice(s *session.Session, userAgent string, remember bool) error {
	if err := s.SetLabel(DeviceLabel(userAgent)); err != nil {
		return err
	}
	if remember {
		return s.Remember()
	}
	return nil
}

// DeviceLabel is userAgent as printable UTF-8, at most maxLabel characters.
func DeviceLabel(userAgent string) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.ToValidUTF8(userAgent, "") {
		if n == maxLabel {
			break
		}
		if !unicode.IsPrint(r) {
			r = ' '
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// formRequest is what the HTML forms need of the request besides the body:
// the App (for the login throttle) and the request (client address and
// User-Agent).
type formRequest struct {
	app *App
	r   *http.Request
}

type formRequestKey struct{}

// FormContext returns ctx carrying the app and the request, for the Forms:
// the login form uses them to throttle and to label the device. Forms
// called with a plain context still work, without either.
func (a *App) FormContext(ctx context.Context, r *http.Request) context.Context {
	return context.WithValue(ctx, formRequestKey{}, formRequest{a, r})
}

func formRequestFrom(ctx context.Context) (formRequest, bool) {
	f, ok := ctx.Value(formRequestKey{}).(formRequest)
	return f, ok && f.app != nil && f.r != nil
}

// markFormDevice is markDevice for the login form, with the User-Agent of
// the request FormContext gave.
func markFormDevice(ctx context.Context, s *session.Session, remember bool) error {
	ua := ""
	if f, ok := formRequestFrom(ctx); ok {
		ua = f.r.UserAgent()
	}
	return markDevice(s, ua, remember)
}
