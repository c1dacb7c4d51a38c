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

// Unmarshal decodes data into dst.
func (JSON) Unmarshal(data []byte, dst any) error {
	if p, ok := dst.(*any); ok {
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		return d.Decode(p)
	}
	return json.Unmarshal(data, dst)
}

// Valid reports whether data is one well-formed JSON value.
func (JSON) Valid(data []byte) bool { return json.Valid(data) }
