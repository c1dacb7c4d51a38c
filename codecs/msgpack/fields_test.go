package msgpack_test

import (
	"bytes"
	"io"
	"log"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	vmsgpack "github.com/vmihailenco/msgpack/v5"

	"github.com/sesskit/sesskit/codecs/msgpack"
)

// The struct shapes below exercise the library's field rules: tag
// precedence, "-", aliases, quoted names, automatic and explicit inlining of
// embedded structs, inlining refused over a name clash, noinline, embedded
// pointers and non-structs. Every number in them is an int8, so a key
// that reaches a field shows as a wrapped 300, and the only other field
// type is string, so a key that the codec's checks send to the wrong field
// shows too. (Embedding time.Time would make the struct decode itself
// through the promoted UnmarshalBinary.)
type (
	Emb8 struct {
		A int8
		B int8 `json:"b"`
	}
	EmbPtr8 struct {
		C int8
	}
	EmbStr struct {
		A string
		Z int8
	}
	Lvl8 int8

	autoInline struct {
		Emb8
		X int8
	}
	explicitInline struct {
		Emb8 `msgpack:",inline"`
		A    int8
	}
	shadowInline struct {
		A      int8
		EmbStr `msgpack:",inline"`
	}
	clashNoInline struct {
		A int8
		Emb8
	}
	pointerInline struct {
		*EmbPtr8
		D int8
	}
	noInline struct {
		Emb8 `msgpack:",noinline"`
	}
	namedEmbedded struct {
		Emb8 `json:"named"`
	}
	tagged struct {
		A int8 `json:"ja" msgpack:"ma"`
		B int8 `json:"-"`
		//lint:ignore U1000 unexported, so skipped by the decoder; here to show it is
		c int8
		D int8 `msgpack:"-" json:"d"`
		E int8 `msgpack:"e,alias:ee"`
		F int8 `msgpack:"alias:ff"`
		G int8 `msgpack:"'q,x'"`
		H int8 `json:",omitempty"`
	}
	embeddedNonStruct struct {
		Lvl8
		N int8
	}
	twoDeep struct {
		autoInline
		Y int8
	}
)

// TestFieldsAsTheLibraryFindsThem decodes a field name with 300 into each
// shape, with the codec and with the library alone (configured alike). The
// codec must refuse exactly when the library would wrap a field, and with a
// value that fits must decode what the library decodes.
func TestFieldsAsTheLibraryFindsThem(t *testing.T) {
	prev := log.Writer()
	log.SetOutput(io.Discard) // the library logs shadowed names
	t.Cleanup(func() { log.SetOutput(prev) })
	shapes := []any{
		autoInline{}, explicitInline{}, shadowInline{}, clashNoInline{}, pointerInline{}, noInline{}, namedEmbedded{},
		tagged{}, embeddedNonStruct{}, twoDeep{},
	}
	names := strings.Fields("A a B b C D d X Y Z N ma ja c e ee ff F G H q,x 'q,x' Emb8 EmbPtr8 named Lvl8 Time autoInline nope")
	names = append(names, "")
	var inputs [][]byte
	for _, name := range names {
		for _, n := range []int{300, 5} {
			inputs = append(inputs, mustMarshal(t, map[string]int{name: n}))
		}
	}
	for _, outer := range strings.Fields("Emb8 EmbPtr8 named autoInline") {
		for _, inner := range strings.Fields("A b B C X") {
			for _, n := range []int{300, 5} {
				inputs = append(inputs, mustMarshal(t, map[string]map[string]int{outer: {inner: n}}))
			}
		}
	}
	for n := range 6 {
		for _, v := range []int{300, 5} {
			inputs = append(inputs, mustMarshal(t, slicesOf(n, v)))
		}
	}
	for _, shape := range shapes {
		typ := reflect.TypeOf(shape)
		var refused, decoded int
		for _, data := range inputs {
			lib := reflect.New(typ)
			d := vmsgpack.NewDecoder(bytes.NewReader(data))
			d.SetCustomStructTag("json")
			d.UseLooseInterfaceDecoding(true)
			libErr := d.Decode(lib.Interface())
			wrapped := libErr == nil && strings.Contains(fmtValue(lib.Elem()), "44")

			ours := reflect.New(typ)
			err := msgpack.Codec{}.Unmarshal(data, ours.Interface())
			if wrapped {
				refused++
			} else if libErr == nil {
				decoded++
			}
			switch {
			case libErr != nil || wrapped:
				if err == nil {
					t.Errorf("%T from % x: library %v (wrapped: %v), codec nil", shape, data, libErr, wrapped)
				}
			case err != nil:
				t.Errorf("%T from % x: library decodes %s, codec: %v", shape, data, fmtValue(lib.Elem()), err)
			case !reflect.DeepEqual(ours.Interface(), lib.Interface()):
				t.Errorf("%T from % x: library decodes %s, codec %s", shape, data, fmtValue(lib.Elem()), fmtValue(ours.Elem()))
			}
		}
		t.Logf("%T: %d inputs wrap a field, %d decode", shape, refused, decoded)
		if refused == 0 || decoded == 0 {
			t.Errorf("%T: the inputs exercise too little", shape)
		}
	}
}

func slicesOf(n, v int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// fmtValue prints v with pointers followed.
func fmtValue(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return "nil"
		}
		return "&" + fmtValue(v.Elem())
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return "time"
		}
		var b strings.Builder
		b.WriteString("{")
		for i := range v.NumField() {
			b.WriteString(v.Type().Field(i).Name + ":" + fmtValue(v.Field(i)) + " ")
		}
		return b.String() + "}"
	case reflect.Int8:
		return strconv.FormatInt(v.Int(), 10)
	}
	return v.String()
}
