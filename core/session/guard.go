package session

import (
	"context"
	"errors"
	"time"
)

// guard stands between the engine and the store: every call passes the
// circuit breaker and is reported to the Observer. The Manager keeps the
// store behind it, so the engine never calls the store directly.
type guard struct {
	store    Store
	breaker  *breaker
	observer Observer
	now      func() time.Time
}

// call runs one store call through the breaker and reports it; bytes, when
// not nil, gives the bytes the call moved once it returned.
func (g *guard) call(ctx context.Context, op string, bytes func() int, fn func() error) error {
	probe, err := g.breaker.allow()
	start := g.now()
	if err == nil {
		err = fn()
	}
	g.breaker.done(probe, err)
	if g.observer != nil {
		c := StoreCall{Op: op, Start: start, Duration: g.now().Sub(start), Err: err}
		if bytes != nil && err == nil {
			c.Bytes = bytes()
		}
		g.observer.StoreCall(ctx, c)
	}
	return err
}

func (g *guard) Load(ctx context.Context, id string) (rec Record, found bool, err error) {
	err = g.call(ctx, "load", func() int { return valuesSize(rec.Values) }, func() error {
		rec, found, err = g.store.Load(ctx, id)
		return err
	})
	return rec, found, err
}

func (g *guard) Create(ctx context.Context, id string, rec Record, r Rules) error {
	return g.call(ctx, "create", func() int { return valuesSize(rec.Values) }, func() error {
		return g.store.Create(ctx, id, rec, r)
	})
}

func (g *guard) Save(ctx context.Context, id string, ch Change, r Rules) error {
	return g.call(ctx, "save", func() int { return valuesSize(ch.Set) }, func() error {
		return g.store.Save(ctx, id, ch, r)
	})
}

func (g *guard) Touch(ctx context.Context, id string, r Rules) error {
	return g.call(ctx, "touch", nil, func() error { return g.store.Touch(ctx, id, r) })
}

func (g *guard) Take(ctx context.Context, id string, r Rules) (rec Record, found bool, err error) {
	err = g.call(ctx, "take", func() int { return valuesSize(rec.Values) }, func() error {
		rec, found, err = g.store.Take(ctx, id, r)
		return err
	})
	return rec, found, err
}

func (g *guard) Delete(ctx context.Context, id string) (user string, err error) {
	err = g.call(ctx, "delete", nil, func() error {
		user, err = g.store.Delete(ctx, id)
		return err
	})
	return user, err
}

func (g *guard) Incr(ctx context.Context, id, key string, delta int64, r Rules) (n int64, err error) {
	err = g.call(ctx, "incr", nil, func() error {
		n, err = g.store.Incr(ctx, id, key, delta, r)
		return err
	})
	return n, err
}

func (g *guard) Pop(ctx context.Context, id, key string, r Rules) (v []byte, err error) {
	err = g.call(ctx, "pop", func() int { return len(v) }, func() error {
		v, err = g.store.Pop(ctx, id, key, r)
		return err
	})
	return v, err
}

func (g *guard) Swap(ctx context.Context, id, key string, old, new []byte, r Rules) (cur []byte, swapped bool, err error) {
	err = g.call(ctx, "swap", func() int { return len(new) }, func() error {
		cur, swapped, err = g.store.Swap(ctx, id, key, old, new, r)
		return err
	})
	return cur, swapped, err
}

func (g *guard) Ping(ctx context.Context) error {
	return g.call(ctx, "ping", nil, func() error { return g.store.Ping(ctx) })
}

// valuesSize is the bytes of values' keys and values.
func valuesSize(values map[string][]byte) int {
	n := 0
	for k, v := range values {
		n += len(k) + len(v)
	}
	return n
}

// outcome names an error for metrics.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrBreakerOpen):
		return "breaker_open"
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	case errors.Is(err, ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrRenewed):
		return "renewed"
	case errors.Is(err, ErrTooLarge), errors.Is(err, ErrTooManySessions):
		return "too_large"
	case errors.Is(err, ErrCorrupt):
		return "corrupt"
	case errors.Is(err, ErrConflict):
		return "conflict"
	case errors.As(err, new(*NotCounterError)):
		return "not_counter"
	}
	return "error"
}

// guardedUsers is guard for the store's per-user side.
type guardedUsers struct {
	users UserStore
	g     *guard
}

func (u guardedUsers) Index(ctx context.Context, user string, add []IndexEntry, drop []string, limit Limit, now time.Time) (evicted []string, err error) {
	err = u.g.call(ctx, "index", nil, func() error {
		evicted, err = u.users.Index(ctx, user, add, drop, limit, now)
		return err
	})
	return evicted, err
}

func (u guardedUsers) Indexed(ctx context.Context, user string, now time.Time) (entries []IndexEntry, err error) {
	err = u.g.call(ctx, "indexed", nil, func() error {
		entries, err = u.users.Indexed(ctx, user, now)
		return err
	})
	return entries, err
}

func (u guardedUsers) Describe(ctx context.Context, handles []string) (devices []Device, err error) {
	err = u.g.call(ctx, "describe", nil, func() error {
		devices, err = u.users.Describe(ctx, handles)
		return err
	})
	return devices, err
}

func (u guardedUsers) Revoke(ctx context.Context, handles []string) error {
	return u.g.call(ctx, "revoke", nil, func() error { return u.users.Revoke(ctx, handles) })
}

func (u guardedUsers) SaveRemember(ctx context.Context, id string, rec RememberRecord) error {
	return u.g.call(ctx, "remember", nil, func() error { return u.users.SaveRemember(ctx, id, rec) })
}

func (u guardedUsers) UseRemember(ctx context.Context, id, validator, next string, now time.Time) (rec RememberRecord, o RememberOutcome, err error) {
	err = u.g.call(ctx, "use_remember", nil, func() error {
		rec, o, err = u.users.UseRemember(ctx, id, validator, next, now)
		return err
	})
	return rec, o, err
}
