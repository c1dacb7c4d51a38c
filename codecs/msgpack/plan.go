package msgpack

import (
	"encoding"
	"reflect"
	"sync"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// A plan says what the decoder does with one Go type, as much as fit needs:
// which wire values land in which numeric kinds, and what the decoder
// allocates. It mirrors getDecoder and getFields of vmihailenco/msgpack
// v5.4.1 (decode_value.go, types.go); fields_test.go holds the two
// together.
type plan struct {
	typ  reflect.Type
	op   op
	bits int   // opInt, opUint: width in bits
	size int64 // opPtr, opSlice: element size; opMap: key plus value size
	n    int   // opArray: length
	elem *plan // opPtr, opSlice, opArray; opMap: the value
	key  *plan // opMap

	// opStruct: fields by name, as a map is decoded, and in order, as an
	// array is; the bytes the decoder allocates to zero the struct for a
	// nil or an empty array.
	fields map[string]*field
	list   []*field
	zero   int64

	// Filled once the whole type graph is built.
	ratio int64    // see rate; -1 when unbounded
	nums  numKinds // numeric kinds reachable from this type
}

type op uint8

const (
	opOther   op = iota // bool, [N]byte, unsupported kinds, types that decode themselves
	opInt               // signed integer kinds
	opUint              // unsigned integer kinds
	opFloat32           // float32 kinds
	opFloat64           // float64 kinds
	opString            // strings and byte slices: the body is copied
	opPtr
	opSlice
	opArray
	opMap
	opStruct
	opAny // interfaces, decoded as the library decodes into an any
)

// field is a struct field as the decoder finds it by name or position.
type field struct {
	p *plan
	// alloc is the size of the nil embedded struct pointers the decoder
	// allocates on the way to the field (fieldByIndexAlloc).
	alloc int64
}

// numKinds summarises the numeric kinds a destination can hold, so fit can
// tell without walking that every integer in a value fits.
type numKinds struct {
	intBits  int  // narrowest signed integer kind; 0 for none
	uintBits int  // narrowest unsigned integer kind; 0 for none
	float    bool // a float kind: integers above math.MaxInt64 would wrap
}

func (k *numKinds) add(o numKinds) {
	k.intBits = narrowest(k.intBits, o.intBits)
	k.uintBits = narrowest(k.uintBits, o.uintBits)
	k.float = k.float || o.float
}

func narrowest(a, b int) int {
	if a == 0 || (b != 0 && b < a) {
		return b
	}
	return a
}

var plans sync.Map // reflect.Type to *plan

// planFor returns the plan for t, building and caching it on first use.
func planFor(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	b := builder{plans: map[reflect.Type]*plan{}, fresh: map[*plan]bool{}}
	p := b.build(t)
	b.finish()
	for q := range b.fresh {
		plans.LoadOrStore(q.typ, q)
	}
	return p
}

var (
	timeType              = reflect.TypeFor[time.Time]()
	customDecoderType     = reflect.TypeFor[msgpack.CustomDecoder]()
	unmarshalerType       = reflect.TypeFor[msgpack.Unmarshaler]()
	binaryUnmarshalerType = reflect.TypeFor[encoding.BinaryUnmarshaler]()
	textUnmarshalerType   = reflect.TypeFor[encoding.TextUnmarshaler]()
	customEncoderType     = reflect.TypeFor[msgpack.CustomEncoder]()
	marshalerType         = reflect.TypeFor[msgpack.Marshaler]()
	binaryMarshalerType   = reflect.TypeFor[encoding.BinaryMarshaler]()
	textMarshalerType     = reflect.TypeFor[encoding.TextMarshaler]()
)

// decodesItself reports whether the library hands values of t to t's own
// decoding method (or, for time.Time, to its registered extension).
func decodesItself(t reflect.Type) bool {
	return t == timeType || implements(t, customDecoderType, unmarshalerType, binaryUnmarshalerType, textUnmarshalerType)
}

// encodesItself is decodesItself for the encoder, which getFields also
// consults before inlining an embedded struct.
func encodesItself(t reflect.Type) bool {
	return t == timeType || implements(t, customEncoderType, marshalerType, binaryMarshalerType, textMarshalerType)
}

// implements reports whether t, or *t for an addressable t, has one of the
// interfaces, as _getDecoder checks them.
func implements(t reflect.Type, ifaces ...reflect.Type) bool {
	for _, i := range ifaces {
		if t.Implements(i) || (t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(i)) {
			return true
		}
	}
	return false
}

// builder builds the plans of one type graph; recursive types point back
// into it. Plans another call built and cached are reused as they are:
// once cached, a plan is never written again.
type builder struct {
	plans map[reflect.Type]*plan
	fresh map[*plan]bool // the plans this builder made
}

func (b *builder) build(t reflect.Type) *plan {
	if p, ok := b.plans[t]; ok {
		return p
	}
	if p, ok := plans.Load(t); ok {
		b.plans[t] = p.(*plan)
		return p.(*plan)
	}
	p := &plan{typ: t}
	b.plans[t] = p
	b.fresh[p] = true
	k := t.Kind()
	switch {
	case k == reflect.Pointer:
		// Whether or not *T decodes itself, the decoder allocates a T for
		// a nil pointer first (ptrValueDecoder, nilAwareDecoder).
		p.op, p.size, p.elem = opPtr, int64(t.Elem().Size()), b.build(t.Elem())
	case decodesItself(t):
		p.op = opOther
	case k >= reflect.Int && k <= reflect.Int64:
		p.op, p.bits = opInt, t.Bits()
	case k >= reflect.Uint && k <= reflect.Uint64:
		p.op, p.bits = opUint, t.Bits()
	case k == reflect.Float32:
		p.op = opFloat32
	case k == reflect.Float64:
		p.op = opFloat64
	case k == reflect.String, k == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		p.op = opString
	case k == reflect.Slice:
		p.op, p.size, p.elem = opSlice, int64(t.Elem().Size()), b.build(t.Elem())
	case k == reflect.Array && t.Elem().Kind() != reflect.Uint8:
		p.op, p.n, p.elem = opArray, t.Len(), b.build(t.Elem())
	case k == reflect.Map:
		p.op, p.size = opMap, int64(t.Key().Size()+t.Elem().Size())
		p.key, p.elem = b.build(t.Key()), b.build(t.Elem())
	case k == reflect.Interface:
		p.op = opAny
	case k == reflect.Struct:
		p.op = opStruct
		if t.Size() > zeroValSize {
			p.zero = int64(t.Size())
		}
		b.buildStruct(p)
	}
	return p
}

// buildStruct fills in the fields of a struct plan from getFields' choice.
func (b *builder) buildStruct(p *plan) {
	fs, ok := libFields(p.typ)
	if !ok {
		p.op = opOther // the library panics on this type; nothing decodes
		return
	}
	p.fields = make(map[string]*field, len(fs.byName))
	done := make(map[*libField]*field, len(fs.list))
	get := func(lf *libField) *field {
		if f, ok := done[lf]; ok {
			return f
		}
		f := &field{}
		t := p.typ
		for i, x := range lf.index {
			if i > 0 && t.Kind() == reflect.Pointer {
				t = t.Elem()
				f.alloc += int64(t.Size())
			}
			t = t.Field(x).Type
		}
		f.p = b.build(t)
		done[lf] = f
		return f
	}
	for name, lf := range fs.byName {
		p.fields[name] = get(lf)
	}
	for _, lf := range fs.list {
		p.list = append(p.list, get(lf))
	}
}

// finish computes ratio and nums for every plan built.
func (b *builder) finish() {
	rates := map[*plan]int64{}
	for p := range b.fresh {
		rates[p] = rate(p, rates, b.fresh)
	}
	for p := range b.fresh {
		p.ratio = rates[p]
		p.nums = kinds(p, map[*plan]bool{}, b.fresh)
	}
}

// zeroValSize is the size up to which reflect.Zero, which the decoder calls
// to zero a struct for a nil, returns a shared zero value (abi.ZeroValSize);
// it allocates larger ones.
const zeroValSize = 1024

// unbounded is a ratio above anything fit's budget allows.
const unbounded = -1

// rate returns the most bytes of Go values (as fit counts them) that one
// byte of input can decode into under p, given that every value takes at
// least one byte and every map entry two; unbounded for recursive types.
// fit need not walk a value whose destination's ratio is within budget.
func rate(p *plan, memo map[*plan]int64, fresh map[*plan]bool) int64 {
	if !fresh[p] {
		return p.ratio
	}
	if r, ok := memo[p]; ok {
		return r // unbounded while p is still being rated: a cycle
	}
	memo[p] = unbounded
	var r int64
	switch p.op {
	case opString:
		r = 1
	case opAny:
		r = anyRatio
	case opPtr, opSlice:
		r = add(p.size, rate(p.elem, memo, fresh))
	case opArray:
		r = rate(p.elem, memo, fresh)
	case opMap:
		r = add((p.size+1)/2, most(rate(p.key, memo, fresh), rate(p.elem, memo, fresh)))
	case opStruct:
		r = p.zero
		for _, f := range p.list {
			r = most(r, add(f.alloc, rate(f.p, memo, fresh)))
		}
		for _, f := range p.fields {
			r = most(r, add(f.alloc, rate(f.p, memo, fresh)))
		}
	}
	memo[p] = r
	return r
}

// add adds two ratios, either of which may be unbounded.
func add(a, b int64) int64 {
	if a == unbounded || b == unbounded || a > 1<<40 || b > 1<<40 {
		return unbounded
	}
	return a + b
}

// most returns the larger of two ratios, either of which may be unbounded.
func most(a, b int64) int64 {
	if a == unbounded || b == unbounded {
		return unbounded
	}
	return max(a, b)
}

// kinds returns the numeric kinds reachable from p.
func kinds(p *plan, seen, fresh map[*plan]bool) numKinds {
	if !fresh[p] {
		return p.nums
	}
	if seen[p] {
		return numKinds{}
	}
	seen[p] = true
	var k numKinds
	switch p.op {
	case opInt:
		k.intBits = p.bits
	case opUint:
		k.uintBits = p.bits
	case opFloat32, opFloat64:
		k.float = true
	case opPtr, opSlice, opArray:
		k = kinds(p.elem, seen, fresh)
	case opMap:
		k = kinds(p.key, seen, fresh)
		k.add(kinds(p.elem, seen, fresh))
	case opStruct:
		for _, f := range p.list {
			k.add(kinds(f.p, seen, fresh))
		}
		for _, f := range p.fields {
			k.add(kinds(f.p, seen, fresh))
		}
	}
	return k
}
