package demo

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"unicode"
	"unicode/utf8"

	"github.com/sesskit/sesskit/core/session"
)

// The operations behind both the JSON routes and the HTML forms. Their
// errors are either a *problem (the client's mistake, with its message) or
// a session error (the store failed, or the session grew too large).

// Session keys of the routes. They share the namespace of /api/values, so
// clients can read them there, and overwrite them: a route that finds a
// value of another shape under its key starts over.
const (
	keyVisits = "visits"
	keyCart   = "cart"
	keyFlash  = "flash"
)

// Limits of the inputs.
const (
	maxUser      = 64   // characters
	maxQty       = 99   // per request
	maxCartLines = 50   // distinct SKUs
	maxMessage   = 1000 // characters
)

const (
	msgBadKey   = "key must match ^[A-Za-z0-9_.-]{1,64}$"
	msgBadJSON  = "body is not valid JSON"
	msgTooLarge = "body over 64 KiB"
	msgBadUser  = "user must be 1-64 characters"
	msgBadQty   = "qty must be an integer from 1 to 99"
	msgBadSKU   = "sku must match ^[A-Za-z0-9_.-]{1,64}$"

	msgBadMessage = "message must be 1-1000 characters"
)

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

func validKey(key string) bool { return keyPattern.MatchString(key) }

// Line is one line of the cart.
type Line struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// problem is a client mistake: a 4xx status and a message for the client.
type problem struct {
	status int
	msg    string
}

func (p *problem) Error() string { return p.msg }

func badRequest(msg string) error { return &problem{http.StatusBadRequest, msg} }

// lookup returns the value under key as a T, or the zero T when there is none
// or it holds something else. Only a store failure is an error.
func lookup[T any](s *session.Session, key string) (T, error) {
	var zero T
	v, err := session.Get[T](s, key)
	switch {
	case err == nil:
		return v, nil
	case errors.Is(err, session.ErrNoValue), errors.Is(err, session.ErrDecode):
		return zero, nil // none, or a value of another shape
	}
	return zero, err
}

// countVisit adds one to the counter in the store: concurrent requests all
// count.
func countVisit(s *session.Session) (int, error) {
	n, err := session.Incr(s, keyVisits, 1)
	if errors.Is(err, session.ErrDecode) { // a value of another shape: start over
		return 1, s.Set(keyVisits, 1)
	}
	return int(n), err
}

func putValue(s *session.Session, key string, v any) error {
	if !validKey(key) {
		return badRequest(msgBadKey)
	}
	return s.Set(key, v)
}

func login(ctx context.Context, s *session.Session, user string) error {
	if !validText(user, maxUser) {
		return badRequest(msgBadUser)
	}
	// A new token on login: a token planted before cannot follow the user.
	if err := s.Renew(ctx); err != nil {
		return err
	}
	return s.SetUser(user)
}

func addToCart(s *session.Session, sku string, qty int) ([]Line, error) {
	if !validKey(sku) {
		return nil, badRequest(msgBadSKU)
	}
	if qty < 1 || qty > maxQty {
		return nil, badRequest(msgBadQty)
	}
	add := func(cart []Line) ([]Line, error) {
		for i := range cart {
			if cart[i].SKU == sku {
				cart[i].Qty += qty
				return cart, nil
			}
		}
		if len(cart) >= maxCartLines {
			return nil, badRequest("the cart is full")
		}
		return append(cart, Line{SKU: sku, Qty: qty}), nil
	}
	// Compare-and-set: a concurrent addition is never lost.
	cart, err := session.Update(s, keyCart, add)
	if errors.Is(err, session.ErrDecode) { // a value of another shape: start over
		cart, _ = add(nil)
		err = s.Set(keyCart, cart)
	}
	return cart, err
}

func addFlash(s *session.Session, msg string) error {
	if !validText(msg, maxMessage) {
		return badRequest(msgBadMessage)
	}
	return session.Append(s, keyFlash, msg) // an atomic append: concurrent messages all land
}

// popFlash takes the messages atomically: each is shown by one request only.
func popFlash(s *session.Session) ([]string, error) {
	msgs, err := session.Pop[[]string](s, keyFlash)
	if NoValue(err) { // none, or another shape (gone now)
		err = nil
	}
	if msgs == nil {
		msgs = []string{}
	}
	return msgs, err
}

// validText reports whether s is 1 to max characters of printable UTF-8.
func validText(s string, max int) bool {
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) { // IsPrint includes U+0020 but no other space
			return false
		}
	}
	return true
}
