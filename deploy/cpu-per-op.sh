#!/usr/bin/env bash
# The CPU each server spends per operation of one imgshare-load run, against a
# cluster started by `deploy/cluster.sh up --dir DIR`:
#
#   deploy/cpu-per-op.sh DIR [imgshare-load flags ...]
#   e.g. deploy/cpu-per-op.sh /tmp/pc --clients 32 --count 2000 --mix post=1 --size 100KiB
#
# Reads utime + stime of the broker, the storage node and the CA from /proc
# before and after the run and divides by the operations measured (the run's
# setup, registration and sealing included, so prefer runs of thousands of
# operations). Prints one line: operations, errors, rate, then microseconds of
# CPU per operation for each server. This is how docs/BENCHMARKS.md compares
# two builds on a shared machine whose speed drifts: CPU per operation moves
# far less than the rate does.
#
# IMGSHARE_LOAD picks the load generator (default: this checkout's
# build/bin/imgshare-load), IMGSHARE_LOAD_HOME its home (default DIR/load-home).
# The cluster's per-user limits apply: start it with bench.sh's
# IMGSHARE_BROKER_ARGS and IMGSHARE_STORAGE_ARGS for capacity runs.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "${1:-}" in
  ""|-h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
dir=$1; shift
command -v jq >/dev/null || { echo "cpu-per-op: needs jq (deploy/bench.sh installs it)" >&2; exit 1; }
for process in broker storage ca; do
  [ -r "$dir/pids/$process.pid" ] || { echo "cpu-per-op: no $process running under $dir" >&2; exit 1; }
done
endpoint=$(sed -n 's/^broker_endpoint *= *//p' "$dir/trust")
[ -n "$endpoint" ] || { echo "cpu-per-op: $dir/trust names no broker_endpoint" >&2; exit 1; }
load=${IMGSHARE_LOAD:-$root/build/bin/imgshare-load}
home=${IMGSHARE_LOAD_HOME:-$dir/load-home}
export IMGSHARE_PASSPHRASE=${IMGSHARE_PASSPHRASE:-load passphrase} IMGSHARE_TEST_FAST_KDF=1

ticks() { awk '{ print $14 + $15 }' "/proc/$(cat "$dir/pids/$1.pid")/stat"; }
before=("$(ticks broker)" "$(ticks storage)" "$(ticks ca)")
report=$(mktemp)
trap 'rm -f "$report"' EXIT
"$load" --broker "$endpoint" --trust "$dir/trust" --home "$home" --json "$@" >"$report"
after=("$(ticks broker)" "$(ticks storage)" "$(ticks ca)")

operations=$(jq '[.operations[].count] | add' "$report")
[ "$operations" -gt 0 ] || { echo "cpu-per-op: the run measured no operations" >&2; exit 1; }
awk -v n="$operations" -v rate="$(jq '[.operations[].ops_per_s] | add' "$report")" \
  -v errors="$(jq '[.operations[].errors] | add' "$report")" -v hz="$(getconf CLK_TCK)" \
  -v mb="$(jq '[.operations[].mb_per_s // 0] | add' "$report")" \
  -v b=$((after[0] - before[0])) -v s=$((after[1] - before[1])) -v c=$((after[2] - before[2])) \
  'BEGIN { f = 1e6 / hz / n
           printf "ops %d errors %d rate %.0f/s %.1f MB/s | CPU per op: broker %.0f us, storage %.0f us, ca %.0f us\n",
                  n, errors, rate, mb, b * f, s * f, c * f }'
