package session

import "context"

// RequestScope is an adapter's hold on one request's session. Manager.Begin
// hands it out; the adapter puts Session() in the request's context, runs
// the handler chain through Run and, before the response headers leave,
// calls Commit (or CommitHijacked). Handlers never need it: they get the
// *Session from the request's context or their adapter's From.
type RequestScope struct{ s *Session }

// Session is the request's session, for the handlers.
func (r RequestScope) Session() *Session { return r.s }

// Run calls next, and discards the session if next panics or calls
// runtime.Goexit; the panic goes on untouched, with its own stack, to
// whoever recovers it. Adapters run the handler chain through it.
func (r RequestScope) Run(next func()) { r.s.run(next) }

// Commit saves what the request changed and writes the token headers through
// the carrier. Call it once, before the response headers leave; later calls
// do nothing, and the session refuses changes from then on (ErrCommitted).
// An unchanged session costs no store call (a read one, a touch now and
// then); a changed one costs one; a renewed one, two.
//
// It returns the error the request must fail with, for the adapter's error
// handler: a load error of a fail-closed session, a store failure of
// Destroy or of a same-key operation, or the save's own failure. In degraded
// mode an unreachable store is logged and the changes are dropped instead.
func (r RequestScope) Commit(ctx context.Context) error { return r.s.commit(ctx) }

// CommitHijacked is Commit for a response whose headers the client never
// sees: the handler hijacked the connection (a WebSocket upgrade, say).
// When the commit would have to send a new or renewed token it refuses
// with ErrHijacked, saving nothing and leaving the session uncommitted, so
// the handler can still answer normally. Otherwise it commits; expiring a
// stale token is skipped, as no header can reach the client.
func (r RequestScope) CommitHijacked(ctx context.Context) error { return r.s.commitHijacked(ctx) }

// Discard drops the request's changes: a later Commit writes nothing.
// Run calls it when the handler panics, so a failed request leaves neither
// half its changes nor a cookie behind.
func (r RequestScope) Discard() { r.s.discard() }
