#!/usr/bin/env bash
# Start a throwaway Redis topology by hand and print its export lines:
#
#   eval "$(scripts/redis/up.sh single|sentinel|cluster [DIR])"
#   ... run tests ...
#   scripts/redis/down.sh "$SESSKIT_REDIS_SINGLE_DIR"   # or DIR/env
#
# DIR defaults to a new temp dir. See lib.sh for the layout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ $# -ge 1 && $# -le 2 && $1 =~ ^(single|sentinel|cluster)$ ]] ||
	{ echo "usage: $0 single|sentinel|cluster [DIR]" >&2 && exit 2; }
dir=${2:-$(mktemp -d "${TMPDIR:-/tmp}/sesskit-redis-$1.XXXXXX")}
trap 'sk_redis_down "$dir"' INT TERM
sk_redis_up "$1" "$dir"
cat "$dir/env"
echo "# stop with: $(dirname "$0")/down.sh $dir/env"
