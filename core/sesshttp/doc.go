// Package sesshttp runs sesskit sessions on net/http: Middleware for plain
// net/http (and routers built on it, such as chi), and the parts the
// adapters for net/http frameworks (Gin, Echo) are built from: Carrier, the
// commit-before-first-byte Writer, and ClearBodyHeaders for error pages.
//
//	m, _ := session.New(memstore.New())
//	mux := http.NewServeMux()
//	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
//		s := session.FromContext(r.Context())
//		n, _ := session.Incr(s, "visits", 1)
//		fmt.Fprintln(w, n)
//	})
//	http.ListenAndServe(":8080", sesshttp.Middleware(m)(mux))
package sesshttp
