package stack

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/gofiber/fiber/v2"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"
)

// The floor is what a hand-written handler costs with plain go-redis
// commands and no session library: HGETALL to read, HSET and PEXPIRE in
// one pipeline to write (MULTI/EXEC to create), over sesskit's keys
// (prefix + SHA-256 of the token) and values (JSON with the 'j' tag). It
// checks nothing a session store must (no resurrection guard, no deadline,
// no size limit): it is the cost those checks are measured against. Its
// sessions follow sesskit's layout; TestFloorIsSesskitCompatible checks
// that both read each other's.
const (
	floorIdle     = 30 * time.Minute // session.DefaultIdleTimeout
	floorAbsolute = 12 * time.Hour   // session.DefaultAbsoluteTimeout
	floorCookie   = "session"
)

var errNoSession = errors.New("stack: floor: no session")

// Field lists of the create route, encoded once: a hand-written handler
// would keep constants too.
var floorCreateFields = func() [2][]any {
	small := []any{"user", jsonString(userValue), "visits", "j0", "theme", jsonString(themeValue)}
	big := append([]any(nil), small...)
	for i := range BigValues {
		big = append(big, bigKeys[i], jsonString(bigValues[i]))
	}
	return [2][]any{small, big}
}()

var (
	floorWriteValue = jsonString(writeValue)
	floorSetValue   = jsonString(setValue)
)

// jsonString is s as sesskit's JSON codec stores it; the values here need no
// escaping.
func jsonString(s string) string { return `j"` + s + `"` }

type floor struct {
	rdb    *redis.Client
	prefix string
}

func (f *floor) key(token string) string {
	sum := sha256.Sum256([]byte(token))
	return f.prefix + base64.RawURLEncoding.EncodeToString(sum[:])
}

// create stores a new session and returns its token.
func (f *floor) create(ctx context.Context, fields []any) (string, error) {
	var b [32]byte
	rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	now := time.Now().UnixMilli()
	args := make([]any, 0, 10+len(fields))
	args = append(args, "@c", now, "@d", now+floorAbsolute.Milliseconds(), "@t", now, "@s", 0, "@n", len(fields)/2)
	args = append(args, fields...)
	key := f.key(token)
	_, err := f.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, key, args...)
		p.PExpire(ctx, key, floorIdle)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("stack: floor: create: %w", err)
	}
	return token, nil
}

// load returns the session's fields.
func (f *floor) load(ctx context.Context, token string) (map[string]string, error) {
	if token == "" {
		return nil, errNoSession
	}
	fields, err := f.rdb.HGetAll(ctx, f.key(token)).Result()
	if err != nil {
		return nil, fmt.Errorf("stack: floor: load: %w", err)
	}
	if len(fields) == 0 {
		return nil, errNoSession
	}
	return fields, nil
}

// change sets fields (name, value, ...) of the session and extends it.
func (f *floor) change(ctx context.Context, token string, fields ...any) error {
	if token == "" {
		return errNoSession
	}
	key := f.key(token)
	_, err := f.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, key, fields...)
		p.PExpire(ctx, key, floorIdle)
		return nil
	})
	if err != nil {
		return fmt.Errorf("stack: floor: change: %w", err)
	}
	return nil
}

// field returns the value of name among fields.
func field(fields map[string]string, name string) (string, bool) {
	v, ok := fields[name]
	return v, ok
}

