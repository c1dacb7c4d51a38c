package msgpack

import "github.com/sesskit/sesskit/core/session"

// Codec encodes session values as MessagePack. The zero value is ready to
// use and safe for concurrent use.
type Codec struct{}

var _ session.Codec = Codec{}

// Name returns "msgpack".
func (Codec) Name() string { return "msgpack" }

// Tag returns 'm', the byte the engine stores before every value this codec
// writes.
func (Codec) Tag() byte { return 'm' }
