#!/usr/bin/env bash
# A one-host Ceph cluster for imgshare's RADOS backend: 1 mon, 1 mgr, N BlueStore OSDs on
# sparse files, one replicated pool. As root, no systemd; every daemon stopped by its pid.
#
#   deploy/ceph.sh up     --dir DIR [--osds 3] [--pool-size 2] [--pool imgshare]
#                         [--base-port 16780] [--timeout 180: seconds to wait for health]
#   deploy/ceph.sh down   --dir DIR       stop every daemon `up` started (SIGTERM, wait, SIGKILL)
#   deploy/ceph.sh status --dir DIR       the health line and each daemon's pid
#
# `up` creates the cluster on first use and starts it again from DIR's data after `down`; it
# waits until every placement group is active+clean and the health is HEALTH_OK (at most
# --timeout seconds). A client then uses DIR/ceph.conf (`--ceph-conf DIR/ceph.conf`) as
# client.imgshare (read, write and class calls on the pool only), or client.admin; their keys
# are DIR/client.NAME.keyring. Ports, all below the ephemeral range: the mon on P (msgr2) and
# P+1 (msgr1), the other daemons in P+20..P+219, P being --base-port (also --port-base), so
# two clusters with bases 220 apart can run side by side. Why each setting: docs/CEPH_CLUSTER.md.
set -euo pipefail

usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
say() { echo "ceph.sh: $*"; }
die() { echo "ceph.sh: $*" >&2; exit 1; }

command=${1:-}
[ -n "$command" ] || usage 2
shift
dir="" osds=3 pool_size=2 pool=imgshare base_port=16780 timeout=180
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --osds) osds=$2; shift 2 ;;
    --pool-size) pool_size=$2; shift 2 ;;
    --pool) pool=$2; shift 2 ;;
    --base-port|--port-base) base_port=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "ceph.sh: unknown option $1" >&2; usage 2 ;;
  esac
done
[ -n "$dir" ] || die "--dir DIR is required"
case "$command" in up|down|status) ;; *) echo "ceph.sh: unknown command $command" >&2; usage 2 ;; esac
[[ $osds =~ ^[1-9][0-9]?$ ]] || die "--osds must be 1..99"
[[ $pool_size =~ ^[1-9]$ && $pool_size -le $osds ]] || die "--pool-size must be 1..--osds ($osds)"
[[ $base_port =~ ^[0-9]+$ && $base_port -ge 1024 && $((base_port + 219)) -lt 32768 ]] ||
  die "--base-port must be 1024..32548: every port stays below 32768, the ephemeral range"
[[ $pool =~ ^[A-Za-z0-9_.-]+$ ]] || die "--pool: letters, digits, _ . - only"
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout: whole seconds"

[ "$(id -u)" -eq 0 ] || die "must run as root (the daemons' data, pid files and ports); try sudo"
for tool in ceph-mon ceph-osd ceph-mgr ceph-authtool monmaptool ceph uuidgen; do
  command -v "$tool" >/dev/null ||
    die "$tool not found: install the Ceph packages: deploy/bootstrap.sh --rados"
done

if [ "$command" = up ]; then mkdir -p "$dir"; fi
if [ ! -d "$dir" ]; then
  [ "$command" = down ] && { say "nothing running in $dir (no such directory)"; exit 0; }
  say "no cluster in $dir"; exit 1
fi
dir=$(cd "$dir" && pwd)
conf=$dir/ceph.conf
run=$dir/run
export CEPH_CONF=$conf
# The ceph command waits 300 s for a mon by default; every call here is bounded.
ceph_cli() { ceph --connect-timeout 10 "$@"; }

daemons() {  # the daemons of this DIR, in start order: mon.a mgr.x osd.0 ...
  printf "%s\n" mon.a mgr.x
  local n; n=$(cat "$dir/osds" 2>/dev/null || echo "$osds")
  for ((i = 0; i < n; i++)); do echo "osd.$i"; done
}
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pid_of() { cat "$run/$1.pid" 2>/dev/null || true; }
alive() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

write_conf() {
  local mon_v2=$base_port mon_v1=$((base_port + 1))
  cat >"$conf" <<EOF
# Written by deploy/ceph.sh; why each setting: docs/CEPH_CLUSTER.md.
[global]
fsid = $(uuidgen)
mon_host = [v2:127.0.0.1:$mon_v2,v1:127.0.0.1:$mon_v1]
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_port_min = $((base_port + 20))
ms_bind_port_max = $((base_port + 219))
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
auth_allow_insecure_global_id_reclaim = false
run_dir = $run
pid_file = $run/\$name.pid
admin_socket = $run/\$name.asok
log_file = $dir/log/\$name.log
mon_cluster_log_file = $dir/log/cluster.log
crash_dir = $dir/crash
osd_crush_chooseleaf_type = 0
mon_osd_reporter_subtree_level = osd
osd_pool_default_size = $pool_size
osd_pool_default_min_size = 1
osd_pool_default_pg_autoscale_mode = off
mon_allow_pool_delete = true
mon_data_avail_warn = 2
mon_data_avail_crit = 1
mon_warn_on_pool_no_redundancy = false

[mon]
mon_data = $dir/\$name
keyring = $dir/\$name/keyring

[mgr]
mgr_data = $dir/\$name
keyring = $dir/\$name/keyring

[osd]
osd_data = $dir/\$name
keyring = $dir/\$name/keyring
osd_objectstore = bluestore
bluestore_block_create = true
bluestore_block_size = 8589934592
osd_memory_target = 1073741824
osd_recovery_sleep_hdd = 0
osd_max_backfills = 4
osd_recovery_max_active_hdd = 8

[client]
keyring = $dir/\$name.keyring
rados_osd_op_timeout = 10
client_mount_timeout = 10
EOF
}

