package sessgin_test

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"
	sessgin "github.com/sesskit/sesskit/adapters/gin"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
)

func Example() {
	m, err := session.New(memstore.New()) // redisstore.New(rdb) in production
	if err != nil {
		log.Fatal(err)
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery(), sessgin.Middleware(m))
	r.POST("/visits", func(c *gin.Context) {
		s := sessgin.From(c)
		n, err := session.Get[int](s, "visits")
		if err != nil && !errors.Is(err, session.ErrNoValue) {
			_ = c.AbortWithError(http.StatusInternalServerError, err)
			return
		}
		if err := s.Set("visits", n+1); err != nil {
			_ = c.AbortWithError(http.StatusInternalServerError, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"visits": n + 1})
	})

	var cookie *http.Cookie
	for range 2 {
		req := httptest.NewRequest(http.MethodPost, "/visits", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if cs := rec.Result().Cookies(); len(cs) > 0 {
			cookie = cs[0]
		}
		fmt.Print(rec.Body.String(), "\n")
	}
	// Output:
	// {"visits":1}
	// {"visits":2}
}
