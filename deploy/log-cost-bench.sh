#!/usr/bin/env bash
# What the certificate log and its witness (issue #22, docs/TRANSPARENCY.md) cost users, side
# by side in one run with the system from before the log (the baseline, default 1e4f61c).
#
#   deploy/log-cost-bench.sh [--rounds N] [--users N] [--baseline-rev REV] [--work DIR] [--keep]
#
# Two clusters on free loopback ports: this tree's (deploy/cluster.sh: CA, witness, storage
# node, broker; executables from IMGSHARE_BIN, default build/bin) and the baseline's, started
# by the baseline tree's own deploy/cluster.sh with its own executables (it has no witness).
# The baseline's imgshare, imgshare-ca, imgshare-broker and imgshare-storage are built once
# (cmake + ninja at nice 19, from `git archive REV`) into IMGSHARE_BASELINE_CACHE (default
# ~/.cache/imgshare-baseline-REV: src/ and build/) and reused; IMGSHARE_BASELINE_BIN names
# ready ones instead (then the baseline's deploy/ scripts still come from `git archive REV`).
# In each cluster alice, bob, carol and dave register, timed, alternating between the systems
# (IMGSHARE_TEST_FAST_KDF=1: the keystore's unlock is ~1 ms, so the figures are the commands'
# network and checks, not Argon2id). Then, after one untimed warm-up of each, N rounds (default
# 60, about a minute), each round timing with wall clocks
#   `imgshare whois bob`                              baseline, then this build (or the
#   `imgshare post IMAGE --to bob,carol,dave`          other way round: alternating each round)
# as alice, IMAGE a real ~100 KiB PNG (deploy/make-test-images.py). Then, unless --users 0,
# build/bin/log_disk_use (tests/bench/log_disk_use.cpp) registers N users (default 1000) in a
# fresh registry of this build and reports the log's bytes per entry.
#
# Prints the machine, then a Markdown table: command | baseline median / p90 | this build
# median / p90 | ratio (this / baseline) of the medians and of the p90s | the goal (<= 1.10,
# i.e. at most 10% slower); then the log's bytes per entry: logical (the entry and its index,
# keys and values) and in RocksDB's tables after a flush and compaction, beside the rest of the
# registry per user. `register` is reported too (4 each: median / max), with no goal. Exits 0
# whatever the ratios (a failed command exits 1). Both clusters are stopped by their own
# cluster.sh on exit; the work directory (default a temporary one, removed unless --keep;
# --work DIR is kept) holds the clusters, the homes and each command's times.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${IMGSHARE_BIN:-$root/build/bin}
rounds=60 users=1000 baseline_rev=1e4f61c work='' keep=0
usage() { sed -n '2,31p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --users) users=$2; shift 2 ;;
    --baseline-rev) baseline_rev=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "log-cost-bench: unknown option $1" >&2; usage 2 ;;
  esac
done
case "$rounds" in ''|*[!0-9]*|0) echo "log-cost-bench: --rounds wants a number >= 1" >&2; exit 2 ;; esac
case "$users" in ''|*[!0-9]*) echo "log-cost-bench: --users wants a number" >&2; exit 2 ;; esac
for tool in imgshare imgshare-ca imgshare-broker imgshare-storage imgshare-witness; do
  [ -x "$bin/$tool" ] || { echo "log-cost-bench: $bin/$tool missing; build it first" >&2; exit 1; }
done
baseline_commit=$(git -C "$root" rev-parse --short "$baseline_rev^{commit}") ||
  { echo "log-cost-bench: $baseline_rev is not a commit of $root" >&2; exit 1; }

