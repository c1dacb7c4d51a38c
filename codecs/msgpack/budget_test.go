package msgpack_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	vmsgpack "github.com/vmihailenco/msgpack/v5"

	"github.com/sesskit/sesskit/codecs/msgpack"
	"github.com/sesskit/sesskit/core/session"
)

// page is a large element type: 4 KiB in memory, one byte (an empty map or
// a nil) on the wire.
type page struct {
	B [4096]byte `json:"b"`
}

type Padded struct {
	X   int `json:"x"`
	Pad [4096]byte
}

type embedsPadded struct {
	*Padded
}

type holdsPages struct {
	Pages []page `json:"pages"`
}

type holdsPage struct {
	P page `json:"p"`
}

// array32 returns an array32 header of n elements followed by n copies of
// elem.
func array32(n int, elem []byte) []byte {
	b := binary.BigEndian.AppendUint32([]byte{0xdd}, uint32(n))
	return append(b, bytes.Repeat(elem, n)...)
}

// map32 is array32 for a map of n entries.
func map32(n int, entry []byte) []byte {
	b := binary.BigEndian.AppendUint32([]byte{0xdf}, uint32(n))
	return append(b, bytes.Repeat(entry, n)...)
}

// fill returns how many elements of size bytes fit after a header of hdr
// bytes in a value of session.DefaultMaxValueSize bytes.
func fill(hdr, size int) int { return (session.DefaultMaxValueSize - hdr) / size }

// TestDecodeBudget feeds values of the default maximum size, 128 KiB, made
// of elements of one or two bytes, into destinations whose elements are 4
// KiB. Decoded, they would take 512 MiB and more (1 GiB allocated, as the
// library allocates slices twice); the codec refuses them having allocated
// next to nothing.
func TestDecodeBudget(t *testing.T) {
	const limit = 1 << 20
	key := []byte{0xa5, 'p', 'a', 'g', 'e', 's'}
	tests := []struct {
		name string
		data []byte
		dst  any
	}{
		{"empty maps into []page", array32(fill(5, 1), []byte{0x80}), new([]page)},
		{"nils into []page", array32(fill(5, 1), []byte{0xc0}), new([]page)},
		{"empty maps into []*page", array32(fill(5, 1), []byte{0x80}), new([]*page)},
		{"nils into [][4096]byte", array32(fill(5, 1), []byte{0xc0}), new([][4096]byte)},
		{"empty binaries into [][4096]byte", array32(fill(5, 2), []byte{0xc4, 0x00}), new([][4096]byte)},
		{"map values", map32(fill(5, 2), []byte{0xa0, 0x80}), new(map[string]page)},
		{"map keys", map32(fill(5, 3), []byte{0xc4, 0x00, 0xc2}), new(map[[4096]byte]bool)},
		{"struct field", append(append([]byte{0x81}, key...), array32(fill(12, 1), []byte{0xc0})...), new(holdsPages)},
		{"embedded pointers", array32(fill(5, 4), []byte{0x81, 0xa1, 'x', 0x00}), new([]embedsPadded)},
		{"pointers to pointers", array32(fill(5, 1), []byte{0x00}), new([]**[512]int64)},
		{"nested arrays", array32(1, array32(fill(10, 1), []byte{0xc0})), new([][]page)},
		{"pointer in an interface", array32(fill(5, 1), []byte{0xc0}), anyPointingTo(new([]page))},
		// The decoder zeroes a struct for a nil, and reflect.Zero allocates
		// structs above 1 KiB: 4 KiB for each three bytes of "p": nil.
		{"nils into a struct field", map32(fill(5, 3), []byte{0xa1, 'p', 0xc0}), new(holdsPage)},
		{"empty arrays into a struct field", map32(fill(5, 3), []byte{0xa1, 'p', 0x90}), new(holdsPage)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.data) > session.DefaultMaxValueSize {
				t.Fatalf("test value is %d bytes", len(tt.data))
			}
			var err error
			n := allocated(func() { err = msgpack.Codec{}.Unmarshal(tt.data, tt.dst) })
			if !errors.Is(err, session.ErrTooLarge) {
				t.Fatalf("Unmarshal into %T = %v; want ErrTooLarge", tt.dst, err)
			}
			if n > limit {
				t.Errorf("Unmarshal into %T allocated %d bytes before refusing", tt.dst, n)
			}
			t.Logf("%d bytes into %T: allocated %d bytes: %v", len(tt.data), tt.dst, n, err)
		})
	}
}

