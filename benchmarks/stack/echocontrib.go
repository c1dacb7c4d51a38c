package stack

import (
	"fmt"

	"github.com/boj/redistore"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo-contrib/session"
	"github.com/labstack/echo/v4"
)

// echoContrib is Echo with echo-contrib/session over a Redis-backed gorilla
// store, boj/redistore (redigo) built with NewRediStore as its README shows.
// (rbcervilla/redisstore, the go-redis one, is not served by the module
// proxy: 403.)
func echoContrib(cfg Config) (*Stack, error) {
	rs, err := redistore.NewRediStore(cfg.poolSize(), "tcp", cfg.Addr, "", "", cookieKey)
	if err != nil {
		return nil, fmt.Errorf("stack: echo-contrib/session: %w", err)
	}
	rs.SetKeyPrefix(cfg.Prefix + "echocontrib:")
	rs.SetMaxLength(maxGorillaSession)
	get := func(c echo.Context) (*sessions.Session, error) { return session.Get("session", c) }
	save := func(c echo.Context, s *sessions.Session) error { return s.Save(c.Request(), c.Response()) }
	e := newEcho()
	e.Use(session.Middleware(rs))
	mountEcho(e, logic[echo.Context]{
		create: func(c echo.Context, n int) error {
			s, err := get(c)
			if err != nil {
				return err
			}
			s.Values["user"] = userValue
			s.Values["visits"] = 0
			s.Values["theme"] = themeValue
			for i := range min(n, BigValues) {
				s.Values[bigKeys[i]] = bigValues[i]
			}
			return save(c, s)
		},
		read: func(c echo.Context) (string, error) {
			s, err := get(c)
			if err != nil {
				return "", err
			}
			if u, ok := s.Values["user"].(string); ok {
				return u, nil
			}
			return "", errNoValue
		},
		incr: func(c echo.Context) (int, error) {
			s, err := get(c)
			if err != nil {
				return 0, err
			}
			n, ok := s.Values["visits"].(int)
			if !ok {
				return 0, errNoValue
			}
			s.Values["visits"] = n + 1
			return n + 1, save(c, s)
		},
		write: func(c echo.Context) error {
			s, err := get(c)
			if err != nil {
				return err
			}
			s.Values[writeKey] = writeValue
			return save(c, s)
		},
		set: func(c echo.Context, key string) error {
			s, err := get(c)
			if err != nil {
				return err
			}
			s.Values[key] = setValue
			return save(c, s)
		},
		count: func(c echo.Context, prefix string) (int, error) {
			s, err := get(c)
			if err != nil {
				return 0, err
			}
			return countPrefix(stringKeys(s.Values), prefix), nil
		},
	})
	return &Stack{Framework: "echo", Library: LibEchoContrib, Handler: e, closers: []func() error{rs.Close}}, nil
}
