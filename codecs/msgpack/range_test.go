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

type level int8

type narrowFields struct {
	I8  int8    `json:"i8"`
	U8  uint8   `json:"u8"`
	I16 int16   `json:"i16"`
	U32 uint32  `json:"u32"`
	F32 float32 `json:"f32"`
	F64 float64 `json:"f64"`
	Lvl level   `json:"lvl"`
	P   *uint8  `json:"p"`
	PP  **int8  `json:"pp"`
	S   []int8  `json:"s"`
	A   [2]uint16
	M   map[string]uint8 `json:"m"`
	K   map[int8]string  `json:"k"`
	Any any              `json:"any"`
}

type Narrow8 struct {
	N int8 `json:"n"`
}

type narrowEmbedded struct {
	Narrow8
	Other string `json:"other"`
}

type narrowPtrEmbedded struct {
	*Narrow8
}

type narrowAlias struct {
	N int8 `msgpack:"n,alias:num"`
}

// TestUnmarshalRefusesWhatDoesNotFit: a number that does not fit its
// destination is an error, as in encoding/json, never a wrapped value.
func TestUnmarshalRefusesWhatDoesNotFit(t *testing.T) {
	tests := []struct {
		name string
		v    any // marshalled, then decoded into dst
		dst  any
		json bool // encoding/json refuses the same number too
	}{
		{"300 into int8", 300, new(int8), true},
		{"128 into int8", 128, new(int8), true},
		{"-129 into int8", -129, new(int8), true},
		{"32768 into int16", 32768, new(int16), true},
		{"1<<31 into int32", 1 << 31, new(int32), true},
		{"max uint64 into int64", uint64(math.MaxUint64), new(int64), true},
		{"max uint64 into int", uint64(math.MaxUint64), new(int), true},
		{"max uint64 into time.Duration", uint64(math.MaxUint64), new(time.Duration), true},
		{"-1 into uint", -1, new(uint), true},
		{"-1 into uint8", -1, new(uint8), true},
		{"-1 into uint64", -1, new(uint64), true},
		{"min int64 into uint64", int64(math.MinInt64), new(uint64), true},
		{"256 into uint8", 256, new(uint8), true},
		{"65536 into uint16", 65536, new(uint16), true},
		{"1<<32 into uint32", 1 << 32, new(uint32), true},
		{"300 into named int8", 300, new(level), true},
		// encoding/json reads 18446744073709551615 into a float64 as 1.8e19;
		// the library would make it -1, so it is refused.
		{"max uint64 into float64", uint64(math.MaxUint64), new(float64), false},
		{"max uint64 into float32", uint64(math.MaxUint64), new(float32), false},
		// The library refuses floats into integers and float64 into float32
		// itself (encoding/json takes 2.0 into an int and 1.5 into a float32).
		{"1.5 into int", 1.5, new(int), true},
		{"2.0 into int8", 2.0, new(int8), false},
		{"1e300 into float32", 1e300, new(float32), true},
		{"1.5 (float64) into float32", 1.5, new(float32), false},

		{"pointer to pointer", 300, new(**int8), true},
		{"struct field", map[string]any{"i8": 300}, new(narrowFields), true},
		{"unsigned struct field", map[string]any{"u8": -1}, new(narrowFields), true},
		{"named type field", map[string]any{"lvl": 128}, new(narrowFields), true},
		{"pointer field", map[string]any{"p": 256}, new(narrowFields), true},
		{"pointer to pointer field", map[string]any{"pp": -200}, new(narrowFields), true},
		{"float field", map[string]any{"f64": uint64(math.MaxUint64)}, new(narrowFields), false},
		{"slice element", []int{1, 2, 300}, new([]int8), true},
		{"slice field", map[string]any{"s": []int{0, -129}}, new(narrowFields), true},
		{"array element", []int{1, -1}, new([2]uint8), true},
		{"array field", map[string]any{"A": []int{70000}}, new(narrowFields), true},
		{"map value", map[string]int{"a": 70000}, new(map[string]uint16), true},
		{"map field value", map[string]any{"m": map[string]int{"x": 256}}, new(narrowFields), true},
		{"map key", map[int]string{300: "x"}, new(map[int8]string), true},
		{"map field key", map[string]any{"k": map[int]string{-300: "x"}}, new(narrowFields), true},
		{"nested slices", [][]int{{1}, {2, 1 << 40}}, new([][]int32), true},
		{"slice of structs", []map[string]int{{"i16": 1}, {"i16": 1 << 20}}, new([]narrowFields), true},
		{"map of pointers", map[string]int{"a": -1}, new(map[string]*uint), true},
		{"embedded struct field", map[string]any{"n": 200}, new(narrowEmbedded), true},
		{"embedded pointer field", map[string]any{"n": 200}, new(narrowPtrEmbedded), true},
		{"aliased field", map[string]any{"num": 200}, new(narrowAlias), false},
		{"struct as array", []any{300}, new(Narrow8), false},
		{"pointer in an interface", 300, anyPointingTo(new(int8)), false},
	}
	c := msgpack.Codec{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := mustMarshal(t, tt.v)
			err := c.Unmarshal(data, tt.dst)
			if err == nil {
				t.Fatalf("Unmarshal(% x) into %T = nil, value %#v; want an error", data, tt.dst, reflect.ValueOf(tt.dst).Elem())
			}
			if errors.Is(err, session.ErrCorrupt) || errors.Is(err, session.ErrTooLarge) {
				t.Fatalf("Unmarshal into %T = %v; want a plain decode error", tt.dst, err)
			}
			if strings.Contains(err.Error(), "panic:") {
				t.Fatalf("Unmarshal into %T recovered a panic: %v", tt.dst, err)
			}
			if !tt.json {
				return
			}
			js, jerr := session.JSON{}.Marshal(tt.v)
			if jerr != nil {
				t.Fatal(jerr)
			}
			if jerr := (session.JSON{}).Unmarshal(js, reflect.New(reflect.TypeOf(tt.dst).Elem()).Interface()); jerr == nil {
				t.Fatalf("encoding/json accepts %s into %T", js, tt.dst)
			}
		})
	}
}

