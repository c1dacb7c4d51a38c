package redistap_test

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/benchmarks/redistap"
)

// Put a Tap between a client and Redis, then compare snapshots.
func Example() {
	tap, err := redistap.Listen("127.0.0.1:6380") // the Redis to measure
	if err != nil {
		panic(err)
	}
	defer tap.Close()
	rdb := redis.NewClient(&redis.Options{Addr: tap.Addr()})
	defer rdb.Close()

	before := tap.Counts()
	_ = rdb.Get(context.Background(), "k").Err()
	d := tap.Counts().Sub(before)
	fmt.Println(d.RoundTrips, d.Commands, d.BytesIn)
}
