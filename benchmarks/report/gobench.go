package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ParseGoBench reads `go test -bench -benchmem` output with sub-benchmarks
// named BenchmarkScenario/<scenario>/<framework>/<library>[-procs] and
// returns the medians per case over the runs of -count.
func ParseGoBench(r io.Reader) (map[Key]Bench, error) {
	type samples struct{ ns, b, allocs []float64 }
	all := map[Key]*samples{}
	var order []Key
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "BenchmarkScenario/") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		parts := strings.Split(strings.TrimPrefix(name, "BenchmarkScenario/"), "/")
		if len(parts) != 3 {
			return nil, fmt.Errorf("report: benchmark name %q is not scenario/framework/library", f[0])
		}
		k := Key{parts[0], parts[1], parts[2]}
		s := all[k]
		if s == nil {
			s = &samples{}
			all[k] = s
			order = append(order, k)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("report: %q: %w", sc.Text(), err)
			}
			switch f[i+1] {
			case "ns/op":
				s.ns = append(s.ns, v)
			case "B/op":
				s.b = append(s.b, v)
			case "allocs/op":
				s.allocs = append(s.allocs, v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	out := map[Key]Bench{}
	for _, k := range order {
		s := all[k]
		out[k] = Bench{NsOp: Median(s.ns), BytesOp: Median(s.b), AllocsOp: Median(s.allocs), Runs: len(s.ns)}
	}
	return out, nil
}
