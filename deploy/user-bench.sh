#!/usr/bin/env bash
# `imgshare post` and `imgshare download` as a user runs them (the real keystore KDF, so the
# unlock is included; the post durable, the download verified, written and synced) side by
# side with scp of the same file to and from a loopback sshd, alternating in one run, for
# each size given; also the extra disk in the poster's home while posting (polled) and the
# client's peak resident memory (/usr/bin/time). Called by deploy/bench.sh, which starts the
# cluster and the sshd; prints Markdown table rows.
#
#   deploy/user-bench.sh BROKER TRUST SSH_PORT SSH_KEY WORK SIZE_MIB...
#
# Each figure is the best of 3 runs (the machine is shared: the best is the least disturbed),
# each run of imgshare right after one of scp.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${IMGSHARE_BIN:-$root/build/bin}
broker=$1 trust=$2 ssh_port=$3 ssh_key=$4 work=$5
shift 5
runs=${IMGSHARE_USER_BENCH_RUNS:-3}

home=$work/user-home
export IMGSHARE_PASSPHRASE=${IMGSHARE_PASSPHRASE:-bench passphrase}
# The user's own keystore, with the KDF a user gets.
unset IMGSHARE_TEST_FAST_KDF
"$bin/imgshare" --home "$home" init --broker "$broker" --trust "$trust" >/dev/null
"$bin/imgshare" --home "$home" register "u$RANDOM$RANDOM" >/dev/null

ssh_opts=(-q -P "$ssh_port" -i "$ssh_key" -o StrictHostKeyChecking=no
  -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR)
remote=$(id -un)@127.0.0.1
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > a ? b : a) }'; }
max_of() { best "$@"; }

# Largest size of HOME/uploads while PID runs, in bytes.
poll_home() {
  local pid=$1 peak=0 size
  while kill -0 "$pid" 2>/dev/null; do
    size=$(du -sb "$home/uploads" 2>/dev/null | cut -f1 || echo 0)
    peak=$(max_of "$peak" "${size:-0}")
    sleep 0.05
  done
  echo "$peak"
}

for mib in "$@"; do
  bytes=$((mib << 20))
  image=$work/user-$mib.png
  { printf '\x89PNG\r\n\x1a\n'; head -c $((bytes - 8)) /dev/urandom; } >"$image"
  scp_up=0 scp_down=0 post=0 download=0 home_peak=0 post_rss=0 download_rss=0
  for run in $(seq 1 "$runs"); do
    name=u$mib-$run-$RANDOM
    rm -f "$work/scp-copy.png"
    start=$(now); scp "${ssh_opts[@]}" "$image" "$remote:$work/scp-copy.png"; end=$(now)
    scp_up=$(best "$scp_up" "$(calc "$bytes / 1e6 / ($end - $start)")")

    uploads_before=$(du -sb "$home/uploads" 2>/dev/null | cut -f1 || echo 0)
    start=$(now)
    /usr/bin/time -f %M -o "$work/post.rss" "$bin/imgshare" --home "$home" post "$image" \
      --name "$name" >/dev/null 2>"$work/post.err" &
    pid=$!
    peak=$(poll_home "$pid")
    wait "$pid" || { echo "user-bench: post failed: $(tail -1 "$work/post.err")" >&2; exit 1; }
    end=$(now)
    post=$(best "$post" "$(calc "$bytes / 1e6 / ($end - $start)")")
    home_peak=$(max_of "$home_peak" $((peak - uploads_before)))
    post_rss=$(max_of "$post_rss" "$(tail -1 "$work/post.rss")")

    rm -f "$work/scp-back.png"
    start=$(now); scp "${ssh_opts[@]}" "$remote:$work/scp-copy.png" "$work/scp-back.png"; end=$(now)
    scp_down=$(best "$scp_down" "$(calc "$bytes / 1e6 / ($end - $start)")")

    rm -f "$work/downloaded.png"
    start=$(now)
    /usr/bin/time -f %M -o "$work/download.rss" "$bin/imgshare" --home "$home" download \
      "$name" -o "$work/downloaded.png" >/dev/null 2>"$work/download.err" ||
      { echo "user-bench: download failed: $(tail -1 "$work/download.err")" >&2; exit 1; }
    end=$(now)
    download=$(best "$download" "$(calc "$bytes / 1e6 / ($end - $start)")")
    download_rss=$(max_of "$download_rss" "$(tail -1 "$work/download.rss")")
    cmp -s "$image" "$work/downloaded.png" || { echo "user-bench: the download differs" >&2; exit 1; }
    cmp -s "$image" "$work/scp-back.png" || { echo "user-bench: the scp copy differs" >&2; exit 1; }
  done
  goal=1.0
  [ "$mib" -ge 200 ] && goal=1.5
  echo "| \`imgshare post\` of $mib MiB as run (unlock included), durable | $post MB/s | scp to loopback sshd $scp_up MB/s | >= ${goal}x scp | $(calc "$post / $scp_up / $goal" 2) | peak RSS $(calc "$post_rss / 1024") MiB; extra home disk $home_peak bytes |"
  echo "| \`imgshare download\` of $mib MiB as run, verified, synced | $download MB/s | scp from loopback sshd $scp_down MB/s | >= ${goal}x scp | $(calc "$download / $scp_down / $goal" 2) | peak RSS $(calc "$download_rss / 1024") MiB |"
  rm -f "$image" "$work/scp-copy.png" "$work/scp-back.png" "$work/downloaded.png"
done
