package stack_test

import (
	"strconv"
	"testing"

	"github.com/sesskit/sesskit/benchmarks/stack"
)

// TestRoutes drives every route of every stack in process and checks the
// answers, so that each library really does what the scenario says.
func TestRoutes(t *testing.T) {
	cfg := testConfig(t)
	for _, st := range buildStacks(t, cfg) {
		t.Run(st.Name(), func(t *testing.T) {
			c := stack.NewClient(st)
			small, err := stack.Seed(c, 0)
			if err != nil {
				t.Fatal(err)
			}
			big, err := stack.Seed(c, stack.BigValues)
			if err != nil {
				t.Fatal(err)
			}
			steps := []struct {
				method, target, cookie, want string
			}{
				{"GET", stack.PathRead, small, "alice"},
				{"POST", stack.PathIncr, small, "1"},
				{"POST", stack.PathIncr, small, "2"},
				{"GET", stack.PathNoop, small, "ok"},
				{"GET", stack.PathCount + "?prefix=k", big, strconv.Itoa(stack.BigValues)},
				{"PUT", stack.PathWrite, big, "ok"},
				{"GET", stack.PathCount + "?prefix=k", big, strconv.Itoa(stack.BigValues)},
				{"GET", stack.PathRead, big, "alice"},
				{"PUT", stack.PathSet + "?key=c07", small, "ok"},
				{"GET", stack.PathCount + "?prefix=c", small, "1"},
				{"POST", stack.PathIncr, small, "3"},
			}
			for _, s := range steps {
				if status := c.Do(s.method, s.target, s.cookie); status != 200 || c.Body() != s.want {
					t.Fatalf("%s %s: %d %q, want 200 %q", s.method, s.target, status, c.Body(), s.want)
				}
			}
		})
	}
}

// TestScenarios runs each scenario once on each stack, as the benchmarks
// do, and checks the answer.
func TestScenarios(t *testing.T) {
	cfg := testConfig(t)
	for _, st := range buildStacks(t, cfg) {
		c := stack.NewClient(st)
		for _, sc := range stack.Scenarios {
			t.Run(sc.Name+"/"+st.Name(), func(t *testing.T) {
				cookie := ""
				if sc.Seed >= 0 {
					var err error
					if cookie, err = stack.Seed(c, sc.Seed); err != nil {
						t.Fatal(err)
					}
				}
				for range 2 {
					status := c.Do(sc.Method, sc.Path, cookie)
					if status != 200 || (sc.Body != "" && c.Body() != sc.Body) {
						t.Fatalf("%d %q, want 200 %q", status, c.Body(), sc.Body)
					}
				}
				if sc.Seed < 0 && c.Cookie() == "" {
					t.Error("create answered no Set-Cookie")
				}
			})
		}
	}
}

// TestLostUpdates runs one trial of the lost-updates check on every stack
// over HTTP: sesskit and the floor must keep all Concurrent keys; the
// peers' counts are only logged (how many they lose depends on timing).
func TestLostUpdates(t *testing.T) {
	cfg := testConfig(t)
	for _, st := range buildStacks(t, cfg) {
		t.Run(st.Name(), func(t *testing.T) {
			addr := serve(t, st)
			n, err := stack.Survivors(stack.NewClient(st), addr)
			if err != nil {
				t.Fatal(err)
			}
			if !st.IsPeer() && n != stack.Concurrent {
				t.Errorf("%d of %d concurrent writes survived, want all", n, stack.Concurrent)
			}
			t.Logf("%d of %d concurrent writes survived", n, stack.Concurrent)
		})
	}
}

func TestConfigFromURL(t *testing.T) {
	tests := []struct {
		url  string
		addr string // "" when refused
	}{
		{"redis://127.0.0.1:6380/0", "127.0.0.1:6380"},
		{"redis://127.0.0.1:6380", "127.0.0.1:6380"},
		{"redis://user:pw@127.0.0.1:6380/0", ""},
		{"redis://127.0.0.1:6380/3", ""},
		{"rediss://127.0.0.1:6380/0", ""},
	}
	for _, tt := range tests {
		cfg, err := stack.ConfigFromURL(tt.url, "p:")
		if tt.addr == "" {
			if err == nil {
				t.Errorf("%s: accepted", tt.url)
			}
			continue
		}
		if err != nil || cfg.Addr != tt.addr {
			t.Errorf("%s: %+v, %v; want addr %s", tt.url, cfg, err, tt.addr)
		}
	}
}
