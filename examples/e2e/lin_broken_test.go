package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
)

// The checker can fail: the same workload and model, run against
// in-process apps on a correct store, pass; on a store broken the way many
// session stores are, they are reported non-linearizable.

func TestLinearizableInProcess(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		store func(session.Store) session.Store
		want  bool // linearizable
	}{
		{"memstore", func(s session.Store) session.Store { return s }, true},
		{"renew without take", func(s session.Store) session.Store { return renewWithoutTake{s} }, false},
		{"whole-session rewrite", func(s session.Store) session.Store { return wholeRewrite{s} }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := tc.store(memstore.New())
			apps := &linApps{targets: []linTarget{{"a", linServer(t, store)}, {"b", linServer(t, store)}}} // two instances, one store
			w := newWorkload(apps)
			ctx, cancel := context.WithTimeout(t.Context(), 4*time.Second)
			defer cancel()
			w.run(ctx)
			ops := w.rec.history()
			if !tc.want {
				wantIllegal(t, tc.name, ops)
				return
			}
			checkHistory(t, tc.name, ops, nil)
		})
	}
}

// wantIllegal fails unless Porcupine finds the history non-linearizable.
func wantIllegal(t *testing.T, name string, ops []porcupine.Operation) {
	t.Helper()
	result, _ := porcupine.CheckOperationsVerbose(linModel, ops, time.Minute)
	t.Logf("%s: %s: %s", name, summarize(ops), result)
	if result != porcupine.Illegal {
		t.Errorf("%s: the checker answered %s on a broken store, want %s", name, result, porcupine.Illegal)
	}
}

// renewWithoutTake renews by reading the session and then deleting it, not
// in one atomic step: a write between the two is lost, and the old token,
// with no marker left, starts a new session instead of answering 409.
type renewWithoutTake struct{ session.Store }

func (s renewWithoutTake) Take(ctx context.Context, id string, r session.Rules) (session.Record, bool, error) {
	rec, found, err := s.Load(ctx, id)
	if err != nil || !found {
		return rec, found, err
	}
	time.Sleep(time.Millisecond) // the window a real store has between two round trips
	_, err = s.Delete(ctx, id)
	return rec, true, err
}

// wholeRewrite saves a change by reading the whole session, applying the
// change and writing it all back, as stores that keep a session in one
// blob do: a concurrent change to another key is overwritten.
type wholeRewrite struct{ session.Store }

func (s wholeRewrite) Save(ctx context.Context, id string, ch session.Change, r session.Rules) error {
	rec, found, err := s.Load(ctx, id)
	if err != nil {
		return err
	}
	if !found {
		return session.ErrNotFound
	}
	values := maps.Clone(rec.Values)
	if values == nil {
		values = map[string][]byte{}
	}
	for _, k := range ch.Delete {
		delete(values, k)
	}
	maps.Copy(values, ch.Set)
	for k, elems := range ch.Append {
		values[k] = session.AppendList(values[k], elems...)
	}
	rec.Values = values
	if ch.User != nil {
		rec.User = *ch.User
	}
	if ch.Label != nil {
		rec.Label = *ch.Label
	}
	time.Sleep(time.Millisecond)
	if _, err := s.Delete(ctx, id); err != nil {
		return err
	}
	return s.Create(ctx, id, rec, r)
}

// linServer serves the workload's routes from an in-process Manager on
// store, on 127.0.0.1; it answers as the example apps do.
func linServer(t *testing.T, store session.Store) string {
	t.Helper()
	m, err := session.New(store)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	from := func(r *http.Request) *session.Session { return session.FromContext(r.Context()) }
	answer := func(w http.ResponseWriter, r *http.Request, err error, status int, body any) {
		switch {
		case errors.Is(err, session.ErrNoValue):
			status, body = http.StatusNotFound, nil
		case err != nil:
			sesshttp.DefaultErrorHandler(w, r, err)
			return
		}
		w.WriteHeader(status)
		if body != nil {
			_ = json.NewEncoder(w).Encode(body)
		}
	}
	mux.HandleFunc("PUT /api/values/{key}", func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		v, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			http.Error(w, "bad value", http.StatusBadRequest)
			return
		}
		answer(w, r, from(r).Set(r.PathValue("key"), v), http.StatusNoContent, nil)
	})
	mux.HandleFunc("GET /api/values/{key}", func(w http.ResponseWriter, r *http.Request) {
		v, err := session.Get[int64](from(r), r.PathValue("key"))
		answer(w, r, err, http.StatusOK, v)
	})
	mux.HandleFunc("DELETE /api/values/{key}", func(w http.ResponseWriter, r *http.Request) {
		answer(w, r, from(r).Delete(r.PathValue("key")), http.StatusNoContent, nil)
	})
	mux.HandleFunc("POST /api/visits", func(w http.ResponseWriter, r *http.Request) {
		n, err := session.Incr(from(r), "visits", 1)
		answer(w, r, err, http.StatusOK, map[string]int64{"visits": n})
	})
	mux.HandleFunc("POST /api/flash", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Message string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, "bad message", http.StatusBadRequest)
			return
		}
		answer(w, r, session.Append(from(r), "flash", in.Message), http.StatusNoContent, nil)
	})
	mux.HandleFunc("GET /api/flash", func(w http.ResponseWriter, r *http.Request) {
		msgs, err := session.Pop[[]string](from(r), "flash")
		if errors.Is(err, session.ErrNoValue) {
			msgs, err = []string{}, nil
		}
		answer(w, r, err, http.StatusOK, map[string][]string{"messages": msgs})
	})
	mux.HandleFunc("GET /api/session", func(w http.ResponseWriter, r *http.Request) {
		s := from(r)
		user, err := s.User()
		keys, kerr := s.Keys()
		out := struct {
			User   *string        `json:"user"`
			Values map[string]any `json:"values"`
		}{Values: map[string]any{}}
		if user != "" {
			out.User = &user
		}
		for _, k := range keys {
			if v, verr := session.Get[any](s, k); verr == nil {
				out.Values[k] = v
			}
		}
		answer(w, r, errors.Join(err, kerr), http.StatusOK, out)
	})
	mux.HandleFunc("POST /api/login", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ User string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, "bad user", http.StatusBadRequest)
			return
		}
		s := from(r)
		err := s.Renew(r.Context())
		if err == nil {
			err = s.SetUser(in.User)
		}
		answer(w, r, err, http.StatusOK, map[string]string{"user": in.User})
	})
	mux.HandleFunc("POST /api/logout", func(w http.ResponseWriter, r *http.Request) {
		answer(w, r, from(r).Destroy(r.Context()), http.StatusNoContent, nil)
	})
	srv := httptest.NewServer(sesshttp.Middleware(m)(mux))
	t.Cleanup(srv.Close)
	return srv.URL
}
