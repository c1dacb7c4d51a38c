package redisstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// fiftyValues is a session of 50 values of 20 bytes.
func fiftyValues() map[string][]byte {
	values := make(map[string][]byte, 50)
	for i := range 50 {
		values[fmt.Sprintf("key%02d", i)] = fmt.Appendf(nil, "j\"value-%010d\"", i)
	}
	return values
}

// BenchmarkLoad reads a 50-value session within the touch interval: one
// EVALSHA, no write.
func BenchmarkLoad(b *testing.B) {
	for _, c := range clients(b) {
		b.Run(c.name, func(b *testing.B) {
			s := newStore(b, c.rdb)
			id := newID(b, c.rdb)
			now := time.Now()
			err := s.Save(b.Context(), id, session.Change{Create: true, Now: now, Idle: idle, Created: now, Deadline: now.Add(time.Hour), Set: fiftyValues()})
			if err != nil {
				b.Fatal(err)
			}
			touch := session.Touch{Now: now, Idle: idle, Interval: time.Minute}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := s.Load(b.Context(), id, touch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSave changes one field of a 50-value session: one EVALSHA, with
// and without the size limit (which reads the whole hash inside Redis).
func BenchmarkSave(b *testing.B) {
	for _, c := range clients(b) {
		for _, maxSize := range []int{0, 64 << 10} {
			b.Run(fmt.Sprintf("%s/max=%d", c.name, maxSize), func(b *testing.B) {
				s := newStore(b, c.rdb)
				id := newID(b, c.rdb)
				now := time.Now()
				err := s.Save(b.Context(), id, session.Change{Create: true, Now: now, Idle: idle, Created: now, Deadline: now.Add(time.Hour), Set: fiftyValues()})
				if err != nil {
					b.Fatal(err)
				}
				ch := session.Change{Now: now, Idle: idle, MaxSize: maxSize, Set: map[string][]byte{"key07": []byte("j\"changed\"")}}
				b.ReportAllocs()
				for b.Loop() {
					if err := s.Save(b.Context(), id, ch); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
