#!/usr/bin/env bash
# Cut a release, locally: ./scripts/release.sh X.Y.Z
#
# Every released module (scripts/release/lib.sh: the modules of go.work but
# those under examples/ and benchmarks/) moves to X.Y.Z in lockstep:
#   - every requirement on a released module, in every module of go.work,
#     names vX.Y.Z (the replace lines stay: GOWORK=off builds use them);
#   - every Version constant (version.go) says X.Y.Z;
#   - CHANGELOG.md's [Unreleased] section becomes [X.Y.Z] - today, under a
#     new empty [Unreleased].
# Then it checks the result (go mod tidy -diff in every module, and
# scripts/release-check.sh, which go-gets every module from a tagged
# snapshot), commits "release X.Y.Z" and tags that commit DIR/vX.Y.Z for
# every released module (core/vX.Y.Z, adapters/gin/vX.Y.Z, ...). It pushes
# nothing; it prints the push command.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/release/lib.sh

fail() { echo "release.sh: $*" >&2 && exit 1; }

(($# == 1)) || fail "usage: scripts/release.sh X.Y.Z"
version=${1#v}
[[ $version =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$ ]] ||
	fail "$1 is not a semantic version (X.Y.Z or X.Y.Z-pre)"
((BASH_REMATCH[1] <= 1)) || fail "v2 and later need /vN at the end of every module path; sesskit has none"
tag=v$version

# --- what must hold before anything changes ----------------------------------
[[ -z $(git status --porcelain) ]] || fail "the work tree has changes; commit or stash them first"
mods=$(sk_released_modules) || fail "cannot tell the released modules (above)"
current=$(sk_lockstep_version) || fail "the Version constants disagree (above)"
# Compared without pre-release suffixes: 0.2.0 may follow 0.2.0-rc.1.
[[ $(printf '%s\n' "${current%%-*}" "${version%%-*}" | sort -V | head -n1) == "${current%%-*}" ]] ||
	fail "$version is older than the current version $current"
tags=$(while read -r dir path; do echo "$dir/$tag"; done <<<"$mods")
for t in $tags; do
	if git rev-parse -q --verify "refs/tags/$t" >/dev/null; then fail "tag $t exists already"; fi
done
unreleased=$(awk '/^## \[/ { inside = /^## \[Unreleased\]/; next } inside && NF' CHANGELOG.md)
[[ -n $unreleased ]] || fail "CHANGELOG.md has nothing under ## [Unreleased]: say what changed first"

# --- the changes ----------------------------------------------------------------
echo "release.sh: $current -> $version for $(wc -l <<<"$mods") modules"
sk_require_version "$tag" || fail "cannot update the requirements (above)"
while read -r dir path; do
	sk_version_files "$dir" | xargs -r sed -i "s/^const Version = \".*\"\$/const Version = \"$version\"/"
done <<<"$mods"
awk -v head="## [$version] - $(date -u +%F)" '
	/^## \[Unreleased\]/ && !done { print; print ""; print head; done = 1; next }
	{ print }' CHANGELOG.md >CHANGELOG.md.new
mv CHANGELOG.md.new CHANGELOG.md

# --- checks, then the commit and the tags --------------------------------------
left="the changes are left in the work tree (git checkout -- . drops them)"
[[ $(sk_lockstep_version) == "$version" ]] || fail "a Version constant did not change; $left"
off=$(sk_sibling_requires | awk -v want="$tag" '$3 != want')
[[ -z $off ]] || fail "requirements still off $tag: $off; $left"
while read -r dir path; do
	(cd "$dir" && GOWORK=off go mod tidy -diff) || fail "$dir is not tidy (above); $left"
done < <(sk_workspace_modules)
./scripts/release-check.sh || fail "the release check failed (above); $left"

git add -u
git commit -q -m "release $version" -m "Lockstep versions: every module requires its siblings at $tag."
for t in $tags; do git tag -a "$t" -m "sesskit ${t%/*} $tag"; done
echo "release.sh: committed $(git rev-parse --short HEAD) and tagged:" $tags
echo "release.sh: publish with: git push origin HEAD" $tags
