package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// A histogram counts values into buckets bounded by upper limits; the
// last bucket takes everything above the last limit.
type histogram struct {
	limits []int64
	labels []string
	counts []int64
}

// bucket is one line of a histogram as printed and in JSON.
type bucket struct {
	Range string `json:"range"`
	Count int64  `json:"count"`
}

func newHistogram(limits []int64, label func(int64) string) *histogram {
	h := &histogram{limits: limits, counts: make([]int64, len(limits)+1)}
	for _, l := range limits {
		h.labels = append(h.labels, "< "+label(l))
	}
	h.labels = append(h.labels, ">= "+label(limits[len(limits)-1]))
	return h
}

func ttlHistogram() *histogram {
	var limits []int64
	for _, d := range []time.Duration{time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour} {
		limits = append(limits, d.Milliseconds())
	}
	return newHistogram(limits, func(ms int64) string { return shortDuration(time.Duration(ms) * time.Millisecond) })
}

func sizeHistogram() *histogram {
	return newHistogram([]int64{128, 512, 1 << 10, 4 << 10, 16 << 10, 64 << 10}, bytesLabel)
}

func (h *histogram) add(v int64) {
	i := 0
	for i < len(h.limits) && v >= h.limits[i] {
		i++
	}
	h.counts[i]++
}

func (h *histogram) merge(o *histogram) {
	for i, n := range o.counts {
		h.counts[i] += n
	}
}

func (h *histogram) buckets() []bucket {
	out := make([]bucket, len(h.counts))
	for i, n := range h.counts {
		out[i] = bucket{Range: h.labels[i], Count: n}
	}
	return out
}

// print writes one line per bucket with a bar scaled to the largest.
func printBuckets(w io.Writer, indent string, bs []bucket) {
	var most int64
	for _, b := range bs {
		most = max(most, b.Count)
	}
	for _, b := range bs {
		bar := 0
		if most > 0 {
			bar = int((b.Count*40 + most - 1) / most)
		}
		fmt.Fprintf(w, "%s%-10s %10d %s\n", indent, b.Range, b.Count, strings.Repeat("#", bar))
	}
}

func shortDuration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

func bytesLabel(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
