// The part every release-check app shares: the Manager a new user would
// build on memstore, a counter handler body, and the client that checks the
// session kept its value over two requests. scripts/release-check.sh copies
// this file next to the app of one adapter, in a module of its own.
package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"
	"time"

	"github.com/sesskit/sesskit/codecs/msgpack"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
)

// newManager uses the MessagePack codec, so the codec module is run too.
// The cookie is not Secure: the client talks plain HTTP to 127.0.0.1.
func newManager() *session.Manager {
	m, err := session.New(memstore.New(), session.WithInsecureCookie(), session.WithCodec(msgpack.Codec{}))
	if err != nil {
		fail("session.New: %v", err)
	}
	return m
}

// visit counts one more visit in s and returns the count.
func visit(s *session.Session) (int, error) {
	n, err := session.Get[int](s, "visits")
	if err != nil && !errors.Is(err, session.ErrNoValue) {
		return 0, err
	}
	return n + 1, s.Set("visits", n+1)
}

// check posts to url+"/visits" twice with one cookie jar and wants the
// counts 1 and 2; version is the adapter's Version constant, which must be
// the version the app was built against (the first argument).
func check(url, version string) {
	if len(os.Args) != 2 || os.Args[1] != version {
		fail("the adapter's Version is %q, want %q (the tag)", version, os.Args[1:])
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		fail("cookiejar: %v", err)
	}
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	for want := 1; want <= 2; want++ {
		resp, err := client.Post(url+"/visits", "text/plain", nil)
		if err != nil {
			fail("request %d: %v", want, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != fmt.Sprint(want) {
			fail("request %d: %s %q (%v), want 200 %q", want, resp.Status, body, err, fmt.Sprint(want))
		}
	}
	fmt.Println("one session kept its value over 2 requests")
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "app: "+format+"\n", args...)
	os.Exit(1)
}
