package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sesskit/sesskit/codecs/msgpack"
	"github.com/sesskit/sesskit/core/session"
)

// TestInspect: inspect decodes values written with JSON and with
// MessagePack, counters and lists, and never prints the token.
func TestInspect(t *testing.T) {
	eachTopology(t, func(t *testing.T, tp topology) {
		prefix := uniquePrefix()
		a := newApp(t, tp, prefix)
		mp := newApp(t, tp, prefix, session.WithCodec(msgpack.Codec{}))
		cookie, handle := a.login(t, "ann", map[string]any{"cart": map[string]any{"items": []int{1, 2}}})
		mp.request(t, cookie, func(s *session.Session) error {
			if err := s.Set("prefs", map[string]any{"theme": "dark", "size": 3}); err != nil {
				return err
			}
			if _, err := session.Incr(s, "visits", 5); err != nil {
				return err
			}
			return session.Append(s, "seen", "p1")
		})

		res := sesskit(t, cmdArgs([]string{"inspect"}, a.conn, "-json", handle)...)
		if res.code != 0 {
			t.Fatalf("inspect: exit %d: %s", res.code, res.stderr)
		}
		if strings.Contains(res.stdout, cookie.Value) {
			t.Fatal("inspect printed the token")
		}
		var in inspected
		if err := json.Unmarshal([]byte(res.stdout), &in); err != nil {
			t.Fatalf("inspect -json: %v\n%s", err, res.stdout)
		}
		if in.Kind != "session" || in.User != "ann" || in.TTLMillis <= 0 || in.Created == nil || len(in.Values) != 4 {
			t.Fatalf("inspected %+v", in)
		}
		want := map[string]struct{ encoding, value string }{
			"cart":   {"json", `{"items":[1,2]}`},
			"prefs":  {"msgpack", `{"size":3,"theme":"dark"}`},
			"visits": {"counter", `5`},
			"seen":   {"list", `["p1"]`},
		}
		for _, v := range in.Values {
			got, _ := json.Marshal(v.Value)
			if w := want[v.Name]; v.Encoding != w.encoding || string(got) != w.value || v.Error != "" {
				t.Errorf("value %s: %s %s (error %q), want %s %s", v.Name, v.Encoding, got, v.Error, w.encoding, w.value)
			}
		}

		res = sesskit(t, cmdArgs([]string{"inspect"}, a.conn, handle)...)
		for _, s := range []string{"user         ann", `"prefs" (msgpack`, `{"size":3,"theme":"dark"}`, `"cart" (json`} {
			if res.code != 0 || !strings.Contains(res.stdout, s) {
				t.Errorf("inspect text lacks %q: exit %d\n%s", s, res.code, res.stdout)
			}
		}
	})
}
