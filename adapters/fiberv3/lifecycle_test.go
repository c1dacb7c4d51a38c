package sessfiberv3_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v3"
	sessfiberv3 "github.com/sesskit/sesskit/adapters/fiberv3"
	"github.com/sesskit/sesskit/core/session"
)

// session.FromContext works on c itself (a fiber.Ctx is a context.Context
// reading Locals), on c.Context() and on c.RequestCtx(), as well as From(c).
func TestFromContextOnEveryContext(t *testing.T) {
	m, _ := newManager(t)
	app := newApp()
	app.Use(sessfiberv3.Middleware(m))
	app.Get("/", func(c fiber.Ctx) error {
		s := sessfiberv3.From(c)
		same := session.FromContext(c) == s && session.FromContext(c.Context()) == s && session.FromContext(c.RequestCtx()) == s
		_, err := session.FromContext(c).Status()
		return c.SendString(fmt.Sprint(same, " ", err))
	})
	if r := do(t, "GET", serve(t, app)+"/", nil); r.body != "true <nil>" {
		t.Errorf("FromContext: %q", r.body)
	}
}

// The middleware on the app and again on a group: one session, one cookie,
// the inner login kept.
func TestNestedMiddleware(t *testing.T) {
	m, _ := newManager(t)
	app := newApp()
	app.Use(sessfiberv3.Middleware(m))
	g := app.Group("/g", sessfiberv3.Middleware(m))
	g.Post("/login", func(c fiber.Ctx) error {
		s := sessfiberv3.From(c)
		_ = s.Renew(c.Context())
		_ = s.SetUser("alice")
		return c.SendStatus(fiber.StatusNoContent)
	})
	app.Get("/user", func(c fiber.Ctx) error {
		u, _ := sessfiberv3.From(c).User()
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
	app.Use(sessfiberv3.Middleware(m))
	app.Post("/set/:key", func(c fiber.Ctx) error {
		return sessfiberv3.From(c).Set(c.Params("key"), 1)
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

// appCtx is an application's own context type, as fiber.NewWithCustomCtx
// allows.
type appCtx struct{ fiber.DefaultCtx }

// The middleware works on an application's own context type: handlers get
// it, and From and session.FromContext work on it.
func TestCustomCtx(t *testing.T) {
	m, _ := newManager(t)
	app := fiber.NewWithCustomCtx(func(app *fiber.App) fiber.CustomCtx {
		return &appCtx{DefaultCtx: *fiber.NewDefaultCtx(app)}
	})
	app.Use(sessfiberv3.Middleware(m))
	app.Post("/", func(c fiber.Ctx) error {
		if _, ok := c.(*appCtx); !ok {
			return fmt.Errorf("handler got a %T, want *appCtx", c)
		}
		if session.FromContext(c) != sessfiberv3.From(c) {
			return errors.New("FromContext(c) is not From(c)")
		}
		if err := sessfiberv3.From(c).Set("k", "v"); err != nil {
			return err
		}
		return c.SendString("ok")
	})
	url := serve(t, app)
	r := do(t, "POST", url+"/", nil)
	if r.status != 200 || r.body != "ok" {
		t.Fatalf("custom context: %d %q", r.status, r.body)
	}
	sessionToken(t, r)
}
