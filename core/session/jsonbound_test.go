package session_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// page is a large element type: 4 KiB in memory, `{}` or `null` in JSON.
type page struct {
	B [4096]byte `json:"b"`
}

type Padded struct {
	X   int `json:"x"`
	Pad [4096]byte
}

type embedsPadded struct {
	*Padded
}

type holdsPages struct {
	Pages []page `json:"pages"`
}

// twoPages has two fields a key "pages" may land in; encoding/json picks
// the shallower, the bound counts the costlier.
type twoPages struct {
	holdsPages
	Pages []byte `json:"PAGES"`
}

type pagesInside struct {
	Inner *holdsPages `json:"inner"`
}

// allocated returns the bytes the process allocated while f ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// jsonArray returns a JSON array of elem repeated to make about size bytes.
func jsonArray(size int, elem string) []byte {
	n := (size - 2) / (len(elem) + 1)
	b := []byte("[")
	b = append(b, strings.Repeat(elem+",", n)...)
	b[len(b)-1] = ']'
	return b
}

// TestJSONRefusesNumbersThatDoNotFit confirms that encoding/json refuses,
// at any depth, what the MessagePack codec must refuse too.
func TestJSONRefusesNumbersThatDoNotFit(t *testing.T) {
	type inner struct {
		N int8 `json:"n"`
	}
	type outer struct {
		inner
		P  *uint8           `json:"p"`
		S  []int16          `json:"s"`
		M  map[string]uint8 `json:"m"`
		K  map[int8]string  `json:"k"`
		PP **uint           `json:"pp"`
	}
	tests := []struct {
		data string
		dst  any
	}{
		{`300`, new(int8)},
		{`-129`, new(int8)},
		{`-1`, new(uint)},
		{`256`, new(uint8)},
		{`18446744073709551616`, new(uint64)},
		{`9223372036854775808`, new(int64)},
		{`1.5`, new(int)},
		{`2.0`, new(int)},
		{`1e39`, new(float32)},
		{`[1, 300]`, new([]int8)},
		{`[-1]`, new([1]uint8)},
		{`{"a": 70000}`, new(map[string]uint16)},
		{`{"300": "x"}`, new(map[int8]string)},
		{`{"n": 128}`, new(outer)},
		{`{"p": 256}`, new(outer)},
		{`{"s": [32768]}`, new(outer)},
		{`{"m": {"x": -1}}`, new(outer)},
		{`{"k": {"-129": ""}}`, new(outer)},
		{`{"pp": -1}`, new(outer)},
	}
	for _, tt := range tests {
		err := session.JSON{}.Unmarshal([]byte(tt.data), tt.dst)
		var typeErr *json.UnmarshalTypeError
		if !errors.As(err, &typeErr) {
			t.Errorf("Unmarshal(%s) into %T = %v; want an UnmarshalTypeError", tt.data, tt.dst, err)
		}
	}
}

// TestJSONDecodeBudget: values of the default maximum size, 128 KiB, made of
// `{}`, `null` and the like, decoded into destinations with 4 KiB elements.
// encoding/json would allocate hundreds of MiB for each; the codec refuses
// them having allocated next to nothing.
func TestJSONDecodeBudget(t *testing.T) {
	const size = session.DefaultMaxValueSize
	const limit = 1 << 20
	pages := jsonArray(size-20, "{}")
	tests := []struct {
		name string
		data []byte
		dst  any
	}{
		{"objects into []page", jsonArray(size, "{}"), new([]page)},
		{"nulls into []page", jsonArray(size, "null"), new([]page)},
		{"numbers into []page", jsonArray(size, "0"), new([]page)},
		{"objects into []*page", jsonArray(size, "{}"), new([]*page)},
		{"arrays into [][4096]byte", jsonArray(size, "[]"), new([][4096]byte)},
		{"with spaces", jsonArray(size, " {} "), new([]page)},
		{"map values", []byte(`{` + strings.Repeat(`"":{},`, size/6-1) + `"":{}}`), new(map[string]page)},
		{"struct field", append(append([]byte(`{"pages":`), pages...), '}'), new(holdsPages)},
		{"field matched without case", append(append([]byte(`{"PaGeS":`), pages...), '}'), new(holdsPages)},
		{"field matched by an escaped key", append(append([]byte(`{"p\u0061ges":`), pages...), '}'), new(holdsPages)},
		{"field through a pointer", append(append([]byte(`{"inner":{"pages":`), pages...), '}', '}'), new(pagesInside)},
		{"two fields of one name", append(append([]byte(`{"pages":`), pages...), '}'), new(twoPages)},
		{"embedded pointers", jsonArray(size, `{"x":0}`), new([]embedsPadded)},
		{"pointers to pointers", jsonArray(size, "0"), new([]**[512]int64)},
		{"nested arrays", append(append([]byte("["), pages...), ']'), new([][]page)},
		{"pointer in an interface", jsonArray(size, "{}"), anyPointingTo(new([]page))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.data) > size {
				t.Fatalf("test value is %d bytes", len(tt.data))
			}
			if !json.Valid(tt.data) {
				t.Fatalf("test value is not JSON: %.40s", tt.data)
			}
			var err error
			n := allocated(func() { err = session.JSON{}.Unmarshal(tt.data, tt.dst) })
			if !errors.Is(err, session.ErrTooLarge) {
				t.Fatalf("Unmarshal into %T = %v; want ErrTooLarge", tt.dst, err)
			}
			if n > limit {
				t.Errorf("Unmarshal into %T allocated %d bytes before refusing", tt.dst, n)
			}
			t.Logf("%d bytes into %T: allocated %d bytes: %v", len(tt.data), tt.dst, n, err)
		})
	}
}

