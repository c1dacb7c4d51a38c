package sessiontest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/sesskit/sesskit/core/session"
)

// opCases pin down the same-key operations: each is atomic, so concurrent
// callers lose nothing.
var opCases = []storeCase{
	{"incr", testIncr},
	{"incr is atomic", testIncrAtomic},
	{"append", testAppend},
	{"appends are atomic", testAppendAtomic},
	{"pop", testPop},
	{"pop hands each value out once", testPopOnce},
	{"swap", testSwap},
	{"swap is atomic", testSwapAtomic},
}

func testIncr(t *testing.T, s session.Store) {
	ctx := t.Context()
	id := newSession(t, s, map[string][]byte{"json": []byte("j5"), "n": []byte("41")})
	steps := []struct {
		key   string
		delta int64
		want  int64
	}{
		{"n", 1, 42}, {"n", -50, -8}, {"fresh", 7, 7}, {"fresh", 0, 7},
	}
	for _, st := range steps {
		got, err := s.Incr(ctx, id, st.key, st.delta, rules(long))
		if err != nil || got != st.want {
			t.Fatalf("Incr(%s, %d) = %d, %v; want %d", st.key, st.delta, got, err, st.want)
		}
	}
	equalValues(t, peek(t, s, id).Values, map[string][]byte{"json": []byte("j5"), "n": []byte("-8"), "fresh": []byte("7")})

	_, err := s.Incr(ctx, id, "json", 1, rules(long))
	var nc *session.NotCounterError
	if !errors.As(err, &nc) || string(nc.Value) != "j5" {
		t.Fatalf("Incr of a codec value = %v, want a NotCounterError carrying it", err)
	}
	top, err := s.Incr(ctx, id, "big", 1<<62, rules(long))
	if err == nil {
		top, err = s.Incr(ctx, id, "big", 1<<62-1, rules(long))
	}
	if err != nil || top != 1<<63-1 {
		t.Fatalf("Incr to the top of int64 = %d, %v", top, err)
	}
	if _, err := s.Incr(ctx, id, "big", 1, rules(long)); err == nil {
		t.Fatal("Incr past the int64 range: nil error")
	}
	if _, err := s.Incr(ctx, id, "n", -1<<63, rules(long)); err == nil {
		t.Fatal("Incr below the int64 range: nil error")
	}
	equalValues(t, peek(t, s, id).Values, map[string][]byte{
		"json": []byte("j5"), "n": []byte("-8"), "fresh": []byte("7"), "big": []byte(strconv.FormatInt(1<<63-1, 10)),
	})
}

func testIncrAtomic(t *testing.T, s session.Store) {
	const n = 50
	id := newSession(t, s, nil)
	var wg sync.WaitGroup
	seen := make(chan int64, n)
	for range n {
		wg.Go(func() {
			v, err := s.Incr(t.Context(), id, "n", 1, rules(long))
			if err != nil {
				t.Errorf("Incr: %v", err)
			}
			seen <- v
		})
	}
	wg.Wait()
	close(seen)
	var got []int64
	for v := range seen {
		got = append(got, v)
	}
	slices.Sort(got)
	for i, v := range got {
		if v != int64(i+1) {
			t.Fatalf("Incr results %v, want 1..%d each once", got, n)
		}
	}
	equalValues(t, peek(t, s, id).Values, map[string][]byte{"n": []byte(strconv.Itoa(n))})
}

func testAppend(t *testing.T, s session.Store) {
	id := newSession(t, s, map[string][]byte{"other": []byte("jx")})
	save(t, s, id, session.Change{Append: map[string][][]byte{"l": {[]byte("ja"), []byte("jb")}}})
	save(t, s, id, session.Change{Append: map[string][][]byte{"l": {[]byte("jc")}, "other": {[]byte("jy")}}})
	want := map[string][]byte{
		"l":     session.AppendList(nil, []byte("ja"), []byte("jb"), []byte("jc")),
		"other": session.AppendList(nil, []byte("jx"), []byte("jy")), // the old value becomes the first element
	}
	equalValues(t, peek(t, s, id).Values, want)
}