func anyPointingTo(p any) *any { return &p }

// TestUnmarshalAcceptsWhatFits: the limits themselves, and numbers written
// with a wider type than the destination's, decode as they are.
func TestUnmarshalAcceptsWhatFits(t *testing.T) {
	u8 := uint8(255)
	i8 := int8(-128)
	pi8 := &i8
	tests := []struct {
		name string
		v    any
		want any
	}{
		{"127 into int8", 127, int8(127)},
		{"-128 into int8", -128, int8(-128)},
		{"int64 -128 into int8", int64(-128), int8(-128)},
		{"uint64 127 into int8", uint64(127), int8(127)},
		{"255 into uint8", 255, uint8(255)},
		{"0 into uint", 0, uint(0)},
		{"max int16", math.MaxInt16, int16(math.MaxInt16)},
		{"min int32", math.MinInt32, int32(math.MinInt32)},
		{"max uint32", uint64(math.MaxUint32), uint32(math.MaxUint32)},
		{"max int64 into int", math.MaxInt64, int(math.MaxInt64)},
		{"min int64", int64(math.MinInt64), int64(math.MinInt64)},
		{"max uint64", uint64(math.MaxUint64), uint64(math.MaxUint64)},
		{"named int8", -5, level(-5)},
		{"-1 into float64", -1, float64(-1)},
		{"1<<53 into float64", 1 << 53, float64(1 << 53)},
		{"max int64 into float32", math.MaxInt64, float32(math.MaxInt64)},
		{"float32 into float64", float32(1.5), float64(1.5)},
		{"float32 into float32", float32(-2.5), float32(-2.5)},
		{"nil into int8", nil, int8(0)},
		{"struct", map[string]any{"i8": -128, "u8": 255, "i16": -300, "u32": uint64(math.MaxUint32), "f32": 7, "f64": -7,
			"lvl": 127, "p": 255, "pp": -128, "s": []int{-1, 1}, "A": []int{65535}, "m": map[string]int{"z": 0},
			"k": map[int]string{-128: "lo"}, "any": uint64(math.MaxUint64)},
			narrowFields{I8: -128, U8: 255, I16: -300, U32: math.MaxUint32, F32: 7, F64: -7, Lvl: 127, P: &u8, PP: &pi8,
				S: []int8{-1, 1}, A: [2]uint16{65535}, M: map[string]uint8{"z": 0}, K: map[int8]string{-128: "lo"}, Any: uint64(math.MaxUint64)}},
		{"embedded", map[string]any{"n": -1, "other": "o"}, narrowEmbedded{Narrow8{-1}, "o"}},
		{"embedded pointer", map[string]any{"n": 100}, narrowPtrEmbedded{&Narrow8{100}}},
		{"struct as array", []any{127}, Narrow8{127}},
		{"any keeps integers wide", []any{300, -1, uint64(math.MaxUint64)}, []any{int64(300), int64(-1), uint64(math.MaxUint64)}},
	}
	c := msgpack.Codec{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := mustMarshal(t, tt.v)
			dst := reflect.New(reflect.TypeOf(tt.want))
			if err := c.Unmarshal(data, dst.Interface()); err != nil {
				t.Fatalf("Unmarshal(% x) into %T: %v", data, dst.Interface(), err)
			}
			if got := dst.Elem().Interface(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Unmarshal(% x) = %#v, want %#v", data, got, tt.want)
			}
		})
	}
}
