package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
)

// statsReport is what stats prints; -json prints it as it is.
type statsReport struct {
	Topology       string           `json:"topology"`
	Prefix         string           `json:"prefix"`
	Primaries      int              `json:"primaries"`
	Sessions       int64            `json:"sessions"`
	WithUser       int64            `json:"sessions_with_user"`
	Restored       int64            `json:"sessions_restored"`
	Renewed        int64            `json:"renewal_markers"`
	RememberTokens int64            `json:"remember_tokens"`
	UserIndexes    int64            `json:"user_indexes"`
	OtherKeys      int64            `json:"other_keys"` // under the prefix, not written by sesskit
	Corrupt        int64            `json:"corrupt"`    // session keys that do not follow the layout
	NoTTL          int64            `json:"sessions_without_ttl"`
	Values         int64            `json:"values"`
	Size           int64            `json:"size_bytes"` // the sessions' sizes as the limits count them
	Codecs         map[string]int64 `json:"codecs"`     // values per encoding
	Memory         memoryEstimate   `json:"memory"`
	TTL            []bucket         `json:"ttl_histogram"`
	Sizes          []bucket         `json:"size_histogram"`
	ElapsedMillis  int64            `json:"elapsed_ms"`
}

type memoryEstimate struct {
	Sampled    int64 `json:"sampled"`                 // sessions given to MEMORY USAGE
	PerSession int64 `json:"per_session_bytes"`       // their mean
	Sessions   int64 `json:"estimated_session_bytes"` // the mean times the sessions
	UsedMemory int64 `json:"used_memory_bytes"`       // INFO memory, summed over the primaries
}

// tally is what one batch of keys adds to the report.
type tally struct {
	sessions, withUser, restored, renewed, remember, indexes, other, corrupt, noTTL int64
	values, size, sampled, sampledBytes                                             int64
	codecs                                                                          map[string]int64
	ttl, sizes                                                                      *histogram
}

func newTally() *tally {
	return &tally{codecs: map[string]int64{}, ttl: ttlHistogram(), sizes: sizeHistogram()}
}

func (t *tally) merge(o *tally) {
	t.sessions += o.sessions
	t.withUser += o.withUser
	t.restored += o.restored
	t.renewed += o.renewed
	t.remember += o.remember
	t.indexes += o.indexes
	t.other += o.other
	t.corrupt += o.corrupt
	t.noTTL += o.noTTL
	t.values += o.values
	t.size += o.size
	t.sampled += o.sampled
	t.sampledBytes += o.sampledBytes
	for k, n := range o.codecs {
		t.codecs[k] += n
	}
	t.ttl.merge(o.ttl)
	t.sizes.merge(o.sizes)
}

func runStats(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlagSet("stats", "", stderr)
	asJSON := f.Bool("json", false, "print one JSON object")
	sample := f.Int("sample", 1000, "sessions whose MEMORY USAGE is read, for the memory estimate")
	batch := f.Int("batch", 1000, "SCAN COUNT: keys per round trip")
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	if *sample < 0 || *batch < 1 {
		return usageError{fmt.Errorf("-sample must be >= 0 and -batch >= 1")}
	}
	cn, err := f.conn.connect(ctx)
	if err != nil {
		return err
	}
	defer cn.Close()
	r, err := stats(ctx, cn, *sample, *batch, stderr)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, r)
	}
	printStats(stdout, r)
	return nil
}

