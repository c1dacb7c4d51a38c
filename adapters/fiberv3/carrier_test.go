package sessfiberv3_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v3"
	sessfiberv3 "github.com/sesskit/sesskit/adapters/fiberv3"
	"github.com/valyala/fasthttp"
)

// withCtx runs f on a fiber.Ctx over a bare fasthttp.RequestCtx.
func withCtx(t *testing.T, setup func(*fasthttp.RequestCtx), f func(fiber.Ctx)) *fasthttp.RequestCtx {
	t.Helper()
	app := fiber.New()
	fctx := &fasthttp.RequestCtx{}
	setup(fctx)
	c := app.AcquireCtx(fctx)
	defer app.ReleaseCtx(c)
	f(c)
	return fctx
}

// TestCarrierCopies: values read from the request must not alias fasthttp's
// buffers, which are reused by the next request on the connection.
func TestCarrierCopies(t *testing.T) {
	var ck, hd string
	fctx := withCtx(t, func(fctx *fasthttp.RequestCtx) {
		fctx.Request.Header.Set("Cookie", `other=1; session=cookie-token; session=second`)
		fctx.Request.Header.Set("X-Session-Token", "header-token")
	}, func(c fiber.Ctx) {
		cr := sessfiberv3.Carrier{Ctx: c}
		ck, hd = cr.Cookie("session"), cr.Header("X-Session-Token")
		if got := cr.Cookie("missing"); got != "" {
			t.Errorf("missing cookie = %q", got)
		}
		if got := cr.Header("X-Missing"); got != "" {
			t.Errorf("missing header = %q", got)
		}
	})
	if ck != "cookie-token" || hd != "header-token" {
		t.Fatalf("read %q, %q", ck, hd)
	}
	// Scribble over the buffers the values came from.
	for _, b := range [][]byte{fctx.Request.Header.Cookie("session"), fctx.Request.Header.Peek("X-Session-Token")} {
		for i := range b {
			b[i] = 'X'
		}
	}
	if ck != "cookie-token" || hd != "header-token" {
		t.Fatalf("values alias the request buffer: %q, %q", ck, hd)
	}
}

// TestCarrierSetCookieWire checks the response bytes fasthttp writes:
// fasthttp keeps Set-Cookie apart from other headers; every added line must
// go out verbatim, attributes (Partitioned) included.
func TestCarrierSetCookieWire(t *testing.T) {
	lines := []string{
		"session=tok1; Path=/; Max-Age=43200; HttpOnly; Secure; SameSite=None; Partitioned",
		"session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=None; Partitioned",
		"app=1; Path=/x",
	}
	tests := []struct {
		name string
		do   func(sessfiberv3.Carrier)
		want []string
	}{
		{"add keeps every line", func(cr sessfiberv3.Carrier) {
			for _, l := range lines {
				cr.AddHeader("Set-Cookie", l)
			}
		}, lines},
		{"add next to fiber cookies", func(cr sessfiberv3.Carrier) {
			cr.Ctx.Cookie(&fiber.Cookie{Name: "theme", Value: "dark"})
			cr.AddHeader("Set-Cookie", lines[0])
		}, []string{"theme=dark; path=/; SameSite=Lax", lines[0]}},
		{"set replaces every line", func(cr sessfiberv3.Carrier) {
			cr.AddHeader("Set-Cookie", lines[0])
			cr.AddHeader("Set-Cookie", lines[2])
			cr.SetHeader("set-cookie", lines[1])
		}, lines[1:2]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fctx := withCtx(t, func(*fasthttp.RequestCtx) {}, func(c fiber.Ctx) {
				tt.do(sessfiberv3.Carrier{Ctx: c})
			})
			var got []string
			for _, l := range strings.Split(fctx.Response.Header.String(), "\r\n") {
				if v, ok := strings.CutPrefix(l, "Set-Cookie: "); ok {
					got = append(got, v)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Set-Cookie lines:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestCarrierHeaders(t *testing.T) {
	fctx := withCtx(t, func(*fasthttp.RequestCtx) {}, func(c fiber.Ctx) {
		cr := sessfiberv3.Carrier{Ctx: c}
		cr.SetHeader("Cache-Control", "private")
		cr.SetHeader("Cache-Control", "no-store")
		cr.SetHeader("X-Session-Token", "tok")
		cr.SetHeader("X-Session-Token", "")
	})
	wire := fctx.Response.Header.String()
	if n := strings.Count(wire, "Cache-Control:"); n != 1 || !strings.Contains(wire, "\r\nCache-Control: no-store\r\n") {
		t.Errorf("Cache-Control not replaced:\n%s", wire)
	}
	if !strings.Contains(wire, "\r\nX-Session-Token: \r\n") || strings.Contains(wire, "tok") {
		t.Errorf("token header not cleared:\n%s", wire)
	}
}
