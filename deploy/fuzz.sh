#!/usr/bin/env bash
# Builds the fuzz targets (tests/fuzz) in their own build directory and runs
# each for SECONDS (default 60) from its kept corpus and fresh seeds.
#
#   deploy/fuzz.sh [SECONDS]
#
# Environment:
#   IMGSHARE_FUZZ_BUILD_DIR  build directory (default build-fuzz; never build/)
#   IMGSHARE_FUZZ_CXX        compiler (default g++: clang 14 cannot build the
#                            project, see tests/fuzz/README.md)
#   IMGSHARE_FUZZ_TARGETS    space-separated subset of targets (default all)
#   IMGSHARE_FUZZ_JOBS       targets run at once (default 1)
#   IMGSHARE_BUILD_JOBS      compile jobs (default 2)
#
# Keeps <build>/corpus/<target>/ across runs, regenerates <build>/seeds/,
# writes <build>/logs/<target>.log and any failing input to
# <build>/artifacts/. Prints executions per target as a table; exits 1 if any
# target crashed, timed out, ran out of memory or leaked, naming the input.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

seconds=${1:-60}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [SECONDS]   (a positive whole number of seconds per target)" >&2
    exit 2
fi
build_dir=${IMGSHARE_FUZZ_BUILD_DIR:-build-fuzz}
[[ $build_dir = /* ]] || build_dir=$root/$build_dir
if [[ $(realpath -m "$build_dir") == $(realpath -m "$root/build") ]]; then
    echo "fuzz.sh: refusing to use build/ (the regular build)" >&2
    exit 2
fi
all_targets="fuzz_header fuzz_request fuzz_reply fuzz_event fuzz_certificate fuzz_envelope
fuzz_keys_file fuzz_trust_file fuzz_chunk_decoder fuzz_protocol_log fuzz_config"
read -r -a targets <<<"$(echo ${IMGSHARE_FUZZ_TARGETS:-$all_targets})"
jobs=${IMGSHARE_FUZZ_JOBS:-1}

echo "== fuzz build in $build_dir"
mkdir -p "$build_dir"
configure=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DIMGSHARE_FUZZ=ON -DIMGSHARE_SANITIZE=ON)
# The compiler can only be chosen when the build directory is new (CMake would otherwise
# wipe its cache); remove the directory to change it.
[[ -f $build_dir/CMakeCache.txt ]] || configure+=(-DCMAKE_CXX_COMPILER="${IMGSHARE_FUZZ_CXX:-g++}")
cmake -S "$root" -B "$build_dir" "${configure[@]}" >"$build_dir/configure.log" ||
    { cat "$build_dir/configure.log" >&2; exit 1; }
cmake --build "$build_dir" -j"${IMGSHARE_BUILD_JOBS:-2}" --target fuzz_all

rm -rf "$build_dir/seeds"
"$build_dir/bin/make_seed_corpus" "$build_dir/seeds"
mkdir -p "$build_dir/corpus" "$build_dir/artifacts" "$build_dir/logs"

# Runs one target; its exit status goes to logs/<target>.status.
run_target() {
    local target=$1 status=0
    mkdir -p "$build_dir/corpus/$target"
    echo "did not finish" >"$build_dir/logs/$target.status"
    "$build_dir/bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$build_dir/artifacts/$target-" \
        "$build_dir/corpus/$target" "$build_dir/seeds/$target" \
        >"$build_dir/logs/$target.log" 2>&1 || status=$?
    echo "$status" >"$build_dir/logs/$target.status"
}

echo "== fuzzing ${#targets[@]} targets for $seconds s each, $jobs at a time"
running=0
for target in "${targets[@]}"; do
    if [[ ! -x $build_dir/bin/$target ]]; then
        echo "fuzz.sh: no such target: $target" >&2
        exit 2
    fi
    run_target "$target" &
    running=$((running + 1))
    if ((running >= jobs)); then
        wait -n || true
        running=$((running - 1))
    fi
done
wait || true

failed=0
printf '\n%-20s %-10s %14s %10s %8s %8s\n' target result executions exec/s edges corpus
for target in "${targets[@]}"; do
    log=$build_dir/logs/$target.log
    status=$(cat "$build_dir/logs/$target.status")
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    edges=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' "$log" | tail -1)
    corpus=$(find "$build_dir/corpus/$target" -type f | wc -l)
    case $status in
        0) result=ok ;;
        70) result=TIMEOUT ;;
        71) result=OOM ;;
        *) result="FAILED($status)" ;;
    esac
    [[ $status == 0 ]] || failed=1
    printf '%-20s %-10s %14s %10s %8s %8s\n' "$target" "$result" "${runs:--}" "${rate:--}" \
        "${edges:--}" "$corpus"
done

if ((failed)); then
    echo
    for target in "${targets[@]}"; do
        [[ $(cat "$build_dir/logs/$target.status") == 0 ]] && continue
        echo "== $target failed; end of $build_dir/logs/$target.log:"
        tail -n 40 "$build_dir/logs/$target.log"
        input=$(sed -n 's/.*Test unit written to //p' "$build_dir/logs/$target.log" | tail -1)
        if [[ -n $input ]]; then
            echo "== $target: failing input: $input"
            echo "   replay: $build_dir/bin/$target $input"
        fi
    done
    exit 1
fi
echo "== no crashes"
