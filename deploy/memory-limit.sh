#!/usr/bin/env bash
# Runs a command under a memory limit the kernel enforces (a memory cgroup), so that a
# process that grows past it is killed by the kernel's OOM killer instead of taking the
# machine's memory. deploy/cluster.sh runs the broker this way (docs/SECURITY.md, section 5:
# libzmq 4.3 buffers a multipart message whole, which the broker cannot bound itself).
#
#   deploy/memory-limit.sh check --group NAME --max BYTES   how the limit would be set,
#                                                            or why it cannot (exit 3)
#   deploy/memory-limit.sh run   --group NAME --max BYTES -- COMMAND...
#                                                            exec COMMAND inside the limit
#   deploy/memory-limit.sh remove --group NAME               remove the (empty) group
#
# `check` prints one line: "cgroup1 DIR", "cgroup2 DIR" or "systemd-run" (the mechanism),
# or "none: WHY". Swap is limited too (to nothing beyond BYTES), so the limit bounds what
# the process holds, not only what stays resident. The group is made under the caller's own
# memory cgroup, so it also stays within any limit the caller itself runs under.
#   - cgroup v1 (a memory hierarchy mounted, e.g. /sys/fs/cgroup/memory): a child group,
#     memory.limit_in_bytes and memory.memsw.limit_in_bytes;
#   - cgroup v2 with the memory controller: a child group with memory.max and
#     memory.swap.max = 0, where the caller may make one (root, or a delegated subtree);
#   - else systemd-run --scope -p MemoryMax=BYTES -p MemorySwapMax=0 (--user when not root),
#     as a fresh Debian 12 with systemd has;
#   - else none: the command must not be run as if it were bounded.
set -euo pipefail

usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

command=${1:-}
[ -n "$command" ] || usage 2
shift
group='' max=''
while [ $# -gt 0 ]; do
  case "$1" in
    --group) group=$2; shift 2 ;;
    --max) max=$2; shift 2 ;;
    --) shift; break ;;
    -h|--help) usage 0 ;;
    *) echo "memory-limit: unknown option $1" >&2; usage 2 ;;
  esac
done
[ -n "$group" ] || { echo "memory-limit: --group is required" >&2; exit 2; }
[[ $group =~ ^[A-Za-z0-9._-]+$ ]] || { echo "memory-limit: bad group name $group" >&2; exit 2; }

# The mount point of the cgroup v1 hierarchy holding the memory controller, if any.
v1_mount() { awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/self/mounts; }
# The mount point of cgroup v2, if any.
v2_mount() { awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts; }
# This process's own group in the v1 memory hierarchy, or in v2 ("0::PATH").
own_v1_group() { awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3; exit }' /proc/self/cgroup; }
own_v2_group() { awk -F: '$1 == "0" { print $3; exit }' /proc/self/cgroup; }

# Sets up the group (idempotent) and prints the mechanism; "none: WHY" and status 3 if no
# mechanism works.
prepare() {
  local mount own dir
  mount=$(v1_mount)
  if [ -n "$mount" ]; then
    own=$(own_v1_group)
    dir=$mount${own%/}/$group
    # memsw (memory + swap) exists only with swap accounting and must stay >= the limit:
    # lifted first, so that a group made before with a lower limit can be raised.
    local memsw=$dir/memory.memsw.limit_in_bytes
    if mkdir -p "$dir" 2>/dev/null && { [ ! -f "$memsw" ] || echo -1 >"$memsw"; } 2>/dev/null &&
      echo "$max" >"$dir/memory.limit_in_bytes" 2>/dev/null; then
      [ -f "$memsw" ] && echo "$max" >"$memsw"
      echo "cgroup1 $dir"
      return 0
    fi
    rmdir "$dir" 2>/dev/null || true
  fi
  mount=$(v2_mount)
  if [ -n "$mount" ] && grep -qw memory "$mount/cgroup.controllers" 2>/dev/null; then
    own=$(own_v2_group)
    local parent=$mount${own%/}
    # A v2 group takes a controller only if its parent enables it for its children.
    if grep -qw memory "$parent/cgroup.subtree_control" 2>/dev/null ||
      echo +memory >"$parent/cgroup.subtree_control" 2>/dev/null; then
      dir=$parent/$group
      if mkdir -p "$dir" 2>/dev/null && echo "$max" >"$dir/memory.max" 2>/dev/null; then
        echo 0 >"$dir/memory.swap.max" 2>/dev/null || true  # absent without swap accounting
        echo "cgroup2 $dir"
        return 0
      fi
      rmdir "$dir" 2>/dev/null || true
    fi
    if command -v systemd-run >/dev/null && "${systemd_run[@]}" -- true >/dev/null 2>&1; then
      echo "systemd-run"
      return 0
    fi
    echo "none: cgroup v2 at $mount, but neither a group under $parent may be made here nor" \
      "does 'systemd-run --scope' work (run as root, or under a systemd user session)"
    return 3
  fi
  echo "none: no memory cgroup controller is mounted (cgroup v1 memory or cgroup v2)"
  return 3
}

# systemd-run in scope mode registers a scope with the limit and then execs the command,
# which so keeps the pid of whoever execs systemd-run.
systemd_run=(systemd-run --scope --quiet --collect -p "MemoryMax=${max:-0}" -p MemorySwapMax=0)
[ "$(id -u)" = 0 ] || systemd_run+=(--user)

case "$command" in
  check|run)
    [[ $max =~ ^[0-9]+$ ]] || { echo "memory-limit: --max takes bytes, not '$max'" >&2; exit 2; }
    if [ "$command" = check ]; then prepare; exit; fi
    [ $# -gt 0 ] || { echo "memory-limit: run needs a command after --" >&2; exit 2; }
    how=$(prepare) || { echo "memory-limit: cannot limit memory: ${how#none: }" >&2; exit 3; }
    case "$how" in
      cgroup1\ *|cgroup2\ *) echo $$ >"${how#* }/cgroup.procs"; exec "$@" ;;
      systemd-run) exec "${systemd_run[@]}" -- "$@" ;;
    esac
    ;;
  remove)
    mount=$(v1_mount)
    [ -z "$mount" ] || rmdir "$mount$(own_v1_group | sed 's,/$,,')/$group" 2>/dev/null || true
    mount=$(v2_mount)
    [ -z "$mount" ] || rmdir "$mount$(own_v2_group | sed 's,/$,,')/$group" 2>/dev/null || true
    ;;
  -h|--help|help) usage 0 ;;
  *) echo "memory-limit: unknown command $command" >&2; usage 2 ;;
esac
