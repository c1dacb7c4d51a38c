package stack

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/sesskit/sesskit/benchmarks/load"
)

// ConfigFromURL returns the Config for the Redis of a redis:// URL of one
// node with no credentials and database 0 (the redigo-based stores take a
// bare address), keys under prefix.
func ConfigFromURL(rawURL, prefix string) (Config, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Config{}, fmt.Errorf("stack: redis url: %w", err)
	}
	if u.Scheme != "redis" || u.Host == "" || u.User != nil || strings.Trim(u.Path, "/0") != "" {
		return Config{}, errors.New("stack: redis url must be redis://host:port[/0], without credentials")
	}
	return Config{Addr: u.Host, Prefix: prefix}, nil
}

// Seed makes a new session with the three small values and n large ones
// through the stack itself, in process, and returns its cookie.
func Seed(c *Client, n int) (string, error) {
	target := PathCreate
	if n > 0 {
		target += "?n=" + strconv.Itoa(n)
	}
	if status := c.Do("POST", target, ""); status != 200 {
		return "", fmt.Errorf("stack: %s: seed: status %d: %s", c.st.Name(), status, c.Body())
	}
	cookie := c.Cookie()
	if cookie == "" {
		return "", fmt.Errorf("stack: %s: seed: no Set-Cookie", c.st.Name())
	}
	return cookie, nil
}

// Survivors runs one trial of the lost-updates check on the stack served at
// addr: a fresh session, Concurrent requests sent at the same moment over
// HTTP, each setting its own key, then the count of keys the session kept.
func Survivors(c *Client, addr string) (int, error) {
	cookie, err := Seed(c, 0)
	if err != nil {
		return 0, err
	}
	const prefix = "c"
	reqs := make([][]byte, Concurrent)
	for i := range reqs {
		reqs[i] = load.NewRequest("PUT", PathSet+"?key="+ConcurrentKey(prefix, i), cookie)
	}
	statuses, err := load.Burst(addr, reqs)
	if err != nil {
		return 0, fmt.Errorf("stack: %s: lost updates: %w", c.st.Name(), err)
	}
	for _, s := range statuses {
		if s != 200 {
			return 0, fmt.Errorf("stack: %s: lost updates: status %d", c.st.Name(), s)
		}
	}
	if status := c.Do("GET", PathCount+"?prefix="+prefix, cookie); status != 200 {
		return 0, fmt.Errorf("stack: %s: count: status %d: %s", c.st.Name(), status, c.Body())
	}
	n, err := strconv.Atoi(c.Body())
	if err != nil {
		return 0, fmt.Errorf("stack: %s: count: %w", c.st.Name(), err)
	}
	return n, nil
}