if [ -z "$work" ]; then work=$(mktemp -d /tmp/imgshare-log-cost-XXXXXX); else mkdir -p "$work"; keep=1; fi
work=$(cd "$work" && pwd)
now_cluster=$work/now-cluster before_cluster=$work/before-cluster
baseline_src='' baseline_bin=''
cleanup() {
  [ ! -d "$now_cluster" ] || IMGSHARE_BIN=$bin "$root/deploy/cluster.sh" down --dir "$now_cluster" >/dev/null 2>&1 || true
  if [ -d "$before_cluster" ] && [ -n "$baseline_src" ]; then
    IMGSHARE_BIN=$baseline_bin "$baseline_src/deploy/cluster.sh" down --dir "$before_cluster" >/dev/null 2>&1 || true
  fi
  if [ "$keep" = 1 ]; then echo "log-cost-bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# ---- the baseline's executables, built once ----------------------------------------------
cache=${IMGSHARE_BASELINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/imgshare-baseline-$baseline_commit}
if [ -n "${IMGSHARE_BASELINE_BIN:-}" ]; then
  baseline_bin=$IMGSHARE_BASELINE_BIN baseline_src=$work/baseline-src
  mkdir -p "$baseline_src"
  git -C "$root" archive "$baseline_commit" | tar -x -C "$baseline_src"
else
  baseline_src=$cache/src baseline_bin=$cache/build/bin
  if [ ! -f "$cache/src/.complete" ]; then
    rm -rf "$cache/src" && mkdir -p "$cache/src"
    git -C "$root" archive "$baseline_commit" | tar -x -C "$cache/src"
    touch "$cache/src/.complete"
  fi
  built() { for tool in imgshare imgshare-ca imgshare-broker imgshare-storage; do [ -x "$baseline_bin/$tool" ] || return 1; done; }
  if ! built; then
    echo "log-cost-bench: building $baseline_commit's executables into $cache/build (once)" >&2
    cmake -S "$cache/src" -B "$cache/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
    nice -n 19 ninja -C "$cache/build" imgshare imgshare-ca imgshare-broker imgshare-storage >&2
  fi
fi

# ---- two clusters, four users each --------------------------------------------------------
# shellcheck source=deploy/free-ports.sh
. "$root/deploy/free-ports.sh"
export IMGSHARE_PASSPHRASE="bench passphrase" IMGSHARE_TEST_FAST_KDF=1
base=$(free_base 8)
now_port=$base before_port=$((base + 4))  # this build uses 4 ports, the baseline 3
IMGSHARE_BIN=$bin "$root/deploy/cluster.sh" up --dir "$now_cluster" --base-port "$now_port" >&2
IMGSHARE_BIN=$baseline_bin "$baseline_src/deploy/cluster.sh" up --dir "$before_cluster" \
  --base-port "$before_port" >&2

# cli SYSTEM USER ARGS...: that system's imgshare in that user's home.
cli() {
  local system=$1 user=$2; shift 2
  local at=$bin
  [ "$system" = before ] && at=$baseline_bin
  "$at/imgshare" --home "$work/$system-homes/$user" "$@"
}
# timed SYSTEM USER WHAT ARGS...: runs `imgshare ARGS` as USER and appends its wall time (ms)
# to WORK/SYSTEM-WHAT.
timed() {
  local system=$1 user=$2 what=$3; shift 3
  local start end
  start=$EPOCHREALTIME  # bash's own clock: no process of its own inside the time
  if ! cli "$system" "$user" "$@" >/dev/null 2>"$work/last.err"; then
    echo "log-cost-bench: $system: imgshare $* failed: $(tail -1 "$work/last.err")" >&2
    exit 1
  fi
  end=$EPOCHREALTIME
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }' >>"$work/$system-$what"
}
for system in before now; do
  port=$now_port cluster=$now_cluster
  [ "$system" = before ] && port=$before_port cluster=$before_cluster
  for user in alice bob carol dave; do
    cli "$system" "$user" init --broker "tcp://127.0.0.1:$port" --trust "$cluster/trust" >/dev/null
  done
done
# Registration, timed too (4 each, alternating): this build's REGISTER makes a checkpoint and
# waits for the witness's cosignature before it answers.
turn=0
for user in alice bob carol dave; do
  order=(before now)
  [ $((turn++ % 2)) = 0 ] || order=(now before)
  for system in "${order[@]}"; do timed "$system" "$user" register register "$user"; done
done
"$root/deploy/make-test-images.py" "$work/image" 1 100 100
image=$work/image/image-000.png

