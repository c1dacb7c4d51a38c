package msgpack_test

import (
	"bytes"
	"errors"
	"runtime"
	"testing"

	vmsgpack "github.com/vmihailenco/msgpack/v5"

	"github.com/sesskit/sesskit/codecs/msgpack"
	"github.com/sesskit/sesskit/core/session"
)

// allocated returns the bytes the process allocated while f ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestSizeHeaderBomb feeds inputs of a few bytes whose length headers claim
// up to 4 GiB. vmihailenco/msgpack v5.4.1 sizes make() from such headers
// (make([]any, 0, n) for arrays in an any, and for every typed slice, since
// its alloc limit check in decodeSliceValue never fires), so it would ask
// for up to 64 GiB: a fatal out-of-memory error, not a panic. The codec must
// refuse them with ErrCorrupt having allocated next to nothing.
func TestSizeHeaderBomb(t *testing.T) {
	const limit = 1 << 20                                  // generous: an error value is a few hundred bytes
	chain := bytes.Repeat([]byte{0xdc, 0xff, 0xff}, 24000) // array16 of 65535, nested
	tests := []struct {
		name string
		data []byte
	}{
		{"array32 4 GiB", []byte{0xdd, 0xff, 0xff, 0xff, 0xff}},
		{"array32 4 GiB with one element", []byte{0xdd, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"map32 4 GiB", []byte{0xdf, 0xff, 0xff, 0xff, 0xff}},
		{"str32 4 GiB", []byte{0xdb, 0xff, 0xff, 0xff, 0xff}},
		{"bin32 4 GiB", []byte{0xc6, 0xff, 0xff, 0xff, 0xff}},
		{"ext32 4 GiB", []byte{0xc9, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{"nested array32s", bytes.Repeat([]byte{0xdd, 0xff, 0xff, 0xff, 0xff}, 8)},
		{"chain of array16 headers", chain},
		// The library recurses once per level: this crashes it with a fatal
		// stack overflow, which recover cannot catch.
		{"20 MiB of nesting", append(bytes.Repeat([]byte{0x91}, 20<<20), 0xc0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsts := []any{new(any), new([]any), new([]int64), new([]string), new(string),
				new([]byte), new(map[string]any), new(map[string]string), new(user)}
			for _, dst := range dsts {
				var err error
				n := allocated(func() { err = msgpack.Codec{}.Unmarshal(tt.data, dst) })
				if !errors.Is(err, session.ErrCorrupt) {
					t.Errorf("Unmarshal into %T = %v, want ErrCorrupt", dst, err)
				}
				if n > limit {
					t.Errorf("Unmarshal into %T allocated %d bytes from a %d-byte input", dst, n, len(tt.data))
				}
			}
			var ok bool
			if n := allocated(func() { ok = msgpack.Codec{}.Valid(tt.data) }); ok || n > limit {
				t.Errorf("Valid = %v after allocating %d bytes; want false, little", ok, n)
			}
		})
	}
}

// TestLibraryAmplification records the hazard the walk guards against, with
// a claim small enough to be harmless here: 5 bytes claiming 1 Mi elements.
// It logs rather than fails, so a library fix shows up without breaking CI.
func TestLibraryAmplification(t *testing.T) {
	data := []byte{0xdd, 0x00, 0x10, 0x00, 0x00}
	for _, dst := range []any{new(any), new([]int64)} {
		lib := allocated(func() { _ = vmsgpack.Unmarshal(data, dst) })
		ours := allocated(func() { _ = msgpack.Codec{}.Unmarshal(data, dst) })
		t.Logf("5-byte array32 header claiming 1Mi elements into %T: library allocated %d bytes, codec %d", dst, lib, ours)
		if ours > 1<<20 {
			t.Errorf("codec allocated %d bytes", ours)
		}
	}
}
