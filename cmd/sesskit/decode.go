package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/sesskit/sesskit/codecs/msgpack"
	"github.com/sesskit/sesskit/core/session"
)

// codecs are every codec sesskit has, by the tag each stores before its
// values.
var codecs = map[byte]session.Codec{
	session.JSON{}.Tag():  session.JSON{},
	msgpack.Codec{}.Tag(): msgpack.Codec{},
}

// listTag starts a list value (session.Append); a counter (session.Incr) is
// a bare decimal. See core/session/values.go.
const listTag = 0x01

// valueKind names how a stored value is encoded: a codec's name,
// "counter", "list", or "unknown" (a tag no codec here has).
func valueKind(v []byte) string {
	switch {
	case len(v) == 0:
		return "empty"
	case isCounter(v):
		return "counter"
	case v[0] == listTag:
		return "list"
	}
	if c, ok := codecs[v[0]]; ok {
		return c.Name()
	}
	return "unknown"
}

func isCounter(v []byte) bool {
	return len(v) > 0 && (v[0] == '-' || '0' <= v[0] && v[0] <= '9')
}

// decodeValue decodes a stored value into something encoding/json can
// print.
func decodeValue(v []byte) (any, error) {
	switch kind := valueKind(v); kind {
	case "empty":
		return nil, fmt.Errorf("empty value")
	case "counter":
		return strconv.ParseInt(string(v), 10, 64)
	case "list":
		elems, err := listElems(v)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(elems))
		for i, e := range elems {
			if out[i], err = decodeValue(e); err != nil {
				return nil, fmt.Errorf("list element %d: %w", i, err)
			}
		}
		return out, nil
	case "unknown":
		return nil, fmt.Errorf("no codec has the tag %q", v[0])
	}
	var out any
	if err := codecs[v[0]].Unmarshal(v[1:], &out); err != nil {
		return nil, err
	}
	return printable(out), nil
}

// listElems splits a list value: listTag, then <decimal length>:<bytes>
// per element.
func listElems(v []byte) ([][]byte, error) {
	var elems [][]byte
	rest := v[1:]
	for len(rest) > 0 {
		colon := bytes.IndexByte(rest, ':')
		n, err := strconv.Atoi(string(rest[:max(colon, 0)]))
		if colon < 1 || err != nil || n < 1 || n > len(rest)-colon-1 {
			return nil, fmt.Errorf("malformed list")
		}
		elems = append(elems, rest[colon+1:colon+1+n])
		rest = rest[colon+1+n:]
	}
	return elems, nil
}

// printable turns what MessagePack decodes into something encoding/json
// prints: maps with non-string keys get their keys formatted, times are
// RFC 3339.
func printable(v any) any {
	switch v := v.(type) {
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[fmt.Sprint(k)] = printable(e)
		}
		return out
	case map[string]any:
		for k, e := range v {
			v[k] = printable(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = printable(e)
		}
		return v
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case []byte:
		return string(v)
	case json.Number:
		return v
	}
	return v
}
