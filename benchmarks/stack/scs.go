package stack

import (
	"errors"

	"github.com/alexedwards/scs/goredisstore"
	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"
)

// scsChi is chi with alexedwards/scs v2 and its go-redis v9 store, on the
// defaults of scs.New (24 h lifetime, no idle timeout: with one, scs would
// rewrite the session on every request that reads it).
func scsChi(cfg Config) (*Stack, error) {
	rdb := cfg.goRedis()
	sm := scs.New()
	sm.Store = goredisstore.NewWithPrefix(rdb, cfg.Prefix+"scs-chi:")
	r := chi.NewRouter()
	r.Use(sm.LoadAndSave)
	mountChi(r, logic[httpCtx]{
		create: func(c httpCtx, n int) error {
			ctx := c.r.Context()
			sm.Put(ctx, "user", userValue)
			sm.Put(ctx, "visits", 0)
			sm.Put(ctx, "theme", themeValue)
			for i := range min(n, BigValues) {
				sm.Put(ctx, bigKeys[i], bigValues[i])
			}
			return nil
		},
		read: func(c httpCtx) (string, error) {
			if u := sm.GetString(c.r.Context(), "user"); u != "" {
				return u, nil
			}
			return "", errNoValue
		},
		incr: func(c httpCtx) (int, error) {
			ctx := c.r.Context()
			if !sm.Exists(ctx, "visits") {
				return 0, errNoValue
			}
			n := sm.GetInt(ctx, "visits") + 1
			sm.Put(ctx, "visits", n)
			return n, nil
		},
		write: func(c httpCtx) error {
			sm.Put(c.r.Context(), writeKey, writeValue)
			return nil
		},
		set: func(c httpCtx, key string) error {
			sm.Put(c.r.Context(), key, setValue)
			return nil
		},
		count: func(c httpCtx, prefix string) (int, error) {
			return countPrefix(sm.Keys(c.r.Context()), prefix), nil
		},
	})
	return &Stack{Framework: "chi", Library: LibSCS, Handler: r, closers: []func() error{rdb.Close}}, nil
}

// errNoValue is what the peer stacks answer when a value the scenario needs
// is missing (their APIs return zero values instead of errors).
var errNoValue = errors.New("stack: no value")

// stringKeys returns the string keys of a gorilla-style value map.
func stringKeys[V any](values map[any]V) []string {
	keys := make([]string, 0, len(values))
	for k := range values {
		if s, ok := k.(string); ok {
			keys = append(keys, s)
		}
	}
	return keys
}
