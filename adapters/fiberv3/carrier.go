package sessfiberv3

import (
	"strings"

	"github.com/gofiber/fiber/v3"
	"github.com/sesskit/sesskit/core/session"
)

var _ session.Carrier = Carrier{}

// Carrier is the session.Carrier over a fiber.Ctx. Middleware uses it;
// code that calls session.Manager.Begin itself can too.
//
// Request values are copied out of fasthttp's buffers, which are reused
// after the request, so the session may keep them.
type Carrier struct {
	Ctx fiber.Ctx
}

// Cookie returns the value of the first request cookie named name, or "".
func (c Carrier) Cookie(name string) string {
	return string(c.Ctx.Request().Header.Cookie(name))
}

// Header returns the request header name, or "".
func (c Carrier) Header(name string) string {
	return string(c.Ctx.Request().Header.Peek(name))
}

// SetHeader replaces the response header name. For Set-Cookie it replaces
// every Set-Cookie line, as net/http's Header.Set does.
func (c Carrier) SetHeader(name, value string) {
	h := &c.Ctx.Response().Header
	if strings.EqualFold(name, fiber.HeaderSetCookie) {
		// fasthttp keeps Set-Cookie apart from other headers and Set would
		// add a line instead of replacing them.
		h.DelAllCookies()
		h.Add(fiber.HeaderSetCookie, value)
		return
	}
	h.Set(name, value)
}

// AddHeader adds the response header name. Set-Cookie values are sent
// verbatim, one line each, next to the ones the application sets.
func (c Carrier) AddHeader(name, value string) {
	c.Ctx.Response().Header.Add(name, value)
}