new_key() {  # keyring file, entity, caps...
  local file=$1 entity=$2; shift 2
  ceph-authtool --create-keyring "$file" --gen-key -n "$entity" "$@" >/dev/null
}

create() {
  say "creating a cluster in $dir (1 mon, 1 mgr, $osds OSDs, pool $pool of size $pool_size)"
  rm -rf "${dir:?}"/{mon.a,mgr.x,osd.*,run,log,crash,monmap,keys}
  mkdir -p "$run" "$dir/log" "$dir/crash" "$dir/keys" "$dir/mon.a" "$dir/mgr.x"
  echo "$osds" >"$dir/osds"
  echo "$pool" >"$dir/pool"
  write_conf
  # Every key is made here and handed to the mon at mkfs: no `ceph auth` round trips later.
  new_key "$dir/keys/mon.keyring" mon. --cap mon 'allow *'
  new_key "$dir/client.admin.keyring" client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *'
  new_key "$dir/client.imgshare.keyring" client.imgshare \
    --cap mon 'allow r' --cap osd "allow rwx pool=$pool"
  new_key "$dir/mgr.x/keyring" mgr.x --cap mon 'allow profile mgr' --cap osd 'allow *' --cap mds 'allow *'
  for ((i = 0; i < osds; i++)); do
    mkdir -p "$dir/osd.$i"
    new_key "$dir/osd.$i/keyring" "osd.$i" --cap mon 'allow profile osd' --cap mgr 'allow profile osd' \
      --cap osd 'allow *'
  done
  for keyring in "$dir/client.admin.keyring" "$dir/client.imgshare.keyring" "$dir/mgr.x/keyring" \
    "$dir"/osd.*/keyring; do
    ceph-authtool "$dir/keys/mon.keyring" --import-keyring "$keyring" >/dev/null
  done
  chmod 600 "$dir"/client.*.keyring
  local fsid; fsid=$(sed -n 's/^fsid = //p' "$conf")
  monmaptool --create --clobber --enable-all-features --fsid "$fsid" \
    --addv a "[v2:127.0.0.1:$base_port,v1:127.0.0.1:$((base_port + 1))]" "$dir/monmap" >/dev/null
  ceph-mon --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keys/mon.keyring" \
    >"$dir/log/mkfs.mon.a.out" 2>&1 || { cat "$dir/log/mkfs.mon.a.out" >&2; die "ceph-mon --mkfs failed"; }
  cp "$dir/keys/mon.keyring" "$dir/mon.a/keyring"
  start_daemon mon.a ceph-mon -i a
  start_daemon mgr.x ceph-mgr -i x
  # Each OSD gets its id and uuid in the osdmap (its key is already known), then all the
  # OSDs' mkfs run at once: each is mostly waiting, so together they take the time of one.
  local commands="" pids=() uuid
  for ((i = 0; i < osds; i++)); do
    uuid=$(uuidgen)
    echo "$uuid" >"$dir/osd.$i/uuid_given"
    commands+="osd new $uuid $i"$'\n'
  done
  printf '%s' "$commands" | ceph_cli >"$dir/log/osd-new.out" 2>&1 ||
    { cat "$dir/log/osd-new.out" >&2; die "registering the OSDs with the mon failed"; }
  for ((i = 0; i < osds; i++)); do
    ceph-osd -i "$i" --mkfs --osd-uuid "$(cat "$dir/osd.$i/uuid_given")" \
      >"$dir/log/mkfs.osd.$i.out" 2>&1 &
    pids+=($!)
  done
  for ((i = 0; i < osds; i++)); do
    wait "${pids[$i]}" || { cat "$dir/log/mkfs.osd.$i.out" >&2; die "ceph-osd --mkfs of osd.$i failed"; }
  done
  start_osds
  # The pool's application tag keeps the health at HEALTH_OK (POOL_APP_NOT_ENABLED otherwise).
  printf '%s\n' "osd pool create $pool 32 32 replicated" "osd pool set $pool size $pool_size" \
    "osd pool set $pool min_size 1" "osd pool application enable $pool rados" |
    ceph_cli >"$dir/log/pool.out" 2>&1 ||
    { cat "$dir/log/pool.out" >&2; die "creating pool $pool failed"; }
}

