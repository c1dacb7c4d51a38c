package sessgin_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	sessgin "github.com/sesskit/sesskit/adapters/gin"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
)

// session.FromContext(c) works on Gin's context as is: no
// ContextWithFallback needed.
func TestFromContextOnGinContext(t *testing.T) {
	m, _ := session.New(memstore.New())
	r := gin.New()
	r.GET("/", sessgin.Middleware(m), func(c *gin.Context) {
		same := session.FromContext(c) == sessgin.From(c) && session.FromContext(c.Request.Context()) == sessgin.From(c)
		_, err := session.FromContext(c).Status()
		c.String(http.StatusOK, "%v %v", same, err)
	})
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Body.String() != "true <nil>" {
		t.Errorf("FromContext(c): %q", rec.Body.String())
	}
}

// The middleware on the engine and again on a group: one session, one
// cookie, the inner login kept.
func TestNestedMiddleware(t *testing.T) {
	m, _ := session.New(memstore.New(), session.WithInsecureCookie())
	r := gin.New()
	r.Use(sessgin.Middleware(m))
	g := r.Group("/g", sessgin.Middleware(m))
	g.POST("/login", func(c *gin.Context) {
		s := sessgin.From(c)
		_ = s.Renew(c.Request.Context())
		_ = s.SetUser("alice")
		c.Status(http.StatusNoContent)
	})
	r.GET("/user", func(c *gin.Context) {
		u, _ := sessgin.From(c).User()
		c.String(http.StatusOK, u)
	})
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/g/login", nil))
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("Set-Cookie %q, want one", rec.Header().Values("Set-Cookie"))
	}
	req := httptest.NewRequest(http.MethodGet, "/user", nil)
	req.AddCookie(cookies[0])
	rec = httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	if rec.Body.String() != "alice" {
		t.Errorf("user %q, want alice", rec.Body.String())
	}
}

// A change after c.JSON fails with session.ErrCommitted instead of
// vanishing.
func TestChangeAfterResponse(t *testing.T) {
	m, _ := session.New(memstore.New())
	r := gin.New()
	late := make(chan error, 1)
	r.GET("/", sessgin.Middleware(m), func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"ok": true})
		late <- sessgin.From(c).Set("late", 1)
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if err := <-late; !errors.Is(err, session.ErrCommitted) {
		t.Errorf("Set after c.JSON = %v, want ErrCommitted", err)
	}
}
