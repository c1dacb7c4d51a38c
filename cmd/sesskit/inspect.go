package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
)

// inspected is what inspect shows of one handle. It never holds a token:
// a handle is the token's SHA-256, and a remember-me token's validator
// hash is left out.
type inspected struct {
	Handle     string       `json:"handle"`
	Kind       string       `json:"kind"` // "session", "renewed" (the marker of a renewed session), "remember"
	User       string       `json:"user,omitempty"`
	Label      string       `json:"label,omitempty"`
	Created    *time.Time   `json:"created,omitempty"`
	LastActive *time.Time   `json:"last_active,omitempty"`
	Deadline   *time.Time   `json:"deadline,omitempty"`
	TTLMillis  int64        `json:"ttl_ms"` // -1: no TTL
	Restored   bool         `json:"restored,omitempty"`
	Memory     int64        `json:"memory_bytes,omitempty"` // MEMORY USAGE; 0 when refused
	Size       int          `json:"size"`                   // what the size limits count: session.Size of every value
	Values     []shownValue `json:"values,omitempty"`
}

type shownValue struct {
	Name     string `json:"name"`
	Encoding string `json:"encoding"` // a codec's name, "counter", "list" or "unknown"
	Bytes    int    `json:"bytes"`
	Value    any    `json:"value,omitempty"`
	Error    string `json:"error,omitempty"` // why it could not be decoded
}

func runInspect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlagSet("inspect", "HANDLE", stderr)
	asJSON := f.Bool("json", false, "print one JSON object")
	rest, err := f.parse(args, 1)
	if err != nil {
		return err
	}
	cn, err := f.conn.connectFor(ctx, rest[0])
	if err != nil {
		return err
	}
	defer cn.Close()
	in, err := inspect(ctx, cn, rest[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, in)
	}
	printInspected(stdout, in)
	return nil
}

// inspect reads the key of handle: HGETALL, PTTL and MEMORY USAGE in one
// round trip.
func inspect(ctx context.Context, cn *conn, handle string) (*inspected, error) {
	key, err := cn.store.KeyOf(handle)
	if err != nil {
		return nil, err // connectFor checked it
	}
	ctx, cancel := cn.bound(ctx)
	defer cancel()
	var (
		hash *redis.MapStringStringCmd
		ttl  *redis.DurationCmd
		mem  *redis.IntCmd
	)
	// Errors are read per command: a refused MEMORY USAGE only loses the
	// memory figure.
	_, _ = cn.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		hash, ttl, mem = p.HGetAll(ctx, key), p.PTTL(ctx, key), p.MemoryUsage(ctx, key)
		return nil
	})
	if err := hash.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", handle, err)
	}
	if err := ttl.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", handle, err)
	}
	h := hash.Val()
	if len(h) == 0 {
		return nil, fmt.Errorf("no session or remember-me token under handle %s (ended, revoked or never there)", handle)
	}
	in := &inspected{Handle: handle, TTLMillis: -1, Memory: mem.Val()}
	if d := ttl.Val(); d > 0 {
		in.TTLMillis = d.Milliseconds()
	}
	if kind, _ := cn.store.ParseKey(key); kind == redisstore.KeyRemember {
		in.Kind, in.User, in.Label = "remember", h["u"], h["l"]
		in.Created, in.Deadline = millis(h["c"]), millis(h["e"])
		return in, nil
	}
	rec, renewed, err := redisstore.ParseSession(h)
	switch {
	case renewed:
		in.Kind = "renewed"
		return in, nil
	case err != nil:
		return nil, fmt.Errorf("the session under %s does not follow the layout: %w", handle, err)
	}
	in.Kind, in.User, in.Label, in.Restored = "session", rec.User, rec.Label, rec.Restored
	in.Created, in.Deadline = &rec.Created, &rec.Deadline
	if !rec.Touched.IsZero() {
		in.LastActive = &rec.Touched
	}
	for name, v := range rec.Values {
		in.Size += session.Size(name, v)
		sv := shownValue{Name: name, Encoding: valueKind(v), Bytes: len(v)}
		if value, err := decodeValue(v); err != nil {
			sv.Error = err.Error()
		} else {
			sv.Value = value
		}
		in.Values = append(in.Values, sv)
	}
	sort.Slice(in.Values, func(i, j int) bool { return in.Values[i].Name < in.Values[j].Name })
	return in, nil
}

func printInspected(w io.Writer, in *inspected) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	line("handle", in.Handle)
	switch in.Kind {
	case "renewed":
		line("kind", "renewed: the marker a renewed session leaves for a minute (no session)")
	case "remember":
		line("kind", "remember-me token")
	default:
		line("kind", in.Kind)
	}
	line("user", in.User)
	line("label", in.Label)
	line("created", stamp(in.Created))
	line("last active", stamp(in.LastActive))
	line("deadline", stamp(in.Deadline))
	if in.TTLMillis < 0 {
		line("ttl", "none (the key never expires: not written by sesskit?)")
	} else {
		line("ttl", (time.Duration(in.TTLMillis) * time.Millisecond).Round(time.Second).String())
	}
	if in.Restored {
		line("restored", "yes, from a remember-me token")
	}
	if in.Memory > 0 {
		line("memory", fmt.Sprintf("%d bytes (MEMORY USAGE)", in.Memory))
	}
	if in.Kind == "session" {
		line("values", fmt.Sprintf("%d, size %d bytes", len(in.Values), in.Size))
	}
	tw.Flush()
	for _, v := range in.Values {
		shown := v.Error
		if v.Error == "" {
			b, _ := json.Marshal(v.Value)
			shown = string(b)
		} else {
			shown = "cannot decode: " + shown
		}
		fmt.Fprintf(w, "  %s (%s, %d bytes): %s\n", strconv.Quote(v.Name), v.Encoding, v.Bytes, shown)
	}
}

func millis(s string) *time.Time {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil
	}
	t := time.UnixMilli(ms)
	return &t
}

func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return errors.Join(errors.New("writing the output"), err)
	}
	return nil
}
