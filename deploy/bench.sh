#!/usr/bin/env bash
# The performance goals of issue #6, measured side by side in one go on loopback:
# a fresh cluster in a temporary directory on free ports, imgshare-load for each
# row of the goals table, scp of the same 200 MiB to a throw-away sshd, the bare
# 3-hop CURVE relay with no imgshare code in it (relay_bench), `imgshare post` and
# `download` as users run them against scp (deploy/user-bench.sh), the gallery with 200
# images in chromium against `imgshare download` (deploy/gallery-bench.sh), the disk space
# deleted images give back (deploy/space-bench.sh), the storage node's
# fsync rate, NEW_IMAGE fan-out against Redis pub/sub (3 alternating runs), the broker's
# memory per idle connection against libzmq alone, and peak resident memory
# (deploy/measure-memory.sh), what the certificate log costs `whois` and `post --to` against
# the build before it, side by side, and its bytes per entry (deploy/log-cost-bench.sh; that
# build is made once into ~/.cache); then, as root, the RADOS backend's rows against `rados bench`
# (deploy/rados-bench.sh; IMGSHARE_BENCH_RADOS=0 skips them), and a user's `list` during a
# flood of 1,500 fresh-key handshakes, with the kernel's per-source limit on new
# connections (in a private network namespace: needs root) and with the broker's alone.
#
#   deploy/bench.sh [--quick]
#
# --quick runs every row smaller (to check the script, not to quote). Prints the
# machine, then one Markdown table: measure | imgshare | peer or limit | goal | ratio |
# steal, where ratio >= 1 means the goal is met (imgshare / goal for rates, goal /
# imgshare for latencies and memory) and steal is the share of the machine's CPU
# time the hypervisor gave to others during the row's runs (/proc/stat): a row
# measured under heavy steal measures the host, not imgshare. Every run's JSON
# stays in $IMGSHARE_BENCH_KEEP if set.
# Installs openssh-server, jq and redis-server if missing (apt-get, as bootstrap.sh does), starts
# its own sshd with throw-away keys and stops it, and the cluster, by pid.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/build/bin
quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  -h|--help) sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "bench: unknown option $1" >&2; exit 2 ;;
esac

"$root/deploy/bootstrap.sh" >&2

# ---- packages this script needs beyond the build's ------------------------------
missing=()
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v scp >/dev/null || missing+=(openssh-client)
command -v jq >/dev/null || missing+=(jq)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# ---- the run's sizes ---------------------------------------------------------------
big=200MiB big_bytes=$((200 << 20)) big_count=2
small_posts=3000 small_downloads=6000 list_time=10s
subscribers=1000 fanout_posts=100 idle_counts=(5000 2000 1000) idle_time=15s
if [ "$quick" = 1 ]; then
  big=20MiB big_bytes=$((20 << 20)) big_count=1
  small_posts=300 small_downloads=600 list_time=3s
  subscribers=100 fanout_posts=20 idle_counts=(500 200) idle_time=4s
fi