// stats scans every primary (SCAN, never KEYS) and reads each session with
// HGETALL and PTTL, pipelined per SCAN batch; the first sample sessions
// also get a MEMORY USAGE.
func stats(ctx context.Context, cn *conn, sample, batch int, stderr io.Writer) (*statsReport, error) {
	began := time.Now()
	var (
		mu         sync.Mutex
		total      = newTally()
		primaries  int
		keys, used int64
	)
	// DBSIZE (for the progress bar) and INFO (Redis's own memory figure)
	// are nice to have: a user allowed neither still gets the counts.
	_ = cn.forEachPrimary(ctx, func(ctx context.Context, _ string, c *redis.Client) error {
		bctx, cancel := cn.bound(ctx)
		defer cancel()
		n, _ := c.DBSize(bctx).Result()
		info, _ := c.InfoMap(bctx, "memory").Result()
		m, _ := strconv.ParseInt(info["Memory"]["used_memory"], 10, 64)
		mu.Lock()
		primaries, keys, used = primaries+1, keys+n, used+m
		mu.Unlock()
		return nil
	})
	prog := newProgress(stderr, keys)
	var left atomic.Int64
	left.Store(int64(sample))
	err := cn.forEachPrimary(ctx, func(ctx context.Context, name string, c *redis.Client) error {
		bctx, cancel := cn.bound(ctx)
		keys, cursor, err := c.Scan(bctx, 0, cn.store.Pattern(), int64(batch)).Result()
		cancel()
		for err == nil {
			var t *tally
			var next []string
			t, next, cursor, err = readBatch(ctx, cn, c, keys, cursor, batch, &left)
			if err != nil {
				break
			}
			mu.Lock()
			total.merge(t)
			mu.Unlock()
			prog.add(len(keys))
			if keys = next; keys == nil && cursor == 0 {
				return nil
			}
		}
		return fmt.Errorf("on %s: %w", name, err)
	})
	prog.end()
	if err != nil {
		return nil, err
	}
	r := &statsReport{
		Topology: cn.topology, Prefix: cn.store.Prefix(), Primaries: primaries,
		Sessions: total.sessions, WithUser: total.withUser, Restored: total.restored, Renewed: total.renewed,
		RememberTokens: total.remember, UserIndexes: total.indexes, OtherKeys: total.other,
		Corrupt: total.corrupt, NoTTL: total.noTTL, Values: total.values, Size: total.size, Codecs: total.codecs,
		TTL: total.ttl.buckets(), Sizes: total.sizes.buckets(),
		Memory:        memoryEstimate{Sampled: total.sampled, UsedMemory: used},
		ElapsedMillis: time.Since(began).Milliseconds(),
	}
	if total.sampled > 0 {
		r.Memory.PerSession = total.sampledBytes / total.sampled
		r.Memory.Sessions = total.sampledBytes * total.sessions / total.sampled
	}
	return r, nil
}

// readBatch classifies one SCAN batch and reads its sessions in one
// pipeline on the primary that holds them; unless cursor is 0 (the scan is
// over), the same round trip asks for the next batch, which it returns
// (next is nil when the scan is over).
func readBatch(ctx context.Context, cn *conn, c *redis.Client, keys []string, cursor uint64, batch int, left *atomic.Int64) (t *tally, next []string, nextCursor uint64, err error) {
	t = newTally()
	type read struct {
		hash *redis.MapStringStringCmd
		ttl  *redis.DurationCmd
		mem  *redis.IntCmd
	}
	var reads []read
	for _, key := range keys {
		switch kind, _ := cn.store.ParseKey(key); kind {
		case redisstore.KeySession:
			reads = append(reads, read{})
		case redisstore.KeyRemember:
			t.remember++
		case redisstore.KeyUserIndex:
			t.indexes++
		default:
			t.other++
		}
	}
	if len(reads) == 0 && cursor == 0 {
		return t, nil, 0, nil
	}
	bctx, cancel := cn.bound(ctx)
	defer cancel()
	var scan *redis.ScanCmd
	// Errors are read per command below: a refused MEMORY USAGE only
	// leaves a session out of the memory sample.
	_, _ = c.Pipelined(bctx, func(p redis.Pipeliner) error {
		i := 0
		for _, key := range keys {
			if kind, _ := cn.store.ParseKey(key); kind != redisstore.KeySession {
				continue
			}
			reads[i].hash, reads[i].ttl = p.HGetAll(bctx, key), p.PTTL(bctx, key)
			if left.Add(-1) >= 0 {
				reads[i].mem = p.MemoryUsage(bctx, key, 0)
			}
			i++
		}
		if cursor != 0 {
			scan = p.Scan(bctx, cursor, cn.store.Pattern(), int64(batch))
		}
		return nil
	})
	if scan != nil {
		if next, nextCursor, err = scan.Result(); err != nil {
			return nil, nil, 0, fmt.Errorf("SCAN: %w", err)
		}
		if next == nil {
			next = []string{}
		}
	}
	for _, rd := range reads {
		h, err := rd.hash.Result()
		switch {
		case err != nil && !redis.HasErrorPrefix(err, "WRONGTYPE"):
			return nil, nil, 0, err
		case rd.ttl.Err() != nil && !redis.HasErrorPrefix(rd.ttl.Err(), "WRONGTYPE"):
			return nil, nil, 0, rd.ttl.Err()
		case len(h) == 0 && err == nil:
			continue // expired since the SCAN
		}
		rec, renewed, perr := redisstore.ParseSession(h)
		switch {
		case err != nil || perr != nil:
			t.corrupt++
			continue
		case renewed:
			t.renewed++
			continue
		}
		t.sessions++
		if rec.User != "" {
			t.withUser++
		}
		if rec.Restored {
			t.restored++
		}
		size := 0
		for name, v := range rec.Values {
			size += session.Size(name, v)
			t.codecs[valueKind(v)]++
		}
		t.values += int64(len(rec.Values))
		t.size += int64(size)
		t.sizes.add(int64(size))
		if d := rd.ttl.Val(); d > 0 {
			t.ttl.add(d.Milliseconds())
		} else {
			t.noTTL++
		}
		if rd.mem != nil && rd.mem.Err() == nil {
			t.sampled++
			t.sampledBytes += rd.mem.Val()
		}
	}
	return t, next, nextCursor, nil
}