func testAppendAtomic(t *testing.T, s session.Store) {
	const n = 50
	id := newSession(t, s, nil)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := s.Save(t.Context(), id, session.Change{Append: map[string][][]byte{"l": {fmt.Appendf(nil, "j%d", i)}}}, rules(long))
			if err != nil {
				t.Errorf("append %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	got := listElements(t, peek(t, s, id).Values["l"])
	slices.Sort(got)
	want := make([]string, n)
	for i := range n {
		want[i] = fmt.Sprintf("j%d", i)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("list holds %q, want each of %q once", got, want)
	}
}

func testPop(t *testing.T, s session.Store) {
	ctx := t.Context()
	id := newSession(t, s, map[string][]byte{"a": []byte("j1"), "b": []byte("j2")})
	v, err := s.Pop(ctx, id, "a", rules(long))
	if err != nil || string(v) != "j1" {
		t.Fatalf("Pop = %q, %v; want j1", v, err)
	}
	v, err = s.Pop(ctx, id, "a", rules(long))
	if err != nil || v != nil {
		t.Fatalf("second Pop = %q, %v; want nil, nil", v, err)
	}
	equalValues(t, peek(t, s, id).Values, map[string][]byte{"b": []byte("j2")})
}

func testPopOnce(t *testing.T, s session.Store) {
	const n = 50
	id := newSession(t, s, nil)
	var mu sync.Mutex
	var popped [][]byte
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := s.Save(t.Context(), id, session.Change{Append: map[string][][]byte{"flash": {fmt.Appendf(nil, "j%d", i)}}}, rules(long))
			if err != nil {
				t.Errorf("append: %v", err)
			}
		})
		wg.Go(func() {
			v, err := s.Pop(t.Context(), id, "flash", rules(long))
			if err != nil {
				t.Errorf("Pop: %v", err)
			}
			mu.Lock()
			popped = append(popped, v)
			mu.Unlock()
		})
	}
	wg.Wait()
	last, err := s.Pop(t.Context(), id, "flash", rules(long))
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, v := range append(popped, last) {
		for _, e := range listElements(t, v) {
			count[e]++
		}
	}
	for i := range n {
		if e := fmt.Sprintf("j%d", i); count[e] != 1 {
			t.Errorf("element %s popped %d times, want once", e, count[e])
		}
	}
}

// listElements splits a list value (session.AppendList's format).
func listElements(t *testing.T, v []byte) []string {
	t.Helper()
	if len(v) == 0 {
		return nil
	}
	if v[0] != 1 {
		t.Fatalf("not a list: %q", v)
	}
	var out []string
	rest := v[1:]
	for len(rest) > 0 {
		colon := bytes.IndexByte(rest, ':')
		n, err := strconv.Atoi(string(rest[:colon]))
		if colon < 1 || err != nil || n > len(rest)-colon-1 {
			t.Fatalf("malformed list %q", v)
		}
		out = append(out, string(rest[colon+1:colon+1+n]))
		rest = rest[colon+1+n:]
	}
	return out
}

func testSwap(t *testing.T, s session.Store) {
	ctx := t.Context()
	id := newSession(t, s, map[string][]byte{"a": []byte("j1")})
	steps := []struct {
		name        string
		key         string
		old, new    []byte
		wantSwapped bool
		wantCur     []byte
	}{
		{"stale old value", "a", []byte("j0"), []byte("j2"), false, []byte("j1")},
		{"absent expected, present found", "a", nil, []byte("j2"), false, []byte("j1")},
		{"current old value", "a", []byte("j1"), []byte("j2"), true, []byte("j2")},
		{"create an absent key", "b", nil, []byte("j3"), true, []byte("j3")},
		{"present expected, absent found", "c", []byte("j1"), []byte("j3"), false, nil},
		{"delete", "b", []byte("j3"), nil, true, nil},
	}
	for _, st := range steps {
		cur, swapped, err := s.Swap(ctx, id, st.key, st.old, st.new, rules(long))
		if err != nil || swapped != st.wantSwapped || !bytes.Equal(cur, st.wantCur) || (cur == nil) != (st.wantCur == nil) {
			t.Fatalf("%s: Swap = %q, %v, %v; want %q, %v", st.name, cur, swapped, err, st.wantCur, st.wantSwapped)
		}
	}
	equalValues(t, peek(t, s, id).Values, map[string][]byte{"a": []byte("j2")})
}

// testSwapAtomic runs compare-and-set loops that each add one to a
// JSON-looking counter: with a lost update the total would be short.
func testSwapAtomic(t *testing.T, s session.Store) {
	const n = 30
	id := newSession(t, s, nil)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			var cur []byte
			for attempt := 0; ; attempt++ {
				v := 0
				if cur != nil {
					v, _ = strconv.Atoi(string(cur[1:]))
				}
				got, swapped, err := s.Swap(t.Context(), id, "c", cur, fmt.Appendf(nil, "j%d", v+1), rules(long))
				if err != nil || swapped || attempt > 10*n {
					if err != nil || !swapped {
						t.Errorf("Swap: %v after %d attempts", err, attempt)
					}
					return
				}
				cur = got
			}
		})
	}
	wg.Wait()
	equalValues(t, peek(t, s, id).Values, map[string][]byte{"c": fmt.Appendf(nil, "j%d", n)})
}
