#!/usr/bin/env bash
# Sets everything up (deploy/bootstrap.sh --rados) and runs the whole test suite, with a
# one-host Ceph cluster (deploy/ceph.sh, in a temporary directory, on its own ports) for the
# RADOS tests: started while the build runs, stopped by pid as soon as the suite is done (also
# on failure); IMGSHARE_CEPH=0 leaves it out (the RADOS tests then skip). Then, each stage
# only if the one before passed:
#   - deploy/demo.sh, the README's other command, so it cannot rot unseen
#     (IMGSHARE_DEMO=0 skips it);
#   - a short crash test, deploy/crash.sh --minutes 1 (servers killed and frozen under load;
#     docs/RELIABILITY.md); IMGSHARE_CRASH=0 skips it;
#   - the whole suite again under ASan + UBSan in build-sanitize/ (deploy/sanitize.sh);
#     IMGSHARE_SANITIZE_SUITE=0 skips it;
#   - every fuzz target, IMGSHARE_FUZZ_SECONDS in all (default 150: 20 s per target, two at a
#     time; 0 skips), in
#     build-fuzz/ with clang and libFuzzer (deploy/fuzz.sh).
# CI (.ci/run) runs all five. Exit status: that of the first stage that failed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

stage_times=()
timed() {
    local name=$1 started=$SECONDS
    shift
    "$@"
    stage_times+=("$name: $((SECONDS - started)) s")
    echo "== test.sh: $name took $((SECONDS - started)) s"
}

# The Ceph cluster of the RADOS tests (tests/storage-node/rados): its own directory and a
# base port no other cluster on the machine uses (deploy/ceph.sh says so when it is taken).
ceph_dir="" ceph_up_pid=""
start_ceph() {
    [[ ${IMGSHARE_CEPH:-1} != 0 ]] || return 0
    ceph_dir=$(mktemp -d /tmp/imgshare-test-ceph.XXXXXX)
    local base
    for base in 15000 15300 15600 15900 16200; do
        (exec 3<>"/dev/tcp/127.0.0.1/$base") 2>/dev/null || break  # nobody listens there
    done
    echo "== test.sh: starting a Ceph cluster in $ceph_dir (base port $base) while building"
    "$root/deploy/ceph.sh" up --dir "$ceph_dir" --base-port "$base" >"$ceph_dir.log" 2>&1 &
    ceph_up_pid=$!
}
stop_ceph() {
    [ -n "$ceph_dir" ] || return 0
    # A start still under way is let finish (it is bounded), so that every daemon it
    # starts has its pid file before `down` reads them.
    [ -z "$ceph_up_pid" ] || wait "$ceph_up_pid" 2>/dev/null || true
    "$root/deploy/ceph.sh" down --dir "$ceph_dir" || true
    rm -rf "$ceph_dir" "$ceph_dir.log"
    ceph_dir="" ceph_up_pid=""
}
trap stop_ceph EXIT
trap 'exit 143' TERM  # bash runs no EXIT trap when a signal ends it
trap 'exit 130' INT

normal_suite() {
    "$root/deploy/bootstrap.sh" --rados --packages-only
    start_ceph
    "$root/deploy/bootstrap.sh" --rados
    if [ -n "$ceph_dir" ]; then
        local started=$SECONDS
        wait "$ceph_up_pid" || { cat "$ceph_dir.log" >&2; echo "== test.sh: the Ceph cluster did not start" >&2; return 1; }
        ceph_up_pid=""
        cat "$ceph_dir.log"
        echo "== test.sh: waited $((SECONDS - started)) s for Ceph after the build"
        export IMGSHARE_CEPH_CONF=$ceph_dir/ceph.conf
    fi
    # A failed test runs once more before it counts: integration tests share the
    # machine with each other, and a failure that passes on retry is still shown above.
    local status=0
    (cd "${IMGSHARE_BUILD_DIR:-build}" &&
        ctest --output-on-failure -j"$(nproc)" --timeout 600 --repeat until-pass:2) || status=$?
    unset IMGSHARE_CEPH_CONF
    local stopping=$SECONDS
    stop_ceph
    echo "== test.sh: Ceph stopped in $((SECONDS - stopping)) s"
    return $status
}

timed "build and suite" normal_suite
if [[ ${IMGSHARE_DEMO:-1} != 0 ]]; then
    timed "demo" "$root/deploy/demo.sh"
fi
if [[ ${IMGSHARE_CRASH:-1} != 0 ]]; then
    timed "crash test" "$root/deploy/crash.sh" --minutes 1
fi
if [[ ${IMGSHARE_SANITIZE_SUITE:-1} != 0 ]]; then
    timed "sanitizer build and suite" "$root/deploy/sanitize.sh"
fi
fuzz_seconds=${IMGSHARE_FUZZ_SECONDS:-150}
if [[ $fuzz_seconds != 0 ]]; then
    timed "fuzz build and runs" env IMGSHARE_FUZZ_JOBS="${IMGSHARE_FUZZ_JOBS:-2}" \
        "$root/deploy/fuzz.sh" "$fuzz_seconds"
fi
printf '== test.sh: passed (%s)\n' "$(IFS=';'; echo "${stage_times[*]}")"
