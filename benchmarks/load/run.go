package load

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Options describe one load run.
type Options struct {
	Addr        string        // host:port of the server (loopback)
	Concurrency int           // connections, each with one request in flight
	Duration    time.Duration // measured time
	Warmup      time.Duration // unmeasured time before it (connections, pools, scripts)
	// Request returns the request connection w sends, again and again.
	Request func(w int) []byte
	// MaxRequests caps the requests per connection (0: 1,000,000).
	MaxRequests int
}

// Result is what a run measured.
type Result struct {
	Requests int           // answered with 200 in the measured time
	Errors   int           // other statuses and failed round trips
	Elapsed  time.Duration // measured time, as it really lasted
	RPS      float64       // Requests per second
	P50, P99 time.Duration // latency percentiles of the 200 answers
	// CPU is the CPU time (user + system) the whole process used in the
	// measured time: servers, session libraries, Redis clients and this
	// generator, not Redis. Divided by Requests it is a cost per request
	// that holds up better than RPS when other work shares the machine.
	CPU time.Duration
	Err error // the first error seen, if any
}

// Run runs one bounded load and returns what it measured. It fails only
// when no connection could be opened.
func Run(ctx context.Context, opt Options) (Result, error) {
	if opt.Concurrency < 1 || opt.Duration <= 0 || opt.Request == nil {
		return Result{}, errors.New("load: Options need Concurrency, Duration and Request")
	}
	maxReq := opt.MaxRequests
	if maxReq <= 0 {
		maxReq = 1_000_000
	}
	conns := make([]*conn, opt.Concurrency)
	for i := range conns {
		c, err := dial(opt.Addr)
		if err != nil {
			for _, c := range conns[:i] {
				c.close()
			}
			return Result{}, err
		}
		conns[i] = c
	}
	type worker struct {
		lat    []time.Duration
		errors int
		err    error
	}
	workers := make([]worker, opt.Concurrency)
	start := time.Now()
	measureFrom := start.Add(opt.Warmup)
	end := measureFrom.Add(opt.Duration)
	cpuStart := make(chan time.Duration, 1)
	go func() {
		time.Sleep(time.Until(measureFrom))
		cpuStart <- processCPU()
	}()
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			w, c, req := &workers[i], conns[i], opt.Request(i)
			w.lat = make([]time.Duration, 0, 4096)
			defer func() {
				if c != nil {
					c.close()
				}
			}()
			for n := 0; n < maxReq && ctx.Err() == nil; n++ {
				t0 := time.Now()
				if !t0.Before(end) {
					return
				}
				status, _, reuse, err := c.roundTrip(req, false)
				t1 := time.Now()
				measured := !t0.Before(measureFrom)
				if err == nil && status != 200 {
					err = fmt.Errorf("load: status %d", status)
				}
				if err != nil {
					if measured {
						w.errors++
					}
					if w.err == nil {
						w.err = err
					}
				} else if measured {
					w.lat = append(w.lat, t1.Sub(t0))
				}
				if err != nil || !reuse {
					c.close()
					if c, err = dial(opt.Addr); err != nil {
						c = nil
						w.errors++
						return
					}
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(measureFrom)
	var all []time.Duration
	res := Result{Elapsed: elapsed, CPU: processCPU() - <-cpuStart}
	for _, w := range workers {
		all = append(all, w.lat...)
		res.Errors += w.errors
		if res.Err == nil {
			res.Err = w.err
		}
	}
	res.Requests = len(all)
	if elapsed > 0 {
		res.RPS = float64(res.Requests) / elapsed.Seconds()
	}
	slices.Sort(all)
	res.P50, res.P99 = percentile(all, 0.50), percentile(all, 0.99)
	return res, nil
}

// percentile returns the p-quantile of sorted (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// Burst sends every request at the same moment, each on a connection of its
// own opened beforehand, and returns the statuses in order (0 where the
// round trip failed) and the first error.
func Burst(addr string, reqs [][]byte) ([]int, error) {
	conns := make([]*conn, len(reqs))
	for i := range conns {
		c, err := dial(addr)
		if err != nil {
			for _, c := range conns[:i] {
				c.close()
			}
			return nil, err
		}
		conns[i] = c
	}
	statuses := make([]int, len(reqs))
	errs := make([]error, len(reqs))
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			defer c.close()
			<-gate
			statuses[i], _, _, errs[i] = c.roundTrip(reqs[i], false)
		})
	}
	close(gate)
	wg.Wait()
	return statuses, errors.Join(errs...)
}
