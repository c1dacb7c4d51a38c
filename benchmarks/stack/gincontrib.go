package stack

import (
	"fmt"

	"github.com/gin-contrib/sessions"
	ginredis "github.com/gin-contrib/sessions/redis"
	"github.com/gin-gonic/gin"
)

// cookieKey authenticates the cookies of the gorilla-based stores
// (securecookie HMAC): their cookie carries the session ID, signed.
var cookieKey = []byte("sesskit-benchmarks-cookie-hmac-key-32")

// maxGorillaSession lifts boj/redistore's default limit on a stored session
// (4096 bytes), which the 53-value session exceeds in gob.
const maxGorillaSession = 1 << 20

// ginContrib is Gin with gin-contrib/sessions and its redis store
// (boj/redistore on redigo), built with redis.NewStore as its README shows.
func ginContrib(cfg Config) (*Stack, error) {
	store, err := ginredis.NewStore(cfg.poolSize(), "tcp", cfg.Addr, "", "", cookieKey)
	if err != nil {
		return nil, fmt.Errorf("stack: gin-contrib/sessions: %w", err)
	}
	rs, err := ginredis.GetRedisStore(store)
	if err != nil {
		return nil, fmt.Errorf("stack: gin-contrib/sessions: %w", err)
	}
	rs.SetKeyPrefix(cfg.Prefix + "gincontrib:")
	rs.SetMaxLength(maxGorillaSession)
	e := newGin()
	e.Use(sessions.Sessions("session", store))
	mountGin(e, logic[*gin.Context]{
		create: func(c *gin.Context, n int) error {
			s := sessions.Default(c)
			s.Set("user", userValue)
			s.Set("visits", 0)
			s.Set("theme", themeValue)
			for i := range min(n, BigValues) {
				s.Set(bigKeys[i], bigValues[i])
			}
			return s.Save()
		},
		read: func(c *gin.Context) (string, error) {
			if u, ok := sessions.Default(c).Get("user").(string); ok {
				return u, nil
			}
			return "", errNoValue
		},
		incr: func(c *gin.Context) (int, error) {
			s := sessions.Default(c)
			n, ok := s.Get("visits").(int)
			if !ok {
				return 0, errNoValue
			}
			s.Set("visits", n+1)
			return n + 1, s.Save()
		},
		write: func(c *gin.Context) error {
			s := sessions.Default(c)
			s.Set(writeKey, writeValue)
			return s.Save()
		},
		set: func(c *gin.Context, key string) error {
			s := sessions.Default(c)
			s.Set(key, setValue)
			return s.Save()
		},
		count: func(c *gin.Context, prefix string) (int, error) {
			// The Session interface lists no keys: probe the ones the
			// lost-updates check sets.
			s, n := sessions.Default(c), 0
			for i := range Concurrent {
				if s.Get(ConcurrentKey(prefix, i)) != nil {
					n++
				}
			}
			return n, nil
		},
	})
	return &Stack{Framework: "gin", Library: LibGinContrib, Handler: e, closers: []func() error{rs.Close}}, nil
}
