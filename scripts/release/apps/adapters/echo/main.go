// The release check's Echo app: what a new user writes after
// go get github.com/sesskit/sesskit/adapters/echo.
package main

import (
	"net/http"
	"net/http/httptest"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	sessecho "github.com/sesskit/sesskit/adapters/echo"
)

func main() {
	e := echo.New()
	e.Use(middleware.Recover(), sessecho.Middleware(newManager()))
	e.POST("/visits", func(c echo.Context) error {
		n, err := visit(sessecho.From(c))
		if err != nil {
			return err
		}
		return c.String(http.StatusOK, strconv.Itoa(n))
	})
	srv := httptest.NewServer(e)
	defer srv.Close()
	check(srv.URL, sessecho.Version)
}
