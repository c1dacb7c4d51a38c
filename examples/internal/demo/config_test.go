package demo_test

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/sesskit/sesskit/examples/internal/demo"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

func TestParseConfig(t *testing.T) {
	def := demo.Config{Addr: demo.DefaultAddr, Codec: "json"}
	with := func(f func(*demo.Config)) demo.Config { c := def; f(&c); return c }
	cases := []struct {
		name string
		args []string
		env  []string
		want demo.Config
	}{
		{"defaults", nil, nil, def},
		{"flags", []string{"-addr", ":9000", "-redis", "redis://r:6379/1", "-codec", "msgpack", "-secure"}, nil,
			demo.Config{Addr: ":9000", RedisURL: "redis://r:6379/1", Codec: "msgpack", Secure: true}},
		{"env", nil, []string{"ADDR=:9001", "REDIS_URL=redis://r/0", "SESSION_CODEC=msgpack", "COOKIE_SECURE=1"},
			demo.Config{Addr: ":9001", RedisURL: "redis://r/0", Codec: "msgpack", Secure: true}},
		{"flags win over env", []string{"-addr", ":1", "-codec", "json", "-secure=false", "-redis", "redis://flag/0"},
			[]string{"ADDR=:2", "SESSION_CODEC=msgpack", "COOKIE_SECURE=1", "REDIS_URL=redis://env/0", "REDIS_ADDRS=a:1,b:2"},
			with(func(c *demo.Config) { c.Addr, c.RedisURL = ":1", "redis://flag/0" })},
		{"one address", nil, []string{"REDIS_ADDRS=a:1"},
			with(func(c *demo.Config) { c.RedisAddrs = []string{"a:1"} })},
		{"cluster", nil, []string{"REDIS_ADDRS=a:1, b:2 ,c:3"},
			with(func(c *demo.Config) { c.RedisAddrs = []string{"a:1", "b:2", "c:3"} })},
		{"sentinel", nil, []string{"REDIS_ADDRS=a:1,b:2", "REDIS_MASTER_NAME=main"},
			with(func(c *demo.Config) { c.RedisAddrs, c.MasterName = []string{"a:1", "b:2"}, "main" })},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := demo.ParseConfig(tc.args, env(tc.env...), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  []string
	}{
		{"unknown codec", []string{"-codec", "xml"}, nil},
		{"unknown codec in env", nil, []string{"SESSION_CODEC=gob"}},
		{"bad COOKIE_SECURE", nil, []string{"COOKIE_SECURE=perhaps"}},
		{"empty addr", []string{"-addr", ""}, nil},
		{"unknown flag", []string{"-x"}, nil},
		{"argument", []string{"run"}, nil},
		{"master name alone", nil, []string{"REDIS_MASTER_NAME=m"}},
		{"address without port", nil, []string{"REDIS_ADDRS=a:1,b"}},
		{"empty address", nil, []string{"REDIS_ADDRS=a:1,,b:2"}},
		{"URL and addresses", nil, []string{"REDIS_URL=redis://a/0", "REDIS_ADDRS=b:1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := demo.ParseConfig(tc.args, env(tc.env...), io.Discard); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestParseConfigHelp(t *testing.T) {
	var usage strings.Builder
	_, err := demo.ParseConfig([]string{"-h"}, env(), &usage)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(usage.String(), "-redis") {
		t.Fatalf("err %v, usage %q", err, usage.String())
	}
}

func ExampleParseConfig() {
	getenv := env("SESSION_CODEC=msgpack", "REDIS_ADDRS=10.0.0.1:26379,10.0.0.2:26379", "REDIS_MASTER_NAME=sessions")
	cfg, err := demo.ParseConfig([]string{"-codec", "json"}, getenv, io.Discard)
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Codec, cfg.MasterName, cfg.RedisAddrs)
	// Output: json sessions [10.0.0.1:26379 10.0.0.2:26379]
}
