package report

import (
	"fmt"
	"strings"
)

// costMarkdown writes the Redis cost section: one table per scenario,
// every stack, both servers.
func costMarkdown(p func(string, ...any), res *Results) {
	if len(res.Costs) == 0 {
		return
	}
	s := res.Settings
	p("## Redis cost per request")
	p("")
	p("What one request costs Redis itself, from the server's own counters, for every scenario and stack.")
	p("Each case: %d in-process clients, each with a session of its own, send %d requests in all after a", s.CostWorkers, s.CostRequests)
	p("warm-up; `CONFIG RESETSTAT` and `INFO` before, `INFO` after, on a private redis-server nobody else")
	p("uses; %d rounds, every case once per round, interleaved. Cells are the median over the rounds with", s.CostRounds)
	p("the range in brackets; a ratio is the median of the per-round ratios to the floor of the same framework")
	p("(measured seconds apart), with their range.")
	p("")
	p("- **command µs** is INFO commandstats `usec` per request, each command counted once. `EVAL`/`EVALSHA`")
	p("  time includes the commands the script runs, and `EXEC` time the commands queued after `MULTI`,")
	p("  while commandstats also counts those under their own names; so only commands a client sent at the")
	p("  top level count: the proxy of the wire count (`redistap`) tells, per case, which names the stack sent")
	p("  and how often, outside `MULTI`...`EXEC`, and every other name is nested and left out.")
	p("  %s", exactness(res))
	p("- **CPU µs** is the whole redis-server process's CPU per request (INFO cpu `used_cpu_user` +")
	p("  `used_cpu_sys`, all threads): parsing, I/O, the event loop and the commands.")
	p("- **main µs** is the main thread's share (`used_cpu_*_main_thread`), which bounds throughput: Redis")
	p("  runs commands on that one thread; with I/O threads the reads and writes of sockets move off it.")
	p("- **server commands** is what the server ran per request, nested commands included.")
	p("")
	p("Servers: %s. **Load caveat:** commandstats time is wall-clock inside the", serverList(res))
	p("command, so a Redis preempted by other work on this 2-core machine (the clients and stacks of the")
	p("benchmark itself, and other engineers' test suites) counts the wait as command time; the spread")
	p("shows it. CPU time is not inflated that way. With I/O threads on 2 cores shared with the load, the")
	p("I/O thread and the main thread spin-wait for each other and compete with the clients for the same")
	p("two cores: the I/O-thread figures below say what that costs here, not what I/O threads give on a")
	p("machine with cores to spare (see docs/production.md).")
	for _, sc := range res.Scenarios {
		p("")
		p("### Redis cost, %s: %s", sc.Name, sc.Title)
		p("")
		head := "| framework | library | server commands |"
		sep := "|---|---|---|"
		for _, srv := range res.Servers {
			if srv.Name == "plain" {
				head += " command µs | ×floor | CPU µs | ×floor |"
				sep += "--:|--:|--:|--:|"
			} else {
				head += fmt.Sprintf(" %s: command µs | CPU µs | ×floor | main µs | ×floor |", srv.Name)
				sep += "--:|--:|--:|--:|--:|"
			}
		}
		p("%s", head)
		p("%s", sep)
		for _, st := range res.Stacks {
			k := Key{sc.Name, st.Framework, st.Library}
			c, ok := res.Costs["plain"][k]
			if !ok {
				continue
			}
			row := []string{st.Framework, bold(st.Library), c.Commands}
			for _, srv := range res.Servers {
				c := res.Costs[srv.Name][k]
				cmd, cpu, main, ok := res.CostRatio(srv.Name, k)
				rc, rcpu, rmain := "—", "—", "—"
				if ok && st.Library != floor {
					rc, rcpu, rmain = ratioSpread(cmd), ratioSpread(cpu), ratioSpread(main)
				}
				if srv.Name == "plain" {
					row = append(row, usSpread(c.Cmd), rc, usSpread(c.CPU), rcpu)
				} else {
					row = append(row, usSpread(c.Cmd), usSpread(c.CPU), rcpu, usSpread(c.MainCPU), rmain)
				}
			}
			p("| %s |", strings.Join(row, " | "))
		}
	}
	for _, srv := range res.Servers {
		if srv.Name == "plain" {
			continue
		}
		var threaded []float64
		for _, c := range res.Costs[srv.Name] {
			threaded = append(threaded, c.Threaded)
		}
		sp := spread(threaded)
		p("")
		p("On the %s server, I/O threads handled %.2f-%.2f socket reads and writes per request (median %.2f;", srv.Name, sp.Min, sp.Max, sp.Median)
		p("INFO stats `io_threaded_reads_processed` + `io_threaded_writes_processed`): Redis 7.0 turns them")
		p("on only while enough clients wait at once, so a share of the traffic still ran on the main thread.")
	}
	p("")
}

func exactness(res *Results) string {
	for _, costs := range res.Costs {
		for _, c := range costs {
			if !c.Exact {
				return "In this run some command name ran both top-level and nested in one case; its time was split by calls (approximate)."
			}
		}
	}
	return "In every case of this run each command name ran at one level only, so the figures are exact."
}

func serverList(res *Results) string {
	var parts []string
	for _, srv := range res.Servers {
		parts = append(parts, fmt.Sprintf("*%s* (`redis-server %s`)", srv.Name, srv.Config))
	}
	return strings.Join(parts, " and ")
}

// memoryMarkdown writes the memory section.
func memoryMarkdown(p func(string, ...any), res *Results) {
	if len(res.Memory) == 0 {
		return
	}
	p("## Memory per session")
	p("")
	p("Sessions of n values written the way each stores them (sesskit: `redisstore.Store.Create`, as a new")
	p("session's first commit; the floor: its `MULTI`/`HSET`/`PEXPIRE`/`EXEC`), each value a JSON string of")
	p("the given stored size, names `k00`, `k01`, ...; both add sesskit's 5 metadata fields (`@c @d @t @s @n`).")
	p("MEMORY USAGE is `MEMORY USAGE key SAMPLES 0` of one session; per session is the growth of INFO")
	p("`used_memory` over %d sessions, which adds the key's entries in the keyspace and expires", res.Memory[0].Count)
	p("tables; sessions per GiB is 2^30 over that, before any headroom (fragmentation, replication and")
	p("persistence buffers, a fork's copy-on-write).")
	p("")
	p("| library | values | bytes per value | server setting | encoding | MEMORY USAGE | used_memory per session | sessions per GiB |")
	p("|---|--:|--:|---|---|--:|--:|--:|")
	for _, m := range res.Memory {
		cfg := m.Config
		if cfg == "" {
			cfg = "defaults"
		}
		per := "—"
		if m.PerSession > 0 {
			per = fmt.Sprintf("%.0f", float64(1<<30)/m.PerSession)
		}
		p("| %s | %d | %d | %s | %s | %d B | %.0f B | %s |", bold(m.Library), m.Values, m.ValueBytes, cfg, m.Encoding, m.Usage, m.PerSession, per)
	}
	p("")
	p("A hash stays a compact listpack while it has at most `hash-max-listpack-entries` (128) fields and")
	p("no value longer than `hash-max-listpack-value` (64 bytes); one longer value turns the whole session")
	p("into a hashtable, which is what the 80-byte rows show.")
	p("")
}