start_daemon() {  # name, command...: the daemon forks itself and writes its pid file
  local name=$1; shift
  if alive "$name"; then return; fi
  rm -f "$run/$name.pid"
  "$@" >"$dir/log/$name.out" 2>&1 </dev/null ||
    { cat "$dir/log/$name.out" >&2; die "$name did not start; see $dir/log/$name.log"; }
  for _ in $(seq 1 100); do [ -s "$run/$name.pid" ] && return; sleep 0.1; done
  die "$name wrote no pid file within 10 s; see $dir/log/$name.log"
}

# Every OSD at once: `ceph-osd` returns only once its daemon has mounted BlueStore and
# booted (~4 s each here), and they do not wait on each other.
start_osds() {
  local n pids=()
  n=$(cat "$dir/osds")
  for ((i = 0; i < n; i++)); do
    start_daemon "osd.$i" ceph-osd -i "$i" &
    pids+=($!)
  done
  for ((i = 0; i < n; i++)); do
    wait "${pids[$i]}" || die "osd.$i did not start; see $dir/log/osd.$i.log"
  done
}

wait_healthy() {
  local deadline=$((SECONDS + timeout)) health=""
  while [ $SECONDS -lt $deadline ]; do
    for name in $(daemons); do
      alive "$name" || die "$name exited while starting; see $dir/log/$name.log"
    done
    health=$(ceph_cli health 2>&1 || true)
    if [ "$health" = HEALTH_OK ]; then return 0; fi
    sleep 0.5
  done
  echo "ceph.sh: not healthy after $timeout s: $health" >&2
  ceph_cli health detail >&2 || true
  die "the cluster in $dir did not become healthy; logs in $dir/log/ (it is left running: ceph.sh down --dir $dir)"
}

up() {
  if alive mon.a; then
    say "already up in $dir"
    status
    return
  fi
  local started=$SECONDS
  local again=0
  if [ -f "$dir/mon.a/store.db/CURRENT" ] && [ -f "$conf" ]; then
    again=1
    pool=$(cat "$dir/pool")
    base_port=$(sed -n 's/^mon_host = \[v2:127.0.0.1:\([0-9]*\),.*/\1/p' "$conf")
  fi
  for port in "$base_port" $((base_port + 1)); do
    ! listening "$port" ||
      die "port $port is already in use (another cluster?): choose another --base-port"
  done
  if [ $again = 1 ]; then
    say "starting the cluster in $dir again"
    mkdir -p "$run"
    start_daemon mon.a ceph-mon -i a
    start_daemon mgr.x ceph-mgr -i x
    start_osds
  else
    create
  fi
  wait_healthy
  say "up in $((SECONDS - started)) s: HEALTH_OK, pool $pool, mon on 127.0.0.1:$base_port; clients use --ceph-conf $conf"
}

# SIGTERM to each of the named daemons that runs, then up to 30 s for them to stop, then
# SIGKILL for any left. Prints the names it stopped.
stop_daemons() {
  local pids=() names=() pid
  for name in "$@"; do
    pid=$(pid_of "$name")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      pids+=("$pid")
      names+=("$name")
    fi
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  for _ in $(seq 1 300); do
    local left=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left=1; done
    [ $left -eq 0 ] && break
    sleep 0.1
  done
  for i in "${!pids[@]}"; do
    if kill -0 "${pids[$i]}" 2>/dev/null; then
      say "${names[$i]} (pid ${pids[$i]}) ignored SIGTERM for 30 s: SIGKILL" >&2
      kill -KILL "${pids[$i]}" 2>/dev/null || true
    fi
  done
  echo "${names[*]}"
}

down() {
  local started=$SECONDS stopped
  # The OSDs and the mgr first, the mon last: an OSD stopping tells the mon, and waits
  # (osd_mon_shutdown_timeout, 5 s) for a mon that is itself stopping; 7 s in one wave, 5 in two.
  # shellcheck disable=SC2046
  stopped="$(stop_daemons $(daemons | grep -v '^mon\.')) $(stop_daemons mon.a)"
  for name in $(daemons); do alive "$name" || rm -f "$run/$name.pid"; done
  if [ -z "${stopped// /}" ]; then say "nothing running in $dir"; return; fi
  say "stopped ${stopped# } in $((SECONDS - started)) s"
}

status() {
  [ -f "$conf" ] || { say "no cluster in $dir"; return 1; }
  local any=0
  for name in $(daemons); do
    if alive "$name"; then echo "$name: running (pid $(pid_of "$name"))"; any=1
    else echo "$name: stopped"; fi
  done
  if [ $any -eq 1 ] && alive mon.a; then
    echo "health: $(ceph_cli health 2>&1 | head -1)"
  else
    echo "health: (cluster down)"
  fi
}

"$command"
