package session

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// JSON.Unmarshal refuses data that would decode into more than
// max(jsonDecodeFloor, jsonDecodeFactor*len(data)) bytes of Go values,
// counted at their types' sizes: slice elements, map keys and values,
// pointed-to values, string bodies, and 16 bytes for each value (32 for
// each object member) decoded into an interface.
//
// encoding/json limits nesting but not what an element costs in memory:
// `{},` is three bytes, and 128 KiB of them decoded into
// []struct{ B [4096]byte } make a 170 MiB slice, grown by copying through
// every size on the way (820 MiB allocated in all). Every element takes at
// least a byte of input, so a factor of 64 refuses no value whose elements
// are at most 64 bytes with what they point to (eight words, a struct of
// four strings), however densely written; larger ones pass as long as they
// are written out rather than left empty or null, since their encoding then
// grows with them. The floor keeps small values decodable into types with
// a large fixed size. The MessagePack codec (sesskit/codecs/msgpack)
// applies the same limit.
//
// What encoding/json allocates is a small multiple of the count: slices
// grow by copying (up to about five times their final size in all), and
// maps and interface boxes carry runtime headers. The densest values of
// 128 KiB allocate up to about twice the limit (jsonbound_test.go).
const (
	jsonDecodeFloor  = 1 << 20
	jsonDecodeFactor = 64
)

// jsonAnyRatio bounds what jsonWalker counts per byte of input for a value
// decoded into an interface (16 per value of at least one byte, 32 per
// member of at least four, and the bytes of strings and numbers).
const jsonAnyRatio = 32

// jsonFit refuses data that would decode into dst past the budget. It does
// nothing for destinations whose elements are small enough that no data
// can exceed it.
//
// It does not check that data is JSON: the engine has done so at load, and
// encoding/json does so before decoding anything. On malformed data the
// walk ends (every step moves forward) with a count that means nothing, so
// such data may be refused as too large rather than as malformed.
func jsonFit(data []byte, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil // encoding/json refuses it
	}
	p := jsonPlanFor(rv.Type()).elem // dst itself is allocated already
	if e := rv.Elem(); e.Kind() == reflect.Interface && !e.IsNil() {
		// encoding/json decodes into what a pointer in the interface points to.
		if e = e.Elem(); e.Kind() == reflect.Pointer && !e.IsNil() {
			p = jsonPlanFor(e.Type()).elem
		}
	}
	if p.ratio != unboundedRatio && p.ratio <= jsonDecodeFactor {
		return nil
	}
	w := jsonWalker{data: data, limit: max(jsonDecodeFloor, jsonDecodeFactor*int64(len(data)))}
	if err := w.value(p); err != nil {
		return fmt.Errorf("session: json: unmarshal into %T: %w", dst, err)
	}
	return nil
}

// jsonPlan says what encoding/json does with one Go type, as much as
// jsonWalker needs: what it allocates. It mirrors indirect, array, object
// and typeFields of encoding/json, keeping every struct field a key could
// reach (ignoring Go's rules for which of two fields of a name wins), so
// that it can count too much but not too little.
type jsonPlan struct {
	typ  reflect.Type
	op   jsonOp
	size int64     // jsonPtr, jsonSlice: element size; jsonMap: key plus value size
	n    int       // jsonArray: length
	elem *jsonPlan // jsonPtr, jsonSlice, jsonArray, jsonMap

	fields map[string][]jsonField // jsonStruct: by folded name

	ratio int64 // see rate
}

type jsonOp uint8

const (
	jsonOther  jsonOp = iota // numbers, booleans, unsupported kinds, types that decode themselves
	jsonString               // string kinds
	jsonPtr
	jsonSlice // also []byte from a base64 string
	jsonArray
	jsonMap
	jsonStruct
	jsonAny // interfaces without methods
)

// jsonField is a struct field a key may land in.
type jsonField struct {
	p     *jsonPlan
	alloc int64 // nil embedded struct pointers allocated on the way
}

const unboundedRatio = -1

var (
	jsonPlans             sync.Map // reflect.Type to *jsonPlan
	jsonUnmarshalerType   = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType   = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonDecodesItselfPlan = &jsonPlan{op: jsonOther}
)

