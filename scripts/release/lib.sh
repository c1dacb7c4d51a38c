# shellcheck shell=bash
# Which modules sesskit releases and at which version, for scripts/release.sh
# and scripts/release-check.sh. Source it from the repository root.
#
#   sk_workspace_modules   prints "DIR PATH" for every module go.work uses
#   sk_released_modules    the same, for the modules that are released
#   sk_version_files DIR   the version.go files of the module in DIR
#   sk_lockstep_version    the one version every Version constant names
#   sk_sibling_requires    "DIR PATH VERSION" for every requirement of one
#                          workspace module on a released one
#   sk_require_version V   points all those requirements at version V
#
# The rule (CONTRIBUTING.md): every module that go.work uses is released, in
# lockstep, except those under examples/ and benchmarks/. Nothing else is
# listed anywhere, so a module added to go.work is released with the others.
# Its tag is DIR/vX.Y.Z, which the go command only finds when the module's
# path is the repository's path followed by DIR.

sk_log() { echo "release: $*" >&2; }

# sk_workspace_modules checks the path rule above on the way.
sk_workspace_modules() {
	local dir path repo="" rel out=()
	while read -r dir path; do
		rel=${dir#"$PWD"/}
		[[ $rel != "$dir" && $path == */"$rel" ]] ||
			{ sk_log "module $path in $dir: its path must end in /$rel (the tag prefix)" && return 1; }
		if [[ -z $repo ]]; then
			repo=${path%/"$rel"}
		elif [[ $repo != "${path%/"$rel"}" ]]; then
			sk_log "module $path is not under $repo like the others" && return 1
		fi
		out+=("$rel $path")
	done < <(GOWORK=$PWD/go.work go list -m -f '{{.Dir}} {{.Path}}')
	((${#out[@]})) || { sk_log "go.work in $PWD uses no module" && return 1; }
	printf '%s\n' "${out[@]}"
}

sk_released_modules() {
	local mods
	mods=$(sk_workspace_modules) || return 1
	grep -Ev '^(examples|benchmarks)(/| )' <<<"$mods"
}

# sk_version_files prints the version.go files of one module, leaving out
# directories that hold a module of their own.
sk_version_files() {
	find "$1" -mindepth 1 -type d -exec test -e '{}/go.mod' ';' -prune -o -name version.go -type f -print | sort
}

sk_lockstep_version() {
	local mods dir path files versions
	mods=$(sk_released_modules) || return 1
	files=$(while read -r dir path; do sk_version_files "$dir"; done <<<"$mods")
	[[ -n $files ]] || { sk_log "no released module has a version.go" && return 1; }
	versions=$(xargs sed -n 's/^const Version = "\(.*\)"$/\1/p' <<<"$files" | sort -u)
	if [[ -z $versions || $versions == *$'\n'* ]]; then
		sk_log "the Version constants must name one version; they say:"
		xargs grep -H '^const Version' <<<"$files" >&2
		return 1
	fi
	echo "$versions"
}

sk_sibling_requires() {
	local mods released dir path p v
	mods=$(sk_workspace_modules) || return 1
	released=$(sk_released_modules | cut -d' ' -f2) || return 1
	while read -r dir path; do
		# go mod edit -print writes requirements one per line, "require P V"
		# or "\tP V" in a block; replace lines carry "=>".
		GOWORK=off go mod edit -print "$dir/go.mod" | grep -v '=>' |
			sed -nE 's/^(require[[:space:]]+|[[:space:]]+)([^[:space:]]+)[[:space:]]+(v[^[:space:]]+).*/\2 \3/p' |
			while read -r p v; do
				if grep -qxF "$p" <<<"$released"; then echo "$dir $p $v"; fi
			done
	done <<<"$mods"
}

# sk_require_version leaves the replace lines alone: GOWORK=off builds in
# the repository use them, users' builds ignore them.
sk_require_version() {
	local reqs dir p v
	reqs=$(sk_sibling_requires) || return 1
	while read -r dir p v; do
		[[ -z $dir || $v == "$1" ]] || GOWORK=off go mod edit -require="$p@$1" "$dir/go.mod" || return 1
	done <<<"$reqs"
}
