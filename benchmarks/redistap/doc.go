// Package redistap counts what clients send Redis: a TCP proxy on
// 127.0.0.1 that forwards bytes untouched and parses both directions as
// RESP (2 and 3) on the way, so it sees every top-level command (a
// script's inner commands never cross the wire), every round trip and
// every byte, whatever the client library (go-redis, redigo, ...).
//
// A round trip is counted when a client sends a command while it has no
// command awaiting a reply: a pipeline or MULTI block sent in one go is one
// round trip, and so is a lone command. Counts are exact for clients that
// wait for replies before sending more, as the session libraries do.
//
// ReadServer reads the server's own counters (INFO commandstats and stats),
// which also count the commands scripts run; they describe the whole server,
// so they mean something only on a Redis nobody else uses.
package redistap
