#!/usr/bin/env bash
# Stop a topology started by up.sh (or test.sh): kills exactly the servers
# recorded in its directory and removes the directory.
#
#   scripts/redis/down.sh DIR/env    (or DIR)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ $# -ge 1 ]] || { echo "usage: $0 ENVFILE|DIR..." >&2 && exit 2; }
for arg in "$@"; do
	[[ -d $arg ]] || arg=$(dirname "$arg")
	sk_redis_down "$arg"
done
