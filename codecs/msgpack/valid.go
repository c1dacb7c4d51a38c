package msgpack

import (
	"encoding/binary"
	"math"
)

// MaxDepth is how deeply arrays and maps may nest in one value. Deeper input
// is refused before decoding, because the decoder recurses once per level and
// a few megabytes of 0x91 bytes would otherwise exhaust the goroutine stack,
// which crashes the process instead of returning an error.
const MaxDepth = 10000

// Valid reports whether data is exactly one well-formed MessagePack value,
// with no trailing bytes, that Unmarshal can decode into an any. On top of
// the wire format it refuses: the never-used code 0xc1; arrays and maps as
// map keys; NaN as a map key; extension types other than the timestamp
// (-1); timestamps not in the 12-byte form or with nanoseconds above
// 999999999; and nesting deeper than MaxDepth. Marshal writes nothing that
// Valid refuses. Valid does not allocate for values nested up to 16 deep.
func (Codec) Valid(data []byte) bool {
	_, why := check(data, nil, nil)
	return why == ""
}

// level is one open array or map while check walks the input.
type level struct {
	left  uint64 // items still to read; a map of n pairs starts with 2n
	isMap bool
}

// check walks data without decoding it and returns "" when Valid would
// accept it, or the offset of the first problem and what it is.
//
// It proves that no length header claims more than the input holds: every
// array element and map entry takes at least one byte, every string, binary
// and extension body exactly its length. After check passes, the elements of
// all arrays and maps together number at most len(data), so the decoder's
// make calls, which trust the headers, are bounded by the input.
// vmihailenco/msgpack v5.4.1 does not bound them itself: decoding
// dd ff ff ff ff (an array claiming 2^32-1 elements) into an any asks the
// runtime for 64 GiB.
//
// Timestamps must be 12 bytes with valid nanoseconds because the library,
// decoding into a Go map, skips an extension header and reads the body as a
// map header (DecodeMapLen). The first body byte of a 4- or 8-byte timestamp
// can be any map code (0x80-0x8f, 0xc0, 0xde, 0xdf), after which the decoder
// reads the rest of the input out of step with this walk and unchecked
// headers reach make again. A 12-byte body starts with the nanoseconds'
// high byte, at most 0x3b: a fixint, which DecodeMapLen rejects.
//
// NaN is refused as a map key because it equals no key, itself included:
// every NaN entry would be a new one, so a map of n NaN keys keeps n
// entries (and a Go map can neither find nor delete them).
//
// With widen != nil, check accepts 4- and 8-byte timestamps and appends to
// *widen a copy of data in which they are rewritten in the 12-byte form;
// Marshal uses it because the library writes the short forms.
//
// With ints != nil, check records there the extremes of the integers in
// data, so Unmarshal can skip its range checks when they all fit.
func check(data []byte, widen *[]byte, ints *intRange) (off int, why string) {
	var inline [16]level // no allocation for the usual shallow values
	stack := inline[:0]
	pos, copied := 0, 0
	for {
		key := false
		if n := len(stack); n > 0 {
			top := &stack[n-1]
			key = top.isMap && top.left%2 == 0
			top.left--
		}
		if pos >= len(data) {
			return pos, "truncated"
		}
		start := pos
		c := data[pos]
		pos++

		var (
			body  uint64 // bytes of payload after the header
			items uint64 // child values of an array or map
			isMap bool
			coll  bool // an array or map, even an empty one
			ext   bool
			num   bool // an integer with a body
			flt   bool
		)
		switch {
		case c <= 0x7f || c >= 0xe0: // positive and negative fixint
			if ints != nil {
				ints.add(intAt(c, nil))
			}
		case c <= 0x8f:
			items, isMap, coll = 2*uint64(c&0x0f), true, true
		case c <= 0x9f:
			items, coll = uint64(c&0x0f), true
		case c <= 0xbf:
			body = uint64(c & 0x1f)
		default:
			var hdr int // bytes of length field after the code
			switch c {
			case 0xc0, 0xc2, 0xc3: // nil, false, true
			case 0xc1:
				return start, "never-used code 0xc1"
			case 0xc4, 0xd9: // bin8, str8
				hdr = 1
			case 0xc5, 0xda: // bin16, str16
				hdr = 2
			case 0xc6, 0xdb: // bin32, str32
				hdr = 4
			case 0xc7, 0xc8, 0xc9: // ext8, ext16, ext32
				hdr, ext = 1<<(c-0xc7), true
			case 0xca: // float32
				body, flt = 4, true
			case 0xcb: // float64
				body, flt = 8, true
			case 0xcc, 0xd0:
				body, num = 1, true
			case 0xcd, 0xd1:
				body, num = 2, true
			case 0xce, 0xd2:
				body, num = 4, true
			case 0xcf, 0xd3:
				body, num = 8, true
			case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8: // fixext 1, 2, 4, 8, 16
				body, ext = 1<<(c-0xd4), true
			case 0xdc: // array16
				hdr, coll = 2, true
			case 0xdd: // array32
				hdr, coll = 4, true
			case 0xde: // map16
				hdr, coll, isMap = 2, true, true
			case 0xdf: // map32
				hdr, coll, isMap = 4, true, true
			}
			if hdr > 0 {
				if len(data)-pos < hdr {
					return start, "truncated length"
				}
				var n uint64
				switch hdr {
				case 1:
					n = uint64(data[pos])
				case 2:
					n = uint64(binary.BigEndian.Uint16(data[pos:]))
				case 4:
					n = uint64(binary.BigEndian.Uint32(data[pos:]))
				}
				pos += hdr
				if coll {
					items = n
					if isMap {
						items = 2 * n // n < 2^32: no overflow in uint64
					}
				} else {
					body = n
				}
			}
			if ext {
				if pos >= len(data) {
					return start, "truncated extension type"
				}
				if int8(data[pos]) != -1 {
					return start, "unsupported extension type"
				}
				pos++
			}
		}

		if key && coll {
			return start, "array or map used as a map key"
		}
		if body > uint64(len(data)-pos) {
			return start, "length exceeds input"
		}
		if flt && key && isNaN(c, data[pos:pos+int(body)]) {
			return start, "NaN map key"
		}
		if num && ints != nil {
			ints.add(intAt(c, data[pos:pos+int(body)]))
		}
		if ext {
			b := data[pos : pos+int(body)]
			switch {
			case len(b) == 12:
				if binary.BigEndian.Uint32(b) > 999999999 {
					return start, "timestamp nanoseconds out of range"
				}
			case widen != nil && (len(b) == 4 || len(b) == 8):
				*widen = append(*widen, data[copied:start]...)
				*widen = appendTimestamp96(*widen, b)
				copied = pos + len(b)
			case len(b) == 4 || len(b) == 8:
				return start, "timestamp not in 12-byte form"
			default:
				return start, "bad timestamp length"
			}
		}
		pos += int(body)
		if items > 0 {
			if items > uint64(len(data)-pos) {
				return start, "length exceeds input"
			}
			if len(stack) == MaxDepth {
				return start, "nested too deeply"
			}
			stack = append(stack, level{left: items, isMap: isMap})
		}
		for len(stack) > 0 && stack[len(stack)-1].left == 0 {
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			break
		}
	}
	if pos != len(data) {
		return pos, "trailing bytes"
	}
	if widen != nil {
		*widen = append(*widen, data[copied:]...)
	}
	return 0, ""
}

