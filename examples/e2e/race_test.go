//go:build race

package e2e_test

// With go test -race, build the apps with the race detector too.
func init() { buildFlags = append(buildFlags, "-race") }
