module github.com/sesskit/sesskit/examples

go 1.26.0

replace (
	github.com/sesskit/sesskit/adapters/chi => ../adapters/chi
	github.com/sesskit/sesskit/adapters/echo => ../adapters/echo
	github.com/sesskit/sesskit/adapters/fiber => ../adapters/fiber
	github.com/sesskit/sesskit/adapters/gin => ../adapters/gin
	github.com/sesskit/sesskit/codecs/msgpack => ../codecs/msgpack
	github.com/sesskit/sesskit/core => ../core
)

require (
	github.com/go-chi/chi/v5 v5.5.0
	github.com/redis/go-redis/v9 v9.23.0
	github.com/sesskit/sesskit/codecs/msgpack v0.0.0
	github.com/sesskit/sesskit/core v0.0.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/vmihailenco/msgpack/v5 v5.4.1 // indirect
	github.com/vmihailenco/tagparser/v2 v2.0.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)
