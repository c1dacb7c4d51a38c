// Package msgpack is a MessagePack codec for sesskit sessions, built on
// github.com/vmihailenco/msgpack/v5.
//
// Hand it to the Manager:
//
//	m, err := session.New(store, session.WithCodec(msgpack.Codec{}))
//
// Values are usually smaller than JSON, integers stay integers, and
// time.Time keeps its nanoseconds.
//
// # Migrating from JSON
//
// Every stored value starts with its codec's tag byte, so a Manager with
// this codec still reads values the JSON codec wrote and rewrites them as
// MessagePack only when they change; nobody is logged out by the switch.
// Struct fields are named by their msgpack tag, or by their json tag when
// they have none, so structs tagged for encoding/json keep their field
// names and options ("-", omitempty; not omitzero) without new tags.
//
// # Decoding into any
//
// Into an any (or []any, map[string]any) values decode as nil, bool, int64,
// float64, string, time.Time, []any and map[string]any. Integers are int64
// whenever they fit, whatever width they were written with, and uint64
// above math.MaxInt64; binary becomes string; a map with a non-string key
// becomes map[any]any. Typed destinations get exactly the type they ask for.
//
// # Untrusted input
//
// Session data lives in Redis, outside the process, so Unmarshal and Valid
// treat it as untrusted. Before decoding, the input is walked once: every
// length header must fit in the bytes that follow and nesting is limited to
// MaxDepth, so a few bytes claiming a 4 GiB array or string are refused
// instead of making the decoder allocate what the header claims. Only the
// 12-byte timestamp form is accepted (Marshal writes no other), because the
// decoder misreads shorter ones as map headers when the destination is a
// map; and NaN map keys are refused, as each would add an entry. See Valid
// for the full list.
//
// Unmarshal then walks the input alongside the destination type, as the
// decoder will read it, and refuses numbers that do not fit their Go type
// (the decoder would wrap them) and values that would decode into more
// than max(1 MiB, 64 times their size) bytes of Go values: a short header
// bounds how many elements there are, not how large each one is in memory.
package msgpack
