package sessiontest_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// An adapter's tests mount the suite's routes in the framework's own style
// and run the suite; this is the glue for plain net/http.
func ExampleTestAdapter() {
	_ = func(t *testing.T) { // func TestConformance(t *testing.T) in a _test.go file
		sessiontest.TestAdapter(t, sessiontest.Adapter{
			Serve: func(t *testing.T, m *session.Manager) string {
				mux := http.NewServeMux()
				mux.HandleFunc(sessiontest.PlainPrefix, func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					s := session.FromContext(r.Context())
					status, out := sessiontest.Handle(r.Context(), s, r.URL.Path, body)
					w.WriteHeader(status)
					w.Write(out)
				})
				// ... StreamPath, RedirectPath, FailPath and PanicPath likewise,
				// and the framework's recovery middleware outside sesshttp.Middleware.
				return sessiontest.ServeHandler(t, sesshttp.Middleware(m)(mux))
			},
		})
	}
}
