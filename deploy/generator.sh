#!/usr/bin/env bash
# Prints the CMake generator option for build directory DIR: Ninja for a new one (its no-change
# rebuild takes well under a second, make's several), nothing for one configured before, which
# keeps its generator (CMake refuses to switch one in place).
#
#   cmake -S . -B DIR $(deploy/generator.sh DIR) ...
set -euo pipefail
dir=${1:?usage: deploy/generator.sh BUILD_DIR}
if [[ ! -f $dir/CMakeCache.txt ]] && command -v ninja >/dev/null; then
    echo "-GNinja"
fi
