#!/usr/bin/env bash
# A local imgshare cluster on loopback: CA, storage node(s), the broker, and one witness of
# the CA's certificate log (which in a real deployment someone other than the CA's operator
# runs: docs/TRANSPARENCY.md).
#
#   deploy/cluster.sh up     [--dir DIR] [--base-port P]   start (initialising keys on first run)
#                            [--storage-nodes N --backend rados --ceph-dir CEPH_DIR [--pool NAME]]
#                            [--connection-limit RATE [--connection-burst N]]
#   deploy/cluster.sh down   [--dir DIR]                   stop exactly the processes `up` started
#   deploy/cluster.sh status [--dir DIR]                   show what runs (and Ceph's health)
#
# --backend rocksdb (the default): one storage node, its RocksDB in DIR/storage. --backend
# rados: N storage nodes (default 1) over one pool (default imgshare) of the Ceph cluster
# that `deploy/ceph.sh up --dir CEPH_DIR` started; node 1 keeps its key in DIR/storage, node
# i in DIR/storage-i (a copy: the broker knows one key for the storage service).
#
# DIR defaults to ~/.imgshare-cluster; ports are P (clients), P+1 (events),
# P+2 (services), P+3 (the witness), P defaulting to 7400. Data survives `down`; a second
# `up` reuses it. Users receive DIR/trust (the CA's, the log's, the broker's and the
# witness's public keys; witness_quorum = 1) out of band.
# Extra flags for each server's `run`, split on spaces: IMGSHARE_BROKER_ARGS,
# IMGSHARE_CA_ARGS, IMGSHARE_STORAGE_ARGS (e.g. IMGSHARE_BROKER_ARGS="--rate-limit 900/s").
# Each server's operational log is DIR/logs/NAME.log and its protocol log
# DIR/NAME/protocol.log, both rotated by size (64 MiB x 8 unless the ARGS give
# --log-max-bytes/--log-keep); DIR/logs/NAME.err keeps only start-up errors.
#
# The broker runs under a memory limit and a supervisor (docs/SECURITY.md, section 5: a peer
# can make libzmq hold one message of any size): IMGSHARE_BROKER_MEMORY_MAX (bytes, or with
# K/M/G; default 240M, so that with its ~8 MiB of shared libraries, charged elsewhere, it stays
# resident under 256 MiB; 0 for none) is enforced by the kernel (deploy/memory-limit.sh: a cgroup
# v1 or v2 group, or systemd-run), and deploy/supervise.sh starts the broker again whenever it
# ends, killed at the limit or otherwise. DIR/broker.memory-limit says how the limit is set, or
# "none: WHY" (then `up` warns and the broker runs unbounded); DIR/logs/broker.err has a line
# per restart. `down` stops the supervisor first.
#
# --connection-limit RATE (N/s or N/m; 50/s is the recommended value) limits new TCP
# connections to the client and events ports per source address, in the kernel before any
# cryptography, after a burst of --connection-burst N (default 200): an nftables table of its
# own (deploy/connection-limit.sh; needs root and nft), loaded before the broker starts and
# deleted by `down`; DIR/broker.connection-limit names it. Without the flag the machine's
# firewall is not touched.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${IMGSHARE_BIN:-$root/build/bin}

usage() { sed -n '2,41p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

command=${1:-}
[ -n "$command" ] || usage 2
shift
dir=${IMGSHARE_CLUSTER_DIR:-$HOME/.imgshare-cluster}
base_port=7400
storage_nodes=1
storage_backend=rocksdb
ceph_dir=
pool=imgshare
connection_limit=
connection_burst=200
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --base-port) base_port=$2; shift 2 ;;
    --storage-nodes) storage_nodes=$2; shift 2 ;;
    --backend) storage_backend=$2; shift 2 ;;
    --ceph-dir) ceph_dir=$2; shift 2 ;;
    --pool) pool=$2; shift 2 ;;
    --connection-limit) connection_limit=$2; shift 2 ;;
    --connection-burst) connection_burst=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "cluster: unknown option $1" >&2; usage 2 ;;
  esac
done
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pids=$dir/pids
logs=$dir/logs

