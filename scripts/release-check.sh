#!/usr/bin/env bash
# The release check: go get every released sesskit module as a new user
# would, before anything is tagged or published. scripts/test.sh runs it,
# and so does scripts/release.sh before it tags.
#
# It tags a snapshot of the working tree (HEAD plus uncommitted changes;
# ignored files left out) as DIR/vX.Y.Z for every released module, X.Y.Z
# being the version the Version constants name (scripts/release/lib.sh), in
# a throwaway repository. Then, for each module, in an empty module outside
# the workspace (GOWORK=off): go get MODULE/...@vX.Y.Z and go build it; where
# scripts/release/apps/DIR holds an app, build it with apps/visits.go and
# run it: it serves on 127.0.0.1 through the adapter, on memstore with the
# MessagePack codec, and checks that a session keeps its value over two
# requests. A module whose requirement on a sibling names another version
# fails here, since only vX.Y.Z is tagged.
#
# Why a tagged repository rather than a module proxy directory: GOPRIVATE
# makes the go command fetch github.com/sesskit/... from git, and git's
# url.insteadOf (set through GIT_CONFIG_* for these commands only) points
# that at the throwaway repository over file://. So the go command itself
# makes the module zips from the tags, exactly as the public proxy will (a
# LICENSE at the root included), with no helper module to pin; every
# lookup of a sesskit path (prefix probes, a requirement on a version that
# was never tagged) is answered on this machine and can never fall through
# to a network proxy, as it would from a file:// GOPROXY; and GOPRIVATE
# turns the checksum database off for these paths only. Third-party modules
# come through `go env GOPROXY`, behind this machine's module cache used as
# a file:// proxy, so a warm machine downloads nothing.
#
# The check keeps its own module cache (the shared one would keep serving
# whatever an earlier run extracted under the same version) and builds with
# -trimpath, so the shared build cache still serves it across runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/release/lib.sh

began=$SECONDS
fail() { echo "release check: $*" >&2 && exit 1; }

mods=$(sk_released_modules) || fail "cannot tell the released modules (above)"
version=$(sk_lockstep_version) || fail "cannot tell the version to check (above)"
tag=v$version
read -r dir path <<<"$mods"
repo=${path%/"$dir"}

unformatted=$("$(go env GOROOT)/bin/gofmt" -l scripts/release/apps)
[[ -z $unformatted ]] || fail "gofmt -w these apps: $unformatted"

# --- a snapshot of the working tree, tagged in a throwaway repository --------
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || fail "$PWD is not a git work tree"
objects=$(git rev-parse --path-format=absolute --git-common-dir)/objects
head=$(git rev-parse --short HEAD)
[[ -z $(git status --porcelain) ]] || head+=" with the uncommitted changes"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sesskit-release-check.XXXXXX")
trap 'wait; rm -rf "$tmp"' EXIT # wait: the per-module jobs write into $tmp
mkdir "$tmp/objects" "$tmp/use"
# New objects go to $tmp: the repository is only read.
snapshot=$(
	export GIT_INDEX_FILE=$tmp/index GIT_OBJECT_DIRECTORY=$tmp/objects GIT_ALTERNATE_OBJECT_DIRECTORIES=$objects
	export GIT_AUTHOR_NAME="release check" GIT_AUTHOR_EMAIL=release-check@localhost
	export GIT_COMMITTER_NAME="release check" GIT_COMMITTER_EMAIL=release-check@localhost
	git read-tree HEAD && git add -A && git commit-tree -m "release check of $head" "$(git write-tree)"
) || fail "cannot snapshot the working tree"
origin=$tmp/origin.git
git -c init.defaultBranch=main init -q --bare "$origin"
printf '%s\n' "$tmp/objects" "$objects" >"$origin/objects/info/alternates"
git --git-dir="$origin" update-ref refs/heads/main "$snapshot"
while read -r dir path; do
	git --git-dir="$origin" update-ref "refs/tags/$dir/$tag" "$snapshot"
done <<<"$mods"

# --- the go command of a new user ---------------------------------------------
cache=$(go env GOMODCACHE) upstream=$(go env GOPROXY) flags=$(go env GOFLAGS)
export GOWORK=off GOMODCACHE=$tmp/modcache GOFLAGS="${flags:+$flags }-modcacherw -trimpath"
export GOPROXY="file://$cache/cache/download,$upstream"
export GOPRIVATE=$repo GONOPROXY=$repo GONOSUMDB=$repo
n=${GIT_CONFIG_COUNT:-0}
export GIT_CONFIG_COUNT=$((n + 1)) "GIT_CONFIG_KEY_$n=url.file://$origin.insteadOf" "GIT_CONFIG_VALUE_$n=https://$repo"
echo "release check: $(wc -l <<<"$mods") modules tagged $tag on a snapshot of $head"

# has_license PATH: pkg.go.dev shows no docs for a module without a LICENSE;
# the go command copies the repository's into a module zip that has none.
has_license() {
	[[ -f $(go list -m -f '{{.Dir}}' "$1")/LICENSE ]] || { echo "no LICENSE in the module zip of $1" && return 1; }
}

# use DIR PATH does what a new user of one module does, in an empty module
# of its own, logging to $tmp/use/DIR.log; the command that failed, if one
# did, goes to DIR.failed. The modules run at once (they share the module
# cache, which the go command locks).
use() {
	local dir=$1 path=$2 app=scripts/release/apps/$1 t=$SECONDS
	local work=$tmp/use/$dir log=$tmp/use/$dir.log
	mkdir -p "$work"
	step() {
		echo "\$ $*" >>"$log"
		(cd "$work" && "$@") >>"$log" 2>&1 || { echo "$*" >"$tmp/use/$dir.failed" && return 1; }
	}
	step go mod init example.com/user || return
	step go get "$path/...@$tag" || return
	step has_license "$path" || return
	step go build "$path/..." || return
	if [[ -d $app ]]; then
		cp scripts/release/apps/visits.go "$app"/*.go "$work/"
		step go mod tidy || return
		step go vet . || return
		step go build -o app . || return
		step timeout 60 ./app "$version" || return
		echo "$(tail -n 1 "$log") ($((SECONDS - t))s)" >"$tmp/use/$dir.ok"
	else
		echo "go get and build ok; no app of its own ($((SECONDS - t))s)" >"$tmp/use/$dir.ok"
	fi
}

pids=()
while read -r dir path; do
	use "$dir" "$path" &
	pids+=($!)
done <<<"$mods"
failed=()
while read -r dir path; do
	wait "${pids[0]}" || true
	pids=("${pids[@]:1}")
	if [[ -f $tmp/use/$dir.ok ]]; then
		echo "  $dir: $(<"$tmp/use/$dir.ok")"
		continue
	fi
	failed+=("$dir")
	echo "release check: FAIL in $dir at: $(cat "$tmp/use/$dir.failed" 2>/dev/null || echo "(no step recorded)")" >&2
	sed 's/^/  /' "$tmp/use/$dir.log" >&2
done <<<"$mods"

if ((${#failed[@]})); then
	off=$(sk_sibling_requires | awk -v want="$tag" '$3 != want' || true)
	[[ -z $off ]] || printf 'release check: requirements on siblings that are not %s (scripts/release.sh sets them):\n%s\n' "$tag" "$off" >&2
	fail "FAIL in ${failed[*]} (above)"
fi
echo "release check: ok in $((SECONDS - began))s"