func anyPointingTo(p any) *any { return &p }

type nest []nest

// TestJSONDeepNesting: the walk before decoding must not recurse past the
// nesting encoding/json refuses anyway, or 1 MiB of [ would overflow the
// stack of the goroutine walking it.
func TestJSONDeepNesting(t *testing.T) {
	for _, data := range [][]byte{
		bytes.Repeat([]byte("["), 1<<20),
		append(bytes.Repeat([]byte("["), 10001), bytes.Repeat([]byte("]"), 10001)...),
	} {
		var v nest
		err := session.JSON{}.Unmarshal(data, &v)
		var syntax *json.SyntaxError
		if !errors.As(err, &syntax) {
			t.Fatalf("Unmarshal(%d bytes of nesting) = %v; want a SyntaxError", len(data), err)
		}
	}
	data := append(bytes.Repeat([]byte("["), 10000), bytes.Repeat([]byte("]"), 10000)...)
	var v nest
	if err := (session.JSON{}).Unmarshal(data, &v); err != nil {
		t.Fatalf("Unmarshal(10000 levels) = %v", err)
	}
}

// TestJSONDecodeBudgetLimit: a value of N bytes may decode into max(1 MiB,
// 64*N) bytes of Go values; 256 empty pages are 1 MiB exactly.
func TestJSONDecodeBudgetLimit(t *testing.T) {
	c := session.JSON{}
	elems := func(n int) []byte { return []byte("[" + strings.Repeat("{},", n-1) + "{}]") }
	var pages []page
	if err := c.Unmarshal(elems(256), &pages); err != nil || len(pages) != 256 {
		t.Fatalf("256 pages: %d, %v", len(pages), err)
	}
	if err := c.Unmarshal(elems(257), &pages); !errors.Is(err, session.ErrTooLarge) {
		t.Fatalf("257 pages: %v, want ErrTooLarge", err)
	}
}

