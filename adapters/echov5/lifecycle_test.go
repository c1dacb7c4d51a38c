package sessechov5_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v5"
	sessechov5 "github.com/sesskit/sesskit/adapters/echov5"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
)

// The middleware on the server and again on a group: one session, one
// cookie, the inner login kept.
func TestNestedMiddleware(t *testing.T) {
	m, _ := session.New(memstore.New(), session.WithInsecureCookie())
	e := echo.New()
	e.Use(sessechov5.Middleware(m))
	g := e.Group("/g", sessechov5.Middleware(m))
	g.POST("/login", func(c *echo.Context) error {
		s := sessechov5.From(c)
		_ = s.Renew(c.Request().Context())
		_ = s.SetUser("alice")
		return c.NoContent(http.StatusNoContent)
	})
	e.GET("/user", func(c *echo.Context) error {
		u, _ := sessechov5.From(c).User()
		return c.String(http.StatusOK, u)
	})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/g/login", nil))
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("Set-Cookie %q, want one", rec.Header().Values("Set-Cookie"))
	}
	req := httptest.NewRequest(http.MethodGet, "/user", nil)
	req.AddCookie(cookies[0])
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Body.String() != "alice" {
		t.Errorf("user %q, want alice", rec.Body.String())
	}
}

// A change after c.JSON fails with session.ErrCommitted instead of
// vanishing.
func TestChangeAfterResponse(t *testing.T) {
	m, _ := session.New(memstore.New())
	e := echo.New()
	late := make(chan error, 1)
	e.GET("/", func(c *echo.Context) error {
		err := c.JSON(http.StatusOK, map[string]bool{"ok": true})
		late <- sessechov5.From(c).Set("late", 1)
		return err
	}, sessechov5.Middleware(m))
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if err := <-late; !errors.Is(err, session.ErrCommitted) {
		t.Errorf("Set after c.JSON = %v, want ErrCommitted", err)
	}
}

// With AutoHandleHEAD, Echo v5 answers HEAD on GET routes through a writer
// that holds the status back until the handler returns: the session still goes out with it,
// whether the middleware is on the server or on the route.
func TestHeadOnGetRoute(t *testing.T) {
	m, _ := session.New(memstore.New(), session.WithInsecureCookie())
	e := echo.NewWithConfig(echo.Config{Router: echo.NewRouter(echo.RouterConfig{AutoHandleHEAD: true})})
	e.Use(sessechov5.Middleware(m))
	visit := func(c *echo.Context) error {
		if err := sessechov5.From(c).Set("seen", true); err != nil {
			return err
		}
		return c.String(http.StatusOK, "seen")
	}
	e.GET("/server", visit)
	e.GET("/route", visit, sessechov5.Middleware(m))
	for _, path := range []string{"/server", "/route"} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, path, nil))
		if rec.Code != http.StatusOK || len(rec.Result().Cookies()) != 1 || rec.Body.Len() != 0 {
			t.Errorf("HEAD %s: %d, Set-Cookie %q, body %q; want 200, one cookie, no body", path, rec.Code, rec.Header().Values("Set-Cookie"), rec.Body)
		}
	}
}
