package session

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"
)

// commit saves what the request changed and writes the token headers through
// the carrier. Adapters call it once, before the response headers leave;
// later calls do nothing, and the session refuses changes from then on
// (ErrCommitted). An unchanged session costs no store call (a read one, a
// touch now and then); a changed one costs one; a renewed one, two.
//
// It returns the error the request must fail with, for the adapter's error
// handler: a load error of a fail-closed session, a store failure of
// Destroy or of a same-key operation, or the save's own failure. In degraded
// mode an unreachable store is logged and the changes are dropped instead.
func (s *Session) commit(ctx context.Context) error {
	if s.m == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return nil
	}
	s.done = true
	switch {
	case s.failed != nil:
		return s.failed
	case s.loadErr != nil:
		return s.loadErr
	case s.status == StatusDegraded:
		if s.changed() {
			s.m.cfg.logger.Warn("session: degraded session, changes dropped")
		}
		return nil
	}
	err := s.save(ctx)
	if err != nil && s.m.cfg.degraded && errors.Is(err, ErrUnavailable) {
		s.m.cfg.logger.Error("session: store unreachable, changes dropped (degraded mode)", "error", err)
		return nil
	}
	return err
}

// commitHijacked is commit for a response whose headers the client never
// sees: the handler hijacked the connection (a WebSocket upgrade, say).
// When the commit would have to send a new or renewed token (or a cookie
// with a new lifetime: SetLifetime) it refuses
// with ErrHijacked, saving nothing and leaving the session uncommitted, so
// the handler can still answer normally. Otherwise it commits; expiring a
// stale token is skipped, as no header can reach the client.
func (s *Session) commitHijacked(ctx context.Context) error {
	if s.m == nil {
		return nil
	}
	s.mu.Lock()
	refuse := !s.done && s.failed == nil && s.loadErr == nil && s.status != StatusDegraded && !s.superseded &&
		(s.token != "" && (s.renew || s.newLife != nil) || s.token == "" && (len(s.set) > 0 || len(s.appends) > 0 || s.newUser != nil && *s.newUser != ""))
	s.sentToken = false // nothing can expire it
	s.mu.Unlock()
	if refuse {
		return ErrHijacked
	}
	return s.commit(ctx)
}

// run calls next, and discards the session if next panics or calls
// runtime.Goexit; the panic goes on untouched, with its own stack, to
// whoever recovers it. Adapters run the handler chain through it.
func (s *Session) run(next func()) {
	returned := false
	defer func() {
		if !returned {
			s.discard()
		}
	}()
	next()
	returned = true
}

// discard drops the request's changes: a later commit writes nothing. The
// middleware calls it when the handler panics, so a failed request leaves
// neither half its changes nor a cookie behind.
func (s *Session) discard() {
	if s.m == nil {
		return
	}
	s.mu.Lock()
	s.done = true
	s.mu.Unlock()
}

// changed reports whether the request changed anything Commit would save.
func (s *Session) changed() bool {
	return len(s.set) > 0 || len(s.del) > 0 || len(s.appends) > 0 || s.newUser != nil || s.newLabel != nil || s.renew || s.remember ||
		s.newLife != nil
}

// save writes the request's changes. The caller holds s.mu.
func (s *Session) save(ctx context.Context) error {
	if s.newLife != nil && !s.loaded && s.token != "" && !s.renew {
		// SetLifetime needs the creation time (the new deadline counts
		// from it) and the user (whose index holds the deadline).
		s.fetch(ctx)
		switch {
		case s.loadErr != nil:
			return s.loadErr
		case s.status == StatusDegraded:
			return nil
		}
	}
	switch {
	case s.superseded:
		// The client already holds a newer token: answering one, or
		// expiring it, would log it out.
		if s.changed() {
			return fmt.Errorf("session: save: %w", ErrRenewed)
		}
		return nil
	case s.token == "":
		return s.saveNew(ctx)
	case s.renew:
		return s.saveRenewed(ctx)
	}
	return s.saveDelta(ctx)
}

