package msgpack_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sesskit/sesskit/codecs/msgpack"
	"github.com/sesskit/sesskit/core/session"
)

// knownLibraryPanic is what vmihailenco/msgpack v5.4.1 panics with when it
// decodes nil into a time.Time struct field (decodeNilValue calls IsNil on
// a struct). Unmarshal recovers it into an error; see TestNilIntoTimeField.
const knownLibraryPanic = "reflect.Value.IsNil on struct Value"

// FuzzDecode checks that Valid and Unmarshal never panic (nor hide a panic
// behind an error), that they agree, and that whatever decodes into an any
// can be written again. The seeds run in every plain `go test`.
func FuzzDecode(f *testing.F) {
	c := msgpack.Codec{}
	for _, v := range []any{
		nil, true, 0, -1, 200, 70000, int64(-1 << 40), uint64(1 << 63), 1.5, float32(2.5),
		"", "héllo", strings.Repeat("s", 300), []byte{1, 2},
		[]any{1, "a", nil, []int{1, 2}}, map[string]any{"a": 1, "b": map[string]any{"c": []string{"d"}}},
		map[int]string{1: "x"}, time.Unix(1, 0), time.Unix(1e10, 5), time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC),
		user{Name: "n", Roles: []string{"r"}, Addr: &address{City: "c"}, Seen: time.Unix(5, 6)},
	} {
		f.Add(mustMarshal(f, v))
	}
	for _, b := range [][]byte{
		{}, {0xc1}, {0x01, 0x02}, {0x92, 0x01}, {0xa3, 'a'}, {0xd9},
		{0xdd, 0xff, 0xff, 0xff, 0xff}, {0xdf, 0xff, 0xff, 0xff, 0xff},
		{0xdb, 0xff, 0xff, 0xff, 0xff}, {0xc6, 0xff, 0xff, 0xff, 0xff},
		{0xc9, 0xff, 0xff, 0xff, 0xff, 0xff}, {0x81, 0x90, 0x01}, {0x81, 0x80, 0x01},
		{0xd4, 0x05, 0x00}, {0xd4, 0x80, 0x00}, {0xd5, 0xff, 0x00, 0x00},
		{0x81, 0xd6, 0xff, 0, 0, 0, 1, 0xc0}, {0x82, 0x01, 0x02, 0xa1, 'a', 0x03},
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		valid := c.Valid(data)
		var v any
		err := c.Unmarshal(data, &v)
		if valid && err != nil {
			t.Fatalf("Valid(% x) but Unmarshal into any: %v", data, err)
		}
		if !valid && !errors.Is(err, session.ErrCorrupt) {
			t.Fatalf("not Valid(% x) but Unmarshal into any = %v", data, err)
		}
		for _, dst := range []any{new(user), new(map[string]any), new([]int), new(string), new(time.Time)} {
			err := c.Unmarshal(data, dst)
			if err != nil && strings.Contains(err.Error(), "panic:") && !strings.Contains(err.Error(), knownLibraryPanic) {
				t.Fatalf("Unmarshal(% x) into %T recovered a panic: %v", data, dst, err)
			}
		}
		if !valid {
			return
		}
		again, err := c.Marshal(v)
		if err != nil {
			t.Fatalf("Marshal of %#v decoded from % x: %v", v, data, err)
		}
		if !c.Valid(again) {
			t.Fatalf("Marshal of %#v gave invalid % x", v, again)
		}
	})
}
