package msgpack

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/vmihailenco/msgpack/v5"
)

// maxPooledBuffer keeps one huge value from pinning its buffer in the pool.
const maxPooledBuffer = 64 << 10

// encoder is a configured Encoder with the buffer it writes to.
type encoder struct {
	buf bytes.Buffer
	enc *msgpack.Encoder
}

var encoders = sync.Pool{New: func() any {
	e := new(encoder)
	e.enc = msgpack.NewEncoder(&e.buf)
	// A field's msgpack tag wins; without one its json tag is used, so the
	// same structs work with the JSON codec and a migration keeps names.
	e.enc.SetCustomStructTag("json")
	// Smallest integer encoding; integers still decode as integers.
	e.enc.UseCompactInts(true)
	// Stable bytes for map[string]any, map[string]string and map[string]bool
	// (the library sorts no other map types).
	e.enc.SetSortMapKeys(true)
	return e
}}

// Marshal encodes v. Struct fields use their msgpack tag, or their json tag
// when they have no msgpack tag. Keys of map[string]any, map[string]string
// and map[string]bool are sorted; other maps are written in Go's map order.
//
// time.Time is written as a 12-byte MessagePack timestamp. Marshal refuses
// what Valid would refuse (extension types other than time.Time, interned
// strings, arrays or maps as map keys, nesting deeper than MaxDepth), so a
// value it writes always loads again.
func (Codec) Marshal(v any) (data []byte, err error) {
	e := encoders.Get().(*encoder)
	defer func() {
		// The library panics on some struct tags it cannot apply; a session
		// value must not take the server down.
		if r := recover(); r != nil {
			data, err = nil, fmt.Errorf("msgpack: marshal %T: panic: %v", v, r)
			e = nil // its state is unknown: let the pool drop it
		}
		if e != nil && e.buf.Cap() <= maxPooledBuffer {
			e.buf.Reset()
			encoders.Put(e)
		}
	}()
	if err := e.enc.Encode(v); err != nil {
		return nil, fmt.Errorf("msgpack: marshal %T: %w", v, err)
	}
	// The copy out of the pooled buffer also widens timestamps (see check);
	// the extra capacity covers a few without growing.
	out := make([]byte, 0, e.buf.Len()+e.buf.Len()/8+16)
	if off, why := check(e.buf.Bytes(), &out, nil); why != "" {
		return nil, fmt.Errorf("msgpack: marshal %T: output unreadable (%s at byte %d)", v, why, off)
	}
	return out, nil
}
