package msgpack_test

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sesskit/sesskit/codecs/msgpack"
	"github.com/sesskit/sesskit/core/session"
)

type address struct {
	City string `json:"city"`
	Zip  string `json:"zip,omitempty"`
}

type user struct {
	ID      int64             `msgpack:"id"`
	Name    string            `json:"name"`
	Both    string            `msgpack:"mp" json:"js"`
	Skipped string            `json:"-"`
	Roles   []string          `json:"roles"`
	Addr    *address          `json:"addr"`
	Prefs   map[string]string `json:"prefs"`
	Seen    time.Time         `json:"seen"`
	Plain   int
}

// roundTrip marshals v, checks the result is Valid, and decodes it into a
// new value of the same type.
func roundTrip[T any](t *testing.T, v T) T {
	t.Helper()
	c := msgpack.Codec{}
	data, err := c.Marshal(v)
	if err != nil {
		t.Fatalf("Marshal(%#v): %v", v, err)
	}
	if !c.Valid(data) {
		t.Fatalf("Valid(Marshal(%#v)) = false, data % x", v, data)
	}
	var got T
	if err := c.Unmarshal(data, &got); err != nil {
		t.Fatalf("Unmarshal(% x): %v", data, err)
	}
	return got
}

func TestNameAndTag(t *testing.T) {
	c := msgpack.Codec{}
	if c.Name() != "msgpack" || c.Tag() != 'm' {
		t.Fatalf("Name, Tag = %q, %q; want msgpack, 'm'", c.Name(), c.Tag())
	}
	var _ session.Codec = c
}

func TestRoundTrip(t *testing.T) {
	seen := time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)
	tests := []struct {
		name string
		v    any
	}{
		{"int zero", 0},
		{"int small", 42},
		{"int 200", 200},
		{"int negative", -33},
		{"int64 min", int64(math.MinInt64)},
		{"int64 max", int64(math.MaxInt64)},
		{"uint64 max", uint64(math.MaxUint64)},
		{"int8", int8(-128)},
		{"uint16", uint16(65535)},
		{"float64", 3.25},
		{"bool", true},
		{"string empty", ""},
		{"string", "héllo, wörld"},
		{"string long", strings.Repeat("x", 70000)},
		{"bytes", []byte{0, 1, 2, 255}},
		{"slice int", []int{1, -2, 300, 70000, 5000000000}},
		{"slice string", []string{"a", "", "c"}},
		{"slice empty", []int{}},
		{"map string int", map[string]int{"a": 1, "b": -2, "c": 1 << 40}},
		{"map int string", map[int]string{1: "one", -2: "minus two"}},
		{"map nested", map[string][]map[string]bool{"x": {{"t": true}, {"f": false}}}},
		{"struct", user{
			ID: 7, Name: "alice", Both: "b", Roles: []string{"admin"},
			Addr: &address{City: "Oslo"}, Prefs: map[string]string{"theme": "dark"},
			Seen: seen, Plain: 9,
		}},
		{"struct empty", user{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Decode into a fresh value of the dynamic type of tt.v.
			c := msgpack.Codec{}
			data, err := c.Marshal(tt.v)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if !c.Valid(data) {
				t.Fatalf("Valid(Marshal) = false, data % x", data)
			}
			dst := reflect.New(reflect.TypeOf(tt.v))
			if err := c.Unmarshal(data, dst.Interface()); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			got := dst.Elem().Interface()
			if u, ok := got.(user); ok {
				// time.Time decodes in the local zone; compare instants.
				want := tt.v.(user)
				if !u.Seen.Equal(want.Seen) {
					t.Fatalf("Seen = %v, want %v", u.Seen, want.Seen)
				}
				u.Seen, want.Seen = time.Time{}, time.Time{}
				got, tt.v = u, want
			}
			if !reflect.DeepEqual(got, tt.v) {
				t.Fatalf("round trip = %#v, want %#v", got, tt.v)
			}
		})
	}
}

func TestRoundTripTime(t *testing.T) {
	tests := []struct {
		name string
		tm   time.Time
	}{
		{"seconds only (timestamp32)", time.Unix(1700000000, 0)},
		{"nanoseconds (timestamp64)", time.Unix(1700000000, 123456789)},
		{"before 1970 (timestamp96)", time.Date(1900, 1, 2, 3, 4, 5, 6, time.UTC)},
		{"far future (timestamp96)", time.Date(2600, 1, 1, 0, 0, 0, 1, time.UTC)},
		{"zero", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := roundTrip(t, tt.tm)
			if !got.Equal(tt.tm) {
				t.Fatalf("round trip = %v, want %v", got, tt.tm)
			}
			var anyTime any = roundTrip[any](t, tt.tm)
			if at, ok := anyTime.(time.Time); !ok || !at.Equal(tt.tm) {
				t.Fatalf("into any = %#v, want time.Time %v", anyTime, tt.tm)
			}
		})
	}
}

func TestDecodeIntoAny(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want any
	}{
		{"small int", 42, int64(42)},
		{"int written as uint8", 200, int64(200)},
		{"int written as uint32", 3000000000, int64(3000000000)},
		{"negative", -70000, int64(-70000)},
		{"uint8 type", uint8(7), int64(7)},
		{"uint64 above int64", uint64(math.MaxUint64), uint64(math.MaxUint64)},
		{"float stays float", 2.0, float64(2)},
		{"float32 widens", float32(1.5), float64(1.5)},
		{"string", "s", "s"},
		{"bytes become string", []byte("raw"), "raw"},
		{"nil", nil, nil},
		{"slice", []any{1, "a", []int{200}}, []any{int64(1), "a", []any{int64(200)}}},
		{"map with string keys", map[string]any{"n": 200, "m": map[string]int{"k": 1}},
			map[string]any{"n": int64(200), "m": map[string]any{"k": int64(1)}}},
		{"map with int keys", map[int]string{1: "a", 200: "b"},
			map[any]any{int64(1): "a", int64(200): "b"}},
		{"struct uses json names", address{City: "Oslo"}, map[string]any{"city": "Oslo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := roundTrip[any](t, tt.v)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("into any = %#v (%T), want %#v (%T)", got, got, tt.want, tt.want)
			}
		})
	}
}

