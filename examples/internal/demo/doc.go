// Package demo is the plumbing shared by the sesskit example apps: the
// configuration (flags and environment, see examples/README.md), the process
// lifecycle (first log line, graceful shutdown), the HTML page and its forms,
// the input checks, and the routes of the demo contract that teach nothing
// about sessions a reader has not seen in the apps themselves.
//
// Each examples/<framework>/main.go shows the part worth reading: how the
// store and the Manager are set up, how the middleware is registered, and
// how handlers use the session (visits, login, logout, flash) in that
// framework's idiom.
package demo