// saveDelta writes only the changed fields, or touches a session that was
// read and not changed when its touch is due. If the stored session vanished
// meanwhile (expired, or destroyed by a concurrent logout) it is not
// recreated: the changes start a new session under a fresh token instead.
// A corrupt stored session (seen only now, as nothing loaded it) is treated
// the same way, as Load would treat it: absent.
func (s *Session) saveDelta(ctx context.Context) error {
	rules := s.rules()
	if !s.changed() {
		if s.loaded && s.status == StatusActive && rules.For(s.life).TouchDue(s.touched) {
			if err := s.m.store.Touch(ctx, s.hashedToken(), rules); err != nil {
				// The data is safe; the session may only end a little early.
				s.m.cfg.logger.Warn("session: touch failed", "error", err)
			}
		}
		return nil
	}
	newUser, newLife := s.newUser, s.newLife
	changed, bytes := s.pendingSize()
	ch := s.change()
	ch.Lifetime = newLife
	err := s.m.store.Save(ctx, s.hashedToken(), ch, rules)
	switch {
	case errors.Is(err, ErrCorrupt):
		s.m.cfg.logger.Warn("session: corrupt session treated as absent", "error", err)
		fallthrough
	case errors.Is(err, ErrNotFound):
		s.startFresh()
		return s.saveNew(ctx)
	case err != nil:
		return fmt.Errorf("session: save: %w", err)
	}
	s.committed(ctx, changed, bytes)
	oldUser := s.user // known only if the session was loaded
	s.applied()
	if newLife != nil {
		s.life, s.newLife = *newLife, nil
		s.deadline = s.created.Add(rules.For(s.life).Absolute)
		if !rules.Now.Before(s.deadline) { // shortened below the session's age: it ended
			s.clearToken()
			return nil
		}
		s.sendToken(s.token) // the cookie's Max-Age follows the lifetime
	}
	return s.reindex(ctx, oldUser, newUser, newLife != nil)
}

// reindex follows a user change on a session that stays under its ID
// (SetUser without Renew) or a new deadline (SetLifetime), and issues a
// remember-me token if asked.
func (s *Session) reindex(ctx context.Context, oldUser string, newUser *string, newDeadline bool) error {
	id := s.hashedToken()
	var add []IndexEntry
	user := s.user
	if newUser != nil {
		if oldUser != *newUser {
			s.unindex(ctx, oldUser, id)
		}
		if *newUser != "" {
			add = append(add, IndexEntry{Handle: id, Deadline: s.deadline})
		}
	} else if newDeadline && user != "" {
		add = append(add, IndexEntry{Handle: id, Deadline: s.deadline})
	}
	var rememberID, selector string
	if s.remember && user != "" && s.m.users != nil {
		var e IndexEntry
		rememberID, selector, e = s.newRemember()
		add = append(add, e)
	}
	if len(add) == 0 {
		return nil
	}
	if err := s.index(ctx, user, add, nil); err != nil {
		return err
	}
	if rememberID != "" {
		return s.issueRemember(ctx, rememberID, selector, user)
	}
	return nil
}

// pendingSize is how many values the pending changes touch and the bytes
// of values they send.
func (s *Session) pendingSize() (changed, bytes int) {
	changed = len(s.set) + len(s.del) + len(s.appends)
	bytes = valuesSize(s.set)
	for k, elems := range s.appends {
		for _, e := range elems {
			bytes += len(k) + len(e)
		}
	}
	return changed, bytes
}

// committed reports a write to the Observer.
func (s *Session) committed(ctx context.Context, changed, bytes int) {
	if s.m.cfg.observer != nil {
		s.m.cfg.observer.Committed(ctx, changed, bytes)
	}
}

// change is the pending delta as a store Change.
func (s *Session) change() Change {
	ch := Change{Set: s.set, Delete: keysOf(s.del), Append: s.appends, User: s.newUser, Label: s.newLabel}
	if s.newUser != nil {
		ch.Delete = append(ch.Delete, legacyUserKey) // the user is metadata now
	}
	return ch
}

// applied folds the pending changes, now saved, into the loaded state and
// clears them, so a later flush does not write them again.
func (s *Session) applied() {
	if s.values != nil {
		for k := range s.del {
			delete(s.values, k)
		}
		for k, v := range s.set {
			s.values[k] = v
		}
		for k, elems := range s.appends {
			s.values[k] = AppendList(s.values[k], elems...)
		}
	}
	if s.newUser != nil {
		s.user = *s.newUser
	}
	s.set, s.del, s.appends, s.newUser = nil, nil, nil, nil
}

// saveNew creates the session if the request stored anything; otherwise it
// only expires a stale token the client sent.
func (s *Session) saveNew(ctx context.Context) error {
	if err := s.restore(ctx); err != nil { // a write-only request of a remembered visitor
		return err
	}
	values := s.pendingValues(nil)
	user := ""
	if s.newUser != nil {
		user = *s.newUser
	}
	if len(values) == 0 && user == "" {
		if s.sentToken && s.accessed || s.issued {
			s.clearToken()
		}
		return nil
	}
	now := s.m.cfg.now()
	life := s.ownLifetime()
	c := creation{values: values, user: user, restored: s.restored, life: life, created: now, deadline: now.Add(s.rules().For(life).Absolute)}
	if s.newLabel != nil {
		c.label = *s.newLabel
	}
	return s.create(ctx, c)
}

