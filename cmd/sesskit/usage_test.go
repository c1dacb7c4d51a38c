package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestUsage: bad usage exits 2 with one clear line, before any dial.
func TestUsage(t *testing.T) {
	t.Setenv("REDIS_URL", "")
	t.Setenv("REDIS_ADDRS", "")
	t.Setenv("REDIS_MASTER_NAME", "")
	handle := strings.Repeat("A", 43)
	// A flag wins over the variables: -addrs over REDIS_URL here.
	t.Setenv("REDIS_URL", "redis://127.0.0.1:1/0")
	if res := sesskit(t, "stats", "-addrs", "127.0.0.1:1", "-timeout", "100ms"); res.code != 1 {
		t.Errorf("-addrs with REDIS_URL set: exit %d: %s", res.code, res.stderr)
	}
	t.Setenv("REDIS_URL", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "usage: sesskit COMMAND"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"stats", "-bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"stats"}, "no Redis: set -redis URL"},
		{[]string{"stats", "-redis", "redis://127.0.0.1:1", "-timeout", "0s"}, "-timeout 0s is not positive"},
		{[]string{"stats", "-redis", "redis://127.0.0.1:1", "-sample", "-1"}, "-sample"},
		{[]string{"stats", "-redis", "nope://x"}, "parse url"},
		{[]string{"stats", "-addrs", "127.0.0.1"}, `"127.0.0.1" is not host:port`},
		{[]string{"stats", "-addrs", "127.0.0.1:1", "-redis", "redis://127.0.0.1:1"}, "give one"},
		{[]string{"stats", "-master-name", "m", "-redis", "redis://127.0.0.1:1"}, ""}, // -redis wins
		{[]string{"inspect", "-redis", "redis://127.0.0.1:1"}, "missing HANDLE"},
		{[]string{"inspect", "-redis", "redis://127.0.0.1:1", "not-a-handle"}, `"not-a-handle" is not a handle`},
		{[]string{"inspect", "-redis", "redis://127.0.0.1:1", handle, "extra"}, `unexpected argument "extra"`},
		{[]string{"revoke", "-redis", "redis://127.0.0.1:1", "x"}, "is not a handle"},
		{[]string{"user"}, "missing ls or revoke"},
		{[]string{"user", "rm", "x"}, `unknown user command "rm"`},
		{[]string{"user", "ls", "-redis", "redis://127.0.0.1:1"}, "missing USER"},
		{[]string{"version", "x"}, `unexpected argument "x"`},
	} {
		res := sesskit(t, tc.args...)
		if tc.want == "" { // valid usage: fails later, unreachable
			if res.code != 1 {
				t.Errorf("%q: exit %d, want 1: %s", tc.args, res.code, res.stderr)
			}
			continue
		}
		if res.code != 2 || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, res.code, res.stderr, tc.want)
		}
	}
	if res := sesskit(t, "stats", "-h"); res.code != 0 || !strings.Contains(res.stderr, "-prefix") {
		t.Errorf("stats -h: exit %d: %s", res.code, res.stderr)
	}
	if res := sesskit(t, "version"); res.code != 0 || res.stdout != "sesskit "+Version+"\n" {
		t.Errorf("version: exit %d: %q", res.code, res.stdout)
	}
}

// TestUnreachable: a Redis that does not answer is exit 1 within the
// timeout, for every command, with the address in the message.
func TestUnreachable(t *testing.T) {
	url := fmt.Sprintf("redis://127.0.0.1:%d/0", freePort(t))
	handle := strings.Repeat("A", 43)
	for _, args := range [][]string{{"stats"}, {"doctor"}, {"inspect", handle}, {"revoke", handle}, {"user", "ls", "u"}, {"user", "revoke", "u"}} {
		cmd := args[:len(args)-1]
		if len(args) == 1 {
			cmd = args
		}
		var rest []string
		if len(args) > 1 {
			rest = args[len(args)-1:]
		}
		res := sesskit(t, cmdArgs(cmd, []string{"-redis", url, "-timeout", "500ms"}, rest...)...)
		if res.code != 1 || !strings.Contains(res.stderr, "cannot reach Redis (127.0.0.1:") {
			t.Errorf("%q: exit %d, stderr %q", args, res.code, res.stderr)
		}
	}
}

// TestUnknownHandle: a well-formed handle with nothing under it is exit 1.
func TestUnknownHandle(t *testing.T) {
	eachTopology(t, func(t *testing.T, tp topology) {
		conn := append(append([]string{}, tp.args...), "-prefix", uniquePrefix())
		for _, cmd := range []string{"inspect", "revoke"} {
			for _, handle := range []string{strings.Repeat("B", 43), "r" + strings.Repeat("B", 43)} {
				res := sesskit(t, cmdArgs([]string{cmd}, conn, handle)...)
				if res.code != 1 || !strings.Contains(res.stderr, "no session or remember-me token under handle") {
					t.Errorf("%s %s: exit %d: %s", cmd, handle, res.code, res.stderr)
				}
			}
		}
	})
}

// TestDashHandle: a handle starting with '-' is an argument, with or
// without "--" before it.
func TestDashHandle(t *testing.T) {
	handle := "-" + strings.Repeat("D", 42)
	for _, args := range [][]string{{"inspect", "-json", handle}, {"inspect", "--", handle}, {"revoke", handle}} {
		f := newFlagSet(args[0], "HANDLE", nil)
		f.Bool("json", false, "")
		rest, err := f.parse(args[1:], 1)
		if err != nil && !strings.Contains(err.Error(), "no Redis") || len(rest) != 1 || rest[0] != handle {
			t.Errorf("%q: %q, %v", args, rest, err)
		}
	}
}
