package msgpack_test

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/sesskit/sesskit/codecs/msgpack"
	"github.com/sesskit/sesskit/core/session"
)

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	data, err := msgpack.Codec{}.Marshal(v)
	if err != nil {
		t.Fatalf("Marshal(%#v): %v", v, err)
	}
	return data
}

// nested returns n array headers of one element around a nil.
func nested(n int) []byte {
	return append(bytes.Repeat([]byte{0x91}, n), 0xc0)
}

func TestValid(t *testing.T) {
	c := msgpack.Codec{}
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"nil", []byte{0xc0}, true},
		{"fixint", []byte{0x05}, true},
		{"negative fixint", []byte{0xff}, true},
		{"empty array", []byte{0x90}, true},
		{"empty map", []byte{0x80}, true},
		{"map of two", []byte{0x82, 0xa1, 'a', 0x01, 0xa1, 'b', 0xc0}, true},
		{"int map key", []byte{0x81, 0x01, 0x02}, true},
		{"nil map key", []byte{0x81, 0xc0, 0x02}, true},
		{"str8", []byte{0xd9, 0x02, 'h', 'i'}, true},
		{"bin16", []byte{0xc5, 0x00, 0x01, 0x7f}, true},
		{"float64", []byte{0xcb, 0, 0, 0, 0, 0, 0, 0, 0}, true},
		{"timestamp96", append([]byte{0xc7, 12, 0xff}, make([]byte, 12)...), true},
		{"timestamp96 max nanoseconds", []byte{0xc7, 12, 0xff, 0x3b, 0x9a, 0xc9, 0xff, 0, 0, 0, 0, 0, 0, 0, 1}, true},
		{"timestamp96 as ext16", append([]byte{0xc8, 0, 12, 0xff}, make([]byte, 12)...), true},
		{"timestamp as map key", append([]byte{0x81, 0xc7, 12, 0xff}, append(make([]byte, 12), 0x01)...), true},
		{"marshalled struct", mustMarshal(t, user{Name: "a", Seen: time.Unix(1, 2)}), true},
		{"max depth", nested(msgpack.MaxDepth), true},

		{"empty", nil, false},
		{"never-used code", []byte{0xc1}, false},
		{"trailing garbage", []byte{0x01, 0x02}, false},
		{"trailing nil", append(mustMarshal(t, "x"), 0xc0), false},
		{"two values", []byte{0x90, 0x90}, false},
		{"truncated str", []byte{0xa5, 'a', 'b'}, false},
		{"truncated str8 length", []byte{0xd9}, false},
		{"truncated uint32", []byte{0xce, 0, 0}, false},
		{"truncated array", []byte{0x93, 0x01, 0x02}, false},
		{"truncated map value", []byte{0x81, 0xa1, 'k'}, false},
		{"array32 claims 4 GiB", []byte{0xdd, 0xff, 0xff, 0xff, 0xff}, false},
		{"map32 claims 4 GiB", []byte{0xdf, 0xff, 0xff, 0xff, 0xff}, false},
		{"str32 claims 4 GiB", []byte{0xdb, 0xff, 0xff, 0xff, 0xff}, false},
		{"bin32 claims 4 GiB", []byte{0xc6, 0xff, 0xff, 0xff, 0xff}, false},
		{"ext32 claims 4 GiB", []byte{0xc9, 0xff, 0xff, 0xff, 0xff, 0xff}, false},
		{"array as map key", []byte{0x81, 0x90, 0x01}, false},
		{"map as map key", []byte{0x81, 0x80, 0x01}, false},
		{"array16 as map key", []byte{0x81, 0xdc, 0x00, 0x00, 0x01}, false},
		{"unknown extension", []byte{0xd4, 0x05, 0x00}, false},
		{"interned string extension", []byte{0xd4, 0x80, 0x00}, false},
		{"bad timestamp length", []byte{0xd5, 0xff, 0x00, 0x00}, false},
		// Short timestamps are refused: see TestTimestampWhereMapExpected.
		{"timestamp32", []byte{0xd6, 0xff, 0, 0, 0, 1}, false},
		{"timestamp64", []byte{0xd7, 0xff, 0, 0, 0, 0, 0, 0, 0, 1}, false},
		{"timestamp96 nanoseconds 1e9", []byte{0xc7, 12, 0xff, 0x3b, 0x9a, 0xca, 0x00, 0, 0, 0, 0, 0, 0, 0, 1}, false},
		{"truncated timestamp96", []byte{0xc7, 12, 0xff, 0, 0, 0}, false},
		{"too deep", nested(msgpack.MaxDepth + 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Valid(tt.data); got != tt.want {
				t.Fatalf("Valid(% x) = %v, want %v", tt.data, got, tt.want)
			}
			var v any
			err := c.Unmarshal(tt.data, &v)
			if tt.want && err != nil {
				t.Fatalf("Valid but Unmarshal into any: %v", err)
			}
			if !tt.want && err == nil {
				t.Fatalf("not Valid but Unmarshal into any = %#v, nil", v)
			}
		})
	}
}

