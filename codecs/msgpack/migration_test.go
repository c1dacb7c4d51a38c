package msgpack_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sesskit/sesskit/codecs/msgpack"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

type orderLine struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// TestCodecMigration switches a live session between codecs in both
// directions, on memstore and on real Redis: values written by one Manager
// stay readable by a Manager that writes with the other codec.
func TestCodecMigration(t *testing.T) {
	jsonOnly := []session.Option{session.WithDecoders(msgpack.Codec{})}
	msgpackFirst := []session.Option{session.WithCodec(msgpack.Codec{})}
	for _, store := range sessiontest.Stores() {
		t.Run(store.Name, func(t *testing.T) {
			st := store.New(t)
			for _, tt := range []struct {
				name           string
				writer, reader []session.Option
			}{
				{"json to msgpack", jsonOnly, msgpackFirst},
				{"msgpack to json", msgpackFirst, jsonOnly},
			} {
				t.Run(tt.name, func(t *testing.T) {
					writer, err := session.New(st, tt.writer...)
					if err != nil {
						t.Fatal(err)
					}
					reader, err := session.New(st, tt.reader...)
					if err != nil {
						t.Fatal(err)
					}
					cookie := serve(t, writer, nil, func(s *session.Session) {
						must(t, s.Set("visits", 41))
						must(t, s.Set("cart", []orderLine{{"A1", 2}}))
						must(t, s.SetUser("alice"))
					})
					serve(t, reader, cookie, func(s *session.Session) {
						n, err := session.Get[int](s, "visits")
						must(t, err)
						must(t, s.Set("visits", n+1)) // now in the reader's codec, beside old values
					})
					serve(t, writer, cookie, func(s *session.Session) {
						n, err := session.Get[int](s, "visits")
						cart, err2 := session.Get[[]orderLine](s, "cart")
						user, err3 := s.User()
						if n != 42 || len(cart) != 1 || cart[0] != (orderLine{"A1", 2}) || user != "alice" || err != nil || err2 != nil || err3 != nil {
							t.Errorf("after migration: visits %d (%v), cart %v (%v), user %q (%v)", n, err, cart, err2, user, err3)
						}
					})
				})
			}
		})
	}
}

// serve runs f as one request's handler and returns the session cookie the
// response set, or the one it was given.
func serve(t *testing.T, m *session.Manager, cookie *http.Cookie, f func(*session.Session)) *http.Cookie {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	sesshttp.Middleware(m)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		f(session.FromContext(r.Context()))
	})).ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	for _, c := range rec.Result().Cookies() {
		return c
	}
	return cookie
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestSameKeyValuesInEveryCodec: counters and lists read back through a
// MessagePack Manager as through a JSON one, into fixed-size types too.
func TestSameKeyValuesInEveryCodec(t *testing.T) {
	for _, opts := range [][]session.Option{{session.WithCodec(msgpack.Codec{})}, {session.WithDecoders(msgpack.Codec{})}} {
		m, err := session.New(sessiontest.Stores()[0].New(t), opts...)
		if err != nil {
			t.Fatal(err)
		}
		c := serve(t, m, nil, func(s *session.Session) {
			_, err := session.Incr(s, "n", 41)
			must(t, err)
			must(t, session.Append(s, "l", orderLine{"A1", 2}))
		})
		serve(t, m, c, func(s *session.Session) {
			n, err := session.Incr(s, "n", 1)
			must(t, err)
			must(t, session.Append(s, "l", orderLine{"B2", 3}))
			i64, err := session.Get[int64](s, "n")
			must(t, err)
			i, err := session.Get[int](s, "n")
			must(t, err)
			if n != 42 || i64 != 42 || i != 42 {
				t.Errorf("counter: Incr %d, Get[int64] %d, Get[int] %d; want 42", n, i64, i)
			}
			if _, err := session.Get[int8](s, "n"); err != nil {
				t.Errorf("42 into an int8: %v", err)
			}
			lines, err := session.Pop[[]orderLine](s, "l")
			must(t, err)
			if len(lines) != 2 || lines[0] != (orderLine{"A1", 2}) || lines[1] != (orderLine{"B2", 3}) {
				t.Errorf("list: %+v", lines)
			}
		})
		serve(t, m, c, func(s *session.Session) {
			_, err := session.Incr(s, "n", 300)
			must(t, err)
			if _, err := session.Get[int8](s, "n"); !errors.Is(err, session.ErrDecode) {
				t.Errorf("342 into an int8 = %v, want ErrDecode", err)
			}
		})
	}
}
