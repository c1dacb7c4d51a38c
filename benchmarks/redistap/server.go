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
	InputBytes int64            // INFO stats total_net_input_bytes
}

// Sub returns s - o.
func (s Server) Sub(o Server) Server {
	d := Server{InputBytes: s.InputBytes - o.InputBytes, Calls: map[string]int64{}}
	for k, v := range s.Calls {
		if v -= o.Calls[k]; v != 0 {
			d.Calls[k] = v
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

// ReadServer reads the counters with one INFO call.
func ReadServer(ctx context.Context, rdb *redis.Client) (Server, error) {
	info, err := rdb.Info(ctx, "commandstats", "stats").Result()
	if err != nil {
		return Server{}, fmt.Errorf("redistap: info: %w", err)
	}
	s := Server{Calls: map[string]int64{}}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "cmdstat_"); ok {
			name, stats, _ := strings.Cut(rest, ":")
			for _, kv := range strings.Split(stats, ",") {
				if v, ok := strings.CutPrefix(kv, "calls="); ok {
					s.Calls[name], _ = strconv.ParseInt(v, 10, 64)
				}
			}
		} else if v, ok := strings.CutPrefix(line, "total_net_input_bytes:"); ok {
			s.InputBytes, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	return s, sc.Err()
}
