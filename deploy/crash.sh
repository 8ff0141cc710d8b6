#!/usr/bin/env bash
# Crash test (issue #25; model: RocksDB's blackbox crash test, Jepsen): a real cluster on
# loopback (deploy/cluster.sh), 3 posters posting images of 10 KiB-20 MiB, a watcher
# (imgshare-watch, output to a file) and a downloader, while servers are killed and frozen.
#
#   deploy/crash.sh [--cycles N] [--minutes M] [--seed S] [--dir DIR]
#
# A cycle: the load runs 1-3 s; then a random server (broker, CA or storage node) is killed
# with SIGKILL and restarted (same data dir and ports) until ready, or (one cycle in five)
# frozen with SIGSTOP for 1-4 s and resumed; then everything is checked:
#   - every acknowledged image (a post printed `posted NAME (seq N)`) is listed; else lost;
#   - every listed image downloads byte-identical to what was posted (the new ones each
#     cycle, a rotating sample of 4 old ones, all of them at the end); a listed image that
#     fails to download or differs is a half image (a listed image that vanished is lost);
#   - the watcher reported every committed image within 10 s of the restart: a seq it
#     skipped while reporting later ones is unreported; a watcher that reported nothing
#     new within the bound (or died) is a stuck client, restarted so the run goes on;
#   - its owner deletes (`imgshare delete`) the oldest images verified and reported once
#     more than 40 are: a deleted image that is listed or downloads again is undead. This
#     keeps the disk bounded however long the run (the space comes back, docs/STORAGE.md).
# A poster whose post failed runs the same command again (posts resume and are idempotent).
# It stops after N cycles (default 100) or M minutes, whichever comes first, prints one line
# per 50 cycles and a final table, and exits 1 if anything was lost, half, unreported, stuck
# or undead.
# DIR (new or empty) keeps the cluster, homes and logs; without it a new /tmp/imgshare-crash-XXXXXX
# is used, and removed if the run passed;
# --seed fixes the random choices (faults, their times, image sizes; the interleaving still
# varies; default: from the clock; printed).
# Everything started is stopped by pid on exit, also on Ctrl-C. IMGSHARE_BIN as cluster.sh.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${IMGSHARE_BIN:-$root/build/bin}
usage() { sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

cycles=100 minutes= seed=$(( $(date +%s) % 100000 )) work= cycles_given=0
while [ $# -gt 0 ]; do
  case "$1" in
    --cycles) cycles=$2; cycles_given=1; shift 2 ;;
    --minutes) minutes=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --dir) work=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "crash: unknown option $1" >&2; usage 2 ;;
  esac
done
# --minutes alone runs as many cycles as fit.
[ -n "$minutes" ] && [ "$cycles_given" = 0 ] && cycles=1000000000
for tool in imgshare imgshare-watch imgshare-broker imgshare-ca imgshare-storage imgshare-witness; do
  [ -x "$bin/$tool" ] || { echo "crash: $bin/$tool missing; run deploy/bootstrap.sh" >&2; exit 1; }
done
keep=1
[ -n "$work" ] || { work=$(mktemp -d /tmp/imgshare-crash-XXXXXX); keep=0; }
mkdir -p "$work"
# A run's names and checks start from nothing: a used DIR would hold images of another run.
[ -z "$(ls -A "$work")" ] || { echo "crash: $work is not empty; give a new or empty --dir" >&2; exit 2; }
work=$(cd "$work" && pwd)
cluster=$work/cluster
state=$work/state           # shared with the posters and the downloader: one file per fact
mkdir -p "$state" "$state/deleted" "$work/images" "$work/downloads"
RANDOM=$seed
bound=10                    # seconds a long-lived client has to catch up after a fault
posters=(ann ben cat)
watcher_pid= downloader_pid= poster_pids=() frozen=
started=$SECONDS
deadline=$(( ${minutes:-0} > 0 ? SECONDS + minutes * 60 : 0 ))

export IMGSHARE_PASSPHRASE="crash test passphrase" IMGSHARE_TEST_FAST_KDF=1
imgshare() { "$bin/imgshare" "$@"; }
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >>"$work/crash.log"; }
say() { echo "crash: $*"; log "$*"; }

