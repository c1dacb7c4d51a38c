package session

import (
	"bytes"
	"encoding/json"
)

// JSON is the built-in codec (encoding/json), tag 'j'. Values decode into
// the type the caller asks for, so integers stay integers; decoded into
// `any`, numbers become json.Number rather than float64 for the same reason.
type JSON struct{}

var _ Codec = JSON{}

// Name returns "json".
func (JSON) Name() string { return "json" }

// Tag returns 'j'.
func (JSON) Tag() byte { return 'j' }

// Marshal encodes v with encoding/json.
func (JSON) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

// Unmarshal decodes data into dst. Before decoding, it refuses data that
// would decode into more than max(1 MiB, 64*len(data)) bytes of Go values,
// counted at their types' sizes, with an error wrapping ErrTooLarge. Every
// element takes at least a byte, so this only refuses elements above 64
// bytes (with what they point to) written as empty or null, such as 128 KiB
// of `{},` that would make a 170 MiB []struct{ B [4096]byte }.
func (JSON) Unmarshal(data []byte, dst any) error {
	if err := jsonFit(data, dst); err != nil {
		return err
	}
	if p, ok := dst.(*any); ok {
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		return d.Decode(p)
	}
	return json.Unmarshal(data, dst)
}

// Valid reports whether data is one well-formed JSON value.
func (JSON) Valid(data []byte) bool { return json.Valid(data) }
