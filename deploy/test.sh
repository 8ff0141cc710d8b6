#!/usr/bin/env bash
# Sets everything up (deploy/bootstrap.sh) and runs the whole test suite. Then, each stage
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

normal_suite() {
    "$root/deploy/bootstrap.sh"
    # A failed test runs once more before it counts: integration tests share the
    # machine with each other, and a failure that passes on retry is still shown above.
    (cd "${IMGSHARE_BUILD_DIR:-build}" &&
        ctest --output-on-failure -j"$(nproc)" --timeout 600 --repeat until-pass:2)
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
