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

// knownLibraryPanic is what vmihailenco/msgpack v5.4.1 panics with when it
// decodes nil into a time.Time struct field (decodeNilValue calls IsNil on
// a struct). Unmarshal recovers it into an error; see TestNilIntoTimeField.
const knownLibraryPanic = "reflect.Value.IsNil on struct Value"

// FuzzDecode checks that Valid and Unmarshal never panic (nor hide a panic
// behind an error), that they agree, that whatever decodes into an any can
// be written again, and that a number decoded into a narrower type is the
// number decoded into an any. The seeds run in every plain `go test`.
func FuzzDecode(f *testing.F) {
	c := msgpack.Codec{}
	for _, v := range []any{
		nil, true, 0, -1, 200, 70000, int64(-1 << 40), uint64(1 << 63), 1.5, float32(2.5),
		"", "héllo", strings.Repeat("s", 300), []byte{1, 2},
		[]any{1, "a", nil, []int{1, 2}}, map[string]any{"a": 1, "b": map[string]any{"c": []string{"d"}}},
		map[int]string{1: "x"}, time.Unix(1, 0), time.Unix(1e10, 5), time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC),
		user{Name: "n", Roles: []string{"r"}, Addr: &address{City: "c"}, Seen: time.Unix(5, 6)},
		300, -129, 65536, uint64(1<<63 + 5), []int{1, 300, -1}, map[int]int{300: -1},
		map[string]any{"i8": 300, "u8": -1, "s": []int{70000}, "k": map[int]string{-300: ""}, "pp": 5},
		map[float64]int{1.5: 2}, map[string]any{"pages": []any{nil, nil}, "x": 1},
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
		{0x81, 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1, 0x01}, {0x81, 0xca, 0x7f, 0xc0, 0, 1, 0x01},
		array32(300, []byte{0x80}), array32(300, []byte{0xc0}), map32(300, []byte{0xa0, 0x80}),
		array32(100, []byte{0x81, 0xa1, 'x', 0x00}),
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
		for _, dst := range []any{new(user), new(map[string]any), new([]int), new(string), new(time.Time),
			new(narrowFields), new(narrowEmbedded), new([]page), new([]*page), new(map[string]page), new(holdsPages),
			new([]embedsPadded), new(map[float64]int8), new(map[int8]uint8), new([][]uint16)} {
			err := c.Unmarshal(data, dst)
			if err != nil && strings.Contains(err.Error(), "panic:") && !strings.Contains(err.Error(), knownLibraryPanic) {
				t.Fatalf("Unmarshal(% x) into %T recovered a panic: %v", data, dst, err)
			}
		}
		if err == nil {
			checkNumbers(t, data, v)
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

// checkNumbers decodes data, which decoded into v as an any, into each
// numeric type and into slices of them, and fails if a number comes out
// other than it went in.
func checkNumbers(t *testing.T, data []byte, v any) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[int8](), reflect.TypeFor[uint8](), reflect.TypeFor[int16](), reflect.TypeFor[uint16](),
		reflect.TypeFor[int32](), reflect.TypeFor[uint32](), reflect.TypeFor[int](), reflect.TypeFor[uint64](),
		reflect.TypeFor[float32](), reflect.TypeFor[float64](),
	} {
		for _, dst := range []reflect.Value{reflect.New(typ), reflect.New(reflect.SliceOf(typ))} {
			if (msgpack.Codec{}).Unmarshal(data, dst.Interface()) != nil {
				continue
			}
			got, want := dst.Elem(), reflect.ValueOf(v)
			if got.Kind() != reflect.Slice {
				if !sameNumber(got, want) {
					t.Fatalf("Unmarshal(% x) into %s = %v; into an any %v", data, typ, got, v)
				}
				continue
			}
			if want.Kind() != reflect.Slice {
				continue // nil
			}
			for i := range got.Len() {
				if !sameNumber(got.Index(i), want.Index(i).Elem()) {
					t.Fatalf("Unmarshal(% x) into []%s = %v; into an any %v", data, typ, got, v)
				}
			}
		}
	}
}

// sameNumber reports whether got, a number, is the number want is, as Go
// converts it to got's type when that is a float; a nil want is zero.
func sameNumber(got, want reflect.Value) bool {
	var w64 float64
	var w32 float32 // converted directly: float32(float64(n)) may round twice
	var exact bool
	switch {
	case !want.IsValid():
		return got.IsZero()
	case want.Kind() == reflect.Int64:
		w64, w32 = float64(want.Int()), float32(want.Int())
		exact = got.CanInt() && got.Int() == want.Int() || got.CanUint() && want.Int() >= 0 && got.Uint() == uint64(want.Int())
	case want.Kind() == reflect.Uint64:
		w64, w32 = float64(want.Uint()), float32(want.Uint())
		exact = got.CanUint() && got.Uint() == want.Uint() || got.CanInt() && want.Uint() <= math.MaxInt64 && got.Int() == int64(want.Uint())
	case want.Kind() == reflect.Float64:
		w64, w32 = want.Float(), float32(want.Float())
	default:
		return true // not a number: the decoder refused or converted it itself
	}
	switch got.Kind() {
	case reflect.Float32:
		return w32 == float32(got.Float()) || math.IsNaN(w64)
	case reflect.Float64:
		return w64 == got.Float() || math.IsNaN(w64)
	}
	return exact
}
