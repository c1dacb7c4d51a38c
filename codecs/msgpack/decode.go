package msgpack

import (
	"bytes"
	"fmt"
	"math"
	"sync"

	"github.com/sesskit/sesskit/core/session"
	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// decoder is a configured Decoder reading from a reusable bytes.Reader,
// which the Decoder uses directly (no bufio layer).
type decoder struct {
	r   bytes.Reader
	dec *msgpack.Decoder
}

var decoders = sync.Pool{New: func() any {
	d := new(decoder)
	d.dec = msgpack.NewDecoder(&d.r)
	d.dec.SetCustomStructTag("json")
	// int64, uint64, float64 and string in an any, never int8 or []byte.
	d.dec.UseLooseInterfaceDecoding(true)
	return d
}}

// Unmarshal decodes data into the value dst points to.
//
// Data that Valid refuses gives an error wrapping session.ErrCorrupt before
// anything is decoded; other errors (such as a type mismatch) do not wrap
// it. Unmarshal never panics.
//
// Also before decoding, Unmarshal refuses:
//   - a number that does not fit its destination, at any depth (300 into an
//     int8, -1 into a uint, 2^64-1 into an int64 or a float64), as
//     encoding/json does, where the decoder would let it wrap;
//   - data that would decode into more than max(1 MiB, 64*len(data)) bytes
//     of Go values, counted at their types' sizes, with an error wrapping
//     session.ErrTooLarge. Every element takes at least a byte, so this only
//     refuses elements above 64 bytes (with what they point to) written as
//     empty or nil, such as 128 KiB of empty maps that would make a 512 MiB
//     []struct{ B [4096]byte }.
//
// Decoding into an any (or []any, map[string]any) gives nil, bool, int64,
// float64, string, time.Time, []any and map[string]any; an integer is int64
// whenever it fits, uint64 above math.MaxInt64; a map whose keys are not all
// strings becomes map[any]any. Struct fields of type any follow the same
// rules except that they keep uint64 for unsigned encodings.
func (Codec) Unmarshal(data []byte, dst any) (err error) {
	var ints intRange
	if off, why := check(data, nil, &ints); why != "" {
		return fmt.Errorf("msgpack: unmarshal: %w: %s at byte %d", session.ErrCorrupt, why, off)
	}
	d := decoders.Get().(*decoder)
	defer func() {
		// Decoding goes through reflection in a third-party library; a bad
		// session value must not take the server down.
		if r := recover(); r != nil {
			err = fmt.Errorf("msgpack: unmarshal into %T: panic: %v", dst, r)
			return // drop d: its state is unknown
		}
		d.r.Reset(nil) // do not keep data reachable from the pool
		decoders.Put(d)
	}()
	if err := fit(data, dst, &ints); err != nil {
		return fmt.Errorf("msgpack: unmarshal into %T: %w", dst, err)
	}
	d.r.Reset(data)
	d.dec.ResetReader(&d.r) // keeps flags and struct tag, clears the map decoder
	d.dec.SetMapDecoder(decodeMap)
	if err := d.dec.Decode(dst); err != nil {
		return fmt.Errorf("msgpack: unmarshal into %T: %w", dst, err)
	}
	switch p := dst.(type) {
	case *any:
		*p = normalize(*p)
	case *[]any:
		normalize(*p)
	case *map[string]any:
		normalize(*p)
	case *map[any]any:
		normalize(*p)
	}
	return nil
}

// decodeMap decodes a map inside an any: map[string]any when every key is a
// string (or binary), else map[any]any. check has bounded n by the input
// and refused array and map keys, so the keys are comparable.
func decodeMap(d *msgpack.Decoder) (any, error) {
	n, err := d.DecodeMapLen()
	if err != nil || n == -1 {
		return nil, err
	}
	m := make(map[string]any, n)
	for i := range n {
		c, err := d.PeekCode()
		if err != nil {
			return nil, err
		}
		if !msgpcode.IsString(c) && !msgpcode.IsBin(c) {
			return decodeAnyKeyMap(d, m, n-i)
		}
		k, err := d.DecodeString()
		if err != nil {
			return nil, err
		}
		if m[k], err = d.DecodeInterfaceLoose(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// decodeAnyKeyMap finishes a map that turned out to have a non-string key.
func decodeAnyKeyMap(d *msgpack.Decoder, done map[string]any, left int) (any, error) {
	m := make(map[any]any, len(done)+left)
	for k, v := range done {
		m[k] = v
	}
	for range left {
		k, err := d.DecodeInterfaceLoose()
		if err != nil {
			return nil, err
		}
		v, err := d.DecodeInterfaceLoose()
		if err != nil {
			return nil, err
		}
		m[normalize(k)] = v
	}
	return m, nil
}

// normalize turns uint64 values that fit into int64, in place through slices
// and maps, so an integer's Go type in an any does not depend on whether it
// was written as signed or unsigned (Go's encoder writes 200 as uint8).
func normalize(v any) any {
	switch v := v.(type) {
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v)
		}
	case []any:
		for i, e := range v {
			v[i] = normalize(e)
		}
	case map[string]any:
		for k, e := range v {
			v[k] = normalize(e)
		}
	case map[any]any:
		for k, e := range v {
			v[k] = normalize(e)
		}
	}
	return v
}
