// Command scriptcost measures what one session write or create costs a
// private Redis in different shapes: sesskit's own scripts (through
// core/redisstore, exactly as the Manager calls them), leaner scripts doing
// the same checks, a bare guarded write, and the plain commands of the
// benchmark floor. It is an experiment for the owner of core/redisstore,
// not part of the report:
//
//	scriptcost -redis redis://127.0.0.1:PORT/0 [-n 4000] [-rounds 5]
//
// For each variant and round it stores fresh sessions, sends n operations
// one after another on one connection, and reads INFO commandstats (each
// command counted once: the names the variant sends, not the ones its
// script runs) and INFO cpu around them. With -callgrind-pid, the Redis
// runs under `valgrind --tool=callgrind --callgrind-out-file=DIR/callgrind.out.%p`
// and the program, given -callgrind-dir DIR, also reports instructions per
// operation (callgrind_control -z before, -d after), which no other work on
// the machine disturbs. Everything it writes is
// under a prefix of its own, deleted at the end.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/benchmarks/redistap"
	"github.com/sesskit/sesskit/benchmarks/report"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
)

// leanSave is a flat script for a change that sets values: one HMGET for
// the metadata and the changed fields, the checks of core/redisstore's save
// script (renewal marker, unreadable or impossible times, deadline, value,
// size and count limits from the running @s/@n, touch due), one HSET, and
// PEXPIRE only when the touch is due. No helper closures. (Layout-1
// sessions, deletes, appends and the user are left out of the experiment.)
// ARGV: now, idle, absolute, interval, maxsize, maxkeys, maxvalue, then
// name, value, ...
const leanSave = `
local key = KEYS[1]
local now, idle, absolute, interval = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local maxsize, maxkeys, maxvalue = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local np = (#ARGV - 7) / 2
local q = {'@c', '@d', '@t', '@s', '@n', '@m'}
for i = 1, np do q[6 + i] = ARGV[6 + 2 * i] end
--HMGET--
if m[6] then return 4 end
local c, d, t = m[1], m[2], m[3]
if c and #c <= 18 and string.match(c, '^%d+$') then c = tonumber(c) else c = nil end
if d and #d <= 18 and string.match(d, '^%d+$') then d = tonumber(d) else d = nil end
if not c or not d then
  if not m[1] and not m[2] and redis.call('EXISTS', key) == 0 then return 1 end
  return 3
end
if c > d or c > now + 300000 then return 3 end
d = math.min(d, c + absolute)
if d <= now then
  redis.call('DEL', key)
  return 1
end
local size, n = tonumber(m[4]), tonumber(m[5])
if not size or not n then return 3 end
local size0, n0 = size, n
local set = {}
for i = 1, np do
  local name, new, old = ARGV[6 + 2 * i], ARGV[7 + 2 * i], m[6 + i]
  if old then size, n = size - #name - #old - 64, n - 1 end
  if maxvalue > 0 and #name + #new > maxvalue then return 2 end
  size, n = size + #name + #new + 64, n + 1
  set[#set + 1] = name
  set[#set + 1] = new
end
if maxsize > 0 and size > maxsize and size > size0 then return 2 end
if maxkeys > 0 and n > maxkeys and n > n0 then return 2 end
if t and #t <= 18 and string.match(t, '^%d+$') then t = tonumber(t) else t = 0 end
local touch = now - t >= interval
if size ~= size0 or n ~= n0 then
  set[#set + 1] = '@s'
  set[#set + 1] = string.format('%d', size)
  set[#set + 1] = '@n'
  set[#set + 1] = string.format('%d', n)
end
if touch then
  set[#set + 1] = '@t'
  set[#set + 1] = ARGV[1]
end
redis.call('HSET', key, unpack(set))
if touch then redis.call('PEXPIRE', key, math.min(idle, d - now)) end
return 0
`

