package session

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
)

// A stored value is one of three kinds, told apart by its first byte:
//
//	codec value  the codec's tag (0x20-0x7e, but not '-' or a digit), then the encoding
//	counter      a decimal int64 as Redis HINCRBY writes it ("-3", "42")
//	list         listTag, then each element as <decimal length>:<element>,
//	             every element a codec value
//
// Counters and lists are plain enough for a store to change atomically
// (HINCRBY, string concatenation in a script), which codec values are not.
const listTag = 0x01

// isCounter reports whether v is a counter.
func isCounter(v []byte) bool {
	return len(v) > 0 && (v[0] == '-' || '0' <= v[0] && v[0] <= '9')
}

// reservedTag reports whether a codec may not use tag: it would read as a
// counter, a list or a future sesskit kind.
func reservedTag(tag byte) bool {
	return tag < 0x20 || tag == '-' || '0' <= tag && tag <= '9' || tag > 0x7e
}

// AppendList returns the list value old with elems added at its end. A nil
// old starts a new list; a value of another kind becomes the list's first
// element, so an append never loses what was there. Stores call it to apply
// Change.Append; elements are codec values.
func AppendList(old []byte, elems ...[]byte) []byte {
	n := len(old) + 1
	for _, e := range elems {
		n += len(e) + 12
	}
	out := make([]byte, 0, n)
	switch {
	case len(old) == 0:
		out = append(out, listTag)
	case old[0] == listTag:
		out = append(out, old...)
	default:
		out = appendElem(append(out, listTag), old)
	}
	for _, e := range elems {
		out = appendElem(out, e)
	}
	return out
}

func appendElem(out, e []byte) []byte {
	out = strconv.AppendInt(out, int64(len(e)), 10)
	return append(append(out, ':'), e...)
}

// listElems splits a list value into its elements; ok is false when v is
// not a well-formed list.
func listElems(v []byte) (elems [][]byte, ok bool) {
	if len(v) == 0 || v[0] != listTag {
		return nil, false
	}
	rest := v[1:]
	for len(rest) > 0 {
		colon := bytes.IndexByte(rest, ':')
		if colon < 1 || colon > 10 {
			return nil, false
		}
		n, err := strconv.Atoi(string(rest[:colon]))
		if err != nil || n < 1 || n > len(rest)-colon-1 {
			return nil, false
		}
		elems = append(elems, rest[colon+1:colon+1+n])
		rest = rest[colon+1+n:]
	}
	return elems, true
}

// NotCounterError is returned by Store.Incr when the key holds a value that
// is not a counter; the engine converts that value with Swap.
type NotCounterError struct {
	Value []byte // the stored value
}

func (e *NotCounterError) Error() string { return "session: value is not a counter" }

// valid reports whether a stored value is well formed and readable by m.
func (m *Manager) valid(v []byte) bool {
	switch {
	case len(v) == 0:
		return false
	case isCounter(v):
		_, err := strconv.ParseInt(string(v), 10, 64)
		return err == nil
	case v[0] == listTag:
		elems, ok := listElems(v)
		for _, e := range elems {
			ok = ok && !isCounter(e) && e[0] != listTag && m.valid(e)
		}
		return ok
	}
	c := m.decoders[v[0]]
	return c != nil && c.Valid(v[1:])
}

// decode reads a stored value of any kind into dst, a non-nil pointer.
func (m *Manager) decode(key string, v []byte, dst any) error {
	if err := m.decodeValue(v, dst); err != nil {
		return fmt.Errorf("%w: key %q: %w", ErrDecode, key, err)
	}
	return nil
}

// decodeValue is decode without the error wrapping. It does not rely on
// valid: values from Swap or Pop were not checked at load.
func (m *Manager) decodeValue(v []byte, dst any) error {
	switch {
	case len(v) == 0:
		return ErrCorrupt
	case isCounter(v):
		return decodeCounter(v, dst)
	case v[0] == listTag:
		return m.decodeList(v, dst)
	}
	c := m.decoders[v[0]]
	if c == nil {
		return fmt.Errorf("%w: unknown codec tag %#x", ErrCorrupt, v[0])
	}
	return c.Unmarshal(v[1:], dst)
}

// decodeCounter reads a counter into any integer or float type, or an any
// (as int64). encoding/json refuses values that do not fit the type.
func decodeCounter(v []byte, dst any) error {
	if p, ok := dst.(*any); ok {
		n, err := strconv.ParseInt(string(v), 10, 64)
		*p = n
		return err
	}
	return json.Unmarshal(v, dst)
}

// decodeList reads a list into a pointer to a slice (each element decoded
// into the slice's element type) or an any (as []any).
func (m *Manager) decodeList(v []byte, dst any) error {
	elems, ok := listElems(v)
	if !ok {
		return fmt.Errorf("%w: malformed list", ErrCorrupt)
	}
	for _, e := range elems {
		if isCounter(e) || e[0] == listTag {
			return fmt.Errorf("%w: list element of the wrong kind", ErrCorrupt)
		}
	}
	if p, ok := dst.(*any); ok {
		out := make([]any, len(elems))
		for i, e := range elems {
			if err := m.decodeValue(e, &out[i]); err != nil {
				return err
			}
		}
		*p = out
		return nil
	}
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Slice {
		return fmt.Errorf("a list decodes into a slice or an any, not %T", dst)
	}
	slice := reflect.MakeSlice(rv.Elem().Type(), len(elems), len(elems))
	for i, e := range elems {
		if err := m.decodeValue(e, slice.Index(i).Addr().Interface()); err != nil {
			return err
		}
	}
	rv.Elem().Set(slice)
	return nil
}

// encode turns v into a codec value, enforcing the value size limit.
func (m *Manager) encode(key string, v any) ([]byte, error) {
	b, err := m.cfg.codec.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("session: encode %q: %w", key, err)
	}
	enc := make([]byte, 1+len(b))
	enc[0] = m.cfg.codec.Tag()
	copy(enc[1:], b)
	return enc, m.checkValue(key, enc)
}

// checkValue enforces the value size limit: key and stored bytes together.
func (m *Manager) checkValue(key string, v []byte) error {
	if n := len(key) + len(v); n > m.cfg.maxValue {
		return fmt.Errorf("session: value %q: %w (%d bytes, limit %d)", key, ErrTooLarge, n, m.cfg.maxValue)
	}
	return nil
}
