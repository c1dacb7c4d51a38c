// Package demo is the framework-neutral part of the sesskit example apps:
// configuration, the session Manager, the process lifecycle (first log line,
// graceful shutdown) and the logic of every route of the demo contract
// (/work/shared/demo-contract.md, summarised in examples/README.md).
//
// Route logic works on a *session.Session and the request body and returns a
// status and a value to send as JSON, so each example app holds only the
// routing and binding code of its framework:
//
//	r.Post("/api/visits", func(w http.ResponseWriter, r *http.Request) {
//		status, body := demo.CountVisit(session.FromContext(r.Context()))
//		demo.WriteJSON(w, status, body)
//	})
package demo
