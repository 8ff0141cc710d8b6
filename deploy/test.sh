#!/usr/bin/env bash
# Sets everything up (deploy/bootstrap.sh) and runs the whole test suite.
# Then, if the suite passed, every fuzz target for IMGSHARE_FUZZ_SECONDS (default 20; 0 skips),
# two at a time, in its own build (deploy/fuzz.sh). Exit status: the suite's, else the fuzzers'.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
"$root/deploy/bootstrap.sh"
build_dir=${IMGSHARE_BUILD_DIR:-build}
cd "$build_dir"
# A failed test runs once more before it counts: integration tests share the
# machine with each other, and a failure that passes on retry is still shown above.
ctest --output-on-failure -j"$(nproc)" --timeout 600 --repeat until-pass:2
fuzz_seconds=${IMGSHARE_FUZZ_SECONDS:-20}
[[ $fuzz_seconds == 0 ]] ||
    IMGSHARE_FUZZ_JOBS=${IMGSHARE_FUZZ_JOBS:-2} "$root/deploy/fuzz.sh" "$fuzz_seconds"
