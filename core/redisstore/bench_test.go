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

// BenchmarkLoad reads a 50-value session: one plain HGETALL.
func BenchmarkLoad(b *testing.B) {
	for _, c := range clients(b) {
		b.Run(c.name, func(b *testing.B) {
			s := newStore(b, c.rdb)
			id := newID(b, c.rdb)
			now := time.Now()
			err := s.Create(b.Context(), id, session.Record{Created: now, Deadline: now.Add(time.Hour), Values: fiftyValues()}, rules(now))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := s.Load(b.Context(), id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSave changes one field of a 50-value session: one EVALSHA that
// reads the metadata and the changed field, with and without the limits
// (which cost nothing more: the size is kept as a running total).
func BenchmarkSave(b *testing.B) {
	for _, c := range clients(b) {
		for _, maxSize := range []int{0, 64 << 10} {
			b.Run(fmt.Sprintf("%s/max=%d", c.name, maxSize), func(b *testing.B) {
				s := newStore(b, c.rdb)
				id := newID(b, c.rdb)
				now := time.Now()
				err := s.Create(b.Context(), id, session.Record{Created: now, Deadline: now.Add(time.Hour), Values: fiftyValues()}, rules(now))
				if err != nil {
					b.Fatal(err)
				}
				r := rules(now)
				r.MaxSize, r.TouchInterval = maxSize, time.Minute
				ch := session.Change{Set: map[string][]byte{"key07": []byte("j\"changed\"")}}
				b.ReportAllocs()
				for b.Loop() {
					if err := s.Save(b.Context(), id, ch, r); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkIncr adds one to a counter: one EVALSHA.
func BenchmarkIncr(b *testing.B) {
	for _, c := range clients(b) {
		b.Run(c.name, func(b *testing.B) {
			s := newStore(b, c.rdb)
			id := newID(b, c.rdb)
			now := time.Now()
			if err := s.Create(b.Context(), id, session.Record{Created: now, Deadline: now.Add(time.Hour)}, rules(now)); err != nil {
				b.Fatal(err)
			}
			r := rules(now)
			r.TouchInterval = time.Minute
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Incr(b.Context(), id, "n", 1, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