stop_pid() {  # pid: TERM, then KILL if it has not gone within 5 s
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  trap - EXIT INT TERM
  [ -n "$frozen" ] && kill -CONT "$frozen" 2>/dev/null
  for pid in "${poster_pids[@]}" $downloader_pid $watcher_pid; do stop_pid "$pid"; done
  wait 2>/dev/null || true
  "$root/deploy/cluster.sh" down --dir "$cluster" >/dev/null 2>&1 || true
}
trap cleanup EXIT
interrupted() {
  echo "crash: interrupted after $cycle cycle(s); so far:" >&2
  table >&2 || true
  exit 130
}
cycle=0 lost=0 half=0 unreported=0 stuck=0 undead=0 deleted=0 freezes=0
declare -A kills=([broker]=0 [ca]=0 [storage]=0)
trap interrupted INT TERM

# Four free ports in a row (deploy/cluster.sh's), from a start the seed picks.
. "$root/deploy/free-ports.sh"
base=$(free_base 4 $(( 17400 + (seed % 200) * 10 )))
cluster_up() { "$root/deploy/cluster.sh" up --dir "$cluster" --base-port "$base" >>"$work/cluster.out" 2>&1; }
server_pid() { cat "$cluster/pids/$1.pid"; }

say "seed $seed, dir $work, base port $base, $(if [ -n "$minutes" ]; then echo "$minutes min, "; fi)$(if (( cycles_given )) || [ -z "$minutes" ]; then echo "up to $cycles cycles"; else echo "as many cycles as fit"; fi)"
cluster_up || { cat "$work/cluster.out" >&2; exit 1; }
for user in "${posters[@]}" wat dl chk; do
  imgshare --home "$work/$user" init --broker "tcp://127.0.0.1:$base" --trust "$cluster/trust" >/dev/null
  imgshare --home "$work/$user" register "$user" >/dev/null
done

# ---- the load -------------------------------------------------------------------------------

# A valid image (PNG signature, then random bytes) of 10 KiB-20 MiB, sizes spread evenly
# over the octaves so most posts are small and some are large.
make_image() {  # path
  local octave=$(( RANDOM % 11 )) low
  low=$(( 10240 << octave ))
  local size=$(( low + RANDOM * low / 32768 ))
  { printf '\x89PNG\r\n\x1a\n'; head -c $(( size - 8 )) /dev/urandom; } >"$1"
}

# One poster: posts image after image; a failed post runs the same command again until it
# prints `posted NAME (seq N)`. state/tried/NAME holds the bytes' SHA-256 before the first
# attempt, state/acked/NAME the seq once acknowledged.
poster() {  # user, index
  local user=$1 child= n=0
  RANDOM=$(( seed * 7 + $2 ))
  trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; exit 0' TERM
  mkdir -p "$state/tried" "$state/acked" "$state/attempts"
  while [ ! -e "$state/stop" ]; do
    n=$((n + 1))
    local name="$user-$n" file="$work/images/$user-$n.png"
    make_image "$file"
    sha256sum <"$file" | cut -d' ' -f1 >"$state/tried/$name"
    while [ ! -e "$state/stop" ]; do
      echo >>"$state/attempts/$user"
      "$bin/imgshare" --home "$work/$user" post "$file" --name "$name" \
        >"$work/$user.post.out" 2>"$work/$user.post.err" </dev/null &
      child=$!
      if wait "$child" && grep -q "^posted $name (seq [0-9]*)" "$work/$user.post.out"; then
        sed -n "s/^posted $name (seq \([0-9]*\)).*/\1/p" "$work/$user.post.out" >"$state/acked/$name"
        child=
        break
      fi
      child=
      echo "$(date -u +%H:%M:%S) $name: $(cat "$work/$user.post.err")" >>"$work/$user.post.failures"
      sleep 0.$(( RANDOM % 5 + 1 ))
    done
    # Kept only until acknowledged: the checks compare against the SHA-256.
    [ -e "$state/acked/$name" ] && rm -f "$file"
    # A pause of 1-4 s between posts keeps a cycle's checks short: each cycle downloads
    # every image posted since the last, and at 0-2 s a cycle took 14 s (29 posts).
    sleep "$(( 1 + RANDOM % 3 )).$(( RANDOM % 10 ))"
  done
}

