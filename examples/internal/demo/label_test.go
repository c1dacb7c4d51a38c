package demo

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDeviceLabel(t *testing.T) {
	long := strings.Repeat("é", 100)
	cases := map[string]string{
		"":                       "",
		"Mozilla/5.0 (X11)":      "Mozilla/5.0 (X11)",
		long:                     strings.Repeat("é", maxLabel),
		"a\x00b\tc\n":            "a b c",
		"bad \xff utf-8":         "bad  utf-8",
		"  spaced  ":             "spaced",
		strings.Repeat("x", 200): strings.Repeat("x", maxLabel),
	}
	for in, want := range cases {
		got := DeviceLabel(in)
		if got != want || !utf8.ValidString(got) {
			t.Errorf("DeviceLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
