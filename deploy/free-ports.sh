# Free loopback ports for the deploy scripts; sourced, not run.
#   port_free PORT         true when nothing accepts connections on 127.0.0.1:PORT
#   free_base N [START]    the first of N consecutive free ports, trying START (default: a
#                          random port in 20000..39999) and then every 10th port after it.
#                          deploy/cluster.sh uses 4 (P..P+3).
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_base() {
  local count=$1 base=${2:-$((20000 + RANDOM % 20000))} i ok
  while true; do
    ok=1
    for ((i = 0; i < count; i++)); do port_free $((base + i)) || { ok=0; break; }; done
    [ "$ok" = 1 ] && { echo "$base"; return; }
    base=$((base + 10))
  done
}
