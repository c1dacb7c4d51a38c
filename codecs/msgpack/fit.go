package msgpack

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"

	"github.com/sesskit/sesskit/core/session"
)

// Unmarshal refuses data that would decode into more than
// max(decodeFloor, decodeFactor*len(data)) bytes of Go values, counted at
// their types' sizes: slice elements, map keys and values, pointed-to
// values, string and binary bodies, 16 bytes for each element (32 for each
// map entry) decoded into an interface, and the zero values the decoder
// allocates to clear large structs for nils.
//
// check bounds how many elements a value has by its length, not how large
// each is in memory: 128 KiB of nils decoded into []struct{ B [4096]byte }
// would make a 512 MiB slice, for which the library allocated 1.5 GiB (the
// slice twice, and a 4 KiB zero value per nil). Every element takes at least
// a byte of input, so a factor of 64 refuses no value whose elements are at
// most 64 bytes with what they point to (eight words, a struct of four
// strings), however densely written; larger ones pass as long as they are
// written out rather than left empty or nil, since their encoding then
// grows with them. The floor keeps small values decodable into types with
// a large fixed size. The JSON codec in package session applies the same
// limit.
//
// What the decoder allocates is a small multiple of the count: it allocates
// slices and map entries twice, and maps and interface boxes carry runtime
// headers. The densest values of 128 KiB allocate up to twice the limit
// (budget_test.go).
const (
	decodeFloor  = 1 << 20
	decodeFactor = 64
)

// anyRatio bounds the bytes fit counts per byte of input for a value
// decoded into an interface: 16 per element, 32 per map entry of at least
// two bytes, and the bodies of strings. It is within decodeFactor, so
// interfaces alone never need walking.
const anyRatio = 32

// fit checks, before anything is decoded, that data decodes into what dst
// points to without a number wrapping and within the allocation budget.
// check has accepted data (and filled ints), so every header fits in data.
//
// The library converts integers without checking their range (300 into an
// int8 gives 44, -1 into a uint 2^64-1, 2^64-1 into a float64 -1), so fit
// walks data alongside the destination type, as the decoder will, and
// refuses what would wrap, as encoding/json does. A float into an integer,
// or a float64 into a float32, the library refuses itself.
//
// Destinations whose plan shows they can neither hold a number that does
// not fit (given ints) nor exceed the budget are not walked.
func fit(data []byte, dst any, ints *intRange) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil // the decoder refuses it
	}
	rv = rv.Elem()
	t := rv.Type()
	if t.Kind() == reflect.Interface && !rv.IsNil() {
		// The decoder decodes into what a pointer in the interface points to.
		if e := rv.Elem(); e.Kind() == reflect.Pointer {
			t = e.Type().Elem()
		}
	}
	p := planFor(t)
	if !p.mustWalk(ints) {
		return nil
	}
	w := walker{data: data, limit: max(decodeFloor, decodeFactor*int64(len(data)))}
	return w.value(p)
}

// mustWalk reports whether a value with integers in r could overflow a
// numeric kind of p, or exceed the budget, so fit has to walk it.
func (p *plan) mustWalk(r *intRange) bool {
	if p.ratio == unbounded || p.ratio > decodeFactor {
		return true
	}
	k := p.nums
	if b := k.intBits; b > 0 && (r.max > 1<<(b-1)-1 || r.min < -1<<(b-1)) {
		return true
	}
	if b := k.uintBits; b > 0 && (r.min < 0 || (b < 64 && r.max > 1<<b-1)) {
		return true
	}
	return k.float && r.max > math.MaxInt64
}

// walker reads data, which check accepted, alongside the destination type.
type walker struct {
	data  []byte
	pos   int
	cost  int64 // bytes of Go values counted so far
	limit int64
}

func (w *walker) charge(n int64) error {
	w.cost += n
	if w.cost > w.limit {
		return fmt.Errorf("%w: would decode into more than %d bytes of Go values (the limit for %d bytes of input)", session.ErrTooLarge, w.limit, len(w.data))
	}
	return nil
}

// head reads the header of the value at w.pos and returns its code and,
// for numbers, strings, binary and extensions, the body length (after an
// extension's type byte), for arrays the number of elements, for maps the
// number of entries. It leaves w.pos after the header.
func (w *walker) head() (c byte, n int) {
	c = w.data[w.pos]
	w.pos++
	var hdr int
	switch {
	case c <= 0x7f || c >= 0xe0:
		return c, 0
	case c <= 0x8f:
		return c, int(c & 0x0f)
	case c <= 0x9f:
		return c, int(c & 0x0f)
	case c <= 0xbf:
		return c, int(c & 0x1f)
	case c == 0xc4 || c == 0xd9 || c == 0xc7:
		hdr = 1
	case c == 0xc5 || c == 0xda || c == 0xc8 || c == 0xdc || c == 0xde:
		hdr = 2
	case c == 0xc6 || c == 0xdb || c == 0xc9 || c == 0xdd || c == 0xdf:
		hdr = 4
	case c == 0xca:
		return c, 4
	case c == 0xcb:
		return c, 8
	case c >= 0xcc && c <= 0xd3:
		return c, 1 << ((c - 0xcc) % 4)
	case c >= 0xd4 && c <= 0xd8:
		return c, 1 << (c - 0xd4)
	default: // nil, false, true
		return c, 0
	}
	b := w.data[w.pos : w.pos+hdr]
	w.pos += hdr
	switch hdr {
	case 1:
		return c, int(b[0])
	case 2:
		return c, int(binary.BigEndian.Uint16(b))
	}
	return c, int(binary.BigEndian.Uint32(b))
}