func printStats(w io.Writer, r *statsReport) {
	fmt.Fprintf(w, "sessions     %d under %q on %d primar%s (%s), %d with a user, %d restored from remember-me\n",
		r.Sessions, r.Prefix, r.Primaries, plural(r.Primaries, "y", "ies"), r.Topology, r.WithUser, r.Restored)
	fmt.Fprintf(w, "other keys   %d remember-me tokens, %d user indexes, %d renewal markers, %d not sesskit's\n",
		r.RememberTokens, r.UserIndexes, r.Renewed, r.OtherKeys)
	if r.Corrupt > 0 || r.NoTTL > 0 {
		fmt.Fprintf(w, "PROBLEMS     %d session keys not in sesskit's layout, %d sessions without a TTL\n", r.Corrupt, r.NoTTL)
	}
	var mem []string
	if r.Memory.Sampled > 0 {
		mem = append(mem, fmt.Sprintf("~%s for sessions (%s each: MEMORY USAGE of %d)",
			bytesLabel(r.Memory.Sessions), bytesLabel(r.Memory.PerSession), r.Memory.Sampled))
	}
	if r.Memory.UsedMemory > 0 {
		mem = append(mem, fmt.Sprintf("Redis uses %s in all", bytesLabel(r.Memory.UsedMemory)))
	}
	if len(mem) > 0 {
		fmt.Fprintf(w, "memory       %s\n", strings.Join(mem, "; "))
	}
	fmt.Fprintf(w, "values       %d, %s in all (size as the limits count it)\n", r.Values, bytesLabel(r.Size))
	if len(r.Codecs) > 0 {
		names := make([]string, 0, len(r.Codecs))
		for k := range r.Codecs {
			names = append(names, k)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, k := range names {
			parts[i] = fmt.Sprintf("%s %d (%.0f%%)", k, r.Codecs[k], 100*float64(r.Codecs[k])/float64(r.Values))
		}
		fmt.Fprintf(w, "codecs       %s\n", strings.Join(parts, ", "))
	}
	if r.Sessions > 0 {
		fmt.Fprintln(w, "ttl left")
		printBuckets(w, "  ", r.TTL)
		fmt.Fprintln(w, "session size")
		printBuckets(w, "  ", r.Sizes)
	}
	fmt.Fprintf(w, "took         %v\n", time.Duration(r.ElapsedMillis)*time.Millisecond)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