var (
	leanOne = redis.NewScript(strings.Replace(leanSave, "--HMGET--", `local m = redis.call('HMGET', key, unpack(q))`, 1))
	leanTwo = redis.NewScript(strings.Replace(leanSave, "--HMGET--", `local m = redis.call('HMGET', key, '@c', '@d', '@t', '@s', '@n', '@m')
local v = redis.call('HMGET', key, unpack(q, 7))
for i = 1, np do m[6 + i] = v[i] end`, 1))
	// leanMin keeps the renewal marker, the existence check, the deadline
	// (as stored, without the created + absolute cap), the limits and the
	// touch, with tonumber instead of pattern checks and no @c: what is left
	// if unreadable times are left to the load.
	leanMin = redis.NewScript(`
local key = KEYS[1]
local now, idle, interval = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
local maxsize, maxkeys, maxvalue = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local np = (#ARGV - 7) / 2
local q = {'@d', '@t', '@s', '@n', '@m'}
for i = 1, np do q[5 + i] = ARGV[6 + 2 * i] end
local m = redis.call('HMGET', key, unpack(q))
if m[5] then return 4 end
local d, size, n = tonumber(m[1]), tonumber(m[3]), tonumber(m[4])
if not d or not size or not n then
  if not m[1] and redis.call('EXISTS', key) == 0 then return 1 end
  return 3
end
if d <= now then
  redis.call('DEL', key)
  return 1
end
local size0, n0, set = size, n, {}
for i = 1, np do
  local name, new, old = ARGV[6 + 2 * i], ARGV[7 + 2 * i], m[5 + i]
  if old then size, n = size - #name - #old - 64, n - 1 end
  if maxvalue > 0 and #name + #new > maxvalue then return 2 end
  size, n = size + #name + #new + 64, n + 1
  set[#set + 1] = name
  set[#set + 1] = new
end
if maxsize > 0 and size > maxsize and size > size0 then return 2 end
if maxkeys > 0 and n > maxkeys and n > n0 then return 2 end
if size ~= size0 or n ~= n0 then
  set[#set + 1] = '@s'
  set[#set + 1] = size
  set[#set + 1] = '@n'
  set[#set + 1] = n
end
local touch = now - (tonumber(m[2]) or 0) >= interval
if touch then
  set[#set + 1] = '@t'
  set[#set + 1] = ARGV[1]
end
redis.call('HSET', key, unpack(set))
if touch then redis.call('PEXPIRE', key, math.min(idle, d - now)) end
return 0
`)
	// guard is the least a resurrection-safe write can do in a script.
	guard = redis.NewScript(`if redis.call('EXISTS', KEYS[1]) == 0 then return 1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 0`)
)

type env struct {
	ctx    context.Context
	rdb    *redis.Client // one connection: operations go one after another
	store  *redisstore.Store
	prefix string
	rules  session.Rules
}

// A variant is one way to do an operation; prepare returns the session ids
// it works on (fresh per round), op runs one operation on one of them.
type variant struct {
	name  string
	top   []string // the commands it sends, upper-case
	seed  int      // values of the sessions it works on (-1: creates)
	op    func(e *env, id string) error
	notes string
}

var (
	bigValue  = `j"` + strings.Repeat("v", 78) + `"` // 81 bytes, like the benchmark's large values
	newValue  = `j"` + strings.Repeat("w", 78) + `"`
	createRec = map[string][]byte{"user": []byte(`j"alice"`), "visits": []byte("j0"), "theme": []byte(`j"dark"`)}
)