func isArray(c byte) bool { return (c >= 0x90 && c <= 0x9f) || c == 0xdc || c == 0xdd }
func isMap(c byte) bool   { return (c >= 0x80 && c <= 0x8f) || c == 0xde || c == 0xdf }

// isStr reports whether c starts a string or binary, whose body head's n
// counts.
func isStr(c byte) bool {
	return (c >= 0xa0 && c <= 0xbf) || c == 0xd9 || c == 0xda || c == 0xdb || c == 0xc4 || c == 0xc5 || c == 0xc6
}

// isExt reports whether c starts an extension, whose type byte follows the
// header.
func isExt(c byte) bool { return c >= 0xd4 && c <= 0xd8 || c == 0xc7 || c == 0xc8 || c == 0xc9 }

// skip moves past one value. With charge it counts it as the library
// decodes it into an interface; without, as the decoder skips it.
func (w *walker) skip(charge bool) error {
	var cost int64
	for left := 1; left > 0; left-- {
		c, n := w.head()
		switch {
		case isArray(c):
			left += n
			cost += 16 * int64(n)
		case isMap(c):
			left += 2 * n
			cost += 32 * int64(n)
		case isStr(c):
			w.pos += n
			cost += int64(n)
		case isExt(c):
			w.pos += 1 + n
		default: // numbers: n is the body length
			w.pos += n
		}
	}
	if !charge {
		return nil
	}
	return w.charge(cost)
}

// value walks one value decoded into a p.
func (w *walker) value(p *plan) error {
	start := w.pos
	c := w.data[w.pos]
	if c == 0xc0 { // nil: zeroes the destination
		w.pos++
		if p.op == opStruct {
			return w.charge(p.zero)
		}
		return nil
	}
	switch p.op {
	case opInt, opUint, opFloat32, opFloat64:
		if !isInt(c) {
			return w.skip(false) // a float the decoder checks, or its type error
		}
		_, n := w.head()
		v := intAt(c, w.data[w.pos:w.pos+n])
		w.pos += n
		if !p.fits(v) {
			if p.op == opFloat32 || p.op == opFloat64 {
				return fmt.Errorf("integer %d at byte %d is above math.MaxInt64, which the decoder cannot convert to %s", v.u, start, p.typ)
			}
			return fmt.Errorf("number %s at byte %d does not fit %s", v, start, p.typ)
		}
		return nil
	case opString:
		if !isStr(c) {
			return w.skip(false)
		}
		_, n := w.head()
		w.pos += n
		return w.charge(int64(n))
	case opPtr:
		if err := w.charge(p.size); err != nil {
			return err
		}
		return w.value(p.elem)
	case opSlice, opArray:
		if !isArray(c) {
			return w.skip(false)
		}
		_, n := w.head()
		if p.op == opArray && n > p.n {
			w.pos = start
			return w.skip(false) // the decoder refuses it before decoding elements
		}
		if p.op == opSlice {
			if err := w.charge(int64(n) * p.size); err != nil {
				return err
			}
		}
		for range n {
			if err := w.value(p.elem); err != nil {
				return err
			}
		}
		return nil
	case opMap:
		if !isMap(c) {
			return w.skip(false)
		}
		_, n := w.head()
		if err := w.charge(int64(n) * p.size); err != nil {
			return err
		}
		for range n {
			if err := w.value(p.key); err != nil {
				return err
			}
			if err := w.value(p.elem); err != nil {
				return err
			}
		}
		return nil
	case opStruct:
		return w.strct(p)
	case opAny:
		return w.skip(true)
	}
	return w.skip(false)
}

// strct walks a struct, written as a map of field names or as an array of
// all fields in order.
func (w *walker) strct(p *plan) error {
	start := w.pos
	c, n := w.head()
	switch {
	case isMap(c):
		for range n {
			key := w.pos
			kc, kn := w.head()
			var f *field
			switch {
			case isStr(kc):
				f = p.fields[string(w.data[w.pos:w.pos+kn])]
				w.pos += kn
			case kc == 0xc0:
				f = p.fields[""]
			default: // the decoder refuses a key that is not a string
				w.pos = key
				if err := w.skip(false); err != nil {
					return err
				}
			}
			if f == nil {
				if err := w.skip(false); err != nil {
					return err
				}
				continue
			}
			if err := w.charge(f.alloc); err != nil {
				return err
			}
			if err := w.value(f.p); err != nil {
				return err
			}
		}
	case isArray(c) && n == 0: // zeroes the struct, as a nil does
		return w.charge(p.zero)
	case isArray(c) && n == len(p.list):
		for _, f := range p.list {
			if err := w.charge(f.alloc); err != nil {
				return err
			}
			if err := w.value(f.p); err != nil {
				return err
			}
		}
	default: // the decoder refuses it
		w.pos = start
		return w.skip(false)
	}
	return nil
}

// fits reports whether v fits the numeric kind of p without wrapping.
func (p *plan) fits(v intValue) bool {
	switch p.op {
	case opInt:
		if v.neg {
			return v.i >= -1<<(p.bits-1)
		}
		return v.u <= 1<<(p.bits-1)-1
	case opUint:
		return !v.neg && (p.bits == 64 || v.u <= 1<<p.bits-1)
	}
	return v.neg || v.u <= math.MaxInt64 // floats: the decoder converts via int64
}

func (v intValue) String() string {
	if v.neg {
		return fmt.Sprint(v.i)
	}
	return fmt.Sprint(v.u)
}
