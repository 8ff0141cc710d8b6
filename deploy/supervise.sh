#!/usr/bin/env bash
# Keeps one server running: starts COMMAND, and starts it again whenever it exits, until
# this script gets SIGTERM or SIGINT (then it stops COMMAND with SIGTERM, waits for it and
# exits). deploy/cluster.sh runs the broker under it, so a broker the kernel killed at its
# memory limit (deploy/memory-limit.sh) is back at once; clients reconnect by themselves
# (docs/BROKER.md, "Recovery after a restart").
#
#   deploy/supervise.sh --pid-file FILE [--name NAME] -- COMMAND...
#
# FILE always holds the pid of the running COMMAND (rewritten at each start). Each restart
# is one line on stderr: when, how COMMAND ended, and, when it ran for less than a second,
# the pause before the next start (doubling up to 8 s, so a server that cannot start does
# not spin).
set -uo pipefail

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

pid_file='' name=server
while [ $# -gt 0 ]; do
  case "$1" in
    --pid-file) pid_file=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --) shift; break ;;
    -h|--help) usage 0 ;;
    *) echo "supervise: unknown option $1" >&2; usage 2 ;;
  esac
done
if [ -z "$pid_file" ] || [ $# -eq 0 ]; then usage 2; fi

child='' stopping=0
stop() {
  stopping=1
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
}
trap stop TERM INT

pause=0
while :; do
  started=$SECONDS
  "$@" &
  child=$!
  echo "$child" >"$pid_file"
  # `wait` returns early when a trapped signal arrives: wait again until the child is gone.
  while :; do
    wait "$child"
    status=$?
    kill -0 "$child" 2>/dev/null || break
  done
  if [ "$stopping" = 1 ]; then
    exit 0
  fi
  if (( status > 128 )); then how="was killed by signal $((status - 128))"; else how="exited with status $status"; fi
  if (( SECONDS - started >= 1 )); then pause=0; else pause=$(( pause == 0 ? 1 : (pause < 8 ? pause * 2 : 8) )); fi
  when=now; (( pause > 0 )) && when="in $pause s"
  echo "$(date -u +%FT%TZ) supervise: $name (pid $child) $how; starting it again $when" >&2
  child=
  # In the background, so that SIGTERM is handled at once, not after the pause.
  if (( pause > 0 )); then
    sleep "$pause" &
    sleeper=$!
    wait "$sleeper"
    kill "$sleeper" 2>/dev/null
  fi
  [ "$stopping" = 1 ] && exit 0
done
