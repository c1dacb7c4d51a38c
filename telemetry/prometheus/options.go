package sessprom

import "github.com/prometheus/client_golang/prometheus"

// Option configures New.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	labels  prometheus.Labels
	buckets []float64
}

// DefaultDurationBuckets are the store-call latency buckets, in seconds:
// from 100 µs (a Redis call on the same host) to 2.5 s (past any sane
// request deadline).
var DefaultDurationBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}

// WithConstLabels adds labels to every metric, for example
// prometheus.Labels{"manager": "admin"} to tell apart two Managers whose
// Metrics share one registry.
func WithConstLabels(l prometheus.Labels) Option {
	return optionFunc(func(c *config) { c.labels = l })
}

// WithDurationBuckets sets the buckets, in seconds, of the store-call
// latency histogram (default DefaultDurationBuckets).
func WithDurationBuckets(b []float64) Option {
	return optionFunc(func(c *config) { c.buckets = b })
}
