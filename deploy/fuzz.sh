#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang in their own build directory if needed,
# then runs them all for SECONDS in all (default 600): each target gets an equal share,
# SECONDS x JOBS / targets (at least 1 s), from its kept corpus and fresh seeds.
#
#   deploy/fuzz.sh [SECONDS]
#
# Environment:
#   IMGSHARE_FUZZ_BUILD_DIR  build directory (default build-fuzz; never build/)
#   IMGSHARE_FUZZ_CXX        compiler (default clang++-19, Debian's clang-19 package)
#   IMGSHARE_FUZZ_TARGETS    space-separated subset of targets (default all)
#   IMGSHARE_FUZZ_JOBS       targets run at once (default: the number of cores)
#   IMGSHARE_BUILD_JOBS      compile jobs (default 2)
#
# Keeps <build>/corpus/<target>/ across runs, regenerates <build>/seeds/, writes
# <build>/logs/<target>.log and any failing input to <build>/artifacts/. Prints the
# executions per target as a table; exits 1 if any target crashed, broke a property, timed
# out, ran out of memory or leaked, naming the input and the command that replays it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

seconds=${1:-600}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [SECONDS]   (a positive whole number of seconds for all targets together)" >&2
    exit 2
fi
build_dir=${IMGSHARE_FUZZ_BUILD_DIR:-build-fuzz}
[[ $build_dir = /* ]] || build_dir=$root/$build_dir
if [[ $(realpath -m "$build_dir") == $(realpath -m "$root/build") ]]; then
    echo "fuzz.sh: refusing to use build/ (the regular build)" >&2
    exit 2
fi
jobs=${IMGSHARE_FUZZ_JOBS:-$(nproc)}
if ! [[ $jobs =~ ^[1-9][0-9]*$ ]]; then
    echo "fuzz.sh: IMGSHARE_FUZZ_JOBS must be a positive whole number" >&2
    exit 2
fi
cxx=${IMGSHARE_FUZZ_CXX:-clang++-19}
if ! command -v "$cxx" >/dev/null; then
    echo "fuzz.sh: $cxx not found (deploy/bootstrap.sh installs clang-19 and libclang-rt-19-dev)" >&2
    exit 2
fi

echo "== fuzz build in $build_dir with $cxx"
mkdir -p "$build_dir"
configure=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DIMGSHARE_FUZZ=ON -DIMGSHARE_SANITIZE=ON
    -DCMAKE_CXX_COMPILER="$(command -v "$cxx")")
# CMake keeps the compiler of an existing cache: start afresh when it is another one (e.g. a
# build directory left by the GCC-based fuzzing of earlier versions).
cached=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)
[[ -z $cached || $cached == "$(command -v "$cxx")" ]] || configure+=(--fresh)
configure+=($("$root/deploy/generator.sh" "$build_dir"))
cmake -S "$root" -B "$build_dir" "${configure[@]}" >"$build_dir/configure.log" 2>&1 ||
    { cat "$build_dir/configure.log" >&2; exit 1; }
build_started=$SECONDS
cmake --build "$build_dir" -j"${IMGSHARE_BUILD_JOBS:-2}" --target fuzz_all
echo "== fuzz build took $((SECONDS - build_started)) s"

read -r -a targets <<<"$(echo ${IMGSHARE_FUZZ_TARGETS:-$(cat "$build_dir/fuzz_targets.txt")})"
for target in "${targets[@]}"; do
    if [[ ! -x $build_dir/bin/$target ]]; then
        echo "fuzz.sh: no such target: $target" >&2
        exit 2
    fi
done
rm -rf "$build_dir/seeds"
"$build_dir/bin/make_seed_corpus" "$build_dir/seeds"
mkdir -p "$build_dir/corpus" "$build_dir/artifacts" "$build_dir/logs"
per_target=$((seconds * jobs / ${#targets[@]}))
((per_target >= 1)) || per_target=1

# Runs one target; its exit status goes to logs/<target>.status. -malloc_limit_mb: the
# decoders bound sizes before allocating, so one allocation of 512 MiB for an input of a few
# KiB is a bug. -timeout is per input, generous for a loaded machine.
run_target() {
    local target=$1 status=0
    mkdir -p "$build_dir/corpus/$target" "$build_dir/seeds/$target"
    echo "did not finish" >"$build_dir/logs/$target.status"
    "$build_dir/bin/$target" -max_total_time="$per_target" -timeout=25 -rss_limit_mb=2048 \
        -malloc_limit_mb=512 -print_final_stats=1 \
        -artifact_prefix="$build_dir/artifacts/$target-" \
        "$build_dir/corpus/$target" "$build_dir/seeds/$target" \
        >"$build_dir/logs/$target.log" 2>&1 || status=$?
    echo "$status" >"$build_dir/logs/$target.status"
}

# What went wrong, from the log of a target that exited with a failure.
failure_kind() {
    local log=$1
    if grep -q 'property violated' "$log"; then echo PROPERTY
    elif grep -q 'ERROR: libFuzzer: timeout' "$log"; then echo TIMEOUT
    elif grep -q -e 'out-of-memory' -e 'malloc(.*) exceeds limit' "$log"; then echo OOM
    elif grep -q 'ERROR: LeakSanitizer' "$log"; then echo LEAK
    elif grep -q 'runtime error:' "$log"; then echo UBSAN
    elif grep -q 'ERROR: AddressSanitizer' "$log"; then echo ASAN
    else echo CRASH
    fi
}

echo "== fuzzing ${#targets[@]} targets for $per_target s each, $jobs at a time ($seconds s in all)"
started=$(date +%s)
running=0
for target in "${targets[@]}"; do
    run_target "$target" &
    running=$((running + 1))
    if ((running >= jobs)); then
        wait -n || true
        running=$((running - 1))
    fi
done
wait || true

failed=()
printf '\n%-22s %-9s %12s %9s %7s %7s\n' target result executions exec/s cov corpus
for target in "${targets[@]}"; do
    log=$build_dir/logs/$target.log
    status=$(cat "$build_dir/logs/$target.status")
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    coverage=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' "$log" | tail -1)
    corpus=$(find "$build_dir/corpus/$target" -type f | wc -l)
    if [[ $status == 0 ]]; then
        result=ok
    else
        result=$(failure_kind "$log")
        failed+=("$target")
    fi
    printf '%-22s %-9s %12s %9s %7s %7s\n' "$target" "$result" "${runs:--}" "${rate:--}" \
        "${coverage:--}" "$corpus"
done
echo "== fuzzing took $(($(date +%s) - started)) s"

if ((${#failed[@]})); then
    for target in "${failed[@]}"; do
        log=$build_dir/logs/$target.log
        echo
        echo "== $target failed (exit status $(cat "$build_dir/logs/$target.status")); end of $log:"
        tail -n 40 "$log"
        input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        if [[ -n $input ]]; then
            echo "== $target: failing input: $input"
            echo "   replay: $build_dir/bin/$target $input"
        fi
    done
    echo
    echo "== FAILED: ${failed[*]}"
    exit 1
fi
echo "== no crashes"