// jsonPlanFor returns the plan for t, building and caching it on first use.
func jsonPlanFor(t reflect.Type) *jsonPlan {
	if p, ok := jsonPlans.Load(t); ok {
		return p.(*jsonPlan)
	}
	b := jsonBuilder{plans: map[reflect.Type]*jsonPlan{}, fresh: map[*jsonPlan]bool{}}
	p := b.build(t)
	memo := map[*jsonPlan]int64{}
	for q := range b.fresh {
		memo[q] = b.rate(q, memo)
	}
	for q := range b.fresh {
		q.ratio = memo[q]
	}
	for q := range b.fresh {
		jsonPlans.LoadOrStore(q.typ, q)
	}
	return p
}

// jsonDecodesItself reports whether encoding/json hands a value of t, found
// where it is addressable, to t's own method: for a named type, *t's
// methods count.
func jsonDecodesItself(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		return t.Implements(jsonUnmarshalerType) || t.Implements(textUnmarshalerType)
	}
	return t.Name() != "" && jsonDecodesItself(reflect.PointerTo(t))
}

type jsonBuilder struct {
	plans map[reflect.Type]*jsonPlan
	fresh map[*jsonPlan]bool // plans this builder made; cached ones are never written
}

func (b *jsonBuilder) build(t reflect.Type) *jsonPlan {
	if p, ok := b.plans[t]; ok {
		return p
	}
	if p, ok := jsonPlans.Load(t); ok {
		b.plans[t] = p.(*jsonPlan)
		return p.(*jsonPlan)
	}
	p := &jsonPlan{typ: t}
	b.plans[t] = p
	b.fresh[p] = true
	switch k := t.Kind(); {
	case k == reflect.Pointer:
		// A nil pointer is allocated before its methods are looked at. An
		// element reached through a pointer has its methods looked at
		// there, so the element's plan is only for its kind.
		p.op, p.size = jsonPtr, int64(t.Elem().Size())
		if jsonDecodesItself(t) {
			p.elem = jsonDecodesItselfPlan
		} else {
			p.elem = b.build(t.Elem())
		}
	case jsonDecodesItself(t):
		p.op = jsonOther
	case k == reflect.String:
		p.op = jsonString
	case k == reflect.Slice:
		p.op, p.size, p.elem = jsonSlice, int64(t.Elem().Size()), b.build(t.Elem())
	case k == reflect.Array:
		p.op, p.n, p.elem = jsonArray, t.Len(), b.build(t.Elem())
	case k == reflect.Map:
		switch t.Key().Kind() {
		case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		default:
			if !reflect.PointerTo(t.Key()).Implements(textUnmarshalerType) {
				return p // refused
			}
		}
		p.op, p.size, p.elem = jsonMap, int64(t.Key().Size()+t.Elem().Size()), b.build(t.Elem())
	case k == reflect.Interface && t.NumMethod() == 0:
		p.op = jsonAny
	case k == reflect.Struct:
		p.op = jsonStruct
		p.fields = map[string][]jsonField{}
		for _, f := range jsonFields(t) {
			jf := jsonField{}
			ft := t
			for i, x := range f.index {
				if i > 0 && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
					jf.alloc += int64(ft.Size())
				}
				ft = ft.Field(x).Type
			}
			jf.p = b.build(ft)
			key := string(jsonFold(nil, []byte(f.name)))
			p.fields[key] = append(p.fields[key], jf)
		}
	}
	return p
}

// rate returns the most bytes of Go values (as jsonWalker counts them) that
// one byte of input can decode into under p, given that every value takes
// at least one byte and every object member two; unboundedRatio for
// recursive types. jsonFit need not walk a value whose destination's ratio
// is within budget.
func (b *jsonBuilder) rate(p *jsonPlan, memo map[*jsonPlan]int64) int64 {
	if !b.fresh[p] {
		return p.ratio
	}
	if r, ok := memo[p]; ok {
		return r // unboundedRatio while p is being rated: a cycle
	}
	memo[p] = unboundedRatio
	var r int64
	switch p.op {
	case jsonString:
		r = 1
	case jsonAny:
		r = jsonAnyRatio
	case jsonPtr, jsonSlice:
		r = ratioSum(p.size, b.rate(p.elem, memo))
	case jsonArray:
		r = b.rate(p.elem, memo)
	case jsonMap: // the key's bytes count one each
		r = ratioSum((p.size+1)/2, ratioMax(1, b.rate(p.elem, memo)))
	case jsonStruct:
		for _, fs := range p.fields {
			for _, f := range fs {
				r = ratioMax(r, ratioSum(f.alloc, b.rate(f.p, memo)))
			}
		}
	}
	memo[p] = r
	return r
}

