#!/usr/bin/env bash
# Builds the whole project with AddressSanitizer and UndefinedBehaviorSanitizer (GCC,
# IMGSHARE_SANITIZE=ON: -fsanitize=address,undefined -fno-sanitize-recover=all) in its own
# build directory and runs the whole ctest suite there, unit and integration.
#
#   deploy/sanitize.sh
#
# Environment:
#   IMGSHARE_SANITIZE_BUILD_DIR  build directory (default build-sanitize; never build/)
#   IMGSHARE_BUILD_JOBS          compile jobs (default: the number of cores)
#   IMGSHARE_CTEST_ARGS          extra ctest arguments (e.g. -R CodecTest)
#
# Every sanitizer report fails the run, also one from a process a test started and did not
# check (a service in an integration test): reports go to files under
# <build>/sanitizer-reports/, which must stay empty. Leaks are detected; the few reported
# inside libraries we do not own are suppressed in tests/sanitize/lsan.supp, each with its
# reason. Exit status: 0 when every test passed and nothing was reported.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

build_dir=${IMGSHARE_SANITIZE_BUILD_DIR:-build-sanitize}
[[ $build_dir = /* ]] || build_dir=$root/$build_dir
if [[ $(realpath -m "$build_dir") == $(realpath -m "$root/build") ]]; then
    echo "sanitize.sh: refusing to use build/ (the regular build)" >&2
    exit 2
fi

echo "== sanitizer build (ASan + UBSan) in $build_dir"
mkdir -p "$build_dir"
cmake -S "$root" -B "$build_dir" $("$root/deploy/generator.sh" "$build_dir") \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIMGSHARE_SANITIZE=ON \
    >"$build_dir/configure.log" 2>&1 || { cat "$build_dir/configure.log" >&2; exit 1; }

reports=$build_dir/sanitizer-reports
rm -rf "$reports"
mkdir -p "$reports"
# halt_on_error: the first report ends the process (UBSan: with -fno-sanitize-recover=all too).
# log_path: a report lands in <reports>/<asan|ubsan>.<pid>, wherever the process runs.
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:\
detect_stack_use_after_return=1:check_initialization_order=1:log_path=$reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
export LSAN_OPTIONS="suppressions=$root/tests/sanitize/lsan.supp:print_suppressions=0"

# The build runs the test binaries too (gtest_discover_tests), under the same options.
started=$SECONDS
cmake --build "$build_dir" -j"${IMGSHARE_BUILD_JOBS:-$(nproc)}"
echo "== sanitizer build took $((SECONDS - started)) s"

status=0
(
    cd "$build_dir"
    # As in deploy/test.sh: a failed test gets one retry (loopback ports, a loaded machine);
    # a report from the failed attempt still fails the run below.
    ctest --output-on-failure -j"$(nproc)" --timeout 900 --repeat until-pass:2 \
        ${IMGSHARE_CTEST_ARGS:-}
) || status=$?

shopt -s nullglob
found=("$reports"/*)
if ((${#found[@]})); then
    echo
    echo "== sanitize.sh: ${#found[@]} sanitizer report(s):"
    for report in "${found[@]}"; do
        echo "---- $report"
        cat "$report"
    done
    exit 1
fi
if ((status)); then
    echo "== sanitize.sh: the suite failed under the sanitizers" >&2
    exit "$status"
fi
echo "== sanitize.sh: the whole suite passed with no sanitizer report"