# ---- the rounds ----------------------------------------------------------------------------
cpu_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print $9, t; exit }' /proc/stat; }
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for system in before now; do  # warm-up, untimed
  cli "$system" alice whois bob >/dev/null
  cli "$system" alice post "$image" --name warm-up --to bob,carol,dave >/dev/null
done
ticks_before=$(cpu_ticks)
echo "log-cost-bench: $rounds rounds" >&2
for round in $(seq 1 "$rounds"); do
  order=(before now)
  [ $((round % 2)) = 0 ] && order=(now before)
  for system in "${order[@]}"; do timed "$system" alice whois whois bob; done
  for system in "${order[@]}"; do
    timed "$system" alice post post "$image" --name "round-$round" --to bob,carol,dave
  done
done
# shellcheck disable=SC2046,SC2086
set -- $ticks_before $(cpu_ticks)
steal=$(awk -v a="$1" -v b="$2" -v c="$3" -v d="$4" 'BEGIN { printf "%.0f", 100 * (c - a) / (d - b + 0.001) }')

# Nearest-rank percentile of a file of numbers.
percentile() { sort -g "$1" | awk -v p="$2" '{ v[NR] = $1 } END { i = int((p * NR + 99) / 100); if (i < 1) i = 1; printf "%.1f", v[i] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# ---- the log's disk use per entry ----------------------------------------------------------
disk=
if [ "$users" != 0 ]; then
  if [ -x "$bin/log_disk_use" ]; then
    echo "log-cost-bench: log_disk_use --users $users" >&2
    disk=$("$bin/log_disk_use" --users "$users" --dir "$work/disk")
  else
    disk="missing: $bin/log_disk_use (ninja -C build log_disk_use)"
  fi
fi

echo "## machine"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); this build: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown); baseline: $baseline_commit"
echo "cpu: $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); kernel $(uname -r)"
echo
echo "## the certificate log's cost ($rounds rounds, alternating; wall time in ms, median / p90)"
echo
echo "| command (as alice) | baseline $baseline_commit | this build | ratio, medians | ratio, p90 | goal |"
echo "|---|---|---|---|---|---|"
# shellcheck disable=SC2016
for what in whois post; do
  label='`imgshare whois bob`'
  [ "$what" = post ] && label='`imgshare post` 100 KiB PNG `--to bob,carol,dave`'
  b50=$(percentile "$work/before-$what" 50) b90=$(percentile "$work/before-$what" 90)
  n50=$(percentile "$work/now-$what" 50) n90=$(percentile "$work/now-$what" 90)
  echo "| $label | $b50 / $b90 | $n50 / $n90 | $(ratio "$n50" "$b50") | $(ratio "$n90" "$b90") | <= 1.10 |"
done
b50=$(percentile "$work/before-register" 50) b100=$(percentile "$work/before-register" 100)
n50=$(percentile "$work/now-register" 50) n100=$(percentile "$work/now-register" 100)
echo "| \`imgshare register\` (once per user; median / max of 4) | $b50 / $b100 | $n50 / $n100 | $(ratio "$n50" "$b50") | $(ratio "$n100" "$b100") (max) | no goal |"
echo
echo "Load average at start: $load_start; at end: $(cut -d' ' -f1-3 /proc/loadavg); steal during the rounds: $steal%."
if [ -n "$disk" ]; then
  echo
  echo "## the log's disk use (log_disk_use --users $users)"
  echo
  case "$disk" in
    \{*)
      field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<<"$disk"; }
      echo "| per entry (a certificate) | bytes |"
      echo "|---|---|"
      echo "| the \`log\` family, logical: entry + index, keys and values | $(field log_logical_bytes_per_entry) (the entry alone $(field log_entry_value_bytes_per_entry)) |"
      echo "| the \`log\` family's tables after flush and compaction | $(field log_sst_bytes_per_entry) |"
      echo "| beside it, the rest of the registry per user: logical / tables | $(field others_logical_bytes_per_user) / $(field others_sst_bytes_per_user) |"
      echo "| the whole registry directory, $users users | $(field directory_bytes) |" ;;
    *) echo "$disk" ;;
  esac
fi