// ratioSum adds two ratios, either of which may be unbounded.
func ratioSum(a, b int64) int64 {
	if a == unboundedRatio || b == unboundedRatio || a > 1<<40 || b > 1<<40 {
		return unboundedRatio
	}
	return a + b
}

// ratioMax returns the larger of two ratios, either of which may be
// unbounded.
func ratioMax(a, b int64) int64 {
	if a == unboundedRatio || b == unboundedRatio {
		return unboundedRatio
	}
	return max(a, b)
}

// jsonFieldPath is a struct field as typeFields finds it.
type jsonFieldPath struct {
	name  string
	index []int
}

// jsonFields returns every field of t that typeFields in encoding/json
// could match a key to, at any depth of embedding.
func jsonFields(t reflect.Type) []jsonFieldPath {
	type queued struct {
		typ   reflect.Type
		index []int
	}
	var fields []jsonFieldPath
	next := []queued{{typ: t}}
	visited := map[reflect.Type]bool{}
	for len(next) > 0 {
		current := next
		next = nil
		for _, q := range current {
			if visited[q.typ] {
				continue
			}
			visited[q.typ] = true
			for i := range q.typ.NumField() {
				sf := q.typ.Field(i)
				if sf.Anonymous {
					t := sf.Type
					if t.Kind() == reflect.Pointer {
						t = t.Elem()
					}
					if !sf.IsExported() && t.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, _, _ := strings.Cut(tag, ",")
				if !jsonValidTag(name) {
					name = ""
				}
				index := append(append([]int(nil), q.index...), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					if name == "" {
						name = sf.Name
					}
					fields = append(fields, jsonFieldPath{name: name, index: index})
					continue
				}
				next = append(next, queued{typ: ft, index: index})
			}
		}
	}
	return fields
}

// jsonValidTag is isValidTag in encoding/json.
func jsonValidTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// jsonFold appends to out the name folded as foldName in encoding/json
// folds it, so that names matching case-insensitively fold alike.
func jsonFold(out, in []byte) []byte {
	for i := 0; i < len(in); {
		if c := in[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(in[i:])
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				r = r2
				break
			}
			r = r2
		}
		out = utf8.AppendRune(out, r)
		i += n
	}
	return out
}

// jsonWalker reads data alongside the destination type and counts the
// bytes of Go values it decodes into. It never reads past data, and every
// step moves forward, whatever data holds.
type jsonWalker struct {
	data  []byte
	pos   int
	cost  int64
	limit int64
	depth int
}

// jsonMaxDepth is the nesting of arrays and objects that encoding/json
// refuses beyond (maxNestingDepth in its scanner); jsonWalker stops there
// rather than recurse deeper.
const jsonMaxDepth = 10000

// nest notes one more level of arrays and objects and reports whether
// encoding/json accepts it. If not, the walk ends: the data is refused.
func (w *jsonWalker) nest() bool {
	w.depth++
	if w.depth > jsonMaxDepth {
		w.pos = len(w.data)
		return false
	}
	return true
}

func (w *jsonWalker) charge(n int64) error {
	w.cost += n
	if w.cost > w.limit {
		return fmt.Errorf("%w: would decode into more than %d bytes of Go values (the limit for %d bytes of input)", ErrTooLarge, w.limit, len(w.data))
	}
	return nil
}

func (w *jsonWalker) space() {
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case ' ', '\t', '\n', '\r':
			w.pos++
		default:
			return
		}
	}
}

// str moves past the string at w.pos and returns its body, still escaped.
func (w *jsonWalker) str() []byte {
	w.pos++
	start := min(w.pos, len(w.data))
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case '\\':
			w.pos += 2
		case '"':
			w.pos++
			return w.data[start : w.pos-1]
		default:
			w.pos++
		}
	}
	return w.data[start:]
}

// literal moves past the number, true, false or null at w.pos and returns
// its length.
func (w *jsonWalker) literal() int {
	start := w.pos
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case ',', ']', '}', ' ', '\t', '\n', '\r':
			return w.pos - start
		}
		w.pos++
	}
	return w.pos - start
}

// skip moves past one value. With charge it counts it as encoding/json
// decodes it into an interface.
func (w *jsonWalker) skip(charge bool) error {
	var cost int64
	for depth := 0; ; {
		w.space()
		if w.pos >= len(w.data) {
			break
		}
		switch w.data[w.pos] {
		case '{', '[':
			w.pos++
			depth++
			cost += 16
			continue
		case '}', ']':
			w.pos++
			depth--
		case ',', ':':
			w.pos++
			continue
		case '"':
			n := int64(len(w.str()))
			w.space()
			if w.pos < len(w.data) && w.data[w.pos] == ':' {
				cost += 32 + n
				continue
			}
			cost += 16 + n
		default:
			cost += 16 + int64(w.literal())
		}
		if depth <= 0 {
			break
		}
	}
	if !charge {
		return nil
	}
	return w.charge(cost)
}

