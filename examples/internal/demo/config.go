package demo

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// DefaultAddr is where the demo listens unless told otherwise.
const DefaultAddr = "127.0.0.1:8080"

// Config is the demo's configuration, from flags and environment variables
// (a flag wins over its variable). See the table in examples/README.md.
type Config struct {
	Addr       string   // -addr, ADDR
	RedisURL   string   // -redis, REDIS_URL: one node
	RedisAddrs []string // REDIS_ADDRS: several = Cluster; with MasterName = Sentinel
	MasterName string   // REDIS_MASTER_NAME
	Codec      string   // -codec, SESSION_CODEC: "json" or "msgpack"
	Secure     bool     // -secure, COOKIE_SECURE=1
	Wait       int      // -redis-wait, REDIS_WAIT: replicas every write waits for (Sentinel, Cluster)

	Users UserConfig // remember me, session limit, login throttle, lifetimes (userconfig.go)
}

// ParseConfig reads the configuration from the command-line arguments (without
// the program name) and getenv. flag.ErrHelp means -h was asked for; the usage
// has then been written to usage.
func ParseConfig(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	var c Config
	secureEnv := false
	if v := getenv("COOKIE_SECURE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("COOKIE_SECURE=%q: want 1 or 0", v)
		}
		secureEnv = b
	}

	waitEnv := 0
	if v := getenv("REDIS_WAIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return c, fmt.Errorf("REDIS_WAIT=%q: want a number of replicas, 0 or more", v)
		}
		waitEnv = n
	}

	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported in one line by the caller
	fs.StringVar(&c.Addr, "addr", or(getenv("ADDR"), DefaultAddr), "listen address (env ADDR)")
	fs.StringVar(&c.RedisURL, "redis", getenv("REDIS_URL"), "redis:// or rediss:// URL of one Redis node (env REDIS_URL); none: in-process store")
	fs.StringVar(&c.Codec, "codec", or(getenv("SESSION_CODEC"), "json"), "session value codec, json or msgpack (env SESSION_CODEC)")
	fs.IntVar(&c.Wait, "redis-wait", waitEnv, "replicas each session write waits for, so it survives a failover (env REDIS_WAIT); 0: none")
	fs.BoolVar(&c.Secure, "secure", secureEnv, "set the cookie's Secure flag (env COOKIE_SECURE=1)")
	if err := c.Users.define(fs, getenv); err != nil {
		return c, err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(usage)
			fmt.Fprintln(usage, "Flags (REDIS_ADDRS and REDIS_MASTER_NAME are environment only):")
			fs.PrintDefaults()
		}
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	redisFlag := false
	fs.Visit(func(f *flag.Flag) { redisFlag = redisFlag || f.Name == "redis" })

	if c.Addr == "" {
		return c, errors.New("-addr is empty")
	}
	if c.Wait < 0 {
		return c, fmt.Errorf("-redis-wait %d: want 0 or more", c.Wait)
	}
	if c.Codec != "json" && c.Codec != "msgpack" {
		return c, fmt.Errorf("unknown codec %q (want json or msgpack)", c.Codec)
	}
	if err := c.Users.check(); err != nil {
		return c, err
	}

	c.MasterName = strings.TrimSpace(getenv("REDIS_MASTER_NAME"))
	addrs := strings.TrimSpace(getenv("REDIS_ADDRS"))
	switch {
	case redisFlag:
		// -redis wins over every Redis variable.
		c.MasterName = ""
	case c.RedisURL != "" && (addrs != "" || c.MasterName != ""):
		return c, errors.New("REDIS_URL and REDIS_ADDRS/REDIS_MASTER_NAME are both set; set one")
	case addrs != "":
		for a := range strings.SplitSeq(addrs, ",") {
			a = strings.TrimSpace(a)
			if _, port, err := net.SplitHostPort(a); err != nil || port == "" {
				return c, fmt.Errorf("REDIS_ADDRS: %q is not host:port", a)
			}
			c.RedisAddrs = append(c.RedisAddrs, a)
		}
	case c.MasterName != "":
		return c, errors.New("REDIS_MASTER_NAME needs REDIS_ADDRS (the sentinels)")
	}
	return c, nil
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}
