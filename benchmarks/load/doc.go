// Package load is a small, bounded HTTP/1.1 load generator for loopback
// servers: a fixed number of keep-alive connections, each sending one
// prebuilt request again and again for a fixed time, and the throughput and
// latency percentiles that come out. It parses responses by hand (status,
// Content-Length or chunked body), so the generator costs the shared CPU
// as little as possible.
//
// Every run stops by itself: after Options.Duration, or after
// Options.MaxRequests per connection, whichever comes first, and every
// socket operation has a deadline.
package load
