#!/usr/bin/env bash
# A local imgshare cluster on loopback: CA, one storage node and the broker.
#
#   deploy/cluster.sh up     [--dir DIR] [--base-port P]   start (initialising keys on first run)
#   deploy/cluster.sh down   [--dir DIR]                   stop exactly the processes `up` started
#   deploy/cluster.sh status [--dir DIR]                   show what runs
#
# DIR defaults to ~/.imgshare-cluster; ports are P (clients), P+1 (events),
# P+2 (services), P defaulting to 7400. Data survives `down`; a second `up`
# reuses it. Users receive DIR/trust (the CA and broker public keys) out of band.
# Extra flags for each server's `run`, split on spaces: IMGSHARE_BROKER_ARGS,
# IMGSHARE_CA_ARGS, IMGSHARE_STORAGE_ARGS (e.g. IMGSHARE_BROKER_ARGS="--rate-limit 900/s").
# Each server's operational log is DIR/logs/NAME.log and its protocol log
# DIR/NAME/protocol.log, both rotated by size (64 MiB x 8 unless the ARGS give
# --log-max-bytes/--log-keep); DIR/logs/NAME.err keeps only start-up errors.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${IMGSHARE_BIN:-$root/build/bin}

usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

command=${1:-}
[ -n "$command" ] || usage 2
shift
dir=${IMGSHARE_CLUSTER_DIR:-$HOME/.imgshare-cluster}
base_port=7400
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --base-port) base_port=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "cluster: unknown option $1" >&2; usage 2 ;;
  esac
done
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pids=$dir/pids
logs=$dir/logs

value_of() { sed -n "s/^$1 = //p"; }

alive() { [ -f "$pids/$1.pid" ] && kill -0 "$(cat "$pids/$1.pid")" 2>/dev/null; }

start() {  # name, then the command
  local name=$1; shift
  if alive "$name"; then echo "cluster: $name already running (pid $(cat "$pids/$name.pid"))"; return; fi
  # What the broker logged before it starts again is not news of this start.
  [ "$name" = broker ] && broker_log_offset=$(stat -c %s "$logs/broker.log" 2>/dev/null || echo 0)
  "$@" --operational-log "$logs/$name.log" >"$logs/$name.out" 2>"$logs/$name.err" </dev/null &
  echo $! >"$pids/$name.pid"
  echo "cluster: started $name (pid $!)"
}

broker_log_offset=0
wait_ready() {  # service name as the broker logs it
  for _ in $(seq 1 150); do
    local size; size=$(stat -c %s "$logs/broker.log" 2>/dev/null || echo 0)
    [ "$size" -ge "$broker_log_offset" ] || broker_log_offset=0  # rotated meanwhile
    tail -c +"$((broker_log_offset + 1))" "$logs/broker.log" 2>/dev/null | grep -q "service $1 (" && return 0
    sleep 0.1
  done
  echo "cluster: $1 did not register with the broker; see $logs/" >&2
  return 1
}

up() {
  for tool in imgshare-broker imgshare-ca imgshare-storage; do
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
  local broker_key ca_info ca_key ca_service storage_service
  broker_key=$(cat "$dir/broker/broker.pub")
  ca_info=$("$bin/imgshare-ca" show --data-dir "$dir/ca")
  ca_key=$(value_of ca_verify_key <<<"$ca_info")
  ca_service=$(value_of service_public_key <<<"$ca_info")
  storage_service=$("$bin/imgshare-storage" show --data-dir "$dir/storage" | value_of service_public_key)
  local clients="tcp://127.0.0.1:$base_port" events="tcp://127.0.0.1:$((base_port + 1))"
  local backend="tcp://127.0.0.1:$((base_port + 2))"
  cat >"$dir/trust" <<TRUST
# imgshare trust file: give it to every user out of band
ca_verify_key = $ca_key
broker_public_key = $broker_key
broker_endpoint = $clients
TRUST
  local broker_args ca_args storage_args
  read -r -a broker_args <<<"${IMGSHARE_BROKER_ARGS:-}"
  read -r -a ca_args <<<"${IMGSHARE_CA_ARGS:-}"
  read -r -a storage_args <<<"${IMGSHARE_STORAGE_ARGS:-}"
  start broker "$bin/imgshare-broker" run --data-dir "$dir/broker" --clients "$clients" \
    --events "$events" --backend "$backend" --ca-service-key "$ca_service" --service-key "$storage_service" \
    "${broker_args[@]}"
  start ca "$bin/imgshare-ca" run --data-dir "$dir/ca" --broker "$backend" --broker-key "$broker_key" \
    "${ca_args[@]}"
  start storage "$bin/imgshare-storage" run --data-dir "$dir/storage" --broker "$backend" \
    --broker-key "$broker_key" --ca-key "$ca_key" "${storage_args[@]}"
  wait_ready ca
  wait_ready storage
  echo "cluster: up; broker at $clients, events at $events, trust file $dir/trust"
}

down() {
  for name in broker storage ca; do
    if alive "$name"; then
      local pid; pid=$(cat "$pids/$name.pid")
      kill -TERM "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
      echo "cluster: stopped $name (pid $pid)"
    fi
    rm -f "$pids/$name.pid"
  done
}

status() {
  local code=0
  for name in broker ca storage; do
    if alive "$name"; then echo "$name: running (pid $(cat "$pids/$name.pid"))"
    else echo "$name: stopped"; code=3; fi
  done
  return $code
}

case "$command" in
  up) up ;;
  down) down ;;
  status) status ;;
  -h|--help|help) usage 0 ;;
  *) echo "cluster: unknown command $command" >&2; usage 2 ;;
esac