func variants() []variant {
	save := func(e *env, id string) error {
		return e.store.Save(e.ctx, id, session.Change{Set: map[string][]byte{"k07": []byte(newValue)}}, e.rules)
	}
	lean := func(s *redis.Script) func(e *env, id string) error {
		return func(e *env, id string) error {
			args := append(ruleArgs(e.rules), "k07", newValue)
			code, err := s.Run(e.ctx, e.rdb, []string{e.prefix + id}, args...).Int()
			if err == nil && code != 0 {
				err = fmt.Errorf("reply %d", code)
			}
			return err
		}
	}
	plain := func(e *env, id string) error {
		key := e.prefix + id
		_, err := e.rdb.Pipelined(e.ctx, func(p redis.Pipeliner) error {
			p.HSet(e.ctx, key, "k07", newValue)
			p.PExpire(e.ctx, key, e.rules.Idle)
			return nil
		})
		return err
	}
	guarded := func(e *env, id string) error {
		return guard.Run(e.ctx, e.rdb, []string{e.prefix + id}, "k07", newValue).Err()
	}
	var out []variant
	for _, seed := range []int{3, 53} {
		w := fmt.Sprintf("write%d", seed)
		out = append(out,
			variant{name: w + "/sesskit", top: []string{"EVALSHA"}, seed: seed, op: save, notes: "core/redisstore Save: save script"},
			variant{name: w + "/lean-1hmget", top: []string{"EVALSHA"}, seed: seed, op: lean(leanOne), notes: "same checks, flat, one HMGET"},
			variant{name: w + "/lean-2hmget", top: []string{"EVALSHA"}, seed: seed, op: lean(leanTwo), notes: "same, metadata and fields in two HMGETs"},
			variant{name: w + "/lean-min", top: []string{"EVALSHA"}, seed: seed, op: lean(leanMin), notes: "one HMGET, no @c and no pattern checks"},
			variant{name: w + "/guard", top: []string{"EVALSHA"}, seed: seed, op: guarded, notes: "EXISTS + HSET script: no checks"},
			variant{name: w + "/plain", top: []string{"HSET", "PEXPIRE"}, seed: seed, op: plain, notes: "HSET + PEXPIRE pipeline (the floor)"},
		)
	}
	create := func(e *env, _ string) error {
		now := e.rules.Now
		rec := session.Record{Created: now, Deadline: now.Add(e.rules.Absolute), Touched: now, Values: createRec}
		return e.store.Create(e.ctx, newID(), rec, e.rules)
	}
	multi := func(e *env, _ string) error {
		now := e.rules.Now.UnixMilli()
		key := e.prefix + newID()
		_, err := e.rdb.TxPipelined(e.ctx, func(p redis.Pipeliner) error {
			p.HSet(e.ctx, key, "@c", now, "@d", now+e.rules.Absolute.Milliseconds(), "@t", now, "@s", 0, "@n", 3,
				"user", createRec["user"], "visits", createRec["visits"], "theme", createRec["theme"])
			p.PExpire(e.ctx, key, e.rules.Idle)
			return nil
		})
		return err
	}
	pipe := func(e *env, _ string) error {
		now := e.rules.Now.UnixMilli()
		key := e.prefix + newID()
		_, err := e.rdb.Pipelined(e.ctx, func(p redis.Pipeliner) error {
			p.HSet(e.ctx, key, "@c", now, "@d", now+e.rules.Absolute.Milliseconds(), "@t", now, "@s", 0, "@n", 3,
				"user", createRec["user"], "visits", createRec["visits"], "theme", createRec["theme"])
			p.PExpire(e.ctx, key, e.rules.Idle)
			return nil
		})
		return err
	}
	return append(out,
		variant{name: "create/sesskit", top: []string{"EVALSHA"}, seed: -1, op: create, notes: "core/redisstore Create: create script"},
		variant{name: "create/multi-exec", top: []string{"MULTI", "EXEC"}, seed: -1, op: multi, notes: "MULTI HSET PEXPIRE EXEC (the floor)"},
		variant{name: "create/pipeline", top: []string{"HSET", "PEXPIRE"}, seed: -1, op: pipe, notes: "HSET + PEXPIRE, no MULTI (not atomic)"},
	)
}

func ruleArgs(r session.Rules) []any {
	return []any{r.Now.UnixMilli(), r.Idle.Milliseconds(), r.Absolute.Milliseconds(), r.TouchInterval.Milliseconds(), r.MaxSize, r.MaxKeys, r.MaxValue}
}

