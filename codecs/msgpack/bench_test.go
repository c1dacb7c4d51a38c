package msgpack_test

import (
	"testing"
	"time"

	vmsgpack "github.com/vmihailenco/msgpack/v5"

	"github.com/sesskit/sesskit/codecs/msgpack"
)

// cartLine is a small struct like the ones sessions hold.
type cartLine struct {
	SKU   string    `json:"sku"`
	Qty   int       `json:"qty"`
	Price float64   `json:"price"`
	Added time.Time `json:"added"`
}

// benchValue is boxed once, as the engine holds values, so the benchmarks
// do not count the conversion to any.
var benchValue any = cartLine{SKU: "A1-42", Qty: 2, Price: 9.95, Added: time.Unix(1700000000, 0)}

func BenchmarkMarshal(b *testing.B) {
	c := msgpack.Codec{}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Marshal(benchValue); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	c := msgpack.Codec{}
	data := mustMarshal(b, benchValue)
	b.ReportAllocs()
	for b.Loop() {
		var v cartLine
		if err := c.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalAny(b *testing.B) {
	c := msgpack.Codec{}
	data := mustMarshal(b, benchValue)
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := c.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValid(b *testing.B) {
	c := msgpack.Codec{}
	data := mustMarshal(b, benchValue)
	b.ReportAllocs()
	for b.Loop() {
		if !c.Valid(data) {
			b.Fatal("not valid")
		}
	}
}

// The library's own Marshal and Unmarshal with default settings, for scale.

func BenchmarkLibraryMarshal(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := vmsgpack.Marshal(benchValue); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLibraryUnmarshal(b *testing.B) {
	data := mustMarshal(b, benchValue)
	b.ReportAllocs()
	for b.Loop() {
		var v cartLine
		if err := vmsgpack.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// cart has elements above 64 bytes and narrow integers, so Unmarshal walks
// it before decoding (fit.go).
type cart struct {
	Items []cartItem `json:"items"`
}

type cartItem struct {
	SKU   string `json:"sku"`
	Name  string `json:"name"`
	Note  string `json:"note"`
	Color string `json:"color"`
	Size  string `json:"size"`
	Qty   uint8  `json:"qty"`
	Delta int16  `json:"delta"`
}

var benchCart any = cart{Items: []cartItem{
	{SKU: "A1-42", Name: "Mug", Color: "blue", Size: "M", Qty: 2, Delta: -1},
	{SKU: "B7-01", Name: "Tea", Note: "gift", Qty: 1},
	{SKU: "C3-99", Name: "Spoon", Color: "steel", Qty: 12, Delta: 300},
}}

func BenchmarkUnmarshalWalked(b *testing.B) {
	c := msgpack.Codec{}
	data := mustMarshal(b, benchCart)
	b.ReportAllocs()
	for b.Loop() {
		var v cart
		if err := c.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}