// pendingValues applies the pending changes to base (which it may modify)
// and returns the values the session will hold. The legacy user value goes:
// the user is metadata now.
func (s *Session) pendingValues(base map[string][]byte) map[string][]byte {
	if base == nil {
		base = make(map[string][]byte, len(s.set)+len(s.appends))
	}
	delete(base, legacyUserKey)
	for k := range s.del {
		delete(base, k)
	}
	for k, v := range s.set {
		base[k] = v
	}
	for k, elems := range s.appends {
		base[k] = AppendList(base[k], elems...)
	}
	return base
}

// saveRenewed moves the session to a fresh token: it takes the stored
// session (read and removed in one step, so nothing written on the old
// token is lost and a Destroy that came first is not undone), then creates
// the new one holding the taken values with this request's changes. Two
// keys, two calls: no multi-key script, no RENAME, so it works on Cluster.
func (s *Session) saveRenewed(ctx context.Context) error {
	old := s.hashedToken()
	c := creation{token: newToken()}
	if s.newUser != nil && *s.newUser != "" && !s.m.indexesAfterCreate() {
		// A login: its index entry comes first, so a refused login (the
		// user's session limit) changes nothing.
		c.user = *s.newUser
		c.indexed = true
		if err := s.indexNew(ctx, &c, []string{old}); err != nil {
			return err
		}
	}
	rec, found, err := s.m.store.Take(ctx, old, s.rules())
	switch {
	case errors.Is(err, ErrCorrupt):
		s.m.cfg.logger.Warn("session: corrupt session treated as absent", "error", err)
		found = false
	case err != nil:
		return fmt.Errorf("session: renew: %w", err)
	}
	now := s.m.cfg.now()
	d, user, ok := s.m.usable(rec, now)
	if !found || !ok {
		// Gone meanwhile (a logout, say): nothing to carry over.
		s.startFresh()
		return s.saveNew(ctx)
	}
	c.life = rec.Lifetime // a renewed session keeps its lifetime
	if s.newLife != nil {
		c.life = *s.newLife
	}
	absolute := s.rules().For(c.life).Absolute
	if s.newUser == nil {
		c.user = user
		c.created, c.deadline = rec.Created, d // not a login: the lifetime goes on
		if s.newLife != nil {
			c.deadline = rec.Created.Add(absolute)
		}
	} else {
		c.user = *s.newUser
		c.created, c.deadline = now, now.Add(absolute) // a login: counted from now
		if user != c.user {
			s.unindex(ctx, user, old)
		}
		// The index entry was written before the take, with the lifetime
		// known then; a lifetime the take brought needs it moved.
		c.reindex = c.indexed && absolute != c.indexedAbsolute
	}
	c.label, c.restored = rec.Label, rec.Restored && s.newUser == nil
	if s.newLabel != nil {
		c.label = *s.newLabel
	}
	if !c.indexed {
		c.drop = []string{old}
	}
	base := rec.Values
	s.startFresh()
	c.values = s.pendingValues(maps.Clone(base))
	if err := s.create(ctx, c); !errors.Is(err, ErrTooLarge) {
		return err
	}
	// This request's changes do not fit: keep the session as it was, under
	// the new token, and fail the request.
	clear(s.set)
	clear(s.appends)
	s.del = nil
	c.values = s.pendingValues(base)
	if cerr := s.create(ctx, c); cerr != nil {
		return cerr
	}
	return fmt.Errorf("session: renew: %w", ErrTooLarge)
}

// usable reports whether a stored record is alive and well formed, and
// returns its effective deadline and user. A record with one bad value is
// refused whole rather than served in part.
func (m *Manager) usable(rec Record, now time.Time) (deadline time.Time, user string, ok bool) {
	deadline = Deadline(rec.Created, rec.Deadline, m.rules().For(rec.Lifetime).Absolute)
	if !now.Before(deadline) {
		return deadline, "", false
	}
	if rec.Created.After(now.Add(MaxClockSkew)) || rec.Created.After(rec.Deadline) {
		m.cfg.logger.Warn("session: corrupt session treated as absent", "error", fmt.Errorf("%w: impossible times", ErrCorrupt))
		return deadline, "", false
	}
	user = rec.User
	for key, v := range rec.Values {
		if !m.valid(v) {
			m.cfg.logger.Warn("session: corrupt session treated as absent", "error", fmt.Errorf("%w: value %q", ErrCorrupt, key))
			return deadline, "", false
		}
		if key == legacyUserKey && user == "" {
			_ = m.decode(key, v, &user)
		}
	}
	return deadline, user, true
}

