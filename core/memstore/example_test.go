package memstore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
)

// id stands for the hashed token the engine passes to a store.
const id = "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg"

// A Manager over memstore serves one instance: development, tests, demos.
func Example() {
	m, err := session.New(memstore.New(), session.WithIdleTimeout(30*time.Minute))
	fmt.Println(m != nil, err)
	// Output: true <nil>
}

func ExampleWithClock() {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now } // share it with session.WithClock
	store := memstore.New(memstore.WithClock(clock))
	rules := func() session.Rules {
		return session.Rules{Now: clock(), Idle: 30 * time.Minute, Absolute: 12 * time.Hour, TouchInterval: time.Minute}
	}

	_ = store.Create(ctx, id, session.Record{Created: clock(), Deadline: clock().Add(12 * time.Hour)}, rules())

	now = now.Add(29 * time.Minute)
	_ = store.Touch(ctx, id, rules())
	ttl, _ := store.TTL(ctx, id)
	fmt.Println(ttl) // touched: a fresh idle lifetime

	now = now.Add(31 * time.Minute)
	_, found, _ := store.Load(ctx, id)
	fmt.Println(found)
	// Output:
	// 30m0s
	// false
}