work=$(mktemp -d /tmp/imgshare-bench-XXXXXX)
cluster=$work/cluster
sshd_pid= redis_pid=
cleanup() {
  if [ -n "$sshd_pid" ]; then kill "$sshd_pid" 2>/dev/null || true; fi
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; fi
  "$root/deploy/cluster.sh" down --dir "$work/idle-cluster" >/dev/null 2>&1 || true
  "$root/deploy/cluster.sh" down --dir "$cluster" >/dev/null 2>&1 || true
  if [ -n "${IMGSHARE_BENCH_KEEP:-}" ]; then
    mkdir -p "$IMGSHARE_BENCH_KEEP" && cp "$work"/*.json "$work"/*.err "$IMGSHARE_BENCH_KEEP"/ 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=deploy/free-ports.sh
. "$root/deploy/free-ports.sh"

# 5,000 idle clients need as many descriptors in the broker and in imgshare-load.
ulimit -n "$(ulimit -Hn)"
export IMGSHARE_PASSPHRASE="bench passphrase" IMGSHARE_TEST_FAST_KDF=1
base=$(free_base 4)
# The per-user guards against abuse (500 requests/s, 4 pending uploads) would cap the
# load generator's few users; the bench measures the servers, so it lifts them.
# The idle clients are thousands of new keys from one address: the handshake limit too.
export IMGSHARE_BROKER_ARGS="--rate-limit 100000000/s --rate-burst 100000000 --handshake-limit 100000000/s --handshake-burst 100000000"
export IMGSHARE_STORAGE_ARGS="--max-pending-uploads 1000"
# 5,000 idle links hold ~340 MiB of ZeroMQ buffers in the broker: over cluster.sh's limit.
export IMGSHARE_BROKER_MEMORY_MAX=${IMGSHARE_BROKER_MEMORY_MAX:-1G}
"$root/deploy/cluster.sh" up --dir "$cluster" --base-port "$base" >&2

echo "## machine"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "cpu: $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); memory: $(free -g | awk '/Mem:/ {print $2}') GiB; kernel $(uname -r)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$quick" = 1 ] && echo "QUICK RUN: smaller rows, figures not to be quoted"

# ---- imgshare-load rows --------------------------------------------------------------
cpu_ticks() {  # "steal total" of the whole machine since boot, from /proc/stat
  awk '/^cpu / { total = 0; for (i = 2; i <= NF; i++) total += $i; print $9, total; exit }' /proc/stat
}
load() {  # name, then imgshare-load flags; a failed run is reported in its row, not fatal
  local name=$1; shift
  echo "bench: $name: imgshare-load $*" >&2
  local before status=0
  before=$(cpu_ticks)
  "$bin/imgshare-load" --broker "tcp://127.0.0.1:$base" --trust "$cluster/trust" \
    --home "$work/load" --json "$@" >"$work/$name.json" 2>"$work/$name.err" || status=$?
  # shellcheck disable=SC2086
  set -- $before $(cpu_ticks)
  calc "100 * ($3 - $1) / ($4 - $2 + 0.001)" 0 >"$work/$name.steal"
  echo "bench: $name: steal $(cat "$work/$name.steal")%" >&2
  if [ "$status" != 0 ]; then
    echo "bench: $name failed: $(grep '^error:' "$work/$name.err" | tail -1)" >&2
    rm -f "$work/$name.json"
    return 1
  fi
  local errors
  errors=$(jq '[.operations[].errors] | add' "$work/$name.json")
  [ "$errors" = 0 ] || echo "bench: $name: $errors failed operations: $(jq -c '[.operations[] | .errors_by_code]' "$work/$name.json")" >&2
}
ok() { [ -f "$work/$1.json" ]; }
steal() {  # the steal of each named run that ran: "12%" or "3%, 40%"
  local name out=
  for name in "$@"; do
    [ -f "$work/$name.steal" ] && out="${out:+$out, }$(cat "$work/$name.steal")%"
  done
  echo "${out:--}"
}
failure() { grep '^error:' "$work/$1.err" | tail -1 | sed 's/^error: //; s/|/\\|/g'; }
j() { jq -r "$2" "$work/$1.json"; }
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }

load post-big --clients 1 --count "$big_count" --mix post=1 --size "$big" || true
load download-big --clients 1 --count "$big_count" --mix download=1 --size "$big" --verify all || true
load post-small --clients 32 --count "$small_posts" --mix post=1 --size 100KiB || true
load post-small-e2e --clients 32 --count "$small_posts" --mix post=1 --size 100KiB --e2e-recipients 3 || true
load download-small --clients 32 --count "$small_downloads" --mix download=1 --size 100KiB --verify none || true
load list --clients 4 --window 64 --duration "$list_time" --mix list=1 || true
# NEW_IMAGE fan-out against Redis 7 pub/sub on this host (its own server, no persistence),
# alternating, 3 runs each: the same subscribers, posts and rate (tests/bench/redis_fanout_peer.cpp).
redis_port=$(free_base 1)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  --maxclients 10000 --dir "$work" >"$work/redis.log" 2>&1 &
redis_pid=$!
for run in 1 2 3; do
  load "fanout-$run" --clients 1 --subscribers "$subscribers" --count "$fanout_posts" --rate 20 --mix post=1 --size 10KiB || true
  echo "bench: redis-fanout-$run" >&2
  "$bin/redis_fanout_peer" --port "$redis_port" --subscribers "$subscribers" --count "$fanout_posts" \
    --rate 20 --payload 100 >"$work/redis-fanout-$run.json" 2>"$work/redis-fanout-$run.err" ||
    { echo "bench: redis-fanout-$run failed: $(tail -1 "$work/redis-fanout-$run.err")" >&2; rm -f "$work/redis-fanout-$run.json"; }
done
kill "$redis_pid" 2>/dev/null || true
wait "$redis_pid" 2>/dev/null || true
redis_pid=
others=(--clients 8 --duration "$idle_time" --rate 400 --mix download=50,list=50 --size 100KiB --verify none)
load idle-none "${others[@]}" || true
load idle-none-again "${others[@]}" || true
# If the broker cannot hold them all, the largest number tried that it could hold is reported too.
idle_tried=()
for count in "${idle_counts[@]}"; do
  idle_tried+=("$count")
  load "idle-$count" "${others[@]}" --idle-clients "$count" && break
done
# Like the baseline, the figure with idle clients is the better of two runs.
load "idle-${idle_tried[-1]}-again" "${others[@]}" --idle-clients "${idle_tried[-1]}" || true

peak_mib() {  # of a running process, or why not
  local kib
  kib=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null || true)
  if [ -n "$kib" ]; then calc "$kib / 1024"; else echo "(exited)"; fi
}
cluster_broker_mib=$(peak_mib "$(cat "$cluster/pids/broker.pid")")
cluster_storage_mib=$(peak_mib "$(cat "$cluster/pids/storage.pid")")

# ---- the storage node's fsync floor, on the cluster's disk ---------------------------
echo "bench: fsync rate" >&2
# A failed micro-benchmark leaves its cell "failed", not the whole table missing.
fsyncs=failed
if TMPDIR=$work "$bin/storage_commit_bench" --benchmark_filter='BM_StoreSyncedWrite' \
  --benchmark_min_time=2 --benchmark_format=json >"$work/fsync.json" 2>"$work/fsync.err"; then
  fsyncs=$(calc "$(jq '.benchmarks[0].items_per_second' "$work/fsync.json")" 0)
else
  echo "bench: storage_commit_bench failed: $(tail -1 "$work/fsync.err")" >&2
fi

# ---- the bare 3-hop CURVE relay, no imgshare code in it (tests/bench/relay_bench.cpp) ----
echo "bench: CURVE relay" >&2
relay_mb_8=failed relay_mb_16=failed relay_small=failed
if "$bin/relay_bench" --benchmark_min_time=2 --benchmark_format=json >"$work/relay.json" \
  2>"$work/relay.err"; then
  relay() {  # the run's name: 262144/8, 262144/16 or 64/64; MB/s or messages/s
    jq -r --arg name "BM_CurveRelay/$1/real_time" --arg what "$2" \
      '.benchmarks[] | select(.name == $name) | .[$what]' "$work/relay.json"
  }
  relay_mb_8=$(calc "$(relay 262144/8 bytes_per_second) / 1e6" 0)
  relay_mb_16=$(calc "$(relay 262144/16 bytes_per_second) / 1e6" 0)
  relay_small=$(calc "$(relay 64/64 items_per_second)" 0)
else
  echo "bench: relay_bench failed: $(tail -1 "$work/relay.err")" >&2
fi

# ---- scp of the same size to localhost ----------------------------------------------
echo "bench: scp" >&2
ssh_dir=$work/ssh
mkdir -p "$ssh_dir" && chmod 700 "$ssh_dir"
ssh-keygen -q -t ed25519 -N '' -f "$ssh_dir/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$ssh_dir/user_key"
cp "$ssh_dir/user_key.pub" "$ssh_dir/authorized_keys" && chmod 600 "$ssh_dir/authorized_keys"
ssh_port=$(free_base 1)
cat >"$ssh_dir/sshd_config" <<CONFIG
Port $ssh_port
ListenAddress 127.0.0.1
HostKey $ssh_dir/host_key
PidFile $ssh_dir/sshd.pid
AuthorizedKeysFile $ssh_dir/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
Subsystem sftp internal-sftp
CONFIG
[ "$(id -u)" -ne 0 ] || mkdir -p /run/sshd  # sshd's privilege separation directory
/usr/sbin/sshd -D -e -f "$ssh_dir/sshd_config" 2>"$ssh_dir/sshd.log" &
sshd_pid=$!
for _ in $(seq 1 100); do port_free "$ssh_port" || break; sleep 0.1; done
{ printf '\x89PNG\r\n\x1a\n'; head -c $((big_bytes - 8)) /dev/urandom; } >"$work/image.png"
scp_best=0
for attempt in 1 2; do
  rm -f "$ssh_dir/copy.png"
  start=$(date +%s.%N)
  scp -q -P "$ssh_port" -i "$ssh_dir/user_key" -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR \
    "$work/image.png" "$(id -un)@127.0.0.1:$ssh_dir/copy.png"
  end=$(date +%s.%N)
  rate=$(calc "$big_bytes / 1e6 / ($end - $start)")
  scp_best=$(awk -v a="$scp_best" -v b="$rate" 'BEGIN { print (b > a ? b : a) }')
done
cmp -s "$work/image.png" "$ssh_dir/copy.png" || { echo "bench: the scp copy differs" >&2; exit 1; }
rm -f "$work/image.png" "$ssh_dir/copy.png"
# `imgshare post` / `download` as a user runs them, against scp with this sshd, alternating.
echo "bench: user commands" >&2
user_sizes=(200 20 2)
[ "$quick" = 1 ] && user_sizes=(20 2)
mkdir -p "$work/user"
"$root/deploy/user-bench.sh" "tcp://127.0.0.1:$base" "$cluster/trust" "$ssh_port" \
  "$ssh_dir/user_key" "$work/user" "${user_sizes[@]}" >"$work/user-rows.md" ||
  echo "| user commands | failed: see above | - | - | - | - |" >"$work/user-rows.md"
kill "$sshd_pid" 2>/dev/null || true
wait "$sshd_pid" 2>/dev/null || true
sshd_pid=
# The gallery with many images: its first screen in chromium against `imgshare download`
# one by one, and its peak memory (deploy/gallery-bench.sh).
echo "bench: gallery" >&2
gallery_images=200
[ "$quick" = 1 ] && gallery_images=60
"$root/deploy/gallery-bench.sh" "tcp://127.0.0.1:$base" "$cluster/trust" "$work/gallery" \
  "$gallery_images" >"$work/gallery-rows.md" ||
  echo "| gallery | failed: see above | - | - | - | - |" >"$work/gallery-rows.md"
rm -f "$work/image.png" "$ssh_dir/copy.png"

# The user commands and the gallery ran against it; the cluster is done.
"$root/deploy/cluster.sh" down --dir "$cluster" >&2

# ---- deleted images give their space back (issue #21), on a cluster of its own ----------
echo "bench: space after deletions" >&2
space_args=()
[ "$quick" = 1 ] && space_args=(--quick)
"$root/deploy/space-bench.sh" "$work/space" "$(free_base 4)" "${space_args[@]}" \
  >"$work/space-rows.md" ||
  echo "| space after deletions | failed: see above | - | - | - | - |" >"$work/space-rows.md"

# ---- what the certificate log costs users (issue #22), against the build before it -------
echo "bench: the certificate log's cost" >&2
log_cost_args=()
[ "$quick" = 1 ] && log_cost_args=(--rounds 10 --users 200)
"$root/deploy/log-cost-bench.sh" "${log_cost_args[@]}" >"$work/log-cost.md" ||
  echo "## the certificate log's cost: failed (see above)" >"$work/log-cost.md"

# ---- the broker's memory per idle connection, on a fresh cluster (issue #27) ---------
# VmRSS of a broker that has served nothing yet, then its highest while N idle clients are
# connected; beside it, libzmq alone with the broker's socket options
# (tests/bench/idle_link_memory_peer.cpp), with and without a ZAP handler.
echo "bench: broker memory per idle connection" >&2
idle_links=${idle_counts[0]}
idle_cluster=$work/idle-cluster
rss_kib() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null || echo 0; }
idle_link_kib=failed
idle_port=$(free_base 4)
if "$root/deploy/cluster.sh" up --dir "$idle_cluster" --base-port "$idle_port" >&2; then
  idle_broker=$(cat "$idle_cluster/pids/broker.pid")
  idle_rss_before=$(rss_kib "$idle_broker")
  echo 0 >"$work/idle-rss-peak"
  ( peak=0; while kill -0 "$idle_broker" 2>/dev/null; do
      now=$(rss_kib "$idle_broker"); (( now > peak )) && { peak=$now; echo "$peak" >"$work/idle-rss-peak"; }
      sleep 0.2; done ) &
  sampler=$!
  if "$bin/imgshare-load" --broker "tcp://127.0.0.1:$idle_port" \
      --trust "$idle_cluster/trust" --home "$work/load-idle" --json --clients 1 --mix list=1 --rate 10 \
      --duration 5s --idle-clients "$idle_links" >"$work/idle-memory.json" 2>"$work/idle-memory.err"; then
    idle_link_kib=$(calc "($(cat "$work/idle-rss-peak") - $idle_rss_before) / $idle_links")
  else
    echo "bench: idle-memory failed: $(tail -1 "$work/idle-memory.err")" >&2
  fi
  kill "$sampler" 2>/dev/null || true
  "$root/deploy/cluster.sh" down --dir "$idle_cluster" >&2
fi
peer_link() {  # on|off: libzmq's KiB per idle link, with or without ZAP
  "$bin/idle_link_memory_peer" --connections "$idle_links" --zap "$1" 2>"$work/idle-peer-$1.err" |
    jq -r '.kib_per_connection' 2>/dev/null || echo failed
}
peer_link_zap=$(peer_link on)
peer_link_bare=$(peer_link off)

# ---- peak resident memory for one image of each size ---------------------------------
echo "bench: memory" >&2
memory_sizes=(20 200)
[ "$quick" = 1 ] && memory_sizes=(2 20)
# The client's own key derivation is part of its peak: measure with the real one.
env -u IMGSHARE_TEST_FAST_KDF "$root/deploy/measure-memory.sh" "${memory_sizes[@]}" >"$work/memory.md"
memory_row=$(tail -1 "$work/memory.md")
field() { echo "$memory_row" | awk -F'|' -v n="$1" '{ gsub(/ /, "", $n); print $n }'; }
client_mib=$(awk -v a="$(field 3)" -v b="$(field 4)" 'BEGIN { print (a > b ? a : b) }')
broker_mib=$(field 5)
storage_mib=$(field 6)

# ---- the table ----------------------------------------------------------------------
# A row whose run failed shows the error instead of a figure.
figure() {  # run name, jq expression, decimals, unit
  if ok "$1"; then echo "$(calc "$(j "$1" "$2")" "$3")${4:+ $4}"; else echo "failed: $(failure "$1")"; fi
}
ratio() {  # run name, awk expression over x (the figure)
  if ok "$1"; then awk -v x="$(j "$1" "$3")" "BEGIN { printf \"%.2f\", $2 }"; else echo "-"; fi
}
best_goal=$(awk -v s="$scp_best" 'BEGIN { g = 1.5 * s; print (g > 150 ? g : 150) }')
idle_last=${idle_tried[${#idle_tried[@]}-1]}
idle_cell="-"; idle_ratio="-"
# The baseline is the better of two runs without idle clients: one slow moment
# in a single run made the goal look easier than it is.
idle_base=idle-none
if ok idle-none-again && { ! ok idle-none || awk -v a="$(j idle-none-again '.operations.list.latency_ms.p99')" \
    -v b="$(j idle-none '.operations.list.latency_ms.p99')" 'BEGIN { exit !(a < b) }'; }; then
  idle_base=idle-none-again
fi
if ok "$idle_base"; then
  idle_none=$(j "$idle_base" '.operations.list.latency_ms.p99')
  idle_none_dl=$(j "$idle_base" '.operations.download.latency_ms.p99')
  idle_many_run=idle-$idle_last
  if ok "idle-$idle_last-again" && { ! ok "idle-$idle_last" || awk -v a="$(j "idle-$idle_last-again" '.operations.list.latency_ms.p99')" \
      -v b="$(j "idle-$idle_last" '.operations.list.latency_ms.p99')" 'BEGIN { exit !(a < b) }'; }; then
    idle_many_run=idle-$idle_last-again
  fi
  if ok "$idle_many_run"; then
    idle_many=$(j "$idle_many_run" '.operations.list.latency_ms.p99')
    idle_many_dl=$(j "$idle_many_run" '.operations.download.latency_ms.p99')
    idle_cell="$idle_last idle: LIST p99 $(calc "$idle_many" 2) ms vs $(calc "$idle_none" 2) ms with none (each the better of 2 runs); download p99 $(calc "$idle_many_dl" 2) vs $(calc "$idle_none_dl" 2) ms"
    idle_ratio=$(calc "2 * $idle_none / ($idle_many + 0.001)" 2)
  fi
  for count in "${idle_tried[@]}"; do
    ok "idle-$count" || idle_cell="$count idle: failed: $(failure "idle-$count"); $idle_cell"
  done
  [ "${idle_tried[0]}" = "$idle_last" ] || idle_ratio="< 1 (${idle_tried[0]} not held)"
fi

echo
echo "## goals ($([ "$quick" = 1 ] && echo "QUICK: ")$big images for the large rows)"
echo
echo "| measure | imgshare | peer or limit | goal | ratio | steal |"
echo "|---|---|---|---|---|---|"
echo "| one $big post, end to end, durable | $(figure post-big .operations.post.mb_per_s 1 MB/s) | scp $(calc "$scp_best") MB/s; bare relay $relay_mb_8 MB/s (8 chunks in flight, as the client), $relay_mb_16 (16) | >= 150 MB/s and >= 1.5x scp ($(calc "$best_goal") MB/s) | $(ratio post-big "x / $best_goal" .operations.post.mb_per_s) | $(steal post-big) |"
echo "| one $big download, verified | $(figure download-big .operations.download.mb_per_s 1 MB/s) | bare relay $relay_mb_8 MB/s (8 in flight) | >= 180 MB/s | $(ratio download-big "x / 180" .operations.download.mb_per_s) | $(steal download-big) |"
cat "$work/user-rows.md"
cat "$work/gallery-rows.md"
cat "$work/space-rows.md"
echo "| 100 KiB posts, 32 clients, durable | $(figure post-small .operations.post.ops_per_s 0 posts/s) | $fsyncs fsyncs/s (one writer, this disk) | >= 1,000 posts/s | $(ratio post-small "x / 1000" .operations.post.ops_per_s) | $(steal post-small) |"
echo "| 100 KiB end-to-end posts for 3 recipients, 32 clients, durable | $(figure post-small-e2e .operations.post.ops_per_s 0 posts/s) | the escrow row above | no goal of its own | $(if ok post-small-e2e && ok post-small; then calc "$(j post-small-e2e .operations.post.ops_per_s) / $(j post-small .operations.post.ops_per_s)" 2; else echo -; fi) of escrow | $(steal post-small-e2e) |"
echo "| 100 KiB downloads, 32 clients (unverified) | $(figure download-small .operations.download.ops_per_s 0 downloads/s) | - | >= 1,500 downloads/s | $(ratio download-small "x / 1500" .operations.download.ops_per_s) | $(steal download-small) |"
echo "| LIST through the broker, CURVE (4 clients x 64 in flight) | $(figure list .operations.list.ops_per_s 0 requests/s) | bare relay $relay_small/s (64 in flight, one client) | >= 25,000 requests/s | $(ratio list "x / 25000" .operations.list.ops_per_s) | $(steal list) |"
for run in 1 2 3; do
  fanout_got="-" redis_cell="failed" fanout_ratio="-"
  ok "fanout-$run" && fanout_got="$(j "fanout-$run" '.notifications.received') of $(j "fanout-$run" '.notifications.expected') delivered"
  if [ -f "$work/redis-fanout-$run.json" ]; then
    redis_p99=$(jq '.delay_ms.p99' "$work/redis-fanout-$run.json")
    redis_cell="Redis pub/sub p99 $(calc "$redis_p99") ms ($(jq '.received' "$work/redis-fanout-$run.json") of $(jq '.expected' "$work/redis-fanout-$run.json"))"
    ok "fanout-$run" && fanout_ratio=$(ratio "fanout-$run" "2 * $redis_p99 / (x + 0.001)" .notifications.delay_ms.p99)
  fi
  echo "| NEW_IMAGE fan-out to $subscribers subscribers (20 posts/s), run $run of 3 alternating | p99 $(figure "fanout-$run" .notifications.delay_ms.p99 1 ms) ($fanout_got) | $redis_cell | p99 < 100 ms and <= 2x Redis | $fanout_ratio (of 2x Redis); $(ratio "fanout-$run" "100 / (x + 0.001)" .notifications.delay_ms.p99) (of 100 ms) | $(steal "fanout-$run") |"
done
echo "| connected idle clients (others: 400 ops/s) | $idle_cell | - | ${idle_counts[0]}, p99 < 2x the figure with none | $idle_ratio | $(steal idle-none idle-none-again "idle-$idle_last" "idle-$idle_last-again") |"
idle_link_ratio="-"
[ "$idle_link_kib" = failed ] || idle_link_ratio=$(calc "32 / $idle_link_kib" 2)
echo "| broker memory per idle client connection ($idle_links connected, a fresh broker) | $idle_link_kib KiB | libzmq alone, the broker's socket options: $peer_link_zap KiB with a ZAP handler, $peer_link_bare without | <= 32 KiB | $idle_link_ratio | - |"
echo "| peak resident memory, ${memory_sizes[1]} MiB image | client $client_mib MiB, broker $broker_mib MiB, storage $storage_mib MiB | under this bench: broker $cluster_broker_mib MiB, storage $cluster_storage_mib MiB | client, broker < 64 MiB; storage < 192 MiB | $(awk -v c="$client_mib" -v b="$broker_mib" -v s="$storage_mib" 'BEGIN { r = 64 / c; if (64 / b < r) r = 64 / b; if (192 / s < r) r = 192 / s; printf "%.2f", r }') | - |"
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "## memory per image size (deploy/measure-memory.sh ${memory_sizes[*]})"
echo
cat "$work/memory.md"
echo
sed -n "/^## the certificate log's cost/,\$p" "$work/log-cost.md"
echo
# The RADOS backend's rows (issue #26), on its own Ceph cluster: root only, as deploy/ceph.sh.
if [ "${IMGSHARE_BENCH_RADOS:-1}" != 0 ] && [ "$(id -u)" -eq 0 ]; then
  "$root/deploy/rados-bench.sh" $([ "$quick" = 1 ] && echo --quick) || echo "RADOS rows failed: see above"
else
  echo "RADOS rows skipped (IMGSHARE_BENCH_RADOS=0, or not root)"
fi
echo
echo "## handshake flood (HandshakeFloodBench, tests/integration/handshake_flood_test.cpp)"
echo
echo "Median of one user's \`imgshare list\` before and while 1,500 fresh-key handshakes come from"
echo "another loopback address or from the user's own (the flooder under SCHED_IDLE), each cluster in a"
echo "private network namespace: with the kernel's limit on new connections per source"
echo "(deploy/connection-limit.sh) in front of the broker's default limit, and with the broker's"
echo "limit alone (at ZAP, after the CURVE handshake)."
echo
for limit in "kernel limit 50/s, burst 200 (deploy/connection-limit.sh) + broker's default|50/s 200" \
  "broker's default limit alone (--handshake-limit 50/s --handshake-burst 200)|"; do
  echo "- ${limit%%|*}:"
  IMGSHARE_BENCH_CONNECTION_LIMIT=${limit#*|} "$bin/integration_tests" --gtest_also_run_disabled_tests \
    --gtest_filter='HandshakeFloodBench.*' 2>&1 | sed -n 's/^handshake flood /  - /p; s/^.*Failure$/  - FAILED: see below/p' || true
done
