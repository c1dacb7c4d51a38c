package redistap

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Server is a snapshot of a Redis server's own counters.
type Server struct {
	Calls      map[string]int64 // INFO commandstats calls by lower-case name, script-run commands included
	Usec       map[string]int64 // INFO commandstats usec by lower-case name, likewise
	InputBytes int64            // INFO stats total_net_input_bytes
	// CPU is the whole process's CPU time in seconds (INFO cpu
	// used_cpu_user + used_cpu_sys: every thread), MainCPU the main
	// thread's (used_cpu_*_main_thread).
	CPU, MainCPU float64
	// IOReads and IOWrites are INFO stats io_threaded_reads_processed and
	// io_threaded_writes_processed: work done by I/O threads.
	IOReads, IOWrites int64
}

// Sub returns s - o.
func (s Server) Sub(o Server) Server {
	return Server{
		Calls: subMap(s.Calls, o.Calls), Usec: subMap(s.Usec, o.Usec),
		InputBytes: s.InputBytes - o.InputBytes,
		CPU:        s.CPU - o.CPU, MainCPU: s.MainCPU - o.MainCPU,
		IOReads: s.IOReads - o.IOReads, IOWrites: s.IOWrites - o.IOWrites,
	}
}

func subMap(a, b map[string]int64) map[string]int64 {
	d := map[string]int64{}
	for k, v := range a {
		if v -= b[k]; v != 0 {
			d[k] = v
		}
	}
	return d
}

// Total is the number of calls, leaving out the names in skip (the INFO
// calls of the snapshots themselves, say).
func (s Server) Total(skip ...string) int64 {
	var n int64
	for k, v := range s.Calls {
		if !contains(skip, k) {
			n += v
		}
	}
	return n
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TopLevel returns the command execution time (INFO commandstats usec) of
// n requests' commands, counting each once. EVAL, EVALSHA and EXEC time
// includes the commands they run, which commandstats also counts under
// their own names; so only names in top count, top being how many times per
// request each (upper-case, as a Tap counts it) was sent outside
// MULTI...EXEC. When a name ran more often than that (it also ran inside a
// script or a transaction), its time is split by calls and exact is false.
func (s Server) TopLevel(top map[string]float64, n float64) (usec float64, exact bool) {
	exact = true
	for name, calls := range s.Calls {
		want := top[strings.ToUpper(name)] * n
		if want <= 0 || calls <= 0 {
			continue
		}
		share := 1.0
		if float64(calls) > want*1.001 {
			share, exact = want/float64(calls), false
		}
		usec += share * float64(s.Usec[name])
	}
	return usec, exact
}

// ReadServer reads the counters with one INFO call.
func ReadServer(ctx context.Context, rdb *redis.Client) (Server, error) {
	info, err := rdb.Info(ctx, "commandstats", "stats", "cpu").Result()
	if err != nil {
		return Server{}, fmt.Errorf("redistap: info: %w", err)
	}
	s := Server{Calls: map[string]int64{}, Usec: map[string]int64{}}
	var cpu [4]float64 // user, sys, user main, sys main
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "cmdstat_"); ok {
			name, stats, _ := strings.Cut(rest, ":")
			for _, kv := range strings.Split(stats, ",") {
				k, v, _ := strings.Cut(kv, "=")
				switch k {
				case "calls":
					s.Calls[name], _ = strconv.ParseInt(v, 10, 64)
				case "usec":
					s.Usec[name], _ = strconv.ParseInt(v, 10, 64)
				}
			}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch k {
		case "total_net_input_bytes":
			s.InputBytes, _ = strconv.ParseInt(v, 10, 64)
		case "io_threaded_reads_processed":
			s.IOReads, _ = strconv.ParseInt(v, 10, 64)
		case "io_threaded_writes_processed":
			s.IOWrites, _ = strconv.ParseInt(v, 10, 64)
		case "used_cpu_user", "used_cpu_sys", "used_cpu_user_main_thread", "used_cpu_sys_main_thread":
			i := map[string]int{"used_cpu_user": 0, "used_cpu_sys": 1, "used_cpu_user_main_thread": 2, "used_cpu_sys_main_thread": 3}[k]
			cpu[i], _ = strconv.ParseFloat(v, 64)
		}
	}
	s.CPU, s.MainCPU = cpu[0]+cpu[1], cpu[2]+cpu[3]
	return s, sc.Err()
}
