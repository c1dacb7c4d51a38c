// Package failover holds redisstore's fault tests and nothing else: it has
// no API. Each test starts a private Redis topology with scripts/redis/up.sh
// (single node, Sentinel, Cluster), runs a bounded load of real session
// requests through a session.Manager on redisstore, injects one fault
// (kill -9 of a primary, a slot migration, a restart, a stall) and reports
// the error window and the acknowledged commits lost, in one line per fault:
//
//	FAULT sentinel-primary-kill: error window 2.3s, 41 failed requests, 0/812 acknowledged commits lost (WAIT 1)
//
// Run them with:
//
//	go test -v -run . ./core/redisstore/failover/ | grep FAULT
//
// They need redis-server and redis-cli on PATH; without them they skip, or
// fail when SESSKIT_REQUIRE_REDIS=1. They never touch the topologies
// scripts/test.sh shares between packages.
package failover
