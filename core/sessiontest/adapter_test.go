package sessiontest_test

import (
	"testing"

	"github.com/sesskit/sesskit/core/sessiontest"
)

// TestAdapterNetHTTP runs the adapter suite on the engine's own net/http
// middleware (sesshttp): the reference every framework adapter is held to.
func TestAdapterNetHTTP(t *testing.T) {
	sessiontest.TestAdapter(t, sessiontest.Adapter{Serve: sessiontest.ServeNetHTTP})
}
