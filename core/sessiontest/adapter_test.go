package sessiontest_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// TestAdapterNetHTTP runs the adapter suite on the engine's own net/http
// middleware: the reference every framework adapter is held to.
func TestAdapterNetHTTP(t *testing.T) {
	sessiontest.TestAdapter(t, sessiontest.Adapter{Serve: serveNetHTTP})
}

func serveNetHTTP(t *testing.T, m *session.Manager) string {
	mux := http.NewServeMux()
	mux.HandleFunc(sessiontest.PlainPrefix, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		status, out := sessiontest.Handle(r.Context(), session.FromContext(r.Context()), r.URL.Path, body)
		w.WriteHeader(status)
		w.Write(out)
	})
	mux.HandleFunc("GET "+sessiontest.StreamPath, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		for chunk := range sessiontest.Stream(r.Context(), s, r.URL.Query().Get(sessiontest.GateParam)) {
			w.Write(chunk)
			http.NewResponseController(w).Flush()
		}
	})
	mux.HandleFunc("GET "+sessiontest.RedirectPath, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, sessiontest.Redirect(session.FromContext(r.Context())), http.StatusFound)
	})
	mux.HandleFunc("GET "+sessiontest.FailPath, func(w http.ResponseWriter, r *http.Request) {
		err := sessiontest.Fail(session.FromContext(r.Context()))
		http.Error(w, err.Error(), sessiontest.FailStatus)
	})
	mux.HandleFunc("GET "+sessiontest.PanicPath, func(w http.ResponseWriter, r *http.Request) {
		sessiontest.Panic(session.FromContext(r.Context()))
	})
	return sessiontest.ServeHandler(t, recoverer(m.Middleware(mux)))
}

// recoverer answers 500 when the handler panics; net/http has none of its own.
func recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