func TestValidRefusesEveryTruncation(t *testing.T) {
	c := msgpack.Codec{}
	data := mustMarshal(t, map[string]any{
		"user": user{Name: "bob", Roles: []string{"a", "b"}, Seen: time.Unix(1e9, 5)},
		"n":    []any{1, 300, 70000, 5000000000, -1, 1.5, "s", nil, true},
	})
	for i := range data {
		if c.Valid(data[:i]) {
			t.Fatalf("Valid(first %d of %d bytes) = true", i, len(data))
		}
	}
}

func TestValidDoesNotAllocate(t *testing.T) {
	c := msgpack.Codec{}
	data := mustMarshal(t, map[string]any{
		"cart": []map[string]any{{"sku": "A1", "qty": 2}, {"sku": "B2", "qty": 1}},
		"user": "alice",
		"seen": time.Unix(1e9, 1),
	})
	if allocs := testing.AllocsPerRun(100, func() { c.Valid(data) }); allocs != 0 {
		t.Fatalf("Valid allocated %v times per run, want 0", allocs)
	}
}

func TestMarshalWritesTimestamp96(t *testing.T) {
	tests := []struct {
		name string
		tm   time.Time
		want []byte
	}{
		{"fits 32 bits", time.Unix(1, 0),
			[]byte{0xc7, 12, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
		{"fits 64 bits", time.Unix(2, 3),
			[]byte{0xc7, 12, 0xff, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 2}},
		{"needs 96 bits", time.Unix(-1, 5),
			[]byte{0xc7, 12, 0xff, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustMarshal(t, tt.tm); !bytes.Equal(got, tt.want) {
				t.Fatalf("Marshal(%v) = % x, want % x", tt.tm, got, tt.want)
			}
			// Inside containers, next to other values.
			v := []any{"a", tt.tm, map[string]any{"t": tt.tm, "n": 1}, tt.tm}
			data := mustMarshal(t, v)
			if n := bytes.Count(data, tt.want); n != 3 {
				t.Fatalf("Marshal(%v) holds %d 12-byte timestamps, want 3: % x", v, n, data)
			}
			var back []time.Time
			var got []any
			if err := (msgpack.Codec{}).Unmarshal(data, &got); err != nil {
				t.Fatal(err)
			}
			back = append(back, got[1].(time.Time), got[2].(map[string]any)["t"].(time.Time), got[3].(time.Time))
			for _, b := range back {
				if !b.Equal(tt.tm) {
					t.Fatalf("decoded %v, want %v", b, tt.tm)
				}
			}
		})
	}
}

// TestTimestampWhereMapExpected: decoding a timestamp into a Go map, the
// library reads the timestamp's body as a map header (and then the rest of
// the input out of step). Found by FuzzDecode: an 8-byte timestamp whose
// body starts with df 30 30 30 30 made it build a map of 808 million
// entries. Only 12-byte timestamps, whose body starts with a fixint, pass.
func TestTimestampWhereMapExpected(t *testing.T) {
	c := msgpack.Codec{}
	short := []byte{0x81, 0xa1, 'm', 0xd7, 0xff, 0xdf, 0x30, 0x30, 0x30, 0x30, 0x30, 0x1d, 0x30}
	if err := c.Unmarshal(short, new(map[string]map[string]any)); !errors.Is(err, session.ErrCorrupt) {
		t.Fatalf("Unmarshal(8-byte timestamp) = %v, want ErrCorrupt", err)
	}
	type withTime struct {
		M time.Time `json:"m"`
	}
	type withMap struct {
		M map[string]string `json:"m"`
	}
	for _, tm := range []time.Time{time.Unix(0xdf303030, 0), time.Unix(0, 0x80<<22), time.Unix(1<<40, 999999999)} {
		data := mustMarshal(t, withTime{M: tm})
		for _, dst := range []any{new(withMap), new(map[string]map[string]any), new(map[string]map[int]int)} {
			var err error
			if n := allocated(func() { err = c.Unmarshal(data, dst) }); n > 1<<20 {
				t.Errorf("Unmarshal(time into %T) allocated %d bytes", dst, n)
			}
			if err == nil || errors.Is(err, session.ErrCorrupt) {
				t.Errorf("Unmarshal(time into %T) = %v, want a type error", dst, err)
			}
		}
	}
}

// TestNaNMapKeys: NaN equals no key, itself included, so a map decoded from
// NaN keys would keep one entry per key. Valid refuses them wherever they
// are, and so Marshal and Unmarshal do.
func TestNaNMapKeys(t *testing.T) {
	nan64 := []byte{0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1}
	nan32 := []byte{0xca, 0x7f, 0xc0, 0, 1}
	negNaN := []byte{0xcb, 0xff, 0xf0, 0, 0, 0, 0, 0, 1}
	two := func(k []byte) []byte {
		b := append([]byte{0x82}, k...)
		b = append(b, 0x01)
		b = append(b, k...)
		return append(b, 0x02)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"float64 NaN key", append(append([]byte{0x81}, nan64...), 0x01)},
		{"float32 NaN key", append(append([]byte{0x81}, nan32...), 0x01)},
		{"negative NaN key", append(append([]byte{0x81}, negNaN...), 0x01)},
		{"two NaN keys", two(nan64)},
		{"NaN key in a nested map", append([]byte{0x91, 0x81, 0xa1, 'm'}, two(nan32)...)},
		{"NaN key after string keys", append(append([]byte{0x82, 0xa1, 'a', 0x01}, nan64...), 0x02)},
	}
	c := msgpack.Codec{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if c.Valid(tt.data) {
				t.Fatalf("Valid(% x) = true", tt.data)
			}
			for _, dst := range []any{new(any), new(map[float64]int), new(map[float32]int), new(map[any]any),
				new([]map[string]map[float64]int), new(map[string]any)} {
				if err := c.Unmarshal(tt.data, dst); !errors.Is(err, session.ErrCorrupt) {
					t.Errorf("Unmarshal into %T = %v, want ErrCorrupt", dst, err)
				}
			}
		})
	}
	for _, v := range []any{map[float64]int{math.NaN(): 1}, map[any]any{math.NaN(): 1}, map[float32]string{float32(math.NaN()): ""}} {
		if data, err := c.Marshal(v); err == nil {
			t.Errorf("Marshal(%v) = % x, nil; want an error", v, data)
		}
	}
	// Other float keys, and NaN values, are fine.
	got := roundTrip(t, map[float64]float64{1.5: math.NaN(), math.Inf(-1): 2, 0: 3})
	if len(got) != 3 || !math.IsNaN(got[1.5]) || got[math.Inf(-1)] != 2 || got[0] != 3 {
		t.Fatalf("round trip = %v", got)
	}
	anyGot := roundTrip[any](t, map[float64]int{2.5: 1})
	if !reflect.DeepEqual(anyGot, map[any]any{2.5: int64(1)}) {
		t.Fatalf("into any = %#v", anyGot)
	}
}