// value walks one value decoded into a p.
func (w *jsonWalker) value(p *jsonPlan) error {
	w.space()
	if w.pos >= len(w.data) {
		return nil
	}
	c := w.data[w.pos]
	if c == 'n' { // null allocates nothing, not even through pointers
		w.pos += len("null")
		return nil
	}
	switch p.op {
	case jsonAny:
		return w.skip(true)
	case jsonPtr:
		if err := w.charge(p.size); err != nil {
			return err
		}
		return w.value(p.elem)
	case jsonString:
		if c == '"' {
			return w.charge(int64(len(w.str())))
		}
	case jsonSlice:
		switch c {
		case '"': // base64 into []byte: shorter than the string
			return w.charge(int64(len(w.str())))
		case '[':
			return w.array(p)
		}
	case jsonArray:
		if c == '[' {
			return w.array(p)
		}
	case jsonMap, jsonStruct:
		if c == '{' {
			return w.object(p)
		}
	}
	return w.skip(false)
}

// array walks an array into a slice or an array.
func (w *jsonWalker) array(p *jsonPlan) error {
	defer func() { w.depth-- }()
	if !w.nest() {
		return nil
	}
	w.pos++ // [
	for i := 0; ; i++ {
		w.space()
		if w.pos >= len(w.data) {
			return nil
		}
		switch w.data[w.pos] {
		case ']':
			w.pos++
			return nil
		case ',':
			w.pos++
			w.space()
		}
		var err error
		switch {
		case p.op == jsonSlice:
			if err = w.charge(p.size); err == nil {
				err = w.value(p.elem)
			}
		case i < p.n:
			err = w.value(p.elem)
		default: // past the end of an array: skipped
			err = w.skip(false)
		}
		if err != nil {
			return err
		}
	}
}

// object walks an object into a map or a struct. A key that may land in
// more than one struct field (as an embedded field's may) is counted as
// the costliest.
func (w *jsonWalker) object(p *jsonPlan) error {
	defer func() { w.depth-- }()
	if !w.nest() {
		return nil
	}
	w.pos++ // {
	var keyBuf, foldBuf [64]byte
	for {
		w.space()
		if w.pos >= len(w.data) {
			return nil
		}
		switch w.data[w.pos] {
		case '}':
			w.pos++
			return nil
		case ',':
			w.pos++
			w.space()
		}
		key := w.str()
		w.space()
		w.pos++ // :
		if p.op == jsonMap {
			if err := w.charge(p.size + int64(len(key))); err != nil {
				return err
			}
			if err := w.value(p.elem); err != nil {
				return err
			}
			continue
		}
		fs := p.fields[string(jsonFold(foldBuf[:0], jsonUnquote(keyBuf[:0], key)))]
		if len(fs) == 0 {
			if err := w.skip(false); err != nil {
				return err
			}
			continue
		}
		start, base := w.pos, w.cost
		end, most := start, base
		for _, f := range fs {
			w.pos, w.cost = start, base
			if err := w.charge(f.alloc); err != nil {
				return err
			}
			if err := w.value(f.p); err != nil {
				return err
			}
			end, most = w.pos, max(most, w.cost)
		}
		w.pos, w.cost = end, most
	}
}

// jsonUnquote appends to out the body of a JSON string, its escapes
// replaced as encoding/json replaces them. Bodies without escapes are
// returned as they are.
func jsonUnquote(out, s []byte) []byte {
	if bytes.IndexByte(s, '\\') < 0 {
		return s
	}
	for i := 0; i < len(s); {
		if s[i] != '\\' || i+1 >= len(s) {
			out = append(out, s[i])
			i++
			continue
		}
		c := s[i+1]
		i += 2
		switch c {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(s[i:])
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					r2 = hex4(s[i+2:])
				}
				if d := utf16.DecodeRune(r, r2); d != unicode.ReplacementChar {
					r = d
					i += 6
				} else {
					r = unicode.ReplacementChar
				}
			}
			out = utf8.AppendRune(out, r)
		default: // " \ /
			out = append(out, c)
		}
	}
	return out
}

// hex4 decodes the four hex digits at the start of s, or returns -1.
func hex4(s []byte) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