// appendTimestamp96 appends the 12-byte timestamp (ext8) equal to the 4- or
// 8-byte timestamp body b.
func appendTimestamp96(dst, b []byte) []byte {
	var sec uint64
	var nsec uint32
	if len(b) == 4 {
		sec = uint64(binary.BigEndian.Uint32(b))
	} else {
		v := binary.BigEndian.Uint64(b)
		nsec, sec = uint32(v>>34), v&(1<<34-1)
	}
	dst = append(dst, 0xc7, 12, 0xff)
	dst = binary.BigEndian.AppendUint32(dst, nsec)
	return binary.BigEndian.AppendUint64(dst, sec)
}

// isNaN reports whether the value with code c and body b is a NaN float.
func isNaN(c byte, b []byte) bool {
	switch c {
	case 0xca:
		return math.IsNaN(float64(math.Float32frombits(binary.BigEndian.Uint32(b))))
	case 0xcb:
		return math.IsNaN(math.Float64frombits(binary.BigEndian.Uint64(b)))
	}
	return false
}

// isInt reports whether c is the code of an integer.
func isInt(c byte) bool {
	return c <= 0x7f || c >= 0xe0 || (c >= 0xcc && c <= 0xd3)
}

// intValue is an integer as written: a magnitude u when it is not negative,
// else a negative i.
type intValue struct {
	u   uint64
	i   int64
	neg bool
}

// intAt returns the integer with code c (isInt) and body b.
func intAt(c byte, b []byte) intValue {
	var i int64
	switch {
	case c <= 0x7f:
		return intValue{u: uint64(c)}
	case c >= 0xe0:
		return intValue{i: int64(int8(c)), neg: true}
	case c == 0xcc:
		return intValue{u: uint64(b[0])}
	case c == 0xcd:
		return intValue{u: uint64(binary.BigEndian.Uint16(b))}
	case c == 0xce:
		return intValue{u: uint64(binary.BigEndian.Uint32(b))}
	case c == 0xcf:
		return intValue{u: binary.BigEndian.Uint64(b)}
	case c == 0xd0:
		i = int64(int8(b[0]))
	case c == 0xd1:
		i = int64(int16(binary.BigEndian.Uint16(b)))
	case c == 0xd2:
		i = int64(int32(binary.BigEndian.Uint32(b)))
	default: // 0xd3
		i = int64(binary.BigEndian.Uint64(b))
	}
	if i < 0 {
		return intValue{i: i, neg: true}
	}
	return intValue{u: uint64(i)}
}

// intRange holds the extremes of the integers in a value.
type intRange struct {
	max uint64 // the largest that is not negative
	min int64  // the smallest negative one, or 0
}

func (r *intRange) add(v intValue) {
	if v.neg {
		r.min = min(r.min, v.i)
	} else {
		r.max = max(r.max, v.u)
	}
}
