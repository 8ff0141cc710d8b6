#!/usr/bin/env bash
# Installs the Debian packages imgshare needs (only those missing; when all are
# present it installs nothing and does not touch the package index), then
# configures and builds into build/. Run as root on Debian 12, or with sudo.
#
#   deploy/bootstrap.sh [--rados] [--packages-only]
#
# --rados (or IMGSHARE_RADOS=1) adds Ceph: the daemons deploy/ceph.sh starts and librados
# for the RADOS backend (storage-node/rados, built only when librados is installed);
# deploy/test.sh always asks for it. --packages-only stops after the packages.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

rados=${IMGSHARE_RADOS:-0}
packages_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rados) rados=1; shift ;;
    --packages-only) packages_only=1; shift ;;
    *) echo "bootstrap: unknown option $1 (--rados, --packages-only)" >&2; exit 2 ;;
  esac
done

packages=(
  g++ cmake make ninja-build ccache pkg-config time bc
  libzmq3-dev cppzmq-dev libsodium-dev libmsgpack-cxx-dev librocksdb-dev
  libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libssl-dev
  libgtest-dev googletest libbenchmark-dev
  clang-19 libclang-rt-19-dev
  libcpp-httplib-dev chromium
  libhiredis-dev
  nftables
  libturbojpeg0-dev libpng-dev libgif-dev libwebp-dev libexif-dev
)
if [ "$rados" != 0 ]; then
  # <rados/librados.hpp> is in libradospp-dev, not librados-dev (../shared/CEPH.md).
  packages+=(ceph-mon ceph-osd ceph-mgr ceph-common librados-dev libradospp-dev)
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "bootstrap: all ${#packages[@]} packages present, installing nothing"
fi

# The gallery's browser tests drive Debian's chromium with playwright-core from npm (pinned by
# tests/browser/package-lock.json; no browser is downloaded).
# node and npm are the machine's own (node 18 or later); without them the browser tests skip.
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  if command -v npm >/dev/null; then
    echo "bootstrap: npm ci in tests/browser"
    (cd tests/browser && npm ci --no-audit --no-fund --silent)
  else
    echo "bootstrap: no npm: the gallery's browser tests will be skipped" >&2
  fi
fi

[ "$packages_only" = 0 ] || exit 0

build_dir=${IMGSHARE_BUILD_DIR:-build}
echo "bootstrap: configuring into $build_dir/"
mkdir -p "$build_dir"
cmake -S . -B "$build_dir" $(deploy/generator.sh "$build_dir") \
  -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" \
  ${IMGSHARE_CMAKE_ARGS:-} >"$build_dir/configure.log" 2>&1 || {
  cat "$build_dir/configure.log"
  exit 1
}
echo "bootstrap: building with $(nproc) jobs"
started=$SECONDS
cmake --build "$build_dir" -j"$(nproc)"
echo "bootstrap: built in $((SECONDS - started)) s; executables are in $build_dir/bin"