# The downloader: downloads random acknowledged images all along; failures while a server is
# down are expected, but bytes that differ from what was posted never are.
downloader() {
  local child=
  RANDOM=$(( seed * 7 + 99 ))
  trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; exit 0' TERM
  while [ ! -e "$state/stop" ]; do
    local names=("$state"/acked/*)
    [ -e "${names[0]}" ] || { sleep 0.5; continue; }
    local name=${names[RANDOM % ${#names[@]}]##*/} out="$work/downloads/dl.png"
    rm -f "$out"
    "$bin/imgshare" --home "$work/dl" download "$name" -o "$out" >/dev/null 2>"$work/dl.err" </dev/null &
    child=$!
    if wait "$child"; then
      if [ "$(sha256sum <"$out" | cut -d' ' -f1)" != "$(cat "$state/tried/$name")" ]; then
        echo "$name: the downloader's copy differs from what was posted" >>"$state/half"
      fi
    elif grep -qE 'INTEGRITY|BAD_SIGNATURE' "$work/dl.err"; then
      echo "$name: the downloader got $(cat "$work/dl.err")" >>"$state/half"
    fi
    child=
    sleep 1
  done
}

start_watcher() {
  "$bin/imgshare-watch" --home "$work/wat" >>"$work/watch.out" 2>>"$work/watch.err" </dev/null &
  watcher_pid=$!
}

i=0
for user in "${posters[@]}"; do
  poster "$user" "$i" & poster_pids+=($!); i=$((i + 1))
done
downloader & downloader_pid=$!
start_watcher

# ---- faults ---------------------------------------------------------------------------------

servers=(broker ca storage)

# Ready: a new client is admitted (the CA answers the broker), lists (storage) and looks up
# a certificate (CA). Bounded: a cluster that does not come back ends the run.
wait_ready() {
  for _ in $(seq 1 300); do
    if imgshare --home "$work/chk" list >/dev/null 2>&1 &&
       imgshare --home "$work/chk" whois ann >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

fault() {
  local server=${servers[RANDOM % 3]} pid
  pid=$(server_pid "$server")
  if (( RANDOM % 5 == 0 )); then
    local tenths=$(( 10 + RANDOM % 31 ))
    log "cycle $cycle: freeze $server (pid $pid) for $((tenths / 10)).$((tenths % 10)) s"
    frozen=$pid
    kill -STOP "$pid"
    sleep "$((tenths / 10)).$((tenths % 10))"
    kill -CONT "$pid"
    frozen=
    freezes=$((freezes + 1))
  else
    log "cycle $cycle: kill -9 $server (pid $pid)"
    kill -KILL "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    kills[$server]=$(( ${kills[$server]} + 1 ))
    # cluster.sh truncates the log of what it starts: keep the dead one's.
    for stream in out err; do
      cat "$cluster/logs/$server.$stream" >>"$cluster/logs/$server.$stream.history" 2>/dev/null || true
    done
    cluster_up || { say "cycle $cycle: cluster.sh could not restart $server"; return 1; }
  fi
  if ! wait_ready; then
    say "cycle $cycle: the cluster did not become ready within 30 s after $server's fault"
    return 1
  fi
}

# ---- checks ---------------------------------------------------------------------------------
# The checks read what other commands print through files, not process substitutions: bash
# 5.2.15 once hung for good in this shell, waiting for a child it had already reaped (cycle
# 372 of the 1,000-cycle run, docs/RELIABILITY.md); process substitutions, whose children
# bash reaps apart from its jobs, are the likeliest cause.

declare -A verified=()       # name -> 1 once downloaded byte-identical
declare -A counted=()        # name -> 1 once counted as lost/half/unreported (counted once)
half_lines=0                 # lines of state/half already counted
rotation=0

download_check() {  # name: 0 identical; 1 differs or fails
  local name=$1 out="$work/downloads/check.png" err
  rm -f "$out"
  for _ in 1 2 3; do
    if err=$(imgshare --home "$work/chk" download "$name" -o "$out" 2>&1 >/dev/null); then
      [ "$(sha256sum <"$out" | cut -d' ' -f1)" = "$(cat "$state/tried/$name" 2>/dev/null)" ] && return 0
      log "cycle $cycle: $name downloads with other bytes than were posted"
      return 1
    fi
    case "$err" in *NOT_FOUND*|*INTEGRITY*|*BAD_SIGNATURE*) break ;; esac
    sleep 0.5
  done
  log "cycle $cycle: $name is listed but fails to download: $err"
  return 1
}

