package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/sesskit/sesskit/core/session"
)

// Form handles one HTML form of the page. The forms post
// application/x-www-form-urlencoded bodies, so the page works without
// JavaScript. A Form leaves a flash message saying how it went, and the
// caller then redirects to "/" with 303 See Other. It returns only session
// errors; answer those with Failure.
type Form func(ctx context.Context, s *session.Session, body []byte) error

// The forms of the page, by path.
var Forms = map[string]Form{
	"/login":  LoginForm,
	"/logout": LogoutForm,
	"/cart":   CartForm,
	"/values": ValueForm,
	"/visits": VisitForm,
	"/wizard": WizardForm,

	"/devices/revoke":        RevokeDeviceForm,
	"/devices/revoke-others": RevokeOthersForm,
}

// LoginForm logs in as the field "user", remembered when the field
// "remember" is set.
func LoginForm(ctx context.Context, s *session.Session, body []byte) error {
	f, err := parseForm(body)
	if err == nil {
		err = formLoginAllowed(ctx, f.Get("user"))
	}
	if err == nil {
		err = login(ctx, s, f.Get("user"))
	}
	if err == nil {
		err = markFormDevice(ctx, s, f.Get("remember") != "")
	}
	return outcome(s, err, "Logged in as "+f.Get("user")+".")
}

// LogoutForm destroys the session. The flash saying so starts a new one.
func LogoutForm(ctx context.Context, s *session.Session, _ []byte) error {
	return outcome(s, s.Destroy(ctx), "Logged out.")
}

// CartForm adds the fields "qty" of "sku" to the cart.
func CartForm(_ context.Context, s *session.Session, body []byte) error {
	f, err := parseForm(body)
	if err == nil {
		qty, perr := strconv.Atoi(f.Get("qty"))
		if perr != nil {
			qty = 0 // refused below
		}
		_, err = addToCart(s, f.Get("sku"), qty)
	}
	return outcome(s, err, fmt.Sprintf("Added %s × %s to the cart.", f.Get("qty"), f.Get("sku")))
}

// ValueForm stores the field "value" under the field "key": as JSON when it
// parses as JSON, else as a string.
func ValueForm(_ context.Context, s *session.Session, body []byte) error {
	f, err := parseForm(body)
	if err == nil {
		var v any = f.Get("value")
		if raw := []byte(f.Get("value")); json.Valid(raw) {
			v, err = parseValue(raw)
		}
		if err == nil {
			err = putValue(s, f.Get("key"), v)
		}
	}
	return outcome(s, err, "Saved "+strconv.Quote(f.Get("key"))+".")
}

// VisitForm counts a visit.
func VisitForm(_ context.Context, s *session.Session, _ []byte) error {
	n, err := countVisit(s)
	return outcome(s, err, fmt.Sprintf("Visit %d counted.", n))
}

// WizardForm posts one step of the sign-up form (the field "step" and that
// step's field), or submits it when "step" is "submit".
func WizardForm(_ context.Context, s *session.Session, body []byte) error {
	f, err := parseForm(body)
	done := "Step " + f.Get("step") + " saved."
	if err == nil {
		if f.Get("step") == "submit" {
			var w Signup
			w, err = wizardSubmit(s)
			done = "Signed up " + w.Name + " on the " + w.Plan + " plan."
		} else {
			_, err = wizardStep(s, f.Get("step"), Signup{Name: f.Get("name"), Email: f.Get("email"), Plan: f.Get("plan")})
		}
	}
	return outcome(s, err, done)
}

func parseForm(body []byte) (url.Values, error) {
	if len(body) > MaxBody {
		return url.Values{}, badRequest("the form is over 64 KiB")
	}
	f, err := url.ParseQuery(string(body))
	if err != nil {
		return url.Values{}, badRequest("the form could not be read")
	}
	return f, nil
}

// outcome flashes ok, or the client's mistake, and returns session errors.
func outcome(s *session.Session, err error, ok string) error {
	var p *problem
	msg := ok
	switch {
	case errors.As(err, &p):
		msg = "Error: " + p.msg
	case err != nil:
		return err
	}
	if err := addFlash(s, msg); err != nil && !errors.As(err, &p) {
		return err
	}
	return nil
}
