package sessiontest

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// Op names a Store method, for FaultStore.
type Op int

// The Store methods.
const (
	OpLoad Op = iota
	OpCreate
	OpSave
	OpTouch
	OpTake
	OpDelete
	OpIncr
	OpPop
	OpSwap
	OpPing
	OpIndex
	OpIndexed
	OpDescribe
	OpRevoke
	OpSaveRemember
	OpUseRemember
	numOps
)

// Writes are the methods that change a session, Delete aside.
var Writes = []Op{OpCreate, OpSave, OpTouch, OpTake, OpIncr, OpPop, OpSwap}

// UserOps are the methods of session.UserStore.
var UserOps = []Op{OpIndex, OpIndexed, OpDescribe, OpRevoke, OpSaveRemember, OpUseRemember}

// ErrInjected is what a FaultStore returns for the calls it fails: an
// unreachable store, as the engine sees it.
var ErrInjected = fmt.Errorf("sessiontest: injected store failure: %w", session.ErrUnavailable)

// FaultStore wraps a store for tests: it counts the calls that reach it and
// fails them on demand with Err. Its zero value needs Store set. It is safe
// for concurrent use.
type FaultStore struct {
	session.Store
	// Err is what failing calls return; nil means ErrInjected. Tests that
	// check a store's error text never reaches the client give one that
	// looks like a real network error.
	Err error

	calls [numOps]atomic.Int64
	fail  [numOps]atomic.Bool
}

// Calls returns how many calls of the given methods (all when none) were made.
func (f *FaultStore) Calls(ops ...Op) int64 {
	var n int64
	for _, op := range all(ops) {
		n += f.calls[op].Load()
	}
	return n
}

// Fail makes the given methods (all when none) fail with Err until Heal.
func (f *FaultStore) Fail(ops ...Op) {
	for _, op := range all(ops) {
		f.fail[op].Store(true)
	}
}

// Heal makes every method reach the store again.
func (f *FaultStore) Heal() {
	for op := range numOps {
		f.fail[op].Store(false)
	}
}

func all(ops []Op) []Op {
	if len(ops) > 0 {
		return ops
	}
	ops = make([]Op, numOps)
	for i := range ops {
		ops[i] = Op(i)
	}
	return ops
}

// call counts a call of op and reports the injected failure, if any.
func (f *FaultStore) call(op Op) error {
	f.calls[op].Add(1)
	switch {
	case !f.fail[op].Load():
		return nil
	case f.Err != nil:
		return f.Err
	}
	return ErrInjected
}

// Load implements session.Store.
func (f *FaultStore) Load(ctx context.Context, id string) (session.Record, bool, error) {
	if err := f.call(OpLoad); err != nil {
		return session.Record{}, false, err
	}
	return f.Store.Load(ctx, id)
}

// Create implements session.Store.
func (f *FaultStore) Create(ctx context.Context, id string, rec session.Record, r session.Rules) error {
	if err := f.call(OpCreate); err != nil {
		return err
	}
	return f.Store.Create(ctx, id, rec, r)
}

// Save implements session.Store.
func (f *FaultStore) Save(ctx context.Context, id string, ch session.Change, r session.Rules) error {
	if err := f.call(OpSave); err != nil {
		return err
	}
	return f.Store.Save(ctx, id, ch, r)
}

// Touch implements session.Store.
func (f *FaultStore) Touch(ctx context.Context, id string, r session.Rules) error {
	if err := f.call(OpTouch); err != nil {
		return err
	}
	return f.Store.Touch(ctx, id, r)
}

// Take implements session.Store.
func (f *FaultStore) Take(ctx context.Context, id string, r session.Rules) (session.Record, bool, error) {
	if err := f.call(OpTake); err != nil {
		return session.Record{}, false, err
	}
	return f.Store.Take(ctx, id, r)
}

// Delete implements session.Store.
func (f *FaultStore) Delete(ctx context.Context, id string) (string, error) {
	if err := f.call(OpDelete); err != nil {
		return "", err
	}
	return f.Store.Delete(ctx, id)
}

// Incr implements session.Store.
func (f *FaultStore) Incr(ctx context.Context, id, key string, delta int64, r session.Rules) (int64, error) {
	if err := f.call(OpIncr); err != nil {
		return 0, err
	}
	return f.Store.Incr(ctx, id, key, delta, r)
}

// Pop implements session.Store.
func (f *FaultStore) Pop(ctx context.Context, id, key string, r session.Rules) ([]byte, error) {
	if err := f.call(OpPop); err != nil {
		return nil, err
	}
	return f.Store.Pop(ctx, id, key, r)
}

// Swap implements session.Store.
func (f *FaultStore) Swap(ctx context.Context, id, key string, old, new []byte, r session.Rules) ([]byte, bool, error) {
	if err := f.call(OpSwap); err != nil {
		return nil, false, err
	}
	return f.Store.Swap(ctx, id, key, old, new, r)
}

// Ping implements session.Store.
func (f *FaultStore) Ping(ctx context.Context) error {
	if err := f.call(OpPing); err != nil {
		return err
	}
	return f.Store.Ping(ctx)
}

var _ session.UserStore = (*FaultStore)(nil)

// users is the wrapped store's per-user side.
func (f *FaultStore) users() (session.UserStore, error) {
	if us, ok := f.Store.(session.UserStore); ok {
		return us, nil
	}
	return nil, session.ErrNoUserStore
}

// Index implements session.UserStore.
func (f *FaultStore) Index(ctx context.Context, user string, add []session.IndexEntry, drop []string, limit session.Limit, now time.Time) ([]string, error) {
	us, err := f.users()
	if err == nil {
		err = f.call(OpIndex)
	}
	if err != nil {
		return nil, err
	}
	return us.Index(ctx, user, add, drop, limit, now)
}

// Indexed implements session.UserStore.
func (f *FaultStore) Indexed(ctx context.Context, user string, now time.Time) ([]session.IndexEntry, error) {
	us, err := f.users()
	if err == nil {
		err = f.call(OpIndexed)
	}
	if err != nil {
		return nil, err
	}
	return us.Indexed(ctx, user, now)
}

// Describe implements session.UserStore.
func (f *FaultStore) Describe(ctx context.Context, handles []string) ([]session.Device, error) {
	us, err := f.users()
	if err == nil {
		err = f.call(OpDescribe)
	}
	if err != nil {
		return nil, err
	}
	return us.Describe(ctx, handles)
}

// Revoke implements session.UserStore.
func (f *FaultStore) Revoke(ctx context.Context, handles []string) error {
	us, err := f.users()
	if err == nil {
		err = f.call(OpRevoke)
	}
	if err != nil {
		return err
	}
	return us.Revoke(ctx, handles)
}

// SaveRemember implements session.UserStore.
func (f *FaultStore) SaveRemember(ctx context.Context, id string, rec session.RememberRecord) error {
	us, err := f.users()
	if err == nil {
		err = f.call(OpSaveRemember)
	}
	if err != nil {
		return err
	}
	return us.SaveRemember(ctx, id, rec)
}

// UseRemember implements session.UserStore.
func (f *FaultStore) UseRemember(ctx context.Context, id, validator, next string, now time.Time) (session.RememberRecord, session.RememberOutcome, error) {
	us, err := f.users()
	if err == nil {
		err = f.call(OpUseRemember)
	}
	if err != nil {
		return session.RememberRecord{}, 0, err
	}
	return us.UseRemember(ctx, id, validator, next, now)
}
