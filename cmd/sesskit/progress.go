package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress shows how far a scan got, on stderr, only when stderr is a
// terminal: a pipe or a log file gets nothing.
type progress struct {
	w     io.Writer // nil: off
	total int64
	mu    sync.Mutex
	done  int64
	last  time.Time
}

func newProgress(stderr io.Writer, total int64) *progress {
	if !isTerminal(stderr) {
		return &progress{}
	}
	return &progress{w: stderr, total: total}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// add counts n more keys scanned, redrawing at most ten times a second.
func (p *progress) add(n int) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += int64(n)
	if time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	const width = 30
	filled := width
	if p.total > 0 && p.done < p.total {
		filled = int(p.done * width / p.total)
	}
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = '.'
		if i < filled {
			bar[i] = '#'
		}
	}
	fmt.Fprintf(p.w, "\rscanning [%s] %d of ~%d keys", bar, p.done, p.total)
}

// end clears the progress line.
func (p *progress) end() {
	if p.w != nil {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
