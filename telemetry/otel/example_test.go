package sessotel_test

import (
	"context"
	"fmt"

	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
	sessotel "github.com/sesskit/sesskit/telemetry/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func Example() {
	// An app sets its providers up once (exporters, resource) and usually
	// leaves them global; this one reads its metrics back in memory.
	reader := sdkmetric.NewManualReader()
	tel, err := sessotel.New(sessotel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
	if err != nil {
		panic(err)
	}
	m, err := session.New(memstore.New(), session.WithObserver(tel))
	if err != nil {
		panic(err)
	}
	_ = m.Ping(context.Background())

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, metric := range rm.ScopeMetrics[0].Metrics {
		if sum, ok := metric.Data.(metricdata.Sum[int64]); ok && metric.Name == "sesskit.store.calls" {
			p := sum.DataPoints[0]
			op, _ := p.Attributes.Value("db.operation.name")
			outcome, _ := p.Attributes.Value(sessotel.OutcomeKey)
			fmt.Println(metric.Name, op.String(), outcome.String(), p.Value)
		}
	}
	// Output:
	// sesskit.store.calls ping ok 1
}
