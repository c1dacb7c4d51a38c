package session

import (
	"context"
	"fmt"
)

// Manager holds a store and the session rules. It is safe for concurrent
// use; create one per application and share it between requests.
type Manager struct {
	store    Store
	cfg      config
	decoders [256]Codec // by tag
}

// New returns a Manager over store, or an error naming the first option that
// cannot work.
func New(store Store, opts ...Option) (*Manager, error) {
	if store == nil {
		return nil, invalid("nil store")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	m := &Manager{store: store, cfg: cfg}
	for _, c := range append([]Codec{JSON{}, cfg.codec}, cfg.decoders...) {
		m.decoders[c.Tag()] = c
	}
	return m, nil
}

// Begin starts the session of one request. It reads the token through c and
// never touches the store: loading waits until a value is read. Adapters call
// it once per request and call Commit on the result before the response
// headers are written.
func (m *Manager) Begin(ctx context.Context, c Carrier) *Session {
	s := new(Session)
	m.begin(s, ctx, c)
	return s
}

// begin sets up s in place, so the middleware can keep it in its own
// per-request allocation.
func (m *Manager) begin(s *Session, ctx context.Context, c Carrier) {
	s.m, s.ctx, s.carrier = m, ctx, c
	if tok := c.Cookie(m.cfg.cookie.name); tok != "" {
		s.presented = true
		if validToken(tok) {
			s.token = tok
		}
	} else if m.cfg.header != "" {
		if tok := c.Header(m.cfg.header); tok != "" {
			s.viaHeader, s.presented = true, true
			if validToken(tok) {
				s.token = tok
			}
		}
	}
	if s.token == "" {
		s.startFresh()
	}
}

// Ping reports whether the store can be reached, for health checks.
func (m *Manager) Ping(ctx context.Context) error {
	if err := m.store.Ping(ctx); err != nil {
		return fmt.Errorf("session: ping: %w", err)
	}
	return nil
}

// encode turns v into a tagged value, enforcing the value size limit.
func (m *Manager) encode(key string, v any) ([]byte, error) {
	b, err := m.cfg.codec.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("session: encode %q: %w", key, err)
	}
	if len(key)+1+len(b) > m.cfg.maxValue {
		return nil, fmt.Errorf("session: value %q: %w (%d bytes, limit %d)", key, ErrTooLarge, len(key)+1+len(b), m.cfg.maxValue)
	}
	enc := make([]byte, 1+len(b))
	enc[0] = m.cfg.codec.Tag()
	copy(enc[1:], b)
	return enc, nil
}

// decode reads a tagged value into dst.
func (m *Manager) decode(key string, enc []byte, dst any) error {
	c := m.decoders[enc[0]] // every stored value passed valid() at load
	if err := c.Unmarshal(enc[1:], dst); err != nil {
		return fmt.Errorf("%w: key %q: %w", ErrDecode, key, err)
	}
	return nil
}

// valid reports whether a stored value has a known tag and a well-formed body.
func (m *Manager) valid(enc []byte) bool {
	if len(enc) == 0 {
		return false
	}
	c := m.decoders[enc[0]]
	return c != nil && c.Valid(enc[1:])
}