// floorLogic is the floor's scenario code over a framework's request C.
func floorLogic[C any](f *floor, ctxOf func(C) context.Context, cookie func(C) string, setCookie func(C, string)) logic[C] {
	return logic[C]{
		create: func(c C, n int) error {
			fields := floorCreateFields[0]
			if n > 0 {
				fields = floorCreateFields[1]
			}
			token, err := f.create(ctxOf(c), fields)
			if err != nil {
				return err
			}
			setCookie(c, floorCookie+"="+token+"; Path=/; Max-Age=43200; HttpOnly; Secure; SameSite=Lax")
			return nil
		},
		read: func(c C) (string, error) {
			fields, err := f.load(ctxOf(c), cookie(c))
			if err != nil {
				return "", err
			}
			v, ok := field(fields, "user")
			if !ok || len(v) < 3 {
				return "", errNoValue
			}
			return v[2 : len(v)-1], nil // j"alice" -> alice
		},
		incr: func(c C) (int, error) {
			ctx, token := ctxOf(c), cookie(c)
			fields, err := f.load(ctx, token)
			if err != nil {
				return 0, err
			}
			v, ok := field(fields, "visits")
			if !ok || len(v) < 2 {
				return 0, errNoValue
			}
			n, err := strconv.Atoi(v[1:])
			if err != nil {
				return 0, err
			}
			return n + 1, f.change(ctx, token, "visits", "j"+strconv.Itoa(n+1))
		},
		write: func(c C) error {
			return f.change(ctxOf(c), cookie(c), writeKey, floorWriteValue)
		},
		set: func(c C, key string) error {
			return f.change(ctxOf(c), cookie(c), key, floorSetValue)
		},
		count: func(c C, prefix string) (int, error) {
			fields, err := f.load(ctxOf(c), cookie(c))
			if err != nil {
				return 0, err
			}
			n := 0
			for name := range fields {
				if strings.HasPrefix(name, prefix) && !strings.HasPrefix(name, "@") {
					n++
				}
			}
			return n, nil
		},
	}
}

func newFloor(cfg Config, name string) *floor {
	return &floor{rdb: cfg.goRedis(), prefix: cfg.Prefix + name + ":"}
}

func floorChi(cfg Config) (*Stack, error) {
	f := newFloor(cfg, "floor-chi")
	r := chi.NewRouter()
	mountChi(r, floorLogic(f,
		func(c httpCtx) context.Context { return c.r.Context() },
		func(c httpCtx) string {
			ck, err := c.r.Cookie(floorCookie)
			if err != nil {
				return ""
			}
			return ck.Value
		},
		func(c httpCtx, v string) { c.w.Header().Add("Set-Cookie", v) }))
	return &Stack{Framework: "chi", Library: LibFloor, Handler: r, closers: []func() error{f.rdb.Close}}, nil
}

func floorGin(cfg Config) (*Stack, error) {
	f := newFloor(cfg, "floor-gin")
	e := newGin()
	mountGin(e, floorLogic(f,
		func(c *gin.Context) context.Context { return c.Request.Context() },
		func(c *gin.Context) string { v, _ := c.Cookie(floorCookie); return v },
		func(c *gin.Context, v string) { c.Writer.Header().Add("Set-Cookie", v) }))
	return &Stack{Framework: "gin", Library: LibFloor, Handler: e, closers: []func() error{f.rdb.Close}}, nil
}

func floorEcho(cfg Config) (*Stack, error) {
	f := newFloor(cfg, "floor-echo")
	e := newEcho()
	mountEcho(e, floorLogic(f,
		func(c echo.Context) context.Context { return c.Request().Context() },
		func(c echo.Context) string {
			ck, err := c.Cookie(floorCookie)
			if err != nil {
				return ""
			}
			return ck.Value
		},
		func(c echo.Context, v string) { c.Response().Header().Add("Set-Cookie", v) }))
	return &Stack{Framework: "echo", Library: LibFloor, Handler: e, closers: []func() error{f.rdb.Close}}, nil
}

func floorFiber(cfg Config) (*Stack, error) {
	f := newFloor(cfg, "floor-fiber")
	app := newFiber()
	mountFiber(app, floorLogic(f,
		func(c *fiber.Ctx) context.Context { return c.UserContext() },
		func(c *fiber.Ctx) string { return c.Cookies(floorCookie) },
		func(c *fiber.Ctx, v string) { c.Response().Header.Add(fiber.HeaderSetCookie, v) }))
	return &Stack{Framework: "fiber", Library: LibFloor, App: app, closers: []func() error{f.rdb.Close}}, nil
}