// creation is a session about to be created.
type creation struct {
	token             string // a fresh token made beforehand, or "" for one made now
	values            map[string][]byte
	user, label       string
	restored          bool
	life              Lifetime // the session's own lifetime
	created, deadline time.Time
	drop              []string // index entries of the user this session replaces
	indexed           bool     // indexNew already ran
	rememberID        string   // the remember-me token made with the index entry
	rememberSelector  string
	indexedAbsolute   time.Duration // the absolute timeout indexNew counted the deadline with
	reindex           bool          // the index entry needs the final deadline
}

// create stores a new session under a fresh token and sends the token,
// after recording it in its user's index (with a remember-me token when
// Remember asked for one). A session whose deadline has already passed is
// not stored.
func (s *Session) create(ctx context.Context, c creation) error {
	rules := s.rules()
	if rules.For(c.life).TTL(c.deadline) < time.Millisecond {
		return nil
	}
	if c.token == "" {
		c.token = newToken()
	}
	indexAfter := !c.indexed && c.user != "" && s.m.indexesAfterCreate()
	if !c.indexed && c.user != "" && !indexAfter {
		if err := s.indexNew(ctx, &c, c.drop); err != nil {
			return err
		}
	}
	id := storeID(c.token)
	if c.reindex {
		if err := s.index(ctx, c.user, []IndexEntry{{Handle: id, Deadline: c.deadline}}, nil); err != nil {
			return err
		}
	}
	rec := Record{Created: c.created, Deadline: c.deadline, Touched: rules.Now, User: c.user, Label: c.label,
		Restored: c.restored, Lifetime: c.life, Values: c.values}
	if err := s.m.store.Create(ctx, id, rec, rules); err != nil {
		return fmt.Errorf("session: create: %w", err)
	}
	if indexAfter {
		if err := s.indexNew(ctx, &c, c.drop); err != nil {
			if _, derr := s.m.store.Delete(ctx, id); derr != nil {
				s.m.cfg.logger.Warn("session: unindexed session not deleted", "error", derr)
			}
			return err
		}
	}
	if c.drop != nil || s.renew {
		s.m.observe(ctx, EventRenewed)
	} else {
		s.m.observe(ctx, EventCreated)
	}
	s.committed(ctx, len(c.values), valuesSize(c.values))
	s.token, s.id, s.status, s.loaded = c.token, id, StatusActive, true
	s.created, s.deadline, s.touched, s.user, s.values = c.created, c.deadline, rules.Now, c.user, c.values
	s.label, s.restored, s.life = c.label, c.restored, c.life
	s.set, s.del, s.appends, s.newUser, s.newLabel, s.newLife, s.renew = nil, nil, nil, nil, nil, nil, false
	s.sendToken(c.token)
	if c.rememberID != "" {
		s.remember = false
		return s.issueRemember(ctx, c.rememberID, c.rememberSelector, c.user)
	}
	return nil
}

// indexesAfterCreate reports whether a login's index entry is written after
// its session, not before: with a limit that evicts. Evicting a session
// that another login has indexed but not yet stored would delete nothing,
// and that login would then store it, outside the index and the limit.
// Indexed after it exists, a session is deleted when evicted; sessions not
// yet indexed cannot be evicted, and each index call trims to the limit.
// (A limit that refuses indexes first, so a refused login writes nothing.)
func (m *Manager) indexesAfterCreate() bool {
	return m.users != nil && m.cfg.limit.Max > 0 && !m.cfg.limit.Refuse
}

// indexNew records the session c will create in its user's index, with
// the remember-me token Remember asked for, dropping drop.
func (s *Session) indexNew(ctx context.Context, c *creation, drop []string) error {
	add := []IndexEntry{{Handle: storeID(c.token), Deadline: c.deadline}}
	if c.deadline.IsZero() { // a login, before the take: the lifetime known now
		c.indexedAbsolute = s.ownRules().Absolute
		add[0].Deadline = s.m.cfg.now().Add(c.indexedAbsolute)
	}
	if s.remember && s.m.users != nil {
		var e IndexEntry
		c.rememberID, c.rememberSelector, e = s.newRemember()
		add = append(add, e)
	}
	c.indexed = true
	c.drop = nil
	return s.index(ctx, c.user, add, drop)
}

func (s *Session) sendToken(token string) {
	c := &s.m.cfg
	s.issued = true
	s.carrier.SetHeader("Cache-Control", "no-store")
	if s.viaHeader {
		s.carrier.SetHeader(c.header, token)
		return
	}
	s.carrier.AddHeader("Set-Cookie", c.cookie.issue(token, c.now(), s.deadline, s.life != Lifetime{}))
}

func (s *Session) clearToken() {
	c := &s.m.cfg
	s.carrier.SetHeader("Cache-Control", "no-store")
	if s.viaHeader {
		s.carrier.SetHeader(c.header, "")
		return
	}
	s.carrier.AddHeader("Set-Cookie", c.cookie.expire())
}

func keysOf(m map[string]struct{}) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}
