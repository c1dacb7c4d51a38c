# shellcheck shell=bash
# Throwaway Redis topologies for sesskit's tests, started from the plain
# redis-server binary on free 127.0.0.1 ports, each in its own directory.
# Source this file, then:
#
#   sk_redis_up single|sentinel|cluster DIR [CONF LINE]...
#                                              start; writes DIR/env (export lines);
#                                              single takes extra redis.conf lines
#   sk_redis_down DIR                          stop those servers, remove DIR
#
# Layout: DIR/.sesskit-redis (marker), DIR/env, DIR/pids (every PID started),
# DIR/<port>/{redis.conf,redis.pid,redis.log,nodes.conf}. A killed node can be
# restarted with `redis-server DIR/<port>/redis.conf` (add --sentinel for a
# sentinel); sk_redis_down still finds it through its pidfile.
#
# Stopping signals only PIDs recorded in DIR/pids or a pidfile under DIR (or,
# as a safety net, found running in DIR), and of those only a live redis
# process whose working directory is under DIR (redis chdirs to its `dir`):
# another Redis (the system one on 6379) or a recycled PID is never touched.
# Everything here is Linux (/proc, /dev/tcp) and bash 4.4+.

SK_WAIT_SECONDS=${SK_WAIT_SECONDS:-30}
# Ports come from 15000-21999 (see sk_redis_up), so cluster bus ports (+10000)
# stay below the kernel's ephemeral range (32768+) and far from 6379.
_SK_TAKEN=" "

sk_log() { echo "redis: $*" >&2; }

# sk_cli PORT ARGS... runs redis-cli against one of our nodes, never hanging.
sk_cli() { timeout 5 redis-cli -h 127.0.0.1 -p "$1" "${@:2}" 2>/dev/null; }

# sk_wait DESC CMD... retries CMD every 0.1 s for SK_WAIT_SECONDS; it gives up
# at once when the file SK_STOP_FILE exists (test.sh's exit asks a start still
# running in the background to stop itself rather than killing it mid-way).
sk_wait() {
	local desc=$1 deadline=$((SECONDS + SK_WAIT_SECONDS))
	shift
	until "$@"; do
		[[ -z ${SK_STOP_FILE:-} || ! -e $SK_STOP_FILE ]] || { sk_log "stop requested" && return 1; }
		if ((SECONDS >= deadline)); then
			sk_log "timed out after ${SK_WAIT_SECONDS}s waiting for $desc"
			return 1
		fi
		sleep 0.1
	done
}

_sk_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# sk_pick_port sets SK_PORT to a port that is free, and whose +10000 bus port
# is free too, and that this shell has not handed out before.
sk_pick_port() {
	local p i
	for ((i = 0; i < 200; i++)); do
		p=$((SK_PORT_MIN + (RANDOM * 32768 + RANDOM) % SK_PORT_SPAN))
		[[ $_SK_TAKEN == *" $p "* ]] && continue
		_sk_port_free "$p" && _sk_port_free $((p + 10000)) || continue
		_SK_TAKEN+="$p "
		SK_PORT=$p
		return 0
	done
	sk_log "no free port found in $SK_PORT_MIN-$((SK_PORT_MIN + SK_PORT_SPAN))"
	return 1
}

# _sk_serving PORT PIDFILE: the pidfile's process is the one answering PORT.
# (The checks match redis-cli's output in bash: forks are slow on a busy box.)
_sk_serving() {
	local pid info
	read -r pid 2>/dev/null <"$2" || return 1
	info=$(sk_cli "$1" info server) && [[ $info == *$'\nprocess_id:'"$pid"$'\r'* ]]
}

# sk_start_node TOPDIR [--sentinel] [CONF LINE]... starts one daemonized
# server on a fresh port, retrying another port if the bind races, and sets
# SK_PORT and SK_PID.
sk_start_node() {
	local top=$1 mode="" try d
	shift
	if [[ ${1-} == --sentinel ]]; then mode=--sentinel && shift; fi
	for try in 1 2 3; do
		sk_pick_port || return 1
		d=$top/$SK_PORT
		mkdir -p "$d"
		{
			printf '%s\n' "port $SK_PORT" "bind 127.0.0.1" "daemonize yes" \
				"pidfile \"$d/redis.pid\"" "logfile \"$d/redis.log\"" "dir \"$d\""
			[[ -z $mode ]] && printf "%s\n" 'save ""' "appendonly no" "repl-diskless-sync-delay 0" "enable-debug-command local"
			printf '%s\n' "$@"
		} >"$d/redis.conf"
		if redis-server "$d/redis.conf" $mode >>"$d/redis.log" 2>&1 &&
			SK_WAIT_SECONDS=5 sk_wait "redis on port $SK_PORT" _sk_serving "$SK_PORT" "$d/redis.pid"; then
			read -r SK_PID <"$d/redis.pid"
			echo "$SK_PID" >>"$top/pids"
			return 0
		fi
		[[ -s $d/redis.pid ]] && cat "$d/redis.pid" >>"$top/pids"
		if ! grep -q 'Address already in use' "$d/redis.log"; then
			sk_log "redis on port $SK_PORT did not start; log:" && tail -n 20 "$d/redis.log" >&2
			return 1
		fi
	done
	sk_log "gave up after 3 ports in use" && return 1
}

