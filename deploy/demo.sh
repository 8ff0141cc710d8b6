#!/usr/bin/env bash
# The main job end to end on one machine. Not yet: the services arrive with the
# base-system work. Until then this builds the project and says so.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/deploy/bootstrap.sh"
echo "demo: not yet — the broker, CA, storage node and client are still being built."
echo "demo: run deploy/test.sh to run the test suite of what exists."
