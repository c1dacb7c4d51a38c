// Package report turns what the benchmarks measured into BENCHMARKS.md:
// it parses `go test -bench` output, takes medians over runs, checks the
// targets and renders the markdown tables.
package report