# _sk_env NAME VALUE appends one export line to the topology's env file.
_sk_env() { printf "export %s='%s'\n" "$1" "$2" >>"$SK_DIR/env"; }

_sk_up_single() {
	sk_start_node "$SK_DIR" "$@" || return 1
	_sk_env SESSKIT_REDIS_URL "redis://127.0.0.1:$SK_PORT/0"
	_sk_env SESSKIT_REDIS_SINGLE_ADDR "127.0.0.1:$SK_PORT"
	_sk_env SESSKIT_REDIS_SINGLE_PID "$SK_PID"
	_sk_env SESSKIT_REDIS_SINGLE_DIR "$SK_DIR"
}

_sk_replica_up() { local r && r=$(sk_cli "$1" role) && [[ $r == *$'\nconnected\n'* ]]; }

# _sk_sentinels_ok PRIMARY PORT...: each sentinel sees PRIMARY up, its
# replica, and the 2 other sentinels (so quorum and failover can be reached).
_sk_sentinels_ok() {
	local p m
	for p in "${@:2}"; do
		m=$(sk_cli "$p" sentinel master sesskit) || return 1
		[[ $m == *$'\nport\n'"$1"$'\n'* && $m == *$'\nflags\nmaster\n'* &&
			$m == *$'\nnum-slaves\n1\n'* && $m == *$'\nnum-other-sentinels\n2\n'* ]] || return 1
	done
}

_sk_up_sentinel() {
	local primary replica sentinels=() sentinel_pids=() i
	sk_start_node "$SK_DIR" || return 1
	primary=$SK_PORT && _sk_env SESSKIT_REDIS_SENTINEL_PRIMARY_PID "$SK_PID"
	sk_start_node "$SK_DIR" "replicaof 127.0.0.1 $primary" || return 1
	replica=$SK_PORT && _sk_env SESSKIT_REDIS_SENTINEL_REPLICA_PID "$SK_PID"
	sk_wait "replica 127.0.0.1:$replica to sync" _sk_replica_up "$replica" || return 1
	for i in 1 2 3; do
		sk_start_node "$SK_DIR" --sentinel \
			"sentinel monitor sesskit 127.0.0.1 $primary 2" \
			"sentinel down-after-milliseconds sesskit 1000" \
			"sentinel failover-timeout sesskit 5000" || return 1
		sentinels+=("127.0.0.1:$SK_PORT") && sentinel_pids+=("127.0.0.1:$SK_PORT=$SK_PID")
	done
	sk_wait "3 sentinels to agree on primary $primary and its replica" \
		_sk_sentinels_ok "$primary" "${sentinels[@]##*:}" || return 1
	local IFS=,
	_sk_env SESSKIT_REDIS_SENTINEL_ADDRS "${sentinels[*]}"
	_sk_env SESSKIT_REDIS_SENTINEL_MASTER sesskit
	_sk_env SESSKIT_REDIS_SENTINEL_PRIMARY_ADDR "127.0.0.1:$primary"
	_sk_env SESSKIT_REDIS_SENTINEL_REPLICA_ADDR "127.0.0.1:$replica"
	_sk_env SESSKIT_REDIS_SENTINEL_PIDS "${sentinel_pids[*]}"
	_sk_env SESSKIT_REDIS_SENTINEL_DIR "$SK_DIR"
}

# _sk_cluster_ok PORT...: every node sees state ok, all slots, 6 nodes and 3
# masters, every replica is in sync, and all nodes agree on the slot map.
_sk_cluster_ok() {
	local p info role
	for p in "$@"; do
		info=$(sk_cli "$p" cluster info) && role=$(sk_cli "$p" role) || return 1
		[[ $info == *$'cluster_state:ok\r'* && $info == *$'cluster_slots_ok:16384\r'* &&
			$info == *$'cluster_known_nodes:6\r'* && $info == *$'cluster_size:3\r'* ]] || return 1
		[[ $role == master* || $role == *$'\nconnected\n'* ]] || return 1
	done
	info=$(timeout 10 redis-cli --cluster check "127.0.0.1:$1" 2>&1) &&
		[[ $info == *"[OK] All nodes agree about slots configuration."* &&
			$info == *"[OK] All 16384 slots covered."* && $info != *ERR* ]]
}

