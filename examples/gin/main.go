// Command gin is the sesskit demo app on Gin. From the repository root:
//
//	go run ./examples/gin                                # in-process store
//	go run ./examples/gin -redis redis://127.0.0.1:6379/0
//
// Every route and flag is in examples/README.md.
package main

import (
	"net/http"

	"github.com/gin-gonic/gin"
	sessgin "github.com/sesskit/sesskit/adapters/gin"
	"github.com/sesskit/sesskit/examples/internal/demo"
)

func main() {
	app := demo.Start("gin")

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(gin.Recovery()) // outside the sessions: a panic saves nothing
	r.Use(sessgin.Middleware(app.Manager, sessgin.WithErrorHandler(func(c *gin.Context, err error) {
		c.AbortWithStatusJSON(demo.Failure(err))
	})))
	r.NoRoute(func(c *gin.Context) { c.JSON(http.StatusNotFound, demo.NotFound) })
	r.NoMethod(func(c *gin.Context) { c.JSON(http.StatusMethodNotAllowed, demo.MethodNotAllowed) })

	r.GET("/", func(c *gin.Context) {
		status, page := app.Page(sessgin.From(c))
		c.Header("Cache-Control", "no-store")
		c.Data(status, "text/html; charset=utf-8", page)
	})
	for path, form := range demo.Forms {
		r.POST(path, func(c *gin.Context) {
			body, ok := readBody(c)
			if !ok {
				return
			}
			if err := form(app.FormContext(c.Request.Context(), c.Request), sessgin.From(c), body); err != nil {
				c.JSON(demo.Failure(err))
				return
			}
			c.Redirect(http.StatusSeeOther, "/")
		})
	}

	// c.JSON sends no body with a 204.
	r.GET("/healthz", func(c *gin.Context) {
		c.JSON(app.Health(c.Request.Context()))
	})
	api := r.Group("/api")
	api.GET("/session", func(c *gin.Context) {
		c.JSON(demo.GetSession(sessgin.From(c)))
	})
	api.POST("/visits", func(c *gin.Context) {
		c.JSON(demo.CountVisit(sessgin.From(c)))
	})
	api.PUT("/values/:key", func(c *gin.Context) {
		if body, ok := readBody(c); ok {
			c.JSON(demo.PutValue(sessgin.From(c), c.Param("key"), body))
		}
	})
	api.GET("/values/:key", func(c *gin.Context) {
		c.JSON(demo.GetValue(sessgin.From(c), c.Param("key")))
	})
	api.DELETE("/values/:key", func(c *gin.Context) {
		c.JSON(demo.DeleteValue(sessgin.From(c), c.Param("key")))
	})
	api.POST("/login", func(c *gin.Context) {
		if body, ok := readBody(c); ok {
			status, out, retryAfter := app.Login(c.Request.Context(), sessgin.From(c), c.Request, body)
			if retryAfter != "" {
				c.Header("Retry-After", retryAfter)
			}
			c.JSON(status, out)
		}
	})
	api.POST("/logout", func(c *gin.Context) {
		c.JSON(demo.Logout(c.Request.Context(), sessgin.From(c)))
	})
	api.POST("/cart", func(c *gin.Context) {
		if body, ok := readBody(c); ok {
			c.JSON(demo.AddToCart(sessgin.From(c), body))
		}
	})
	api.POST("/flash", func(c *gin.Context) {
		if body, ok := readBody(c); ok {
			c.JSON(demo.AddFlash(sessgin.From(c), body))
		}
	})
	api.GET("/flash", func(c *gin.Context) {
		c.JSON(demo.PopFlash(sessgin.From(c)))
	})
	api.GET("/wizard", func(c *gin.Context) {
		c.JSON(demo.Wizard(sessgin.From(c)))
	})
	api.POST("/wizard/:step", func(c *gin.Context) {
		if body, ok := readBody(c); ok {
			c.JSON(demo.WizardStep(sessgin.From(c), c.Param("step"), body))
		}
	})
	api.GET("/devices", func(c *gin.Context) {
		c.JSON(demo.Devices(c.Request.Context(), sessgin.From(c)))
	})
	api.DELETE("/devices/:id", func(c *gin.Context) {
		c.JSON(demo.RevokeDevice(c.Request.Context(), sessgin.From(c), c.Param("id")))
	})
	api.POST("/devices/revoke-others", func(c *gin.Context) {
		c.JSON(demo.RevokeOtherDevices(c.Request.Context(), sessgin.From(c)))
	})

	app.Run(demo.HTTPServer(r))
}

// readBody reads the request body, answering 400 itself when it cannot.
func readBody(c *gin.Context) ([]byte, bool) {
	body, err := demo.ReadBody(c.Request.Body)
	if err != nil {
		c.JSON(http.StatusBadRequest, demo.Error{Message: "could not read the body"})
		return nil, false
	}
	return body, true
}
