package session

// Codec turns session values into bytes and back. Each stored value starts
// with the codec's one-byte tag, so a Manager reads values written by any
// codec it knows, which lets a deployment switch codecs without logging
// anybody out.
type Codec interface {
	// Name is a short lower-case name for logs and configuration ("json").
	Name() string
	// Tag is the byte stored before every value this codec writes. Tags
	// 0x00-0x1F are reserved for sesskit.
	Tag() byte
	// Marshal encodes v.
	Marshal(v any) ([]byte, error)
	// Unmarshal decodes data into the value dst points to.
	Unmarshal(data []byte, dst any) error
	// Valid reports whether data is one well-formed encoded value, so a
	// corrupt session is refused whole at load instead of failing later.
	Valid(data []byte) bool
}