// TestDecodeBudgetLimit: a value of N bytes may decode into max(1 MiB, 64*N)
// bytes of Go values; 256 empty pages are 1 MiB exactly, 257 are too many.
func TestDecodeBudgetLimit(t *testing.T) {
	c := msgpack.Codec{}
	var pages []page
	if err := c.Unmarshal(array32(256, []byte{0x80}), &pages); err != nil || len(pages) != 256 {
		t.Fatalf("256 pages: %d, %v", len(pages), err)
	}
	if err := c.Unmarshal(array32(257, []byte{0x80}), &pages); !errors.Is(err, session.ErrTooLarge) {
		t.Fatalf("257 pages: %v, want ErrTooLarge", err)
	}
	// Above 16 KiB of input, 64 bytes per byte: 200 elements of 8 KiB (and
	// their strings) written in 130 bytes each pass; in 129 they do not.
	type wide struct {
		S string `json:"s"`
		B [8192 - 16]byte
	}
	entry := func(n int) []byte {
		return append([]byte{0x81, 0xa1, 's', 0xd9, byte(n)}, bytes.Repeat([]byte{'x'}, n)...)
	}
	var w []wide
	if err := c.Unmarshal(array32(200, entry(125)), &w); err != nil || len(w) != 200 {
		t.Fatalf("200 wide elements of %d bytes: %d, %v", len(entry(125)), len(w), err)
	}
	if err := c.Unmarshal(array32(200, entry(124)), &w); !errors.Is(err, session.ErrTooLarge) {
		t.Fatalf("200 wide elements of %d bytes: %v, want ErrTooLarge", len(entry(124)), err)
	}
}

// TestDecodeBudgetLetsValuesThrough: dense values of the default maximum
// size whose elements are 64 bytes or less decode, and the decoder
// allocates a small multiple of the budget for them.
func TestDecodeBudgetLetsValuesThrough(t *testing.T) {
	type four struct {
		A, B, C, D string
	}
	tests := []struct {
		name string
		data []byte
		dst  any
	}{
		{"empty maps into 64-byte structs", array32(fill(5, 1), []byte{0x80}), new([]four)},
		{"tiny maps", array32(fill(5, 3), []byte{0x81, 0xa0, 0x00}), new([]map[string]int)},
		{"tiny maps into any", array32(fill(5, 3), []byte{0x81, 0xa0, 0x00}), new(any)},
		{"empty arrays", array32(fill(5, 1), []byte{0x90}), new([][]int)},
		{"empty strings", array32(fill(5, 1), []byte{0xa0}), new([]string)},
		{"pointers to 56 bytes", array32(fill(5, 1), []byte{0x90}), new([]*[7]int64)},
		{"map of empty strings", map32(fill(5, 2), []byte{0xa0, 0xa0}), new(map[string]string)},
		{"pages written out", mustMarshal(t, make([]page, fill(3, 4096+4))), new([]page)},
		{"struct of pages", mustMarshal(t, holdsPages{Pages: make([]page, fill(12, 4096+4))}), new(holdsPages)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			n := allocated(func() { err = msgpack.Codec{}.Unmarshal(tt.data, tt.dst) })
			if err != nil {
				t.Fatalf("Unmarshal(%d bytes) into %T: %v", len(tt.data), tt.dst, err)
			}
			budget := max(1<<20, 64*uint64(len(tt.data)))
			t.Logf("%d bytes into %T: allocated %d bytes, %.2f times the budget", len(tt.data), tt.dst, n, float64(n)/float64(budget))
			if n > 4*budget {
				t.Errorf("allocated %d bytes, budget %d", n, budget)
			}
		})
	}
}

// TestLibraryPageAmplification records what the budget guards against, at
// a sixteenth of the default maximum value size: 8 KiB of empty maps into
// []page make the library allocate 64 MiB. It logs rather than fails.
func TestLibraryPageAmplification(t *testing.T) {
	data := array32(8<<10-5, []byte{0x80})
	var pages []page
	lib := allocated(func() { _ = vmsgpack.Unmarshal(data, &pages) })
	pages = nil
	var err error
	ours := allocated(func() { err = msgpack.Codec{}.Unmarshal(data, &pages) })
	t.Logf("%d bytes into []page: library allocated %d bytes, codec %d (%v)", len(data), lib, ours, err)
	if !errors.Is(err, session.ErrTooLarge) || !strings.Contains(err.Error(), "msgpack: unmarshal into *[]msgpack_test.page") {
		t.Errorf("codec: %v", err)
	}
}