func newID() string {
	var b [32]byte
	rand.Read(b[:])
	sum := sha256.Sum256(b[:])
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func main() {
	url := flag.String("redis", os.Getenv("SESSKIT_REDIS_URL"), "redis://host:port/0 of a private Redis")
	n := flag.Int("n", 4000, "operations per variant and round")
	rounds := flag.Int("rounds", 5, "rounds (every variant once per round)")
	only := flag.String("only", "", "run only the variants whose name contains this")
	cgPID := flag.Int("callgrind-pid", 0, "PID of a redis-server running under valgrind --tool=callgrind: report instructions per operation")
	flag.StringVar(&cgDir, "callgrind-dir", ".", "where that valgrind writes its dumps (its --callgrind-out-file directory)")
	flag.Parse()
	if err := run(*url, *n, *rounds, *only, *cgPID); err != nil {
		fmt.Fprintln(os.Stderr, "scriptcost:", err)
		os.Exit(1)
	}
}

func run(url string, n, rounds int, only string, cgPID int) error {
	ctx := context.Background()
	opt, err := redisstore.ParseURL(url)
	if err != nil {
		return err
	}
	opt.PoolSize = 1
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	admin := redis.NewClient(&redis.Options{Addr: opt.Addr, PoolSize: 1})
	defer admin.Close()
	prefix := "scriptcost:" + newID()[:8] + ":"
	store, err := redisstore.New(rdb, redisstore.WithPrefix(prefix))
	if err != nil {
		return err
	}
	defer func() {
		keys, _ := admin.Keys(ctx, prefix+"*").Result() // a private server: KEYS is fine here
		for len(keys) > 0 {
			b := keys[:min(500, len(keys))]
			keys = keys[len(b):]
			admin.Del(ctx, b...)
		}
	}()
	e := &env{ctx: ctx, rdb: rdb, store: store, prefix: prefix, rules: session.Rules{
		Now: time.Now(), Idle: session.DefaultIdleTimeout, Absolute: session.DefaultAbsoluteTimeout,
		TouchInterval: session.DefaultIdleTimeout / 10, MaxSize: session.DefaultMaxSessionSize,
		MaxKeys: session.DefaultMaxKeys, MaxValue: session.DefaultMaxValueSize,
	}}
	type samples struct{ cmd, cpu, instr []float64 }
	all := map[string]*samples{}
	vs := variants()
	for round := 1; round <= rounds; round++ {
		for _, v := range vs {
			if only != "" && !strings.Contains(v.name, only) {
				continue
			}
			e.rules.Now = time.Now()
			id := ""
			if v.seed >= 0 {
				values := map[string][]byte{}
				for i := range v.seed {
					values[fmt.Sprintf("k%02d", i)] = []byte(bigValue)
				}
				id = newID()
				rec := session.Record{Created: e.rules.Now, Deadline: e.rules.Now.Add(e.rules.Absolute), Touched: e.rules.Now, Values: values}
				if err := store.Create(ctx, id, rec, e.rules); err != nil {
					return err
				}
			}
			for range 20 { // scripts loaded, connection open
				if err := v.op(e, id); err != nil {
					return fmt.Errorf("%s: %w", v.name, err)
				}
			}
			if err := admin.ConfigResetStat(ctx).Err(); err != nil {
				return err
			}
			s0, err := redistap.ReadServer(ctx, admin)
			if err != nil {
				return err
			}
			if cgPID > 0 {
				if err := callgrind("-z", cgPID); err != nil {
					return err
				}
			}
			for range n {
				if err := v.op(e, id); err != nil {
					return fmt.Errorf("%s: %w", v.name, err)
				}
			}
			instr := 0.0
			if cgPID > 0 {
				if instr, err = dumpInstructions(cgPID); err != nil {
					return err
				}
			}
			s1, err := redistap.ReadServer(ctx, admin)
			if err != nil {
				return err
			}
			d := s1.Sub(s0)
			top := map[string]float64{}
			for _, name := range v.top {
				top[name] = 1
			}
			usec, _ := d.TopLevel(top, float64(n))
			s := all[v.name]
			if s == nil {
				s = &samples{}
				all[v.name] = s
			}
			s.cmd = append(s.cmd, usec/float64(n))
			s.cpu = append(s.cpu, d.CPU*1e6/float64(n))
			if cgPID > 0 {
				s.instr = append(s.instr, instr/float64(n))
			}
		}
		fmt.Fprintf(os.Stderr, "round %d/%d\n", round, rounds)
	}
	fmt.Printf("%d rounds of %d operations each; median (range)\n\n", rounds, n)
	fmt.Println("| variant | what | command µs/op | CPU µs/op | instructions/op |")
	fmt.Println("|---|---|--:|--:|--:|")
	for _, v := range vs {
		s, ok := all[v.name]
		if !ok {
			continue
		}
		instr := "—"
		if len(s.instr) > 0 {
			instr = fmt.Sprintf("%.0f", report.Median(s.instr))
		}
		fmt.Printf("| %s | %s | %s | %s | %s |\n", v.name, v.notes, spread(s.cmd), spread(s.cpu), instr)
	}
	return nil
}

func spread(xs []float64) string {
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	return fmt.Sprintf("%.2f (%.2f-%.2f)", report.Median(xs), lo, hi)
}

var cgDir string

func callgrind(arg string, pid int) error {
	out, err := exec.Command("callgrind_control", arg, strconv.Itoa(pid)).CombinedOutput()
	if err != nil {
		return fmt.Errorf("callgrind_control %s: %v: %s", arg, err, out)
	}
	return nil
}

// dumpInstructions dumps the counters since the last zeroing and returns
// the instructions (Ir) of the dump.
func dumpInstructions(pid int) (float64, error) {
	if err := callgrind("-i", pid); err != nil { // instrumentation state, to be sure it is on
		return 0, err
	}
	pattern := filepath.Join(cgDir, fmt.Sprintf("callgrind.out.%d*", pid))
	before, _ := filepath.Glob(pattern)
	if err := callgrind("-d", pid); err != nil {
		return 0, err
	}
	after, _ := filepath.Glob(pattern)
	var file string
	for _, f := range after {
		if !contains(before, f) {
			file = f
		}
	}
	if file == "" {
		return 0, fmt.Errorf("callgrind wrote no new dump matching %s", pattern)
	}
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "summary: "); ok {
			return strconv.ParseFloat(strings.Fields(v)[0], 64)
		}
		if v, ok := strings.CutPrefix(sc.Text(), "totals: "); ok {
			return strconv.ParseFloat(strings.Fields(v)[0], 64)
		}
	}
	return 0, fmt.Errorf("%s: no summary line", file)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
