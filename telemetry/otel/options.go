package sessotel

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Option configures New.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	meters   metric.MeterProvider
	tracers  trace.TracerProvider
	dbSystem string
	attrs    []attribute.KeyValue
}

// WithMeterProvider sets where the metrics go (default: the global
// provider, otel.GetMeterProvider, at New).
func WithMeterProvider(p metric.MeterProvider) Option {
	return optionFunc(func(c *config) { c.meters = p })
}

// WithTracerProvider sets where the spans go (default: the global
// provider, otel.GetTracerProvider, at New). noop.NewTracerProvider()
// turns the spans off, and their cost with them: metrics only.
func WithTracerProvider(p trace.TracerProvider) Option {
	return optionFunc(func(c *config) { c.tracers = p })
}

// WithDBSystem sets the db.system.name of store calls (default "redis";
// "memory" suits memstore, or the name of another store's database).
func WithDBSystem(name string) Option {
	return optionFunc(func(c *config) { c.dbSystem = name })
}

// WithAttributes adds attributes to every store-call metric and span, for
// example semconv's server.address and server.port of the Redis node.
func WithAttributes(attrs ...attribute.KeyValue) Option {
	return optionFunc(func(c *config) { c.attrs = append(c.attrs, attrs...) })
}

func newConfig(opts []Option) config {
	c := config{dbSystem: "redis"}
	for _, o := range opts {
		o.apply(&c)
	}
	if c.meters == nil {
		c.meters = otel.GetMeterProvider()
	}
	if c.tracers == nil {
		c.tracers = otel.GetTracerProvider()
	}
	return c
}
