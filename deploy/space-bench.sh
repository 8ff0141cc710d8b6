#!/usr/bin/env bash
# Whether deleted images give their disk space back (issue #21), on a cluster of its own
# (deploy/cluster.sh, RocksDB backend) in WORK on ports from BASE. Called by deploy/bench.sh;
# prints Markdown table rows (measure | imgshare | peer or limit | goal | ratio | steal).
#
#   deploy/space-bench.sh WORK BASE [--quick | --throughput-only]
#
# Row 1: post TOTAL of 100 MiB images, `imgshare delete` every one, then watch the storage
# node's database directory: the goal is its size before the posts + 10% + 64 MiB within
# 5 minutes. Row 2: post and delete continuously for DURATION with 100 KiB-20 MiB images,
# keeping about LIVE of them (the oldest deleted first): the goal is a database never above
# 1.5x the live images' bytes + 256 MiB. Row 3: one 200 MiB post (20 MiB with --quick), with
# the build before deletions and space reclaim ("today's build" of the issue: the commit
# IMGSHARE_REFERENCE_REV, default bf3dfbe^, whose executables are built once into
# WORK/reference-build unless IMGSHARE_REFERENCE_BIN names them) and with this one, each on a
# cluster of its own, alternating, three posts each (this build deletes each image after its
# post, so its reclaim runs beside the next); the median MB/s of each; the goal is at most
# 10% slower. --quick: 400 MiB and 60 s (to check the script). --throughput-only: row 3 alone.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${IMGSHARE_BIN:-$root/build/bin}
work=$1 base=$2 quick=${3:-}
total_mib=2048 duration=600 live_target=$((300 << 20))
[ "$quick" = --quick ] && { total_mib=400; duration=60; live_target=$((100 << 20)); }

cluster=$work/space-cluster
home=$work/space-home
mkdir -p "$work/space-images"
export IMGSHARE_PASSPHRASE=${IMGSHARE_PASSPHRASE:-bench passphrase}
export IMGSHARE_TEST_FAST_KDF=1
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
mib() { calc "$1 / 1048576" 0; }
cleanup() {
  local dir
  for dir in "$cluster" "$work/post-this" "$work/post-reference"; do
    [ -d "$dir" ] && { "$root/deploy/cluster.sh" down --dir "$dir" >/dev/null 2>&1 || true; }
  done
  return 0
}
trap cleanup EXIT
# A PNG-signed file of random bytes (random: nothing compresses it away).
make_image() {  # path bytes
  { printf '\x89PNG\r\n\x1a\n'; head -c $(($2 - 8)) /dev/urandom; } >"$1"
}

if [ "$quick" != --throughput-only ]; then
"$root/deploy/cluster.sh" up --dir "$cluster" --base-port "$base" >&2
database=$(dirname "$(find "$cluster/storage" -name CURRENT -print -quit)")
[ -d "$database" ] || { echo "space-bench: no RocksDB under $cluster/storage" >&2; exit 1; }
# du reports a file that a compaction deleted while it walked (exit 1): its total stands.
db_bytes() { { du -sb "$database" 2>/dev/null || true; } | cut -f1; }
imgshare() { "$bin/imgshare" --home "$home" "$@"; }
imgshare init --broker "tcp://127.0.0.1:$base" --trust "$cluster/trust" >/dev/null
imgshare register "space$RANDOM" >/dev/null


# ---- row 1: post TOTAL, delete it all, watch the space come back --------------------
echo "space-bench: posting $total_mib MiB" >&2
before=$(db_bytes)
count=$((total_mib / 100))
make_image "$work/space-images/big.png" $((100 << 20))
for i in $(seq 1 "$count"); do
  imgshare post "$work/space-images/big.png" --name "big-$i" >/dev/null
done
posted=$(db_bytes)
for i in $(seq 1 "$count"); do imgshare delete "big-$i" >/dev/null; done
deleted_at=$(date +%s.%N)
limit=$(calc "$before * 1.1 + 64 * 1048576" 0)
back_after=never size=$(db_bytes)
while :; do
  size=$(db_bytes)
  elapsed=$(calc "$(date +%s.%N) - $deleted_at")
  if [ "$size" -le "$limit" ]; then back_after=$elapsed; break; fi
  awk -v e="$elapsed" 'BEGIN { exit !(e > 300) }' && break
  sleep 1
done
echo "| space back after deleting $total_mib MiB of images (before $(mib "$before") MiB, with them $(mib "$posted") MiB) | $(mib "$size") MiB after ${back_after} s | ≤ $(mib "$limit") MiB (before + 10% + 64 MiB) | within 300 s | $(calc "$limit / ($size > 0 ? $size : 1)" 2) | - |"

