package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/benchmarks/report"
	"github.com/sesskit/sesskit/benchmarks/stack"
)

// memoryShapes are the sessions whose memory the report gives: 1, 10 and
// 50 values, of 16 bytes (short strings, ids, flags) and of 80 bytes (the
// large session's values), stored by sesskit and by the floor; and the
// 80-byte ones again with hash-max-listpack-value raised above their size.
var memoryShapes = func() []report.Memory {
	var out []report.Memory
	for _, size := range []int{16, 80} {
		for _, lib := range []string{stack.LibSesskit, stack.LibFloor} {
			for _, n := range []int{1, 10, 50} {
				out = append(out, report.Memory{Library: lib, Values: n, ValueBytes: size})
			}
		}
	}
	for _, n := range []int{1, 10, 50} {
		out = append(out, report.Memory{Library: stack.LibSesskit, Values: n, ValueBytes: 80, Config: "hash-max-listpack-value 128"})
	}
	return out
}()

// measureMemory stores o.memCount sessions of each shape on the private
// Redis and reads MEMORY USAGE of one and the growth of used_memory over
// all, then deletes them.
func measureMemory(ctx context.Context, base stack.Config, admin *redis.Client, o options) ([]report.Memory, error) {
	// One unmeasured batch first: the first sessions also pay for the
	// server's client buffers and table growth the rows below then share.
	warm := base
	warm.Prefix = base.Prefix + "memwarm:"
	keys, err := stack.Sessions(ctx, warm, stack.LibSesskit, 1, 16, o.memCount)
	if err != nil {
		return nil, err
	}
	if err := deleteKeys(ctx, admin, keys); err != nil {
		return nil, err
	}
	var out []report.Memory
	for i, m := range memoryShapes {
		if ctx.Err() != nil {
			return nil, errInterrupted
		}
		cfg := base
		cfg.Prefix = fmt.Sprintf("%smem%d:", base.Prefix, i)
		restore := func() error { return nil }
		if m.Config != "" {
			name, value, _ := strings.Cut(m.Config, " ")
			old, err := admin.ConfigGet(ctx, name).Result()
			if err != nil {
				return nil, err
			}
			if err := admin.ConfigSet(ctx, name, value).Err(); err != nil {
				return nil, err
			}
			restore = func() error { return admin.ConfigSet(ctx, name, old[name]).Err() }
		}
		before, err := usedMemory(ctx, admin)
		if err == nil {
			var keys []string
			keys, err = stack.Sessions(ctx, cfg, m.Library, m.Values, m.ValueBytes, o.memCount)
			if err == nil {
				var after int64
				if after, err = usedMemory(ctx, admin); err == nil {
					m.Count = len(keys)
					m.PerSession = float64(after-before) / float64(len(keys))
					m.Usage, err = admin.MemoryUsage(ctx, keys[0], 0).Result()
				}
				if err == nil {
					m.Encoding, err = admin.ObjectEncoding(ctx, keys[0]).Result()
				}
			}
			if derr := deleteKeys(ctx, admin, keys); derr != nil && err == nil {
				err = derr
			}
		}
		if rerr := restore(); rerr != nil && err == nil {
			err = rerr
		}
		if err != nil {
			return nil, fmt.Errorf("memory %s %d×%d B: %w", m.Library, m.Values, m.ValueBytes, err)
		}
		logf("  memory %-7s %2d values of %2d B %-27s %-9s MEMORY USAGE %5d B, used_memory +%6.0f B per session",
			m.Library, m.Values, m.ValueBytes, m.Config, m.Encoding, m.Usage, m.PerSession)
		out = append(out, m)
	}
	return out, nil
}

func deleteKeys(ctx context.Context, admin *redis.Client, keys []string) error {
	for len(keys) > 0 {
		batch := keys[:min(len(keys), 500)]
		keys = keys[len(batch):]
		if err := admin.Del(ctx, batch...).Err(); err != nil {
			return err
		}
	}
	return nil
}

func usedMemory(ctx context.Context, admin *redis.Client) (int64, error) {
	info, err := admin.Info(ctx, "memory").Result()
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, fmt.Errorf("INFO memory has no used_memory")
}
