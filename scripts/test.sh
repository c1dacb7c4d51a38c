#!/usr/bin/env bash
# The one test command for sesskit: ./scripts/test.sh [go test flags...]
# Runs from any directory. Extra arguments go to `go test` (e.g. -v).
#
# Options (env):
#   SESSKIT_TEST_RUN=REGEXP   passed to go test -run
#   SESSKIT_TEST_SHORT=1      adds -short
#
# What it does: installs what is missing (redis-server, a C compiler for
# -race, prometheus and prometheus-redis-exporter, chromium when examples/
# has chromedp tests) with apt-get, as root or
# through sudo; starts three throwaway Redis topologies from the plain
# redis-server binary on free ports in temp dirs (scripts/redis/lib.sh), never
# the system service; runs gofmt, go vet, staticcheck (pinned, through
# go run), per-module GOWORK=off build and
# tidy, the framework-dependency checks, promtool on the alert rules, the release check
# (scripts/release-check.sh: every released module go-gotten from a tagged
# snapshot, outside the workspace, and an app per framework run), then
# go test -race over every module listed in go.work; stops exactly the
# servers it started on exit, whatever happens. The last line is
# "packages: N passed, M failed" (go test packages), or
# "test.sh: FAIL in <step>" when a check before the tests fails.
#
# Exported to the tests (host:port lists are comma separated, 127.0.0.1 only):
#   SESSKIT_REQUIRE_REDIS=1                tests fail instead of skipping without Redis
#   SESSKIT_REDIS_URL                      redis://127.0.0.1:PORT/0, a standalone node
#   SESSKIT_REDIS_SINGLE_ADDR, _PID, _DIR  that node's host:port, PID and directory
#   SESSKIT_REDIS_SENTINEL_ADDRS           the 3 sentinels
#   SESSKIT_REDIS_SENTINEL_MASTER          master name "sesskit" (quorum 2,
#                                          down-after 1000 ms, failover-timeout 5000 ms)
#   SESSKIT_REDIS_SENTINEL_PRIMARY_ADDR, SESSKIT_REDIS_SENTINEL_PRIMARY_PID
#                                          the primary at start
#   SESSKIT_REDIS_SENTINEL_REPLICA_ADDR, SESSKIT_REDIS_SENTINEL_REPLICA_PID
#                                          its one replica
#   SESSKIT_REDIS_SENTINEL_PIDS            sentinels as host:port=pid
#   SESSKIT_REDIS_SENTINEL_DIR             the sentinel group's directory
#   SESSKIT_REDIS_CLUSTER_ADDRS            the 3 masters at start
#   SESSKIT_REDIS_CLUSTER_NODES            all 6 nodes (masters and replicas)
#   SESSKIT_REDIS_CLUSTER_PIDS             all 6 as host:port=pid (cluster-node-timeout 1000 ms)
#   SESSKIT_REDIS_CLUSTER_DIR              the cluster's directory
#   SESSKIT_CHROMIUM                       browser binary, only when examples use chromedp
# Each node lives in <DIR>/<port>/ (redis.conf, redis.log); a killed node
# restarts with `redis-server <DIR>/<port>/redis.conf` (sentinels: add
# --sentinel) and is still stopped at exit. Data nodes keep no data on disk
# and allow DEBUG from localhost. All packages share these servers while
# go test runs them in parallel: use unique keys, and a test that kills a
# node must expect others to see the failover.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd -P)
source scripts/redis/lib.sh
[[ -f go.work ]] || { echo "test.sh: no go.work in $root" >&2 && exit 1; }
export GOWORK=$root/go.work # even if the caller's environment says GOWORK=off

began=$SECONDS step=setup tmp="" summary="" ups=() topologies=(single sentinel cluster)
staticcheck=v0.8.2 # honnef.co/go/tools, pinned

header() { step=$1 && echo "== $1"; }
fail() { echo "test.sh: $*" >&2 && exit 1; }