value_of() { sed -n "s/^$1 = //p"; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
# A supervised server counts as alive while its supervisor is: between a crash and the
# restart its own pid is briefly dead, and a second start would race the supervisor's.
alive() { pid_alive "$pids/$1.supervisor.pid" || pid_alive "$pids/$1.pid"; }

start() {  # name, then the command
  local name=$1; shift
  if alive "$name"; then echo "cluster: $name already running (pid $(cat "$pids/$name.pid"))"; return; fi
  "$@" --operational-log "$logs/$name.log" >"$logs/$name.out" 2>"$logs/$name.err" </dev/null &
  echo $! >"$pids/$name.pid"
  echo "cluster: started $name (pid $!)"
}

# The broker: under its memory limit, restarted by deploy/supervise.sh whenever it ends.
start_broker() {
  if alive broker; then echo "cluster: broker already running (pid $(cat "$pids/broker.pid"))"; return; fi
  # What the broker logged before it starts again is not news of this start.
  broker_log_offset=$(stat -c %s "$logs/broker.log" 2>/dev/null || echo 0)
  local limited=() how
  if [ "$broker_memory_max" != 0 ]; then
    if how=$("$root/deploy/memory-limit.sh" check --group "$broker_group" --max "$broker_memory_max"); then
      limited=("$root/deploy/memory-limit.sh" run --group "$broker_group" --max "$broker_memory_max" --)
      echo "$broker_memory_max $how" >"$dir/broker.memory-limit"
      echo "cluster: broker memory limit $((broker_memory_max / 1048576)) MiB ($how)"
    else
      echo "$how" >"$dir/broker.memory-limit"
      echo "cluster: WARNING: the broker runs without a memory limit: ${how#none: }" >&2
    fi
  else
    echo "none: IMGSHARE_BROKER_MEMORY_MAX=0" >"$dir/broker.memory-limit"
  fi
  rm -f "$pids/broker.pid"
  "$root/deploy/supervise.sh" --pid-file "$pids/broker.pid" --name broker -- "${limited[@]}" "$@" \
    --operational-log "$logs/broker.log" >"$logs/broker.out" 2>"$logs/broker.err" </dev/null &
  echo $! >"$pids/broker.supervisor.pid"
  for _ in $(seq 1 100); do [ -s "$pids/broker.pid" ] && break; sleep 0.02; done
  echo "cluster: started broker (pid $(cat "$pids/broker.pid"), supervisor pid $!)"
}

# IMGSHARE_BROKER_MEMORY_MAX in bytes: a number, or one with K, M or G (powers of 1024).
bytes_of() {
  case "$1" in
    ''|*[!0-9KMGkmg]*|[KMGkmg]*) echo "cluster: IMGSHARE_BROKER_MEMORY_MAX must be bytes or NK/NM/NG, not '$1'" >&2; exit 2 ;;
    *[Kk]) echo $(( ${1%?} * 1024 )) ;;
    *[Mm]) echo $(( ${1%?} * 1048576 )) ;;
    *[Gg]) echo $(( ${1%?} * 1073741824 )) ;;
    *) echo "$1" ;;
  esac
}
broker_memory_max=$(bytes_of "${IMGSHARE_BROKER_MEMORY_MAX:-240M}") || exit 2
# One group per cluster directory, so two clusters on one machine have a limit each.
broker_group=imgshare-broker-$(printf '%s' "$dir" | sha256sum | cut -c1-12)

# The per-source limit on new connections (deploy/connection-limit.sh): one nftables table per
# cluster directory, as the memory group; DIR/broker.connection-limit says it is in place.
connection_table=imgshare_$(printf '%s' "$dir" | sha256sum | cut -c1-12)
limit_connections() {  # clients port, events port
  if [ -z "$connection_limit" ]; then
    # An `up` without the flag leaves no limit of an earlier `up` behind.
    [ ! -f "$dir/broker.connection-limit" ] || "$root/deploy/connection-limit.sh" remove --table "$connection_table"
    rm -f "$dir/broker.connection-limit"
    return 0
  fi
  "$root/deploy/connection-limit.sh" apply --table "$connection_table" --ports "$1,$2" \
    --rate "$connection_limit" --burst "$connection_burst" ||
    { echo "cluster: the connection limit could not be set; the broker is not started" >&2; exit 1; }
  echo "inet $connection_table ports $1,$2 rate $connection_limit burst $connection_burst" \
    >"$dir/broker.connection-limit"
  echo "cluster: new connections per source limited to $connection_limit after $connection_burst (nftables table inet $connection_table)"
}

