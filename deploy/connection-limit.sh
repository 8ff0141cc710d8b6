#!/usr/bin/env bash
# A per-source limit on the rate of new TCP connections to the broker's public ports, in the
# kernel (nftables), so that a flood is refused before the broker does any cryptography:
# libzmq 4.3 has no hook before the CURVE handshake, and the broker's own limit on strangers
# (--handshake-limit) acts at ZAP, after the handshake's public-key work (docs/SECURITY.md
# 3.19). deploy/cluster.sh up --connection-limit applies it; an operator installs the
# output of `print` for good (docs/BROKER.md, "Connection limit").
#
#   deploy/connection-limit.sh print  --table NAME --ports P[,P...] [--rate R] [--burst N]
#                                        the nftables ruleset, for /etc/nftables.d/
#   deploy/connection-limit.sh apply  --table NAME --ports P[,P...] [--rate R] [--burst N]
#                                        load it now (replacing a table of that name)
#   deploy/connection-limit.sh remove --table NAME       delete the table, if there
#
# R is N/s or N/m (default 50/s) and N the burst in connections (default 200), per source
# address (IPv4, or IPv6 address) over all the ports together. Only the first packet of a
# connection (conntrack state new) is counted, and one over the limit is dropped: the
# client's kernel sends its SYN again 1, 3, 7... s later, and each resend is counted too.
# Established connections are never touched. The table is of its own (family inet, hook
# input), so other rules of the machine stay as they are and `remove` takes exactly this one.
# A source not seen for a minute is forgotten (its bucket would be full again anyway); at most
# 65,536 sources are remembered per family, and a new source past that is not limited.
# apply and remove need root (CAP_NET_ADMIN) and nft (Debian: nftables).
set -euo pipefail

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

command=${1:-}
[ -n "$command" ] || usage 2
shift
table='' ports='' rate=50/s burst=200
while [ $# -gt 0 ]; do
  case "$1" in
    --table) table=$2; shift 2 ;;
    --ports) ports=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --burst) burst=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "connection-limit: unknown option $1" >&2; usage 2 ;;
  esac
done
[[ $table =~ ^[A-Za-z][A-Za-z0-9_]{0,63}$ ]] ||
  { echo "connection-limit: --table wants a name of letters, digits and _, not '$table'" >&2; exit 2; }

# The ruleset on stdout. The leading `table` + `delete table` make loading it replace an
# older copy of the table atomically (nft -f applies a file as one transaction).
ruleset() {
  [[ $ports =~ ^[0-9]+(,[0-9]+)*$ ]] ||
    { echo "connection-limit: --ports wants P or P,P,..., not '$ports'" >&2; exit 2; }
  local per
  case "$rate" in
    [1-9]*/s) per=second ;;
    [1-9]*/m) per=minute ;;
    *) per=bad ;;
  esac
  [[ $per != bad && ${rate%/*} =~ ^[0-9]+$ ]] ||
    { echo "connection-limit: --rate wants N/s or N/m, not '$rate'" >&2; exit 2; }
  [[ $burst =~ ^[1-9][0-9]*$ ]] ||
    { echo "connection-limit: --burst wants a number >= 1, not '$burst'" >&2; exit 2; }
  local limit="limit rate over ${rate%/*}/$per burst $burst packets"
  local match="tcp dport { ${ports//,/, } } ct state new"
  cat <<RULES
# imgshare: new TCP connections to the broker's public ports ($ports) per source address,
# at most $rate after a burst of $burst; the rest dropped before the broker sees them
# (deploy/connection-limit.sh; docs/SECURITY.md 3.19).
table inet $table
delete table inet $table
table inet $table {
  set sources4 { type ipv4_addr; size 65536; flags dynamic, timeout; timeout 1m; }
  set sources6 { type ipv6_addr; size 65536; flags dynamic, timeout; timeout 1m; }
  chain input {
    type filter hook input priority filter; policy accept;
    $match update @sources4 { ip saddr $limit } counter drop
    $match update @sources6 { ip6 saddr $limit } counter drop
  }
}
RULES
}

need_nft() {
  command -v nft >/dev/null || [ -x /usr/sbin/nft ] ||
    { echo "connection-limit: nft not found: install nftables (apt-get install nftables; deploy/bootstrap.sh does)" >&2; exit 3; }
  PATH=$PATH:/usr/sbin
}

case "$command" in
  print) ruleset ;;
  apply)
    need_nft
    rules=$(ruleset)
    nft -f - <<<"$rules" ||
      { echo "connection-limit: nft could not load the rules (root, or CAP_NET_ADMIN, is needed)" >&2; exit 3; }
    ;;
  remove)
    need_nft
    if nft list table inet "$table" >/dev/null 2>&1; then nft delete table inet "$table"; fi
    ;;
  -h|--help|help) usage 0 ;;
  *) echo "connection-limit: unknown command $command" >&2; usage 2 ;;
esac
