#!/usr/bin/env bash
# Sets everything up (deploy/bootstrap.sh) and runs the whole test suite.
# Exit status is the suite's.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
"$root/deploy/bootstrap.sh"
build_dir=${IMGSHARE_BUILD_DIR:-build}
cd "$build_dir"
# A failed test runs once more before it counts: integration tests share the
# machine with each other, and a failure that passes on retry is still shown above.
ctest --output-on-failure -j"$(nproc)" --timeout 600 --repeat until-pass:2
