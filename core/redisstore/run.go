package redisstore

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/session"
)

// script is a Lua script sent by its SHA1 (EVALSHA), and in full (EVAL)
// only when the server does not know it yet.
type script struct {
	src, hash string
}

func newScript(src string) *script {
	sum := sha1.Sum([]byte(src))
	return &script{src: src, hash: hex.EncodeToString(sum[:])}
}

// client is what runs commands: the client or a pinned connection.
type client interface {
	redis.Cmdable
	Process(ctx context.Context, cmd redis.Cmder) error
}

// onceCmd is a command go-redis must not retry: it may have run even when
// its reply was lost, and running it twice would change the outcome.
type onceCmd struct{ *redis.Cmd }

func (onceCmd) NoRetry() bool { return true }

// eval runs sc on key. NOSCRIPT means it did not run, so EVAL follows.
func eval(ctx context.Context, p client, sc *script, key string, args []any, idempotent bool) (any, error) {
	run := func(verb, body string) *redis.Cmd {
		cmd := redis.NewCmd(ctx, append([]any{verb, body, 1, key}, args...)...)
		if idempotent {
			_ = p.Process(ctx, cmd)
		} else {
			_ = p.Process(ctx, onceCmd{cmd})
		}
		return cmd
	}
	cmd := run("evalsha", sc.hash)
	if err := cmd.Err(); err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		cmd = run("eval", sc.src)
	}
	reply, err := cmd.Result()
	if err == redis.Nil {
		return nil, nil
	}
	return reply, err
}

// run runs a script under the call timeout (waiting for replicas with
// WithWait). Its errors are already classified.
func (s *Store) run(ctx context.Context, op string, sc *script, key string, args []any, idempotent bool) (any, error) {
	var reply any
	err := s.exec(ctx, op, key, func(ctx context.Context, c client) (bool, error) {
		var err error
		reply, err = eval(ctx, c, sc, key, args, idempotent)
		return wrote(reply), err
	})
	return reply, err
}

// wrote reports whether a script reply means something was written: every
// reply but a refusal code.
func wrote(reply any) bool {
	switch r := reply.(type) {
	case string:
		return true // delete
	case int64:
		return r == replyOK
	case []any:
		if len(r) == 0 {
			return false
		}
		if code, ok := r[0].(int64); ok {
			return code == replyOK
		}
		return true // take's hash
	}
	return false
}

// exec runs one write under the call timeout. With WithWait it runs it on
// a connection pinned to the key's primary and then waits there, as WAIT
// counts the writes of its own connection.
func (s *Store) exec(ctx context.Context, op, key string, write func(context.Context, client) (bool, error)) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if s.waitReplicas == 0 {
		if _, err := write(ctx, s.rdb); err != nil {
			return s.onFailure(op, err)
		}
		return nil
	}
	conn, err := s.pin(ctx, key)
	if err != nil {
		return s.onFailure(op, err)
	}
	defer conn.Close()
	changed, err := write(ctx, conn)
	if err != nil {
		return s.onFailure(op, err)
	}
	if !changed {
		return nil
	}
	n, err := conn.Wait(ctx, s.waitReplicas, s.waitTimeout).Result()
	if err != nil {
		return s.onFailure(op+": wait", err)
	}
	if n < int64(s.waitReplicas) {
		return fmt.Errorf("redisstore: %s: wait: %w: %d of %d replicas acknowledged", op, session.ErrUnavailable, n, s.waitReplicas)
	}
	return nil
}

// pin returns a connection to the primary that holds key.
func (s *Store) pin(ctx context.Context, key string) (*redis.Conn, error) {
	switch rdb := s.rdb.(type) {
	case *redis.Client:
		return rdb.Conn(), nil
	case *redis.ClusterClient:
		primary, err := rdb.MasterForKey(ctx, key)
		if err != nil {
			return nil, err
		}
		return primary.Conn(), nil
	}
	return nil, fmt.Errorf("%w on %T", errNoPin, s.rdb) // New refuses these
}
