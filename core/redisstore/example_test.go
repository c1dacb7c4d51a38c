package redisstore_test

import (
	"fmt"
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

// A tool that reads keys itself tells them apart with ParseKey, and finds
// them with SCAN MATCH Pattern. No Redis is needed for either.
func ExampleStore_ParseKey() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
	defer rdb.Close()
	store, err := redisstore.New(rdb, redisstore.WithPrefix("myapp:"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(store.Pattern())
	for _, key := range []string{
		"myapp:2jmj7l5rSw0yVb_vlWAYkK_YBwk6Ew8hu4iUwr8rGkM",
		"myapp:r:2jmj7l5rSw0yVb_vlWAYkK_YBwk6Ew8hu4iUwr8rGkM",
		"myapp:u:2jmj7l5rSw0yVb_vlWAYkK_YBwk6Ew8hu4iUwr8rGkM",
		"myapp:config",
	} {
		kind, handle := store.ParseKey(key)
		fmt.Printf("%v %q\n", kind, handle)
	}
	// Output:
	// myapp:*
	// session "2jmj7l5rSw0yVb_vlWAYkK_YBwk6Ew8hu4iUwr8rGkM"
	// remember "r2jmj7l5rSw0yVb_vlWAYkK_YBwk6Ew8hu4iUwr8rGkM"
	// user-index ""
	// other ""
}
