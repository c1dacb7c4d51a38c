package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestProgress: the bar is drawn only on a terminal, and cleared at the
// end.
func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	if p := newProgress(&buf, 100); p.w != nil {
		t.Fatal("progress on a buffer, which is no terminal")
	}
	p := &progress{w: &buf, total: 200}
	p.add(50)
	p.end()
	if out := buf.String(); !strings.Contains(out, "[#######.......................] 50 of ~200 keys") || !strings.HasSuffix(out, "\r\033[K") {
		t.Errorf("progress wrote %q", out)
	}
}
