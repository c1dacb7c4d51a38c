package demo

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/sesskit/sesskit/core/session"
)

// Error is the body of every error reply: {"error":"<message>"}.
type Error struct {
	Message string `json:"error"`
}

// fail is the reply for a client mistake.
func fail(status int, msg string) (int, any) {
	return status, Error{msg}
}

// Failure is the reply for an error: a client mistake found by a Parse
// function answers its own status and message; a session error answers 413
// when the session would grow too large, 409 when another request renewed it
// or kept changing the same value, 503 when the store failed. The message
// never carries a session error itself, which may name Redis addresses.
func Failure(err error) (int, any) {
	var p *problem
	if errors.As(err, &p) {
		return fail(p.status, p.msg)
	}
	status := session.ErrorStatus(err)
	switch status {
	case http.StatusRequestEntityTooLarge:
		return fail(status, "session too large")
	case http.StatusConflict:
		return fail(status, "the session was changed by another request; try again")
	}
	slog.Error("session store failed", "error", err)
	return fail(status, "session store unavailable")
}

// WriteHTTPError answers a session error with Failure's JSON. It is the
// error handler for net/http middlewares.
func WriteHTTPError(w http.ResponseWriter, _ *http.Request, err error) {
	status, body := Failure(err)
	WriteJSON(w, status, body)
}

// WriteJSON writes a JSON reply with net/http; a 204 gets no body.
func WriteJSON(w http.ResponseWriter, status int, body any) {
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// NotFound and MethodNotAllowed are the replies for requests no route takes.
var (
	NotFound         = Error{"not found"}
	MethodNotAllowed = Error{"method not allowed"}
)
