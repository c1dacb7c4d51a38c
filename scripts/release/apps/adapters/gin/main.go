// The release check's Gin app: what a new user writes after
// go get github.com/sesskit/sesskit/adapters/gin.
package main

import (
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"
	sessgin "github.com/sesskit/sesskit/adapters/gin"
)

func main() {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery(), sessgin.Middleware(newManager()))
	r.POST("/visits", func(c *gin.Context) {
		n, err := visit(sessgin.From(c))
		if err != nil {
			_ = c.AbortWithError(http.StatusInternalServerError, err)
			return
		}
		c.String(http.StatusOK, "%d", n)
	})
	srv := httptest.NewServer(r)
	defer srv.Close()
	check(srv.URL, sessgin.Version)
}