// TestJSONDecodeBudgetLetsValuesThrough: dense values of the default
// maximum size whose elements are 64 bytes or less decode as encoding/json
// decodes them, allocating a small multiple of the budget.
func TestJSONDecodeBudgetLetsValuesThrough(t *testing.T) {
	type four struct {
		A, B, C, D string
	}
	size := session.DefaultMaxValueSize
	tests := []struct {
		name string
		data []byte
		dst  any
	}{
		{"objects into 64-byte structs", jsonArray(size, "{}"), new([]four)},
		{"tiny objects into maps", jsonArray(size, `{"":0}`), new([]map[string]int)},
		{"tiny objects into any", jsonArray(size, `{"":0}`), new(any)},
		{"empty arrays", jsonArray(size, "[]"), new([][]int)},
		{"empty strings", jsonArray(size, `""`), new([]string)},
		{"pointers to 56 bytes", jsonArray(size, "[]"), new([]*[7]int64)},
		{"numbers", jsonArray(size, "0"), new([]float64)},
		{"pages written out", mustJSON(t, make([]page, 15)), new([]page)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			n := allocated(func() { err = session.JSON{}.Unmarshal(tt.data, tt.dst) })
			if err != nil {
				t.Fatalf("Unmarshal(%d bytes) into %T: %v", len(tt.data), tt.dst, err)
			}
			want := reflect.New(reflect.TypeOf(tt.dst).Elem())
			if err := json.Unmarshal(tt.data, want.Interface()); err != nil {
				t.Fatal(err)
			}
			if _, isAny := tt.dst.(*any); !isAny && !reflect.DeepEqual(tt.dst, want.Interface()) {
				t.Fatalf("Unmarshal into %T differs from encoding/json", tt.dst)
			}
			budget := max(1<<20, 64*uint64(len(tt.data)))
			t.Logf("%d bytes into %T: allocated %d bytes, %.2f times the budget", len(tt.data), tt.dst, n, float64(n)/float64(budget))
			if n > 4*budget {
				t.Errorf("allocated %d bytes, budget %d", n, budget)
			}
		})
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestJSONLibraryAmplification records what the budget guards against, at
// a sixteenth of the default maximum value size: 8 KiB of `{},` into []page
// make encoding/json allocate tens of MiB. It logs rather than fails.
func TestJSONLibraryAmplification(t *testing.T) {
	data := jsonArray(8<<10, "{}")
	var pages []page
	lib := allocated(func() { _ = json.Unmarshal(data, &pages) })
	pages = nil
	var err error
	ours := allocated(func() { err = session.JSON{}.Unmarshal(data, &pages) })
	t.Logf("%d bytes into []page: encoding/json allocated %d bytes, codec %d (%v)", len(data), lib, ours, err)
	if !errors.Is(err, session.ErrTooLarge) {
		t.Errorf("codec: %v", err)
	}
}

// FuzzJSONUnmarshal checks that the JSON codec never panics and decodes
// exactly as encoding/json does, unless it refuses with ErrTooLarge.
func FuzzJSONUnmarshal(f *testing.F) {
	for _, s := range []string{
		`null`, `0`, `-1`, `1.5`, `"s"`, `[]`, `{}`, `[{},{}]`, `[null, {"b": [1]}]`, `{"pages": [{}, {}]}`,
		`{"PAGES": [{}]}`, `{"p\u0061ges": [{}]}`, `{"inner": {"pages": [{}]}}`, `{"x": 1, "Pad": [1, 2]}`,
		`[[], [{}]]`, `{"a": {}, "a": {}}`, `[1, 300]`, `{"\ud800": 1}`, `[` + strings.Repeat(`{},`, 300) + `{}]`,
		`[1e400]`, `{"b": "` + strings.Repeat("A", 100) + `"}`, ` [ { } , { } ] `, `[`, `{"pages": [}`,
		`{,`, `{"`, `{"pages"`, `{"pages":`, `["\`, `[nul`, `{"inner":{"pages":[{},`,
	} {
		f.Add([]byte(s))
	}
	c := session.JSON{}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, dst := range []any{
			new([]page), new(holdsPages), new(twoPages), new(pagesInside), new([]embedsPadded),
			new(map[string]page), new([][]page), new([]*page), new(any), new([]int8), new(map[string]any),
		} {
			err := c.Unmarshal(data, dst)
			if errors.Is(err, session.ErrTooLarge) {
				continue
			}
			want := reflect.New(reflect.TypeOf(dst).Elem())
			werr := json.Unmarshal(data, want.Interface())
			if _, isAny := dst.(*any); isAny { // the codec keeps numbers as json.Number
				d := json.NewDecoder(bytes.NewReader(data))
				d.UseNumber()
				werr = d.Decode(want.Interface())
			}
			if (err == nil) != (werr == nil) {
				t.Fatalf("Unmarshal(%q) into %T = %v; encoding/json: %v", data, dst, err, werr)
			}
			if _, isAny := dst.(*any); err == nil && !isAny && !reflect.DeepEqual(dst, want.Interface()) {
				t.Fatalf("Unmarshal(%q) into %T differs from encoding/json", data, dst)
			}
		}
	})
}

type benchLine struct {
	SKU   string    `json:"sku"`
	Qty   int       `json:"qty"`
	Price float64   `json:"price"`
	Added time.Time `json:"added"`
}

// benchCart has elements above 64 bytes, so JSON.Unmarshal walks it.
type benchCart struct {
	Items []struct {
		SKU, Name, Note, Color, Size string
		Qty                          uint8
		Delta                        int16
	}
}

func BenchmarkJSONUnmarshal(b *testing.B) {
	data := mustJSON(b, benchLine{SKU: "A1-42", Qty: 2, Price: 9.95, Added: time.Unix(1700000000, 0)})
	b.ReportAllocs()
	for b.Loop() {
		var v benchLine
		if err := (session.JSON{}).Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONUnmarshalWalked(b *testing.B) {
	data := []byte(`{"Items":[{"SKU":"A1-42","Name":"Mug","Color":"blue","Size":"M","Qty":2,"Delta":-1},` +
		`{"SKU":"B7-01","Name":"Tea","Note":"gift","Qty":1},{"SKU":"C3-99","Name":"Spoon","Color":"steel","Qty":12,"Delta":300}]}`)
	b.ReportAllocs()
	for b.Loop() {
		var v benchCart
		if err := (session.JSON{}).Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}
