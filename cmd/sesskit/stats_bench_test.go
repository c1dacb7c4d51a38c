package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/codecs/msgpack"
	"github.com/sesskit/sesskit/core/session"
)

// BenchmarkStats100k times one `sesskit stats -json` over 100,000 sessions
// on a private redis-server, and reports the Redis commands it sent (INFO
// commandstats of the last run) and the Redis CPU time they took:
//
//	go test -run '^$' -bench Stats100k -benchtime 5x ./cmd/sesskit
func BenchmarkStats100k(b *testing.B) {
	const sessions = 100_000
	url := privateRedis(b)
	opt, _ := redis.ParseURL(url)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	ctx := context.Background()
	fill(b, ctx, rdb, sessions)

	var out bytes.Buffer
	for b.Loop() {
		// The counters are reset before each run: the last one is reported.
		if err := rdb.ConfigResetStat(ctx).Err(); err != nil {
			b.Fatal(err)
		}
		out.Reset()
		var stderr bytes.Buffer
		if code := run([]string{"stats", "-redis", url, "-json"}, &out, &stderr); code != 0 {
			b.Fatalf("stats: exit %d: %s", code, stderr.String())
		}
	}
	b.StopTimer()
	var r statsReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || r.Sessions != sessions {
		b.Fatalf("stats counted %d sessions (%v), want %d", r.Sessions, err, sessions)
	}
	info, err := rdb.Info(ctx, "commandstats").Result()
	if err != nil {
		b.Fatal(err)
	}
	var calls, usec int64
	var lines []string
	for line := range strings.SplitSeq(info, "\n") {
		name, fields, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}
		var c, u int64
		for kv := range strings.SplitSeq(fields, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "calls":
				c, _ = strconv.ParseInt(v, 10, 64)
			case "usec":
				u, _ = strconv.ParseInt(v, 10, 64)
			}
		}
		if strings.HasPrefix(name, "cmdstat_config") {
			continue
		}
		calls, usec = calls+c, usec+u
		lines = append(lines, fmt.Sprintf("%s calls=%d usec=%d", strings.TrimPrefix(name, "cmdstat_"), c, u))
	}
	b.ReportMetric(float64(calls), "redis-cmds/op")
	b.ReportMetric(float64(usec)/1000, "redis-ms/op")
	b.Logf("one stats run over %d sessions, Redis commandstats: %s", sessions, strings.Join(lines, "; "))
}

// fill writes n sessions in sesskit's layout with pipelines of 1000:
// two thirds with JSON values, a third MessagePack, a quarter with a user.
func fill(b *testing.B, ctx context.Context, rdb *redis.Client, n int) {
	b.Helper()
	packed, err := msgpack.Codec{}.Marshal(map[string]any{"theme": "dark", "lang": "en"})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for start := 0; start < n; start += 1000 {
		_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := start; i < min(start+1000, n); i++ {
				var idBytes [32]byte
				binary.BigEndian.PutUint64(idBytes[:], uint64(i))
				key := "sesskit:" + base64.RawURLEncoding.EncodeToString(idBytes[:])
				values := map[string][]byte{"cart": []byte(`j{"items":[1,2,3],"total":4200}`)}
				if i%3 == 2 {
					values = map[string][]byte{"prefs": append([]byte{'m'}, packed...)}
				}
				size := 0
				args := []any{"@c", now.UnixMilli(), "@d", now.Add(12 * time.Hour).UnixMilli(), "@t", now.UnixMilli()}
				for k, v := range values {
					size += session.Size(k, v)
					args = append(args, k, v)
				}
				args = append(args, "@s", size, "@n", len(values))
				if i%4 == 0 {
					args = append(args, "@u", "user"+strconv.Itoa(i))
				}
				p.HSet(ctx, key, args...)
				p.PExpire(ctx, key, time.Duration(30+i%600)*time.Minute)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