broker_log_offset=0
wait_ready() {  # service name as the broker logs it [, how many READYs]
  local want=${2:-1}
  for _ in $(seq 1 150); do
    local size; size=$(stat -c %s "$logs/broker.log" 2>/dev/null || echo 0)
    [ "$size" -ge "$broker_log_offset" ] || broker_log_offset=0  # rotated meanwhile
    local seen
    seen=$(tail -c +"$((broker_log_offset + 1))" "$logs/broker.log" 2>/dev/null | grep -c "service $1 (" || true)
    [ "$seen" -ge "$want" ] && return 0
    sleep 0.1
  done
  echo "cluster: $1 did not register with the broker; see $logs/" >&2
  return 1
}

wait_logged() {  # name, offset in DIR/logs/NAME.log, text
  for _ in $(seq 1 150); do
    tail -c +"$(($2 + 1))" "$logs/$1.log" 2>/dev/null | grep -q "$3" && return 0
    alive "$1" || break
    sleep 0.1
  done
  echo "cluster: $1 did not start; see $logs/$1.err and $logs/$1.log" >&2
  return 1
}

# The storage nodes `up` started last time (DIR/storage-nodes), for down and status.
node_names() {
  local count; count=$(cat "$dir/storage-nodes" 2>/dev/null || echo 1)
  echo storage
  for i in $(seq 2 "$count"); do echo "storage-$i"; done
}

up() {
  case "$storage_nodes" in ''|*[!0-9]*|0) echo "cluster: --storage-nodes wants a number >= 1" >&2; exit 2 ;; esac
  local backend_args=()
  case "$storage_backend" in
    rocksdb)
      [ "$storage_nodes" = 1 ] || { echo "cluster: several storage nodes need a shared store: --backend rados --ceph-dir DIR" >&2; exit 2; } ;;
    rados)
      [ -n "$ceph_dir" ] && [ -f "$ceph_dir/ceph.conf" ] || { echo "cluster: --backend rados needs --ceph-dir DIR of a running deploy/ceph.sh cluster (no DIR/ceph.conf)" >&2; exit 2; }
      ceph_dir=$(cd "$ceph_dir" && pwd)
      backend_args=(--backend rados --ceph-conf "$ceph_dir/ceph.conf" --pool "$pool")
      echo "$ceph_dir" >"$dir/ceph-dir" ;;
    *) echo "cluster: --backend rocksdb or rados, not '$storage_backend'" >&2; exit 2 ;;
  esac
  for tool in imgshare-broker imgshare-ca imgshare-storage imgshare-witness; do
    [ -x "$bin/$tool" ] || { echo "cluster: $bin/$tool missing; run deploy/bootstrap.sh" >&2; exit 1; }
  done
  mkdir -p "$pids" "$logs"
  chmod 700 "$dir"
  if [ ! -f "$dir/broker/broker.key" ]; then
    echo "cluster: first start, creating keys under $dir"
    "$bin/imgshare-broker" init --data-dir "$dir/broker" >/dev/null
    "$bin/imgshare-ca" init --data-dir "$dir/ca" >/dev/null
    "$bin/imgshare-storage" init --data-dir "$dir/storage" >/dev/null
  fi
  # A cluster made before the witness gets one at its next `up`.
  [ -f "$dir/witness/witness_signing.key" ] || "$bin/imgshare-witness" init --data-dir "$dir/witness" >/dev/null
  local broker_key ca_info ca_key log_key ca_service storage_service witness_info
  broker_key=$(cat "$dir/broker/broker.pub")
  ca_info=$("$bin/imgshare-ca" show --data-dir "$dir/ca")
  ca_key=$(value_of ca_verify_key <<<"$ca_info")
  log_key=$(value_of log_verify_key <<<"$ca_info")
  ca_service=$(value_of service_public_key <<<"$ca_info")
  storage_service=$("$bin/imgshare-storage" show --data-dir "$dir/storage" | value_of service_public_key)
  witness_info=$("$bin/imgshare-witness" show --data-dir "$dir/witness")
  local clients="tcp://127.0.0.1:$base_port" events="tcp://127.0.0.1:$((base_port + 1))"
  local backend="tcp://127.0.0.1:$((base_port + 2))" witness="tcp://127.0.0.1:$((base_port + 3))"
  cat >"$dir/trust" <<TRUST
