package redistap

import (
	"fmt"
	"maps"
	"net"
	"sync"
)

// Counts is what passed through a Tap.
type Counts struct {
	RoundTrips int64            // see the package documentation
	Commands   int64            // top-level commands
	BytesIn    int64            // bytes clients sent Redis
	BytesOut   int64            // bytes Redis sent clients
	Names      map[string]int64 // commands by upper-case name
	// Queued counts, by upper-case name, the commands sent between MULTI
	// and EXEC (also in Names and Commands): the server runs them inside
	// EXEC, whose INFO commandstats time includes theirs.
	Queued map[string]int64
}

// Sub returns c - o, for the traffic between two snapshots.
func (c Counts) Sub(o Counts) Counts {
	d := Counts{
		RoundTrips: c.RoundTrips - o.RoundTrips,
		Commands:   c.Commands - o.Commands,
		BytesIn:    c.BytesIn - o.BytesIn,
		BytesOut:   c.BytesOut - o.BytesOut,
		Names:      sub(c.Names, o.Names),
		Queued:     sub(c.Queued, o.Queued),
	}
	return d
}

func sub(a, b map[string]int64) map[string]int64 {
	d := map[string]int64{}
	for k, v := range a {
		if v -= b[k]; v != 0 {
			d[k] = v
		}
	}
	return d
}

// A Tap is a counting proxy to one Redis.
type Tap struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	counts Counts
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

// Listen starts a Tap on a free 127.0.0.1 port that forwards to target
// (host:port). Clients connect to Addr instead of target.
func Listen(target string) (*Tap, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("redistap: listen: %w", err)
	}
	t := &Tap{ln: ln, target: target, counts: Counts{Names: map[string]int64{}, Queued: map[string]int64{}}, conns: map[net.Conn]struct{}{}}
	t.wg.Go(t.accept)
	return t, nil
}

// Addr is the address clients dial.
func (t *Tap) Addr() string { return t.ln.Addr().String() }

// Counts returns a snapshot of what passed so far.
func (t *Tap) Counts() Counts {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.counts
	c.Names = maps.Clone(c.Names)
	c.Queued = maps.Clone(c.Queued)
	return c
}

// Close stops the Tap and closes every connection through it.
func (t *Tap) Close() error {
	err := t.ln.Close()
	t.mu.Lock()
	for c := range t.conns {
		_ = c.Close()
	}
	t.mu.Unlock()
	t.wg.Wait()
	return err
}

func (t *Tap) track(c net.Conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.conns[c] = struct{}{}
}

func (t *Tap) accept() {
	for {
		client, err := t.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", t.target)
		if err != nil {
			_ = client.Close()
			continue
		}
		t.track(client)
		t.track(server)
		p := &pair{tap: t}
		t.wg.Go(func() { p.pump(client, server, true) })
		t.wg.Go(func() { p.pump(server, client, false) })
	}
}

// pair is one client connection and its server connection.
type pair struct {
	tap         *Tap
	outstanding int64 // commands sent and not yet answered; under tap.mu
	inMulti     bool  // between MULTI and EXEC or DISCARD; under tap.mu
}

// pump copies src to dst, parsing on the way; toServer tells the direction.
// Each chunk is counted before it is forwarded, so a reply can never
// overtake the count of its command.
func (p *pair) pump(src, dst net.Conn, toServer bool) {
	defer func() {
		_ = src.Close()
		_ = dst.Close()
	}()
	buf := make([]byte, 64<<10)
	var pending []byte
	for {
		n, err := src.Read(buf)
		if n > 0 {
			pending = append(pending, buf[:n]...)
			var perr error
			if pending, perr = p.count(pending, n, toServer); perr != nil {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil { // EOF or closed: either way the pair is done
			return
		}
	}
}

// count parses the complete values at the start of pending, records them,
// and returns what is left (an incomplete value).
func (p *pair) count(pending []byte, n int, toServer bool) ([]byte, error) {
	t := p.tap
	t.mu.Lock()
	defer t.mu.Unlock()
	if toServer {
		t.counts.BytesIn += int64(n)
	} else {
		t.counts.BytesOut += int64(n)
	}
	for len(pending) > 0 {
		if toServer {
			m, name, err := scanCommand(pending)
			if err != nil {
				return nil, err
			}
			if m == 0 {
				break
			}
			if p.outstanding == 0 {
				t.counts.RoundTrips++
			}
			p.outstanding++
			t.counts.Commands++
			t.counts.Names[name]++
			switch {
			case name == "MULTI":
				p.inMulti = true
			case name == "EXEC" || name == "DISCARD":
				p.inMulti = false
			case p.inMulti:
				t.counts.Queued[name]++
			}
			pending = pending[m:]
			continue
		}
		m, err := scanValue(pending)
		if err != nil {
			return nil, err
		}
		if m == 0 {
			break
		}
		if pending[0] != '>' && p.outstanding > 0 { // pushes answer no command
			p.outstanding--
		}
		pending = pending[m:]
	}
	return append([]byte(nil), pending...), nil
}
