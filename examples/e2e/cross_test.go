package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestCookieIssuedThroughGinIsReadThroughFiber: a session cookie issued
// through the Gin adapter is read through the Fiber adapter, and the other
// way round, with the apps on one Redis and on different codecs (Gin writes
// MessagePack, Fiber JSON).
func TestCookieIssuedThroughGinIsReadThroughFiber(t *testing.T) {
	t.Parallel()
	shareSessions(t, "gin", "msgpack", "fiber", "json")
}

// TestChiAndEchoShareSessions: the same between the Chi and Echo adapters,
// Chi on JSON and Echo on MessagePack.
func TestChiAndEchoShareSessions(t *testing.T) {
	t.Parallel()
	shareSessions(t, "chi", "json", "echo", "msgpack")
}

// TestFiberV3AndEchoV5ShareSessions: the same between the Fiber v3 and Echo
// v5 adapters, Fiber v3 on MessagePack and Echo v5 on JSON.
func TestFiberV3AndEchoV5ShareSessions(t *testing.T) {
	t.Parallel()
	shareSessions(t, "fiberv3", "msgpack", "echov5", "json")
}

// TestFiberV2AndV3ShareSessions: an application moving from Fiber v2 to v3
// one instance at a time keeps its users' sessions.
func TestFiberV2AndV3ShareSessions(t *testing.T) {
	t.Parallel()
	shareSessions(t, "fiber", "json", "fiberv3", "msgpack")
}

// TestEchoV4AndV5ShareSessions: the same from Echo v4 to v5.
func TestEchoV4AndV5ShareSessions(t *testing.T) {
	t.Parallel()
	shareSessions(t, "echov5", "msgpack", "echo", "json")
}

// shareSessions runs apps x and y on one Redis and walks one visitor
// (one cookie jar, as a browser: cookies are not port-scoped) between them.
func shareSessions(t *testing.T, fwX, codecX, fwY, codecY string) {
	b := singleRedis(t)
	x := start(t, fwX, b.env, "-codec", codecX)
	y := start(t, fwY, b.env, "-codec", codecY)
	c := newClient(t)

	// Written through x.
	wantJSON(t, fwX+": login", c.do("POST", x.url+"/api/login", `{"user":"alice"}`), 200, `{"user":"alice"}`)
	wantJSON(t, fwX+": cart", c.do("POST", x.url+"/api/cart", `{"sku":"A1","qty":2}`), 200, `{"cart":[{"sku":"A1","qty":2}]}`)
	wantJSON(t, fwX+": visits", c.do("POST", x.url+"/api/visits", ""), 200, `{"visits":1}`)
	wantStatus(t, fwX+": put", c.do("PUT", x.url+"/api/values/obj", `{"a":[1,2.5,"x",null,true],"big":12345678901234}`), 204)
	wantStatus(t, fwX+": flash", c.do("POST", x.url+"/api/flash", `{"message":"from `+fwX+`"}`), 204)
	tok := c.token(x.url)
	if tok == "" || c.token(y.url) != tok {
		t.Fatalf("the cookie set by %s is not sent to %s", fwX, fwY)
	}
	wantCodec(t, b, tok, "cart", codecX)

	// Read and changed through y.
	wantJSON(t, fwY+": session written by "+fwX, c.do("GET", y.url+"/api/session", ""), 200, `{"user":"alice","values":{
		"cart":[{"sku":"A1","qty":2}],"visits":1,"obj":{"a":[1,2.5,"x",null,true],"big":12345678901234},"flash":["from `+fwX+`"]}}`)
	wantJSON(t, fwY+": flash", c.do("GET", y.url+"/api/flash", ""), 200, `{"messages":["from `+fwX+`"]}`)
	wantJSON(t, fwY+": cart", c.do("POST", y.url+"/api/cart", `{"sku":"A1","qty":1}`), 200, `{"cart":[{"sku":"A1","qty":3}]}`)
	wantJSON(t, fwY+": visits", c.do("POST", y.url+"/api/visits", ""), 200, `{"visits":2}`)
	wantStatus(t, fwY+": put", c.do("PUT", y.url+"/api/values/from", `"`+fwY+`"`), 204)
	if c.token(x.url) != tok {
		t.Fatalf("%s changed the token without a login", fwY)
	}
	wantCodec(t, b, tok, "cart", codecY)

	// Read back through x.
	wantJSON(t, fwX+": session changed by "+fwY, c.do("GET", x.url+"/api/session", ""), 200, `{"user":"alice","values":{
		"cart":[{"sku":"A1","qty":3}],"visits":2,"obj":{"a":[1,2.5,"x",null,true],"big":12345678901234},"from":"`+fwY+`"}}`)

	// A login through y renews the token for both.
	wantJSON(t, fwY+": login", c.do("POST", y.url+"/api/login", `{"user":"bob"}`), 200, `{"user":"bob"}`)
	renewed := c.token(y.url)
	if renewed == tok {
		t.Fatalf("login through %s did not renew the token", fwY)
	}
	wantJSON(t, fwX+": old token after login through "+fwY, noJar(t).do("GET", x.url+"/api/session", "", "Cookie", "session="+tok), 200,
		`{"user":null,"values":{}}`)
	wantJSON(t, fwX+": value after login through "+fwY, c.do("GET", x.url+"/api/values/from", ""), 200, `"`+fwY+`"`)

	// A logout through x ends it for y.
	wantStatus(t, fwX+": logout", c.do("POST", x.url+"/api/logout", ""), 204)
	b.wantStored(t, "after logout", renewed, false)
	wantJSON(t, fwY+": session after logout through "+fwX, noJar(t).do("GET", y.url+"/api/session", "", "Cookie", "session="+renewed), 200,
		`{"user":null,"values":{}}`)
}

// wantCodec checks the codec tag of one stored value: 'j' for JSON, 'm'
// for MessagePack.
func wantCodec(t *testing.T, b backend, token, field, codec string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	v, err := b.rdb.HGet(ctx, redisKey(token), field).Result()
	if err != nil {
		t.Fatalf("HGET %s: %v", field, err)
	}
	if want := codec[:1]; !strings.HasPrefix(v, want) {
		t.Fatalf("stored %s starts with %q, want the %s tag %q", field, v[:1], codec, want)
	}
}
