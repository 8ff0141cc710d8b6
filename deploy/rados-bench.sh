#!/usr/bin/env bash
# The RADOS backend's rows of the benchmarks (issue #26), each beside Ceph's own
# `rados bench` on the same pool in the same run:
#
#   deploy/rados-bench.sh [--quick] [--keep DIR]
#
# Starts a one-host Ceph cluster (deploy/ceph.sh: 1 mon, 1 mgr, 3 OSDs, pool size 2) and,
# on it, `deploy/cluster.sh up --storage-nodes 3 --backend rados`; then, on the pool the
# storage nodes use:
#   - rados bench: 100 KiB writes with 32 in flight and their seq read; 4 MiB writes with
#     16 in flight and their seq read;
#   - imgshare-load: 100 KiB posts and downloads with 32 clients, one 200 MiB post and
#     its verified download;
#   - each storage node's peak resident memory (VmHWM) after all of it;
#   - the CPU-seconds (utime + stime from /proc) per 100 KiB post of the broker, of each
#     storage node and of each OSD, and from them a projection of posts/s for 1, 3 and 10
#     machines with the bottleneck named;
#   - the ceilings of this host, in the same run: the same four loads on a cluster with the
#     embedded RocksDB store (no RADOS in the path: the broker, CURVE and the client as
#     above, a local store instead of the network one; Ceph idle), and the bare 3-hop
#     CURVE relay (relay_bench, 256 KiB messages, 8 in flight). A goal above that ceiling
#     cannot be met by any backend on this host: the row says so.
# Prints Markdown rows for docs/BENCHMARKS.md. Must run as root (deploy/ceph.sh). Stops
# everything it started, by pid, also on Ctrl-C; --keep DIR keeps the runs' JSON there.
# IMGSHARE_BIN as cluster.sh. --quick: fewer and smaller runs, to check the script.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${IMGSHARE_BIN:-$root/build/bin}
quick=0 keep=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --keep) keep=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "rados-bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

"$root/deploy/bootstrap.sh" --rados --packages-only >&2
command -v jq >/dev/null || { echo "rados-bench: needs jq (deploy/bench.sh installs it)" >&2; exit 1; }

seconds=15 posts=3000 downloads=6000 big=200MiB big_bytes=$((200 << 20))
if [ "$quick" = 1 ]; then
  seconds=4 posts=300 downloads=600 big=20MiB big_bytes=$((20 << 20))
fi

