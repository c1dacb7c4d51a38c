package sessfiber_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
	sessfiber "github.com/sesskit/sesskit/adapters/fiber"
	"github.com/sesskit/sesskit/core/session"
)

// session.FromContext(c.Context()) works as well as From(c) and
// FromContext(c.UserContext()).
func TestFromContextOnFasthttpContext(t *testing.T) {
	m, _ := newManager(t)
	app := newApp()
	app.Use(sessfiber.Middleware(m))
	app.Get("/", func(c *fiber.Ctx) error {
		same := session.FromContext(c.Context()) == sessfiber.From(c) && session.FromContext(c.UserContext()) == sessfiber.From(c)
		_, err := session.FromContext(c.Context()).Status()
		return c.SendString(fmt.Sprint(same, " ", err))
	})
	if r := do(t, "GET", serve(t, app)+"/", nil); r.body != "true <nil>" {
		t.Errorf("FromContext(c.Context()): %q", r.body)
	}
}

// The middleware on the app and again on a group: one session, one cookie,
// the inner login kept.
func TestNestedMiddleware(t *testing.T) {
	m, _ := newManager(t)
	app := newApp()
	app.Use(sessfiber.Middleware(m))
	g := app.Group("/g", sessfiber.Middleware(m))
	g.Post("/login", func(c *fiber.Ctx) error {
		s := sessfiber.From(c)
		_ = s.Renew(c.UserContext())
		_ = s.SetUser("alice")
		return c.SendStatus(fiber.StatusNoContent)
	})
	app.Get("/user", func(c *fiber.Ctx) error {
		u, _ := sessfiber.From(c).User()
		return c.SendString(u)
	})
	url := serve(t, app)
	r := do(t, "POST", url+"/g/login", nil)
	tok := sessionToken(t, r)
	if r := do(t, "GET", url+"/user", nil, "Cookie", "session="+tok); r.body != "alice" {
		t.Errorf("user %q, want alice", r.body)
	}
}

// keyStore records the field names the engine hands it, as they are: a
// store that keeps them must be able to trust they are the engine's own.
type keyStore struct {
	session.Store
	mu   sync.Mutex
	keys []string
}

func (s *keyStore) Save(ctx context.Context, id string, ch session.Change, r session.Rules) error {
	s.mu.Lock()
	for k := range ch.Set {
		s.keys = append(s.keys, k)
	}
	s.mu.Unlock()
	return s.Store.Save(ctx, id, ch, r)
}

// Keys taken from c.Params point into a buffer fasthttp reuses; the engine
// copies them, once, for every adapter and store.
func TestParamKeysAreCopied(t *testing.T) {
	st := &keyStore{Store: newStore()}
	m, err := session.New(st, session.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	app := newApp()
	app.Use(sessfiber.Middleware(m))
	app.Post("/set/:key", func(c *fiber.Ctx) error {
		return sessfiber.From(c).Set(c.Params("key"), 1)
	})
	url := serve(t, app)
	tok := sessionToken(t, do(t, "POST", url+"/set/first", nil))
	for i := range 20 {
		do(t, "POST", fmt.Sprintf("%s/set/k%02d-%s", url, i, strings.Repeat("x", i)), nil, "Cookie", "session="+tok)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for i, k := range st.keys {
		if want := fmt.Sprintf("k%02d-%s", i, strings.Repeat("x", i)); k != want {
			t.Errorf("key %d reads %q now, want %q", i, k, want)
		}
	}
}