_sk_up_cluster() {
	local ports=() addrs=() pids=() masters=() i
	for i in 1 2 3 4 5 6; do
		sk_start_node "$SK_DIR" "cluster-enabled yes" "cluster-config-file nodes.conf" \
			"cluster-node-timeout 1000" || return 1
		ports+=("$SK_PORT") addrs+=("127.0.0.1:$SK_PORT") pids+=("127.0.0.1:$SK_PORT=$SK_PID")
	done
	if ! timeout "$SK_WAIT_SECONDS" redis-cli --cluster create "${addrs[@]}" \
		--cluster-replicas 1 --cluster-yes >"$SK_DIR/create.log" 2>&1; then
		sk_log "redis-cli --cluster create failed:" && tail -n 20 "$SK_DIR/create.log" >&2
		return 1
	fi
	sk_wait "cluster ${addrs[*]} to be ok on every node" _sk_cluster_ok "${ports[@]}" || return 1
	mapfile -t masters < <(sk_cli "${ports[0]}" cluster nodes | awk '$3 ~ /master/ {sub(/@.*/, "", $2); print $2}' | sort)
	local IFS=,
	_sk_env SESSKIT_REDIS_CLUSTER_ADDRS "${masters[*]}"
	_sk_env SESSKIT_REDIS_CLUSTER_NODES "${addrs[*]}"
	_sk_env SESSKIT_REDIS_CLUSTER_PIDS "${pids[*]}"
	_sk_env SESSKIT_REDIS_CLUSTER_DIR "$SK_DIR"
}

# sk_redis_up TOPOLOGY DIR starts TOPOLOGY in DIR (created if missing) and
# writes DIR/env. On failure it stops what it started and returns 1.
sk_redis_up() {
	local SK_DIR SK_PORT SK_PID SK_PORT_MIN SK_PORT_SPAN began=$SECONDS
	# disjoint port ranges, so topologies started in parallel never collide
	case $1 in
	single) SK_PORT_MIN=15000 SK_PORT_SPAN=2000 ;;
	sentinel) SK_PORT_MIN=17000 SK_PORT_SPAN=2000 ;;
	cluster) SK_PORT_MIN=19000 SK_PORT_SPAN=3000 ;;
	*)
		sk_log "unknown topology '$1' (want single, sentinel or cluster)"
		return 2
		;;
	esac
	command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
		{ sk_log "redis-server and redis-cli must be on PATH" && return 1; }
	SK_DIR=$(mkdir -p "$2" && cd "$2" && pwd -P) || return 1
	touch "$SK_DIR/.sesskit-redis" "$SK_DIR/pids" && : >"$SK_DIR/env"
	if ! "_sk_up_$1" "${@:3}"; then
		sk_log "$1 topology did not come up; stopping it"
		sk_redis_down "$SK_DIR"
		return 1
	fi
	sk_log "$1 up in $((SECONDS - began))s"
}

# _sk_ours DIR PID...: one of the PIDs is a live redis process whose working
# directory is under DIR (so it is ours).
_sk_ours() {
	local dir=$1 pid cwd comm
	for pid in "${@:2}"; do
		cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) && [[ $cwd == "$dir"/* ]] &&
			read -r comm <"/proc/$pid/comm" && [[ $comm == redis* ]] && return 0
	done 2>/dev/null
	return 1
}

# sk_redis_down DIR stops every server started in DIR and removes DIR.
sk_redis_down() {
	local dir pid live=() i
	dir=$(cd "$1" 2>/dev/null && pwd -P) || return 0
	[[ -f $dir/.sesskit-redis ]] || { sk_log "$dir is not a sesskit redis dir; not touching it" && return 1; }
	# recorded PIDs, pidfiles (restarted nodes), and as a safety net any redis
	# process running in DIR (a node whose start was interrupted)
	for pid in $({ cat "$dir/pids" "$dir"/*/redis.pid
		find /proc/[0-9]*/cwd -maxdepth 0 -lname "$dir/*" | cut -d/ -f3
	} 2>/dev/null | sort -un); do
		_sk_ours "$dir" "$pid" && kill -TERM "$pid" 2>/dev/null && live+=("$pid")
	done
	for ((i = 0; i < 50; i++)); do # up to 5 s for a clean exit, then KILL
		_sk_ours "$dir" "${live[@]}" || break
		sleep 0.1
	done
	for pid in "${live[@]}"; do _sk_ours "$dir" "$pid" && kill -KILL "$pid" 2>/dev/null; done
	rm -rf "$dir"
}
