package stack

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
)

// Sessions stores count sessions of n values of size bytes each (names
// k00, k01, ...; each value a string as the JSON codec stores it, j"vvv…")
// the way library stores them, under cfg.Prefix, and returns their keys.
// LibSesskit goes through redisstore.Store.Create with the Manager's
// default lifetimes, which is what a new session's first commit does;
// LibFloor through the floor's create. Memory measurements use it.
func Sessions(ctx context.Context, cfg Config, library string, n, size, count int) ([]string, error) {
	if size < 3 {
		return nil, fmt.Errorf("stack: sessions: a value of %d bytes cannot hold j\"\"", size)
	}
	value := `j"` + strings.Repeat("v", size-3) + `"`
	rdb := cfg.goRedis()
	defer rdb.Close()
	keys := make([]string, 0, count)
	switch library {
	case LibSesskit:
		store, err := redisstore.New(rdb, redisstore.WithPrefix(cfg.Prefix))
		if err != nil {
			return nil, err
		}
		for range count {
			values := make(map[string][]byte, n)
			for i := range n {
				values[fmt.Sprintf("k%02d", i)] = []byte(value)
			}
			now := time.Now()
			rec := session.Record{Created: now, Deadline: now.Add(floorAbsolute), Touched: now, Values: values}
			rules := session.Rules{Now: now, Idle: floorIdle, Absolute: floorAbsolute, TouchInterval: floorIdle / 10}
			id := randomID()
			if err := store.Create(ctx, id, rec, rules); err != nil {
				return keys, err
			}
			keys = append(keys, cfg.Prefix+id)
		}
	case LibFloor:
		f := &floor{rdb: rdb, prefix: cfg.Prefix}
		fields := make([]any, 0, 2*n)
		for i := range n {
			fields = append(fields, fmt.Sprintf("k%02d", i), value)
		}
		for range count {
			token, err := f.create(ctx, fields)
			if err != nil {
				return keys, err
			}
			keys = append(keys, f.key(token))
		}
	default:
		return nil, fmt.Errorf("stack: sessions: library %q stores no sessions here", library)
	}
	return keys, nil
}

// randomID is a session ID as sesskit makes them: the hash of a fresh token.
func randomID() string {
	var b [32]byte
	rand.Read(b[:])
	sum := sha256.Sum256(b[:])
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
