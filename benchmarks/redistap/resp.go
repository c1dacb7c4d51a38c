package redistap

import (
	"bytes"
	"errors"
	"strconv"
)

// errProtocol reports bytes that are not RESP.
var errProtocol = errors.New("redistap: not RESP")

// scanValue returns the length of the first complete RESP value in b, or 0
// when b holds only part of one.
func scanValue(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	line, n := scanLine(b)
	if n == 0 {
		return 0, nil
	}
	switch b[0] {
	case '+', '-', ':', '_', ',', '#', '(':
		return n, nil
	case '$', '!', '=':
		size, err := strconv.Atoi(string(line[1:]))
		if err != nil {
			return 0, errProtocol
		}
		if size < 0 {
			return n, nil
		}
		if len(b) < n+size+2 {
			return 0, nil
		}
		return n + size + 2, nil
	case '*', '~', '>', '%', '|':
		count, err := strconv.Atoi(string(line[1:]))
		if err != nil {
			return 0, errProtocol
		}
		if b[0] == '%' || b[0] == '|' {
			count *= 2
		}
		for range max(count, 0) {
			m, err := scanValue(b[n:])
			if m == 0 || err != nil {
				return 0, err
			}
			n += m
		}
		if b[0] == '|' { // an attribute comes before the value it describes
			m, err := scanValue(b[n:])
			if m == 0 || err != nil {
				return 0, err
			}
			n += m
		}
		return n, nil
	}
	return 0, errProtocol
}

// scanLine returns the first line of b without its CRLF and the length
// with it, or n=0 when the line is not complete.
func scanLine(b []byte) (line []byte, n int) {
	i := bytes.Index(b, []byte("\r\n"))
	if i < 0 {
		return nil, 0
	}
	return b[:i], i + 2
}

// scanCommand returns the length of the first complete command in b and
// its name in upper case, or n=0 when b holds only part of one. Commands
// are arrays of bulk strings, or inline (a plain line).
func scanCommand(b []byte) (n int, name string, err error) {
	if len(b) == 0 {
		return 0, "", nil
	}
	if b[0] != '*' {
		line, n := scanLine(b)
		if n == 0 {
			return 0, "", nil
		}
		word, _, _ := bytes.Cut(bytes.TrimSpace(line), []byte(" "))
		return n, string(bytes.ToUpper(word)), nil
	}
	n, err = scanValue(b)
	if n == 0 || err != nil {
		return 0, "", err
	}
	_, hdr := scanLine(b) // "*N\r\n"
	if sizeLine, m := scanLine(b[hdr:]); m > 0 && len(sizeLine) > 1 && sizeLine[0] == '$' {
		size, _ := strconv.Atoi(string(sizeLine[1:]))
		start := hdr + m
		if size >= 0 && start+size <= n {
			name = string(bytes.ToUpper(b[start : start+size]))
		}
	}
	return n, name, nil
}