# ---- row 2: post and delete continuously, the database against the live bytes -------
echo "space-bench: posting and deleting for $duration s" >&2
sizes=(102400 1048576 4194304 20971520)
for s in "${sizes[@]}"; do make_image "$work/space-images/$s.png" "$s"; done
live=() live_bytes=0 peak=0 peak_live=0 worst=0 n=0
end=$(( $(date +%s) + duration ))
while [ "$(date +%s)" -lt "$end" ]; do
  s=${sizes[RANDOM % ${#sizes[@]}]}
  n=$((n + 1))
  imgshare post "$work/space-images/$s.png" --name "churn-$n" >/dev/null
  live+=("churn-$n:$s") live_bytes=$((live_bytes + s))
  while [ "$live_bytes" -gt "$live_target" ]; do
    oldest=${live[0]} live=("${live[@]:1}")
    imgshare delete "${oldest%%:*}" >/dev/null
    live_bytes=$((live_bytes - ${oldest##*:}))
  done
  size=$(db_bytes)
  allowed=$(calc "1.5 * $live_bytes + 256 * 1048576" 0)
  if [ "$size" -gt "$peak" ]; then peak=$size peak_live=$live_bytes; fi
  # The worst moment: the database's size against what the goal allows at that moment.
  worst=$(awk -v w="$worst" -v s="$size" -v a="$allowed" 'BEGIN { r = s / a; print (r > w ? r : w) }')
done
echo "| database while posting and deleting for $duration s ($n posts of 100 KiB-20 MiB, ~$(mib "$live_target") MiB live) | peak $(mib "$peak") MiB (live then $(mib "$peak_live") MiB) | ≤ 1.5 × live + 256 MiB | at every moment | $(calc "1 / $worst" 2) | - |"
fi

# ---- row 3: the 200 MiB post, against the build before deletions and reclaim ----------
cleanup
big_mib=200
[ "$quick" = --quick ] && big_mib=20
reference_rev=${IMGSHARE_REFERENCE_REV:-bf3dfbe^}
reference_bin=${IMGSHARE_REFERENCE_BIN:-}
reference_src=$work/reference-src
if [ -z "$reference_bin" ]; then
  reference_build=$work/reference-build
  if [ ! -x "$reference_build/bin/imgshare-storage" ]; then
    echo "space-bench: building $reference_rev's executables for the comparison" >&2
    rm -rf "$reference_src" && mkdir -p "$reference_src"
    git -C "$root" archive "$reference_rev" | tar -x -C "$reference_src"
    cmake -S "$reference_src" -B "$reference_build" -G Ninja \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
    ninja -C "$reference_build" imgshare imgshare-broker imgshare-ca imgshare-storage >&2
  fi
  reference_bin=$reference_build/bin
elif [ ! -d "$reference_src" ]; then
  mkdir -p "$reference_src"
  git -C "$root" archive "$reference_rev" | tar -x -C "$reference_src"
fi
make_image "$work/space-images/post.png" $((big_mib << 20))
# One post of post.png on a fresh cluster of build `which` (this|reference): its MB/s.
timed_post() {  # which round
  local which=$1 round=$2 from=$root at=$bin
  [ "$which" = reference ] && { from=$reference_src; at=$reference_bin; }
  local dir=$work/post-$which home=$work/post-$which-home
  IMGSHARE_BIN=$at "$from/deploy/cluster.sh" up --dir "$dir" --base-port "$base" >&2
  rm -rf "$home"
  "$at/imgshare" --home "$home" init --broker "tcp://127.0.0.1:$base" --trust "$dir/trust" \
    >/dev/null
  "$at/imgshare" --home "$home" register "post$RANDOM" >/dev/null
  local start end rate
  for i in 1 2; do  # the first warms the cluster; the second is timed
    start=$(date +%s.%N)
    "$at/imgshare" --home "$home" post "$work/space-images/post.png" --name "p$round-$i" \
      >/dev/null
    end=$(date +%s.%N)
    [ "$which" = this ] && "$at/imgshare" --home "$home" delete "p$round-$i" >/dev/null
  done
  rate=$(calc "$((big_mib << 20)) / ($end - $start) / 1000000" 1)
  IMGSHARE_BIN=$at "$from/deploy/cluster.sh" down --dir "$dir" >/dev/null 2>&1 || true
  rm -rf "$dir"
  echo "$rate"
}
this_rates=() reference_rates=()
for round in 1 2 3; do
  reference_rates+=("$(timed_post reference "$round")")
  this_rates+=("$(timed_post this "$round")")
done
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
this_rate=$(median "${this_rates[@]}") reference_rate=$(median "${reference_rates[@]}")
echo "| one $big_mib MiB post with deletions and reclaim (this build; each image deleted after its post) | $this_rate MB/s (${this_rates[*]}) | $reference_rate MB/s (${reference_rates[*]}), the build before them ($reference_rev) | ≥ 90% of it | $(calc "$this_rate / (0.9 * $reference_rate)" 2) | - |"
