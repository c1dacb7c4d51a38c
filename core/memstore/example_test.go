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

func Example() {
	ctx := context.Background()
	store := memstore.New()

	now := time.Now()
	err := store.Save(ctx, id, session.Change{
		Create: true, Now: now, Idle: 30 * time.Minute,
		Created: now, Deadline: now.Add(12 * time.Hour),
		Set: map[string][]byte{"visits": []byte("j1")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec, found, err := store.Load(ctx, id, session.Touch{Now: time.Now(), Idle: 30 * time.Minute, Interval: time.Minute})
	fmt.Println(found, err, string(rec.Values["visits"]))
	// Output: true <nil> j1
}

func ExampleWithClock() {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now } // share it with session.WithClock
	store := memstore.New(memstore.WithClock(clock))

	_ = store.Save(ctx, id, session.Change{
		Create: true, Now: clock(), Idle: 30 * time.Minute,
		Created: clock(), Deadline: clock().Add(12 * time.Hour),
	})
	touch := func() session.Touch {
		return session.Touch{Now: clock(), Idle: 30 * time.Minute, Interval: time.Minute}
	}

	now = now.Add(29 * time.Minute)
	rec, found, _ := store.Load(ctx, id, touch())
	fmt.Println(found, rec.TTL) // touched: a fresh idle lifetime

	now = now.Add(31 * time.Minute)
	_, found, _ = store.Load(ctx, id, touch())
	fmt.Println(found)
	// Output:
	// true 30m0s
	// false
}