# imgshare trust file: give it to every user out of band
ca_verify_key = $ca_key
log_verify_key = $log_key
broker_public_key = $broker_key
broker_endpoint = $clients
witness_key = $(value_of witness_key <<<"$witness_info")
witness_quorum = 1
TRUST
  local broker_args ca_args storage_args
  read -r -a broker_args <<<"${IMGSHARE_BROKER_ARGS:-}"
  read -r -a ca_args <<<"${IMGSHARE_CA_ARGS:-}"
  read -r -a storage_args <<<"${IMGSHARE_STORAGE_ARGS:-}"
  limit_connections "$base_port" "$((base_port + 1))"
  start_broker "$bin/imgshare-broker" run --data-dir "$dir/broker" --clients "$clients" \
    --events "$events" --backend "$backend" --ca-service-key "$ca_service" --service-key "$storage_service" \
    "${broker_args[@]}"
  # The witness serves before the CA sends it its first checkpoint (one still running from an
  # earlier `up`, as after a crash of another server, is left as it is).
  if alive witness; then
    echo "cluster: witness already running (pid $(cat "$pids/witness.pid"))"
  else
    local witness_log_offset; witness_log_offset=$(stat -c %s "$logs/witness.log" 2>/dev/null || echo 0)
    start witness "$bin/imgshare-witness" run --data-dir "$dir/witness" --bind "$witness" \
      --log-verify-key "$log_key"
    wait_logged witness "$witness_log_offset" "witnessing the certificate log"
  fi
  start ca "$bin/imgshare-ca" run --data-dir "$dir/ca" --broker "$backend" --broker-key "$broker_key" \
    --witness "$witness,$(value_of witness_public_key <<<"$witness_info")" "${ca_args[@]}"
  echo "$storage_nodes" >"$dir/storage-nodes"
  local i name data
  for i in $(seq 1 "$storage_nodes"); do
    name=storage data=$dir/storage
    if [ "$i" -gt 1 ]; then
      name=storage-$i data=$dir/storage-$i
      mkdir -p "$data"
      cp "$dir/storage/service.key" "$dir/storage/service.pub" "$data/"
    fi
    start "$name" "$bin/imgshare-storage" run --data-dir "$data" --broker "$backend" \
      --broker-key "$broker_key" --ca-key "$ca_key" --node-id "$name" "${backend_args[@]}" \
      "${storage_args[@]}"
  done
  wait_ready ca
  wait_ready storage "$storage_nodes"
  echo "cluster: up; broker at $clients, events at $events, trust file $dir/trust"
}

stop_pid() {  # pid file: SIGTERM, up to 5 s, then SIGKILL
  local pid; pid=$(cat "$1")
  kill -TERM "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  return 0
}

down() {
  # The supervisor first, which stops the broker and does not start it again.
  if pid_alive "$pids/broker.supervisor.pid"; then
    stop_pid "$pids/broker.supervisor.pid"
    echo "cluster: stopped the broker's supervisor (pid $(cat "$pids/broker.supervisor.pid"))"
  fi
  rm -f "$pids/broker.supervisor.pid"
  for name in broker $(node_names) ca witness; do
    if pid_alive "$pids/$name.pid"; then
      local pid; pid=$(cat "$pids/$name.pid")
      stop_pid "$pids/$name.pid"
      echo "cluster: stopped $name (pid $pid)"
    fi
    rm -f "$pids/$name.pid"
  done
  "$root/deploy/memory-limit.sh" remove --group "$broker_group"
  if [ -f "$dir/broker.connection-limit" ]; then
    "$root/deploy/connection-limit.sh" remove --table "$connection_table"
    rm -f "$dir/broker.connection-limit"
    echo "cluster: removed the connection limit (nftables table inet $connection_table)"
  fi
}

status() {
  local code=0
  for name in broker ca witness $(node_names); do
    if alive "$name"; then echo "$name: running (pid $(cat "$pids/$name.pid"))"
    else echo "$name: stopped"; code=3; fi
  done
  [ ! -f "$dir/broker.connection-limit" ] || echo "connection limit: $(cat "$dir/broker.connection-limit")"
  if [ -f "$dir/ceph-dir" ]; then
    local ceph; ceph=$(cat "$dir/ceph-dir")
    echo "ceph ($ceph): $("$root/deploy/ceph.sh" status --dir "$ceph" 2>&1 | grep '^health:' || echo 'health: unknown')"
  fi
  return $code
}

case "$command" in
  up) up ;;
  down) down ;;
  status) status ;;
  -h|--help|help) usage 0 ;;
  *) echo "cluster: unknown command $command" >&2; usage 2 ;;
esac
