#!/usr/bin/env bash
# The gallery with many images (issue #20), measured: a user posts COUNT real PNG images of
# 100 KiB-5 MiB (deploy/make-test-images.py), then `imgshare gallery` serves them to Debian's
# headless chromium (tests/browser/gallery_bench.mjs): the time from asking for the page until
# its first screen (the first 40 images) is fully shown, cold (the gallery just started: every
# image downloaded, decrypted and verified) and warm (a reload: from the gallery's memory
# cache), beside the same 40 images fetched by `imgshare download` one by one and, the
# browser's own floor, those 40 files as a static page of <img> elements; the image
# requests made before scrolling (lazy loading); and the gallery's peak resident memory
# (VmHWM) once every image was shown, with the default 256 MiB cache and with a 32 MiB one.
# Called by deploy/bench.sh with a running cluster; prints Markdown table rows.
#
#   deploy/gallery-bench.sh BROKER TRUST WORK [COUNT]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${IMGSHARE_BIN:-$root/build/bin}
broker=$1 trust=$2 work=$3 count=${4:-200}
first=40
export IMGSHARE_PASSPHRASE=${IMGSHARE_PASSPHRASE:-bench passphrase}
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
now() { date +%s.%N; }

if [ ! -x /usr/bin/chromium ] || [ ! -d "$root/tests/browser/node_modules/playwright-core" ]; then
  echo "| gallery, $count images | skipped: chromium or playwright-core missing (deploy/bootstrap.sh) | - | - | - | - |"
  exit 0
fi

home=$work/gallery-home
mkdir -p "$work"
# A second run in the same WORK reuses the user and the images it posted.
if [ ! -f "$home/.bench-posted" ]; then
  "$bin/imgshare" --home "$home" init --broker "$broker" --trust "$trust" >/dev/null
  "$bin/imgshare" --home "$home" register "g$RANDOM$RANDOM" >/dev/null
  echo "gallery-bench: making and posting $count images" >&2
  /usr/bin/python3 "$root/deploy/make-test-images.py" "$work/gallery-images" "$count" 100 5120
  for image in "$work"/gallery-images/*.png; do
    "$bin/imgshare" --home "$home" post "$image" >/dev/null
  done
  touch "$home/.bench-posted"
fi
total_bytes=$(du -cb "$work"/gallery-images/*.png | tail -1 | cut -f1)

gallery_pid=
stop_gallery() {
  if [ -n "$gallery_pid" ]; then kill -TERM "$gallery_pid" 2>/dev/null || true; wait "$gallery_pid" 2>/dev/null || true; fi
  gallery_pid=
}
trap stop_gallery EXIT
start_gallery() {  # cache MiB; sets gallery_pid and url
  "$bin/imgshare" --home "$home" --json gallery --no-open --cache-mib "$1" >"$work/gallery.out" 2>"$work/gallery.err" &
  gallery_pid=$!
  url=
  for _ in $(seq 1 600); do  # until it prints its URL (up to 60 s)
    url=$(jq -r '.url // empty' "$work/gallery.out" 2>/dev/null | head -1)
    [ -n "$url" ] && return 0
    kill -0 "$gallery_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "gallery-bench: the gallery did not start: $(cat "$work/gallery.err")" >&2
  return 1
}
peak_mib() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$gallery_pid/status"; }
browse() { GALLERY_URL=$url FIRST=$first node "$root/tests/browser/gallery_bench.mjs"; }

# Cold, then warm, with the default cache; the peak after every image was shown.
start_gallery 256
browse >"$work/gallery-cold.json"
browse >"$work/gallery-warm.json"
peak_default=$(peak_mib)
stop_gallery
start_gallery 32
browse >"$work/gallery-small.json"
peak_small=$(peak_mib)
stop_gallery

# The peer: the same first screen (the newest 40) by `imgshare download`, one by one.
names=$("$bin/imgshare" --home "$home" --json list | jq -r '.name' | tail -n "$first")
mkdir -p "$work/gallery-downloads"
start=$(now)
for name in $names; do
  "$bin/imgshare" --home "$home" download "$name" --output "$work/gallery-downloads/$name.png" >/dev/null 2>&1
done
peer_s=$(calc "$(now) - $start" 2)
# The browser's own floor: the same 40 decrypted files as a static page of plain <img>
# elements (the gallery's grid shape) from python's http.server, timed the same way.
{
  echo '<!doctype html><html><head><style>.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.75rem;list-style:none}img{width:100%;aspect-ratio:4/3;object-fit:cover}</style></head><body data-ready="true"><ul id="grid">'
  for name in $(echo "$names" | tac); do echo "<li class=\"card\"><img src=\"$name.png\" alt=\"$name\"></li>"; done
  echo '</ul></body></html>'
} >"$work/gallery-downloads/index.html"
static_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/bin/python3 -m http.server "$static_port" --bind 127.0.0.1 --directory "$work/gallery-downloads" >/dev/null 2>&1 &
static_pid=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$static_port") 2>/dev/null && break; sleep 0.1; done
GALLERY_URL="http://127.0.0.1:$static_port/" FIRST=$first node "$root/tests/browser/gallery_bench.mjs" >"$work/gallery-static.json"
kill "$static_pid"; wait "$static_pid" 2>/dev/null || true
static_s=$(calc "$(jq -r .first_screen_ms "$work/gallery-static.json") / 1000" 2)
rm -rf "$work/gallery-downloads"

j() { jq -r "$2" "$work/gallery-$1.json"; }
cold_s=$(calc "$(j cold .first_screen_ms) / 1000" 2)
warm_s=$(calc "$(j warm .first_screen_ms) / 1000" 2)
echo "| gallery: first screen ($first of $count images, 100 KiB-5 MiB, $(calc "$total_bytes / 1048576" 0) MiB in all) fully shown, cold start | $cold_s s (warm reload $warm_s s) | the same $first by \`imgshare download\` one by one: $peer_s s; the same $first decrypted files as a static page (python http.server): $static_s s | < 2 s | $(calc "2 / $cold_s" 2) | $(j cold .image_requests_before_scroll) image requests before scrolling ($(j cold .on_screen) cards on a 1920x1400 screen); $(if [ "$(j cold .all_shown_after_scroll_ms)" = null ]; then echo "only $(j cold .shown_after_scroll) of $count shown after scrolling"; else echo "all $count shown $(calc "$(j cold .all_shown_after_scroll_ms) / 1000" 1) s after scrolling"; fi) |"
echo "| gallery peak resident memory, all $count images shown, 256 MiB cache | $peak_default MiB | 32 MiB cache: $peak_small MiB | < 64 MiB + the cache (320; 96) | $(awk -v a="$peak_default" -v b="$peak_small" 'BEGIN { r = 320 / a; if (96 / b < r) r = 96 / b; printf "%.2f", r }') | - |"