work=$(mktemp -d /tmp/imgshare-rados-bench-XXXXXX)
ceph_dir=$work/ceph cluster=$work/cluster
cleanup() {
  "$root/deploy/cluster.sh" down --dir "$cluster" >/dev/null 2>&1 || true
  "$root/deploy/cluster.sh" down --dir "$work/cluster-rocksdb" >/dev/null 2>&1 || true
  "$root/deploy/ceph.sh" down --dir "$ceph_dir" >/dev/null 2>&1 || true
  if [ -n "$keep" ]; then mkdir -p "$keep" && cp "$work"/*.json "$work"/*.out "$keep"/ 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. "$root/deploy/free-ports.sh"
# Ceph wants P..P+219 below the ephemeral range; imgshare four ports above 20000.
ceph_base=16000
while ! port_free "$ceph_base" || ! port_free $((ceph_base + 20)); do ceph_base=$((ceph_base + 220)); done
base=$(free_base 4 $((20000 + RANDOM % 10000)))

echo "rados-bench: starting Ceph in $ceph_dir (base port $ceph_base)" >&2
"$root/deploy/ceph.sh" up --dir "$ceph_dir" --base-port "$ceph_base" >&2
export CEPH_CONF=$ceph_dir/ceph.conf
export IMGSHARE_PASSPHRASE="bench passphrase" IMGSHARE_TEST_FAST_KDF=1
# The per-user guards would cap the load generator's few users; this measures the servers.
export IMGSHARE_BROKER_ARGS="--rate-limit 100000000/s --rate-burst 100000000 --handshake-limit 100000000/s --handshake-burst 100000000"
export IMGSHARE_STORAGE_ARGS="--max-pending-uploads 1000"
IMGSHARE_BIN=$bin "$root/deploy/cluster.sh" up --dir "$cluster" --base-port "$base" \
  --storage-nodes 3 --backend rados --ceph-dir "$ceph_dir" >&2

calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
ticks() {  # utime + stime of each pid given, summed, in clock ticks
  local total=0 pid
  for pid in "$@"; do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
hz=$(getconf CLK_TCK)
broker_pid=$(cat "$cluster/pids/broker.pid")
node_pids=() osd_pids=()
for name in storage storage-2 storage-3; do node_pids+=("$(cat "$cluster/pids/$name.pid")"); done
for pidfile in "$ceph_dir"/run/osd.*.pid; do osd_pids+=("$(cat "$pidfile")"); done

# ---- rados bench on the pool the nodes use --------------------------------------------
rados_bench() {  # name, then `rados bench` arguments
  local name=$1; shift
  echo "rados-bench: rados bench $*" >&2
  rados -p imgshare bench "$@" >"$work/$name.out" 2>&1 || { echo "rados-bench: rados bench $* failed" >&2; tail -3 "$work/$name.out" >&2; }
}
field() { sed -n "s/^$2:[[:space:]]*//p" "$work/$1.out" | head -1; }
rados_bench rados-write-small "$seconds" write -b 102400 -t 32 --no-cleanup --run-name small
rados_bench rados-seq-small "$seconds" seq -t 32 --run-name small
rados_bench rados-write-big "$seconds" write -b 4194304 -t 16 --no-cleanup --run-name big
rados_bench rados-seq-big "$seconds" seq -t 16 --run-name big
rados -p imgshare cleanup --run-name small >/dev/null 2>&1 || true
rados -p imgshare cleanup --run-name big >/dev/null 2>&1 || true

# ---- imgshare-load on three storage nodes ---------------------------------------------
load_base=$base load_cluster=$cluster
load() {  # name, then imgshare-load flags; a failed run shows its error in the row
  local name=$1; shift
  echo "rados-bench: $name: imgshare-load $*" >&2
  "$bin/imgshare-load" --broker "tcp://127.0.0.1:$load_base" --trust "$load_cluster/trust" \
    --home "$work/load-$load_base" --json "$@" >"$work/$name.json" 2>"$work/$name.err" ||
    { echo "rados-bench: $name failed: $(grep '^error:' "$work/$name.err" | tail -1)" >&2; rm -f "$work/$name.json"; }
}
ok() { [ -s "$work/$1.json" ]; }
j() { jq -r "$2" "$work/$1.json"; }

# The CPU of each part around the 100 KiB posts (setup inside: thousands of posts dilute it).
broker_before=$(ticks "$broker_pid")
declare -a node_before osd_before
for i in "${!node_pids[@]}"; do node_before[$i]=$(ticks "${node_pids[$i]}"); done
for i in "${!osd_pids[@]}"; do osd_before[$i]=$(ticks "${osd_pids[$i]}"); done
pool_ops() {  # "reads writes" the pool has served so far (rados df)
  rados df --format json 2>/dev/null | jq -r '.pools[] | select(.name == "imgshare") | "\(.read_ops) \(.write_ops)"'
}
read -r reads_before writes_before <<<"$(pool_ops || echo "0 0")"
load post-small --clients 32 --count "$posts" --mix post=1 --size 100KiB
read -r reads_after writes_after <<<"$(pool_ops || echo "0 0")"
broker_cpu=$(( $(ticks "$broker_pid") - broker_before ))
node_cpu=() osd_cpu=()
for i in "${!node_pids[@]}"; do node_cpu[$i]=$(( $(ticks "${node_pids[$i]}") - node_before[i] )); done
for i in "${!osd_pids[@]}"; do osd_cpu[$i]=$(( $(ticks "${osd_pids[$i]}") - osd_before[i] )); done
load download-small --clients 32 --count "$downloads" --mix download=1 --size 100KiB --verify none
load post-big --clients 1 --count 1 --mix post=1 --size "$big"
load download-big --clients 1 --count 1 --mix download=1 --size "$big" --verify all

node_mib=()
for pid in "${node_pids[@]}"; do
  node_mib+=("$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo exited)")
done

# ---- the ceilings: the same loads with the embedded store, and the bare relay -----------
"$root/deploy/cluster.sh" down --dir "$cluster" >/dev/null 2>&1 || true
load_base=$(free_base 4 $((base + 10))) load_cluster=$work/cluster-rocksdb
IMGSHARE_BIN=$bin "$root/deploy/cluster.sh" up --dir "$load_cluster" --base-port "$load_base" >&2
load ceiling-post-small --clients 32 --count "$posts" --mix post=1 --size 100KiB
load ceiling-download-small --clients 32 --count "$downloads" --mix download=1 --size 100KiB --verify none
load ceiling-post-big --clients 1 --count 1 --mix post=1 --size "$big"
load ceiling-download-big --clients 1 --count 1 --mix download=1 --size "$big" --verify all
"$root/deploy/cluster.sh" down --dir "$load_cluster" >/dev/null 2>&1 || true
relay_mb=
if "$bin/relay_bench" --benchmark_filter='BM_CurveRelay/262144/8/' --benchmark_min_time=2 \
  --benchmark_format=json >"$work/relay.json" 2>"$work/relay.err"; then
  relay_mb=$(jq -r '.benchmarks[0].bytes_per_second / 1e6' "$work/relay.json")
else
  echo "rados-bench: relay_bench failed: $(tail -1 "$work/relay.err")" >&2
fi

# ---- the rows --------------------------------------------------------------------------
rate_of() { field "$1" 'Average IOPS'; }      # objects/s
mb_of() { field "$1" 'Bandwidth (MB\/sec)'; } # MB/s (10^6)
figure() { if ok "$1"; then calc "$(j "$1" "$2")" "${3:-0}"; else echo "failed"; fi; }
ratio() {  # run, jq field, peer figure: imgshare / peer, against the 60% goal
  if ok "$1" && [ -n "$3" ]; then calc "$(j "$1" "$2") / $3 / 0.6" 2; else echo "-"; fi
}
rados_small=$(rate_of rados-write-small) rados_small_seq=$(rate_of rados-seq-small)
rados_big_mb=$(mb_of rados-write-big) rados_big_seq_mb=$(mb_of rados-seq-big)
echo "## RADOS backend: 3 storage nodes, Ceph 1 mon + 3 OSDs, pool size 2 ($(date -u +%Y-%m-%dT%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg)$([ "$quick" = 1 ] && echo ", QUICK: not to quote"))"
echo
# The ceiling of a row: imgshare on the embedded store, same run (the same broker, CURVE
# and client; a local store, which reads and writes for less than the network one). Its
# ratio to the goal: below 1, no backend meets the goal on this host.
ceiling() {  # run, jq field, peer figure
  local figure
  if ! ok "$1" || [ -z "$3" ]; then echo "-"; return; fi
  figure=$(j "$1" "$2")
  echo "$(calc "$figure" 1) ($(calc "$figure / $3 / 0.6" 2)$(awk "BEGIN { if ($figure / $3 / 0.6 < 1) print \": unreachable here\" }"))"
}
echo "| measure | imgshare | rados bench, same pool, same run | goal | ratio to the goal | ceiling: imgshare on RocksDB, same run (its ratio to the goal) |"
echo "|---|---|---|---|---|---|"
echo "| 100 KiB posts/s, 32 clients | $(figure post-small .operations.post.ops_per_s) | write -b 102400 -t 32: ${rados_small:-failed} objects/s | >= 60% | $(ratio post-small .operations.post.ops_per_s "$rados_small") | $(ceiling ceiling-post-small .operations.post.ops_per_s "$rados_small") |"
echo "| 100 KiB downloads/s, 32 clients | $(figure download-small .operations.download.ops_per_s) | seq -t 32: ${rados_small_seq:-failed} objects/s | >= 60% | $(ratio download-small .operations.download.ops_per_s "$rados_small_seq") | $(ceiling ceiling-download-small .operations.download.ops_per_s "$rados_small_seq") |"
echo "| one $big post | $(figure post-big .operations.post.mb_per_s 1) MB/s | 4 MiB write -t 16: ${rados_big_mb:-failed} MB/s | >= 60% | $(ratio post-big .operations.post.mb_per_s "$rados_big_mb") | $(ceiling ceiling-post-big .operations.post.mb_per_s "$rados_big_mb") |"
echo "| one $big download, verified | $(figure download-big .operations.download.mb_per_s 1) MB/s | 4 MiB seq -t 16: ${rados_big_seq_mb:-failed} MB/s | >= 60% | $(ratio download-big .operations.download.mb_per_s "$rados_big_seq_mb") | $(ceiling ceiling-download-big .operations.download.mb_per_s "$rados_big_seq_mb") |"
echo "| storage node peak resident memory (each, after all rows) | ${node_mib[*]} MiB | | < 192 MiB | $(printf '%s\n' "${node_mib[@]}" | awk '$1 + 0 > m { m = $1 + 0 } END { if (m > 0) printf "%.2f", 192 / m; else print "-" }') | |"
echo
echo "The bare 3-hop CURVE relay, no imgshare code in it (relay_bench, 256 KiB, 8 in flight), same run: ${relay_mb:+$(calc "$relay_mb" 0)} MB/s: every large transfer's bytes cross it."
echo
if ok post-small; then
  done_posts=$(j post-small .operations.post.count)
  per_post() { calc "1e6 * $1 / $hz / $done_posts" 0; echo; }  # µs of CPU per post
  node_total=0 osd_total=0
  for t in "${node_cpu[@]}"; do node_total=$((node_total + t)); done
  for t in "${osd_cpu[@]}"; do osd_total=$((osd_total + t)); done
  node_list=$(for t in "${node_cpu[@]}"; do per_post "$t"; done | paste -sd/)
  osd_list=$(for t in "${osd_cpu[@]}"; do per_post "$t"; done | paste -sd/)
  broker_us=$(per_post "$broker_cpu") node_us=$(per_post "$node_total") osd_us=$(per_post "$osd_total")
  echo "CPU per 100 KiB post ($done_posts posts): broker $broker_us µs; storage nodes $node_us µs in all ($node_list); OSDs $osd_us µs in all ($osd_list; pool size 2: two copies). RADOS operations per post (rados df): $(calc "($reads_after - $reads_before) / $done_posts") reads, $(calc "($writes_after - $writes_before) / $done_posts") writes; rados bench writes one object per object."
  echo
  # A machine of 2 cores holds one storage node and its share of the OSDs; the broker is
  # one process on the first machine (its loop is one thread, CURVE on two I/O threads).
  echo "| machines (2 cores each) | posts/s the storage nodes and OSDs allow | posts/s the one broker allows (two cores to itself) | projected | bottleneck |"
  echo "|---|---|---|---|---|"
  for machines in 1 3 10; do
    awk -v m="$machines" -v b="$broker_us" -v s="$node_us" -v o="$osd_us" 'BEGIN {
      data = m * 2 * 1e6 / (s + o);                # every core on storage work
      if (m == 1) data = 2 * 1e6 / (s + o + b);    # the broker shares the first machine
      brk = 2 * 1e6 / b;                           # the broker given two whole cores
      p = data < brk ? data : brk;
      printf "| %d | %.0f | %.0f | %.0f | %s |\n", m, data, brk, p, (data < brk ? "storage nodes + OSDs (CPU)" : "the one broker") }'
  done
fi
