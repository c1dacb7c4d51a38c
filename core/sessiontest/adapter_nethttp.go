package sessiontest

import (
	"io"
	"net/http"
	"testing"

	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
)

// ServeNetHTTP is the Serve of the reference adapter: the suite's routes on
// net/http with sesshttp.Middleware. Store tests use it to run the adapter
// suite on their own topologies (Adapter.Stores).
func ServeNetHTTP(t *testing.T, m *session.Manager) string {
	mux := http.NewServeMux()
	mux.HandleFunc(PlainPrefix, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		status, out := Handle(r.Context(), session.FromContext(r.Context()), r.URL.Path, body)
		w.WriteHeader(status)
		w.Write(out)
	})
	mux.HandleFunc("GET "+StreamPath, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		for chunk := range Stream(r.Context(), s, r.URL.Query().Get(GateParam)) {
			w.Write(chunk)
			http.NewResponseController(w).Flush()
		}
	})
	mux.HandleFunc("GET "+RedirectPath, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Redirect(session.FromContext(r.Context())), http.StatusFound)
	})
	mux.HandleFunc("GET "+FailPath, func(w http.ResponseWriter, r *http.Request) {
		err := Fail(session.FromContext(r.Context()))
		http.Error(w, err.Error(), FailStatus)
	})
	mux.HandleFunc("GET "+PanicPath, func(w http.ResponseWriter, r *http.Request) {
		Panic(session.FromContext(r.Context()))
	})
	return ServeHandler(t, recoverer(sesshttp.Middleware(m)(mux)))
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
