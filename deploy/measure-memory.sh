#!/usr/bin/env bash
# Peak resident memory of the client, broker and storage node while posting
# and downloading one image, for each size given in MiB (default: 20 200).
# Each size runs on a fresh cluster, so peaks do not carry over.
#   deploy/measure-memory.sh [MIB ...]
# Prints a Markdown table for docs/BENCHMARKS.md.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/build/bin
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(20 200)
export IMGSHARE_PASSPHRASE="measure"

peak_kib() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }

echo "| image | client post (MiB) | client download (MiB) | broker (MiB) | storage (MiB) | post (s) | download (s) |"
echo "|---|---|---|---|---|---|---|"
for mib in "${sizes[@]}"; do
  work=$(mktemp -d /tmp/imgshare-memory-XXXXXX)
  base=$((17400 + RANDOM % 2000 * 3))
  "$root/deploy/cluster.sh" up --dir "$work/cluster" --base-port "$base" >/dev/null
  for user in alice bob; do
    "$bin/imgshare" --home "$work/$user" init --broker "tcp://127.0.0.1:$base" --trust "$work/cluster/trust" >/dev/null
    "$bin/imgshare" --home "$work/$user" register "$user" >/dev/null
  done
  { printf '\x89PNG\r\n\x1a\n'; head -c $((mib * 1024 * 1024 - 8)) /dev/urandom; } >"$work/image.png"
  post_start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/post.kib" "$bin/imgshare" --home "$work/alice" post "$work/image.png" --name big >/dev/null
  post_end=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/download.kib" "$bin/imgshare" --home "$work/bob" download big -o "$work/copy.png" >/dev/null
  download_end=$(date +%s.%N)
  cmp -s "$work/image.png" "$work/copy.png" || { echo "measure: the copy differs" >&2; exit 1; }
  broker=$(peak_kib "$(cat "$work/cluster/pids/broker.pid")")
  storage=$(peak_kib "$(cat "$work/cluster/pids/storage.pid")")
  "$root/deploy/cluster.sh" down --dir "$work/cluster" >/dev/null
  printf '| %s MiB | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f |\n' "$mib" \
    "$(echo "$(tail -1 "$work/post.kib") / 1024" | bc -l)" "$(echo "$(tail -1 "$work/download.kib") / 1024" | bc -l)" \
    "$(echo "$broker / 1024" | bc -l)" "$(echo "$storage / 1024" | bc -l)" \
    "$(echo "$post_end - $post_start" | bc -l)" "$(echo "$download_end - $post_end" | bc -l)"
  rm -rf "$work"
done
