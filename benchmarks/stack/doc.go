// Package stack builds the web stacks the benchmarks compare: one session
// library on one web framework, all serving the same routes on one Redis.
//
//	chi    sesskit (sesschi)       alexedwards/scs v2 + goredisstore   go-redis floor
//	gin    sesskit (sessgin)       gin-contrib/sessions (redis store)  go-redis floor
//	echo   sesskit (sessecho)      echo-contrib/session + boj/redistore go-redis floor
//	fiber  sesskit (sessfiber)     fiber/v2 middleware/session + gofiber/storage/redis/v3   go-redis floor
//
// The floor is a hand-written handler that sends Redis exactly the commands
// sesskit sends (the same Lua scripts, keys and value encoding) with go-redis
// and no session library: the cost of the Redis work alone.
//
// Every stack serves the routes of the scenarios (see Scenarios) and a few
// helpers (POST /create?n=50 to seed a larger session, PUT /set?key=K,
// GET /count?prefix=P), in process through Client or over real HTTP through
// Serve. Each stack keeps its keys under its own prefix inside
// Config.Prefix, so a run can clean up after itself with one SCAN.
package stack
