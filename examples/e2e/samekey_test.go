package e2e_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"testing"
)

// TestSameKeyAcrossInstances: three app instances of different frameworks
// on one Redis (single node, then Cluster), one session, 50 concurrent
// requests per operation spread over the three. Every increment counts,
// every cart line lands, every flash message is popped exactly once.
func TestSameKeyAcrossInstances(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		backend func(*testing.T) backend
	}{{"single", singleRedis}, {"cluster", clusterRedis}} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.backend(t)
			apps := []*app{start(t, "chi", b.env), start(t, "gin", b.env, "-codec", "msgpack"), start(t, "fiber", b.env)}
			c := newClient(t)
			wantJSON(t, "first visit", c.do("POST", apps[0].url+"/api/visits", ""), 200, `{"visits":1}`)
			cookie := "session=" + c.token(apps[0].url)
			const n = 50
			each := func(what string, req func(i int, url string) reply) []reply {
				t.Helper()
				replies := make([]reply, n)
				var wg sync.WaitGroup
				for i := range n {
					wg.Go(func() { replies[i] = req(i, apps[i%len(apps)].url) })
				}
				wg.Wait()
				for i, r := range replies {
					if r.status != 200 && r.status != 204 {
						t.Fatalf("%s %d: status %d %s", what, i, r.status, r.body)
					}
					if len(r.header.Values("Set-Cookie")) != 0 {
						t.Fatalf("%s %d changed the cookie: %q", what, i, r.header.Values("Set-Cookie"))
					}
				}
				return replies
			}
			jar := noJar(t)

			each("increment", func(_ int, url string) reply { return jar.do("POST", url+"/api/visits", "", "Cookie", cookie) })
			wantJSON(t, "visits after 50 concurrent increments", jar.do("GET", apps[1].url+"/api/values/visits", "", "Cookie", cookie), 200, fmt.Sprint(1+n))

			each("cart addition", func(i int, url string) reply {
				return jar.do("POST", url+"/api/cart", fmt.Sprintf(`{"sku":"S%02d","qty":1}`, i), "Cookie", cookie)
			})
			var cart []struct{ SKU string }
			r := jar.do("GET", apps[2].url+"/api/values/cart", "", "Cookie", cookie)
			if err := json.Unmarshal(r.body, &cart); err != nil || len(cart) != n {
				t.Fatalf("cart after 50 concurrent additions of distinct SKUs: %d lines (%s), want %d", len(cart), r.body, n)
			}

			each("flash", func(i int, url string) reply {
				return jar.do("POST", url+"/api/flash", fmt.Sprintf(`{"message":"m%02d"}`, i), "Cookie", cookie)
			})
			var popped []string
			var mu sync.Mutex
			each("flash pop", func(_ int, url string) reply {
				r := jar.do("GET", url+"/api/flash", "", "Cookie", cookie)
				var got struct{ Messages []string }
				_ = json.Unmarshal(r.body, &got)
				mu.Lock()
				popped = append(popped, got.Messages...)
				mu.Unlock()
				return r
			})
			sort.Strings(popped)
			if len(popped) != n {
				t.Fatalf("%d messages popped (%q), want each of %d once", len(popped), popped, n)
			}
			for i, m := range popped {
				if want := fmt.Sprintf("m%02d", i); m != want {
					t.Fatalf("popped %q, want each of m00..m49 once", popped)
				}
			}
		})
	}
}

// TestWizard walks the three-step form on every app: steps in order only,
// bad fields refused, submit stores signup and clears the progress.
func TestWizard(t *testing.T) {
	t.Parallel()
	for _, fw := range frameworks {
		t.Run(fw, func(t *testing.T) {
			t.Parallel()
			a := start(t, fw, nil)
			c := newClient(t)
			u := a.url + "/api/wizard"
			wantJSON(t, "no progress", c.do("GET", u, ""), 200, `{"step":1,"data":{}}`)
			wantError(t, "step 2 first", c.do("POST", u+"/2", `{"email":"ann@example.com"}`), 409)
			wantError(t, "submit first", c.do("POST", u+"/submit", ""), 409)
			wantError(t, "bad name", c.do("POST", u+"/1", `{"name":""}`), 400)
			wantError(t, "no such step", c.do("POST", u+"/4", `{}`), 404)
			wantJSON(t, "step 1", c.do("POST", u+"/1", `{"name":"Ann"}`), 200, `{"step":2,"data":{"name":"Ann"}}`)
			wantError(t, "bad email", c.do("POST", u+"/2", `{"email":"not an address"}`), 400)
			wantJSON(t, "step 2", c.do("POST", u+"/2", `{"email":"ann@example.com"}`), 200, `{"step":3,"data":{"name":"Ann","email":"ann@example.com"}}`)
			wantError(t, "bad plan", c.do("POST", u+"/3", `{"plan":"gold"}`), 400)
			wantJSON(t, "step 3", c.do("POST", u+"/3", `{"plan":"pro"}`), 200, `{"step":3,"data":{"name":"Ann","email":"ann@example.com","plan":"pro"}}`)
			wantJSON(t, "progress", c.do("GET", u, ""), 200, `{"step":3,"data":{"name":"Ann","email":"ann@example.com","plan":"pro"}}`)
			wantJSON(t, "submit", c.do("POST", u+"/submit", ""), 200, `{"signup":{"name":"Ann","email":"ann@example.com","plan":"pro"}}`)
			wantJSON(t, "progress after submit", c.do("GET", u, ""), 200, `{"step":1,"data":{}}`)
			wantJSON(t, "signup value", c.do("GET", a.url+"/api/values/signup", ""), 200, `{"name":"Ann","email":"ann@example.com","plan":"pro"}`)
		})
	}
}
