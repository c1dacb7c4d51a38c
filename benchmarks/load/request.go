package load

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// NewRequest returns the bytes of an HTTP/1.1 request without a body.
// cookie is "name=value" or "".
func NewRequest(method, target, cookie string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: bench\r\n", method, target)
	if cookie != "" {
		fmt.Fprintf(&b, "Cookie: %s\r\n", cookie)
	}
	if method == "POST" || method == "PUT" {
		b.WriteString("Content-Length: 0\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// conn is one keep-alive client connection.
type conn struct {
	nc net.Conn
	r  *bufio.Reader
}

// ioTimeout bounds every request on a connection.
const ioTimeout = 10 * time.Second

func dial(addr string) (*conn, error) {
	nc, err := net.DialTimeout("tcp", addr, ioTimeout)
	if err != nil {
		return nil, fmt.Errorf("load: dial: %w", err)
	}
	return &conn{nc: nc, r: bufio.NewReaderSize(nc, 16<<10)}, nil
}

func (c *conn) close() { _ = c.nc.Close() }

// roundTrip sends req and reads the response. With keepBody the body is
// returned (a fresh slice); otherwise it is discarded. reuse is false when
// the server asked to close the connection.
func (c *conn) roundTrip(req []byte, keepBody bool) (status int, body []byte, reuse bool, err error) {
	if err := c.nc.SetDeadline(time.Now().Add(ioTimeout)); err != nil {
		return 0, nil, false, err
	}
	if _, err := c.nc.Write(req); err != nil {
		return 0, nil, false, fmt.Errorf("load: write: %w", err)
	}
	return readResponse(c.r, keepBody)
}

var errMalformed = errors.New("load: malformed response")

// readResponse reads one response from r.
func readResponse(r *bufio.Reader, keepBody bool) (status int, body []byte, reuse bool, err error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return 0, nil, false, fmt.Errorf("load: read status: %w", err)
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, nil, false, errMalformed
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, false, errMalformed
	}
	length, chunked, reuse := -1, false, true
	for {
		line, err = r.ReadSlice('\n')
		if err != nil {
			return 0, nil, false, fmt.Errorf("load: read header: %w", err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, nil, false, errMalformed
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return 0, nil, false, errMalformed
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.Contains(bytes.ToLower(value), []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			reuse = !bytes.EqualFold(value, []byte("close"))
		}
	}
	switch {
	case chunked:
		body, err = readChunked(r, keepBody)
	case length >= 0:
		body, err = readN(r, length, keepBody)
	default: // no length: the body runs to the end of the connection
		body, err = io.ReadAll(r)
		reuse = false
	}
	if err != nil {
		return 0, nil, false, err
	}
	return status, body, reuse, nil
}

func readN(r *bufio.Reader, n int, keep bool) ([]byte, error) {
	if !keep {
		if _, err := r.Discard(n); err != nil {
			return nil, fmt.Errorf("load: read body: %w", err)
		}
		return nil, nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("load: read body: %w", err)
	}
	return b, nil
}

func readChunked(r *bufio.Reader, keep bool) ([]byte, error) {
	var body []byte
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return nil, fmt.Errorf("load: read chunk size: %w", err)
		}
		size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		n, err := strconv.ParseInt(string(size), 16, 32)
		if err != nil || n < 0 {
			return nil, errMalformed
		}
		if n == 0 {
			for { // trailers, up to the empty line
				line, err := r.ReadSlice('\n')
				if err != nil {
					return nil, fmt.Errorf("load: read trailer: %w", err)
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return body, nil
				}
			}
		}
		chunk, err := readN(r, int(n), keep)
		if err != nil {
			return nil, err
		}
		body = append(body, chunk...)
		if _, err := r.Discard(2); err != nil { // CRLF after the chunk
			return nil, fmt.Errorf("load: read chunk end: %w", err)
		}
	}
}

// Do sends one request on a connection of its own and returns the status
// and body.
func Do(addr string, req []byte) (int, []byte, error) {
	c, err := dial(addr)
	if err != nil {
		return 0, nil, err
	}
	defer c.close()
	status, body, _, err := c.roundTrip(req, true)
	return status, body, err
}
