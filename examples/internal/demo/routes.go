package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// The JSON routes of the contract. Each takes the request's session (and the
// body the framework read with ReadBody) and returns the status and the value
// to send as JSON; a 204 has no body.

// MaxBody is the largest request body the routes accept: 64 KiB.
const MaxBody = 64 << 10

// ReadBody reads a request body, stopping one byte past MaxBody so that a
// route can tell an oversized body (413) without holding all of it.
func ReadBody(r io.Reader) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, MaxBody+1))
}

// Health reports the store and the circuit breaker in front of it:
// 200 {"store":"ok","breaker":"closed"}, or 503 {"store":"unavailable",
// "breaker":"open"} (or "closed" / "half-open") while the store is unreachable.
func (a *App) Health(ctx context.Context) (int, any) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	h := a.Manager.Health(ctx)
	body := map[string]string{"store": "ok", "breaker": h.Breaker.String()}
	if h.Store != nil {
		slog.Warn("health check: store unreachable", "error", h.Store)
		body["store"] = "unavailable"
		return http.StatusServiceUnavailable, body
	}
	return http.StatusOK, body
}

// GetSession answers {"user":"alice"|null,"values":{...}} with every value of
// the session. It creates nothing.
func GetSession(s *session.Session) (int, any) {
	user, err := s.User()
	if err != nil {
		return Failure(err)
	}
	keys, err := s.Keys()
	if err != nil {
		return Failure(err)
	}
	out := struct {
		User     *string                    `json:"user"`
		Values   map[string]json.RawMessage `json:"values"`
		Restored bool                       `json:"restored,omitempty"`
	}{Values: make(map[string]json.RawMessage, len(keys))}
	if user != "" {
		out.User = &user
	}
	if out.Restored, err = s.Restored(); err != nil {
		return Failure(err)
	}
	for _, k := range keys {
		if v, err := valueJSON(s, k); err == nil {
			out.Values[k] = v
		}
	}
	return http.StatusOK, out
}

// PutValue stores the JSON value in body under key: 204, 400 for a bad key
// or bad JSON, 413 for a body over MaxBody.
func PutValue(s *session.Session, key string, body []byte) (int, any) {
	if !validKey(key) {
		return fail(http.StatusBadRequest, msgBadKey)
	}
	if len(body) > MaxBody {
		return fail(http.StatusRequestEntityTooLarge, msgTooLarge)
	}
	v, err := parseValue(body)
	if err == nil {
		err = putValue(s, key, v)
	}
	return reply(err, http.StatusNoContent, nil)
}

// GetValue answers the JSON value under key: 200, 404 when there is none.
func GetValue(s *session.Session, key string) (int, any) {
	if !validKey(key) {
		return fail(http.StatusBadRequest, msgBadKey)
	}
	v, err := valueJSON(s, key)
	if errors.Is(err, session.ErrNoValue) {
		return fail(http.StatusNotFound, "no value under this key")
	}
	return reply(err, http.StatusOK, v)
}

// DeleteValue removes the value under key: 204.
func DeleteValue(s *session.Session, key string) (int, any) {
	if !validKey(key) {
		return fail(http.StatusBadRequest, msgBadKey)
	}
	return reply(s.Delete(key), http.StatusNoContent, nil)
}

// AddToCart takes {"sku":"A1","qty":2} (qty 1-99) and adds it to that line:
// 200 {"cart":[...]}.
func AddToCart(s *session.Session, body []byte) (int, any) {
	var in Line
	var cart []Line
	err := parseObject(body, &in, `{"sku":"A1","qty":2}`)
	if err == nil {
		cart, err = addToCart(s, in.SKU, in.Qty)
	}
	return reply(err, http.StatusOK, map[string][]Line{"cart": cart})
}

// LoginRequest is the body of POST /api/login.
type LoginRequest struct {
	User     string `json:"user"`
	Remember bool   `json:"remember,omitempty"` // also keep a remember-me cookie
}

// ParseLogin reads and checks a POST /api/login body. Its error is a client
// mistake (400, 413) for Failure to answer.
func ParseLogin(body []byte) (LoginRequest, error) {
	var in struct {
		User     *string `json:"user"`
		Remember bool    `json:"remember"`
	}
	if err := parseObject(body, &in, `{"user":"alice"}`); err != nil {
		return LoginRequest{}, err
	}
	if in.User == nil {
		return LoginRequest{}, badRequest(`body must be {"user":"alice"}`)
	}
	if !validText(*in.User, maxUser) {
		return LoginRequest{}, badRequest(msgBadUser)
	}
	return LoginRequest{User: *in.User, Remember: in.Remember}, nil
}

// ParseFlash reads and checks a POST /api/flash body, {"message":"hi"}, and
// returns the message.
func ParseFlash(body []byte) (string, error) {
	var in struct {
		Message *string `json:"message"`
	}
	if err := parseObject(body, &in, `{"message":"hi"}`); err != nil {
		return "", err
	}
	if in.Message == nil {
		return "", badRequest(`body must be {"message":"hi"}`)
	}
	if !validText(*in.Message, maxMessage) {
		return "", badRequest(msgBadMessage)
	}
	return *in.Message, nil
}

// Messages is the reply of GET /api/flash: {"messages":[...]}, never null.
func Messages(msgs []string) map[string][]string {
	if msgs == nil {
		msgs = []string{}
	}
	return map[string][]string{"messages": msgs}
}

// NoValue reports whether err from Get or Pop means there is nothing usable
// under the key: no value, or one of another shape (a client may put anything
// under a key with PUT /api/values). Other errors are store failures.
func NoValue(err error) bool {
	return errors.Is(err, session.ErrNoValue) || errors.Is(err, session.ErrDecode)
}

// reply turns an operation's outcome into a route's reply.
func reply(err error, status int, body any) (int, any) {
	var p *problem
	switch {
	case err == nil:
		return status, body
	case errors.As(err, &p):
		return fail(p.status, p.msg)
	default:
		return Failure(err)
	}
}

// parseValue parses any one JSON value. Numbers become int64 when they are
// integers and float64 otherwise, so that both codecs store them as numbers.
func parseValue(body []byte) (any, error) {
	if !json.Valid(body) {
		return nil, badRequest(msgBadJSON)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, badRequest(msgBadJSON)
	}
	return numbers(v)
}

func numbers(v any) (any, error) {
	var err error
	switch v := v.(type) {
	case json.Number:
		if n, ierr := v.Int64(); ierr == nil {
			return n, nil
		}
		f, ferr := v.Float64()
		if ferr != nil {
			return nil, badRequest("number out of range: " + v.String())
		}
		return f, nil
	case []any:
		for i := range v {
			if v[i], err = numbers(v[i]); err != nil {
				return nil, err
			}
		}
	case map[string]any:
		for k := range v {
			if v[k], err = numbers(v[k]); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

// parseObject decodes a JSON object body into dst; shape names the expected
// body in the error message.
func parseObject(body []byte, dst any, shape string) error {
	if len(body) > MaxBody {
		return &problem{http.StatusRequestEntityTooLarge, msgTooLarge}
	}
	if !json.Valid(body) {
		return badRequest(msgBadJSON)
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return badRequest("body must be " + shape)
	}
	return nil
}

// valueJSON returns the value under key as JSON.
func valueJSON(s *session.Session, key string) (json.RawMessage, error) {
	v, err := session.Get[any](s, key)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		// Written by something other than the demo, in a shape JSON lacks.
		return nil, &problem{http.StatusUnprocessableEntity, "value cannot be shown as JSON"}
	}
	return b, nil
}
