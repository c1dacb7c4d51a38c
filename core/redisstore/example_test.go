package redisstore_test

import (
	"log"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
)

// A Manager on one Redis node. The example needs a server, so it is
// compiled but not run.
func Example() {
	opt, err := redisstore.ParseURL("redis://127.0.0.1:6379/0") // sets ContextTimeoutEnabled
	if err != nil {
		log.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()

	store, err := redisstore.New(rdb, redisstore.WithPrefix("myapp:session:"))
	if err != nil {
		log.Fatal(err)
	}
	m, err := session.New(store,
		session.WithIdleTimeout(30*time.Minute),
		session.WithAbsoluteTimeout(12*time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	_ = m // sesshttp.Middleware(m), or an adapter's Middleware(m)
}

// Sentinel or Cluster through one UniversalClient, waiting for a replica
// after each write so that a failover cannot undo a logout.
func ExampleUniversalOptions() {
	// Several addresses: Cluster seeds; with a master name: Sentinels.
	rdb := redis.NewUniversalClient(redisstore.UniversalOptions("mymaster",
		"10.0.0.1:26379", "10.0.0.2:26379", "10.0.0.3:26379"))
	defer rdb.Close()

	store, err := redisstore.New(rdb, redisstore.WithWait(1, 500*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	_ = store
}