finish() {
	local rc=$? pid t
	trap - EXIT INT TERM
	if [[ -n $tmp ]]; then
		touch "$tmp/stop" # starts still running stop themselves (see sk_wait)
		for pid in "${ups[@]}"; do wait "$pid" 2>/dev/null || true; done
		for t in "${topologies[@]}"; do sk_redis_down "$tmp/$t" & done
		wait || true
		rm -rf "$tmp"
	fi
	echo "== stopped redis; $((SECONDS - began))s in all"
	if ((rc == 130 || rc == 143)); then
		echo "test.sh: interrupted in $step"
	elif [[ -n $summary ]]; then
		echo "$summary"
	elif ((rc != 0)); then
		echo "test.sh: FAIL in $step"
	fi
	exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- tools -------------------------------------------------------------------
command -v go >/dev/null || fail "go is not on PATH (install Go 1.26 or later)"
need=()
command -v redis-server >/dev/null && command -v redis-cli >/dev/null || need+=(redis-server)
command -v "$(go env CC)" >/dev/null || need+=(gcc) # -race needs cgo
# telemetry/prometheus: promtool checks the alert rules; its integration test
# runs a real Prometheus and redis_exporter.
command -v prometheus >/dev/null && command -v promtool >/dev/null || need+=(prometheus)
command -v prometheus-redis-exporter >/dev/null || need+=(prometheus-redis-exporter)
browser=""
if [[ -d examples ]] && grep -rq --include='*.go' chromedp examples; then
	browser=${SESSKIT_CHROMIUM:-$(command -v chromium chromium-browser google-chrome google-chrome-stable | head -n1 || true)}
	[[ -n $browser ]] || need+=(chromium)
fi
if ((${#need[@]})); then
	sudo=()
	if ((EUID != 0)); then
		command -v sudo >/dev/null && sudo -n true 2>/dev/null ||
			fail "missing ${need[*]}; install them (apt-get install ${need[*]}) or run as root or with passwordless sudo"
		sudo=(sudo)
	fi
	header "apt-get install ${need[*]}"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
	if [[ " ${need[*]} " == *" chromium "* ]]; then browser=$(command -v chromium) || fail "chromium did not install"; fi
fi
export CGO_ENABLED=1 # -race
[[ -z $browser ]] || export SESSKIT_CHROMIUM=$browser

# --- redis topologies, started in the background while the static checks run
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sesskit-test.XXXXXX")
export SK_STOP_FILE=$tmp/stop
for t in "${topologies[@]}"; do
	sk_redis_up "$t" "$tmp/$t" >"$tmp/$t.log" 2>&1 &
	ups+=($!)
done

# --- modules -----------------------------------------------------------------
mapfile -t mods < <(go list -m -f '{{.Dir}}')
((${#mods[@]})) || fail "go.work lists no modules"
rel=("${mods[@]#"$root"/}")
pkgs=() && for m in "${rel[@]}"; do pkgs+=("./$m/..."); done
echo "== modules: ${rel[*]}"

header "gofmt -l"
unformatted=$("$(go env GOROOT)/bin/gofmt" -l "${mods[@]}")
[[ -z $unformatted ]] || { echo "$unformatted" && fail "gofmt: files above need gofmt -w"; }

header "go vet"
go vet "${pkgs[@]}" || fail "go vet failed"

header "staticcheck $staticcheck"
go run "honnef.co/go/tools/cmd/staticcheck@$staticcheck" "${pkgs[@]}" || fail "staticcheck found problems (above)"

header "GOWORK=off go build, go mod tidy -diff"
for m in "${rel[@]}"; do
	(cd "$m" && GOWORK=off go build -o /dev/null ./...) || fail "build failed in $m (GOWORK=off)"
	(cd "$m" && GOWORK=off go mod tidy -diff) || fail "go.mod/go.sum not tidy in $m (run go mod tidy there)"
done

header "framework dependencies"
# family: the package prefixes an adapter's framework brings (its own and
# its helpers'); framework: the framework's module, major version included.
# An adapter uses neither of another framework; two majors of one framework
# share a family and are told apart by module, so the Fiber v2 adapter
# cannot pull Fiber v3, nor the Echo v4 adapter Echo v5. Core uses none.
declare -A family=([gin]='github.com/gin-gonic/' [echo]='github.com/labstack/' [echov5]='github.com/labstack/'
	[fiber]='github.com/gofiber/|github.com/valyala/fasthttp' [fiberv3]='github.com/gofiber/|github.com/valyala/fasthttp'
	[chi]='github.com/go-chi/')
declare -A framework=([gin]='github.com/gin-gonic/gin' [echo]='github.com/labstack/echo/v4' [echov5]='github.com/labstack/echo/v5'
	[fiber]='github.com/gofiber/fiber/v2' [fiberv3]='github.com/gofiber/fiber/v3' [chi]='github.com/go-chi/chi/v5')
for m in "${rel[@]}"; do
	case $m in
	core) own="" ;;
	adapters/*) own=${m#adapters/} ;;
	telemetry/*) own="" ;;
	*) continue ;;
	esac
	[[ -z $own || -v "family[$own]" ]] || fail "$m: add its framework to the tables of the framework dependencies step"
	forbidden=$(for f in "${!family[@]}"; do
		[[ $f != "$own" ]] || continue
		echo "${framework[$f]}(/|\$)"
		[[ -n $own && ${family[$f]} == "${family[$own]}" ]] || echo "${family[$f]}"
	done | paste -sd'|')
	deps=$(cd "$m" && GOWORK=off go list -deps -test ./...) || fail "go list -deps failed in $m"
	bad=$(grep -E "^($forbidden)" <<<"$deps" | sort -u || true)
	[[ -z $bad ]] || { echo "$bad" && fail "$m depends on a framework it must not use (above)"; }
done

header "promtool check rules, test rules"
for rules in telemetry/prometheus/alerts.yml; do
	promtool check rules "$rules" || fail "promtool check rules $rules failed"
	(cd "$(dirname "$rules")" && promtool test rules "$(basename "$rules" .yml)_test.yml") ||
		fail "promtool test rules for $rules failed"
done

header "release check"
./scripts/release-check.sh || fail "a new user's go get or build would break (above)"

header "redis topologies"
for i in "${!ups[@]}"; do
	t=${topologies[i]}
	wait "${ups[i]}" || { cat "$tmp/$t.log" >&2 && fail "redis $t topology did not start"; }
	source "$tmp/$t/env" && cat "$tmp/$t.log"
done
ups=()
export SESSKIT_REQUIRE_REDIS=1
echo "single $SESSKIT_REDIS_URL; sentinel $SESSKIT_REDIS_SENTINEL_ADDRS; cluster $SESSKIT_REDIS_CLUSTER_ADDRS"

header "go test -race"
args=(-race -count=1 -timeout 15m)
[[ ${SESSKIT_TEST_SHORT:-} != 1 ]] || args+=(-short)
[[ -z ${SESSKIT_TEST_RUN:-} ]] || args+=(-run "$SESSKIT_TEST_RUN")
rc=0
go test "${args[@]}" "$@" "${pkgs[@]}" 2>&1 | tee "$tmp/test.out" || rc=$?
passed=$(grep -c '^ok ' "$tmp/test.out" || true)
failed=$(grep -cP '^FAIL\t' "$tmp/test.out" || true)
summary="packages: $passed passed, $failed failed"
exit "$rc"