problem() {  # kind, name, why
  [ -n "${counted[$2]:-}" ] && return
  counted[$2]=1
  case "$1" in
    lost) lost=$((lost + 1)) ;;
    half) half=$((half + 1)) ;;
    unreported) unreported=$((unreported + 1)) ;;
    undead) undead=$((undead + 1)) ;;
  esac
  say "cycle $cycle: $1: $2 ($3)"
}

check() {  # all: 1 to download every image
  local all=$1 listing acked_before
  # Acknowledged before the listing was asked for, so each must be in it.
  acked_before=$(find "$state/acked" -type f -printf '%f\n')
  if ! listing=$(imgshare --home "$work/chk" list 2>&1); then
    say "cycle $cycle: list failed after the cluster was ready: $listing"; return 1
  fi
  declare -A listed=()
  local seq name
  while read -r seq name _; do [ -n "$name" ] && listed[$name]=$seq; done <<<"$listing"
  for name in $acked_before; do
    [ -n "${listed[$name]:-}" ] || problem lost "$name" "acknowledged as seq $(cat "$state/acked/$name"), not listed"
  done
  for name in "${!listed[@]}"; do
    [ -e "$state/deleted/$name" ] && problem undead "$name" "deleted, then listed as seq ${listed[$name]}"
  done
  local old=() fresh=()
  for name in "${!listed[@]}"; do
    if [ -n "${verified[$name]:-}" ]; then old+=("$name"); else fresh+=("$name"); fi
  done
  local sample=("${fresh[@]}")
  if [ "$all" = 1 ]; then
    sample+=("${old[@]}")
  elif [ ${#old[@]} -gt 0 ]; then
    local k
    for k in 0 1 2 3; do sample+=("${old[(rotation + k) % ${#old[@]}]}"); done
    rotation=$((rotation + 4))
  fi
  for name in "${sample[@]}"; do
    [ -n "$name" ] || continue
    if download_check "$name"; then verified[$name]=1
    else
      # Gone meanwhile (listed, then NOT_FOUND) is lost; there but unreadable is half.
      if imgshare --home "$work/chk" list 2>/dev/null | awk '{print $2}' | grep -qx "$name"; then
        problem half "$name" "listed, fails to download or differs; see crash.log"
      else
        problem lost "$name" "was listed, then gone"
      fi
    fi
  done
  # What the downloader saw since the last check (each image counted once).
  if [ -s "$state/half" ]; then
    local line upto
    upto=$(wc -l <"$state/half")
    sed -n "$((half_lines + 1)),${upto}p" "$state/half" >"$state/half.new"
    while IFS= read -r line; do problem half "${line%%:*}" "${line#*: }"; done <"$state/half.new"
    half_lines=$upto
  fi
  check_watcher "${!listed[@]}"
  [ "$all" = 1 ] || prune
}

# The owners delete the oldest images verified and reported while more than `live` are:
# the disk stays bounded. A DELETE that fails (a server down) is tried again next cycle; one
# answered NOT_FOUND was carried out by an earlier try whose answer was lost.
live=40
prune() {
  declare -A reported=()
  local name s err
  reported_by_watcher >"$state/reported"
  while read -r name s; do reported[$name]=1; done <"$state/reported"
  ls -tr "$state/acked" >"$state/acked.order"
  local candidates=()
  while read -r name; do
    [ -n "${verified[$name]:-}" ] && [ -n "${reported[$name]:-}" ] && candidates+=("$name")
  done <"$state/acked.order"
  local excess=$(( ${#candidates[@]} - live ))
  for name in "${candidates[@]:0:$(( excess > 0 ? excess : 0 ))}"; do
    if err=$(imgshare --home "$work/${name%-*}" delete "$name" 2>&1 >/dev/null) ||
       [[ $err == *NOT_FOUND* ]]; then
      mv "$state/acked/$name" "$state/deleted/$name"
      unset "verified[$name]"
      deleted=$((deleted + 1))
      gone_check "$name"
    else
      log "cycle $cycle: deleting $name failed (tried again next cycle): $err"
    fi
  done
}

# A deleted image downloads as NOT_FOUND, nothing else.
gone_check() {  # name
  local err out="$work/downloads/gone.png"
  rm -f "$out"
  if imgshare --home "$work/chk" download "$1" -o "$out" >/dev/null 2>&1; then
    problem undead "$1" "deleted, then downloaded"
  fi
  [ -e "$out" ] && problem undead "$1" "a file of it was written after its deletion"
  rm -f "$out"
}

reported_by_watcher() { awk '$1 == "NEW_IMAGE" {print $2, $4}' "$work/watch.out" 2>/dev/null; }

# The watcher has until fault_time + bound to report every image listed now, and at least
# 2 s more than the downloads took (an image may have committed just before the listing).
check_watcher() {  # the listed names (with seqs in `listed`)
  local names=("$@") missing=() name until=$(( fault_time + bound ))
  (( until >= SECONDS + 3 )) || until=$(( SECONDS + 3 ))
  while :; do
    declare -A seen=()
    local top=0 s
    reported_by_watcher >"$state/reported"
    while read -r name s; do seen[$name]=1; (( s > top )) && top=$s; done <"$state/reported"
    missing=()
    for name in "${names[@]}"; do [ -n "${seen[$name]:-}" ] || missing+=("$name"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    (( SECONDS >= until )) && break
    sleep 0.2
  done
  # A seq below the highest it reported was skipped; beyond it, the watcher is not moving.
  local behind=0
  for name in "${missing[@]}"; do
    if (( ${listed[$name]} < top )); then
      problem unreported "$name" "seq ${listed[$name]} skipped; the watcher reported up to seq $top"
    else
      behind=$((behind + 1))
    fi
  done
  if (( behind > 0 )) || ! kill -0 "$watcher_pid" 2>/dev/null; then
    stuck=$((stuck + 1))
    local last; last=$(tail -n 1 "$work/watch.err" 2>/dev/null || true)
    say "cycle $cycle: stuck client: the watcher (pid $watcher_pid) has not reported $behind committed image(s) ${bound} s after the fault${last:+ (its last error: $last)}; restarting it"
    kill -CONT "$watcher_pid" 2>/dev/null || true  # a stopped process takes TERM only when resumed
    stop_pid "$watcher_pid"
    wait "$watcher_pid" 2>/dev/null || true
    start_watcher
  fi
}

# ---- the run --------------------------------------------------------------------------------

table() {
  local tried acked attempts
  tried=$(find "$state/tried" -type f 2>/dev/null | wc -l)
  # Acknowledged: those still there and those deleted since.
  acked=$(find "$state/acked" "$state/deleted" -type f 2>/dev/null | wc -l)
  attempts=$(cat "$state"/attempts/* 2>/dev/null | wc -l)
  printf '| %-22s | %s |\n' "seed" "$seed" "cycles" "$cycle" "time" "$((SECONDS - started)) s" \
    "posts tried (attempts)" "$tried ($attempts)" "acknowledged" "$acked" "lost" "$lost" \
    "half images" "$half" "unreported" "$unreported" "stuck clients" "$stuck" \
    "deleted (undead)" "$deleted ($undead)" \
    "kills broker/ca/storage" "${kills[broker]}/${kills[ca]}/${kills[storage]}" "freezes" "$freezes"
}

failed=0
while (( cycle < cycles )) && { (( deadline == 0 )) || (( SECONDS < deadline )); }; do
  cycle=$((cycle + 1))
  sleep "$(( 1 + RANDOM % 3 )).$(( RANDOM % 10 ))"
  fault_time=$SECONDS
  fault || { failed=1; break; }
  fault_time=$SECONDS  # the bound runs from when the cluster is back
  check 0 || { failed=1; break; }
  if (( cycle % 50 == 0 )); then
    say "cycle $cycle: $(find "$state/acked" -type f | wc -l) acknowledged, lost $lost, half $half, unreported $unreported, stuck $stuck ($((SECONDS - started)) s)"
  fi
done

# The end: posters finish what they are doing (bounded), then everything is checked.
touch "$state/stop"
for pid in "${poster_pids[@]}" "$downloader_pid"; do
  for _ in $(seq 1 1200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  stop_pid "$pid"
done
poster_pids=() downloader_pid=
if (( failed == 0 )); then
  fault_time=$SECONDS
  check 1 || failed=1
fi
echo
echo "crash: final table (dir $work)"
table | tee -a "$work/crash.log"
if (( failed || lost || half || unreported || stuck || undead )); then
  echo "crash: FAILED (details in $work/crash.log)"
  exit 1
fi
# A passed run in a directory of its own choosing leaves nothing (its images take gigabytes).
if (( keep == 0 )); then cleanup; rm -rf "$work"; echo "crash: OK (removed $work)"
else echo "crash: OK"; fi
