// Package e2e tests the example apps (one per framework and major version) as black boxes: each test builds
// nothing itself, starts the binaries TestMain built as separate processes on
// 127.0.0.1, and drives them over HTTP (and, in the browser test, through a
// headless Chromium).
//
// Redis comes from the environment, as in every sesskit package:
// SESSKIT_REDIS_URL (one node), SESSKIT_REDIS_CLUSTER_ADDRS,
// SESSKIT_REDIS_SENTINEL_ADDRS with SESSKIT_REDIS_SENTINEL_MASTER. Tests that
// need one skip without it, and fail instead when SESSKIT_REQUIRE_REDIS=1.
// The browser test finds Chromium in SESSKIT_CHROMIUM or as chromium on PATH.
package e2e
