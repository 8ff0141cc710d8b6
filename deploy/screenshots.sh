#!/usr/bin/env bash
# Writes the gallery's screenshots to docs/screenshots/ (README.md, docs/GALLERY.md show them):
# the browser test (tests/client/gallery/gallery_browser_test.cpp) starts a real cluster, posts
# the demo image and two small ones (one of them tampered with on the storage node's disk),
# opens `imgshare gallery` in headless chromium and, with GALLERY_SCREENSHOT_DIR set, saves
# the grid, an opened image with its verification panel and a refusal, 390 and 1280 px wide.
#
#   deploy/screenshots.sh        (after deploy/bootstrap.sh)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build_dir=${IMGSHARE_BUILD_DIR:-build}
[ -d "$build_dir" ] || deploy/bootstrap.sh
cmake --build "$build_dir" --target gallery_tests imgshare imgshare-broker imgshare-ca imgshare-storage imgshare-witness
mkdir -p docs/screenshots
rm -f docs/screenshots/gallery-*.png
GALLERY_SCREENSHOT_DIR="$root/docs/screenshots" "$build_dir/bin/gallery_tests" \
  --gtest_filter='GalleryBrowserTest.*'
# A skipped test (no chromium) writes nothing: say so rather than leave old pictures.
ls docs/screenshots/gallery-*.png >/dev/null 2>&1 || {
  echo "screenshots: none written (is chromium installed and tests/browser set up with npm ci?)" >&2
  exit 1
}
ls docs/screenshots/gallery-*.png