func TestDecodeIntoTypedAnyContainers(t *testing.T) {
	c := msgpack.Codec{}
	data, err := c.Marshal(map[string]any{"visits": 200, "list": []int{300}})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := c.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"visits": int64(200), "list": []any{int64(300)}}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("map[string]any = %#v, want %#v", m, want)
	}
}

func TestStructTags(t *testing.T) {
	c := msgpack.Codec{}
	data, err := c.Marshal(user{ID: 1, Name: "n", Both: "b", Skipped: "s", Plain: 2})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := c.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "name", "mp", "Plain", "roles", "addr", "prefs", "seen"} {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing from %v", k, m)
		}
	}
	for _, k := range []string{"ID", "Name", "js", "Both", "Skipped"} {
		if _, ok := m[k]; ok {
			t.Errorf("key %q present in %v", k, m)
		}
	}
	data, err = c.Marshal(address{City: "Oslo"})
	if err != nil {
		t.Fatal(err)
	}
	var a map[string]any
	if err := c.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	if _, ok := a["zip"]; ok {
		t.Errorf("omitempty from the json tag not honoured: %v", a)
	}
}

func TestMarshalDeterministic(t *testing.T) {
	c := msgpack.Codec{}
	v := map[string]any{}
	for _, k := range strings.Split("q w e r t y u i o p a s d f g h j k l", " ") {
		v[k] = k
	}
	first, err := c.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		again, err := c.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if string(again) != string(first) {
			t.Fatalf("Marshal of one map gave different bytes:\n% x\n% x", first, again)
		}
	}
}

func TestMarshalRefusesWhatValidRefuses(t *testing.T) {
	type interned struct {
		A string `msgpack:"a,intern"`
		B string `msgpack:"b,intern"`
	}
	tests := []struct {
		name string
		v    any
	}{
		{"array map keys", map[[2]int]string{{1, 2}: "x"}},
		{"interned strings", interned{A: "same", B: "same"}},
		{"unsupported type", make(chan int)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := msgpack.Codec{}.Marshal(tt.v)
			if err == nil {
				t.Fatalf("Marshal = % x, nil; want an error", data)
			}
			t.Log(err)
		})
	}
}

func TestUnmarshalErrors(t *testing.T) {
	c := msgpack.Codec{}
	good, err := c.Marshal(map[string]any{"a": []int{1, 2, 3}, "t": time.Unix(5, 6)})
	if err != nil {
		t.Fatal(err)
	}
	// Every truncation and every single-byte corruption: an error or a
	// value, never a panic; invalid data always wraps ErrCorrupt.
	var inputs [][]byte
	for i := range good {
		inputs = append(inputs, good[:i])
		for _, b := range []byte{0x00, 0xc1, 0xdd, 0xff, good[i] ^ 0x80} {
			bad := append([]byte(nil), good...)
			bad[i] = b
			inputs = append(inputs, bad)
		}
	}
	inputs = append(inputs, append(append([]byte(nil), good...), 0x00))
	for _, data := range inputs {
		dsts := []any{new(any), new(map[string]any), new(user), new([]int), new(string), new(time.Time)}
		for _, dst := range dsts {
			err := c.Unmarshal(data, dst)
			if err != nil && strings.Contains(err.Error(), "panic:") {
				t.Fatalf("Unmarshal(% x, %T) recovered a panic: %v", data, dst, err)
			}
			if !c.Valid(data) && !errors.Is(err, session.ErrCorrupt) {
				t.Fatalf("Unmarshal(% x, %T) = %v; want ErrCorrupt", data, dst, err)
			}
		}
	}
}

func TestUnmarshalTypeMismatchIsNotCorrupt(t *testing.T) {
	c := msgpack.Codec{}
	data, err := c.Marshal("text")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	err = c.Unmarshal(data, &n)
	if err == nil || errors.Is(err, session.ErrCorrupt) {
		t.Fatalf("Unmarshal(string into int) = %v; want a non-corrupt error", err)
	}
	if err := c.Unmarshal(data, n); err == nil {
		t.Fatal("Unmarshal into a non-pointer succeeded")
	}
}

// TestNilIntoTimeField: the library panics decoding nil into a time.Time
// field (as after changing a field from *time.Time to time.Time while
// sessions hold nil). Unmarshal must turn that into an error.
func TestNilIntoTimeField(t *testing.T) {
	c := msgpack.Codec{}
	type before struct {
		Seen *time.Time `json:"seen"`
	}
	type after struct {
		Seen time.Time `json:"seen"`
	}
	data, err := c.Marshal(before{})
	if err != nil {
		t.Fatal(err)
	}
	var v after
	if err := c.Unmarshal(data, &v); err == nil || errors.Is(err, session.ErrCorrupt) {
		t.Fatalf("Unmarshal(nil into time.Time field) = %v, want a decode error", err)
	}
	// The decoder that hit the panic is not reused; the next call works.
	if err := c.Unmarshal(data, new(before)); err != nil {
		t.Fatal(err)
	}
}
