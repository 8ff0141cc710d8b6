#!/usr/bin/env bash
# The main job, end to end, on one machine: build, start a cluster, register
# alice, bob and carol, bob watches, alice posts a real image, bob is notified,
# downloads and verifies it; then alice posts end-to-end to bob only, bob reads
# it and carol is refused; then the cluster stops. Each step says what it proves.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/deploy/bootstrap.sh"
bin=$root/build/bin

work=$(mktemp -d /tmp/imgshare-demo-XXXXXX)
cluster=$work/cluster
watcher_pid=
cleanup() {
  [ -n "$watcher_pid" ] && kill "$watcher_pid" 2>/dev/null || true
  "$root/deploy/cluster.sh" down --dir "$cluster" >/dev/null 2>&1 || true
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# A free base port (four in a row, from 7400) so the demo never collides with a running cluster.
. "$root/deploy/free-ports.sh"
base=$(free_base 4 7400)

step "1. Start the CA, a witness of its certificate log, a storage node and the broker on loopback (CURVE on every socket)"
"$root/deploy/cluster.sh" up --dir "$cluster" --base-port "$base"

export IMGSHARE_PASSPHRASE="demo passphrase (use a real one)"
imgshare() { "$bin/imgshare" "$@"; }
for user in alice bob carol; do
  imgshare --home "$work/$user" init --broker "tcp://127.0.0.1:$base" --trust "$cluster/trust" >/dev/null
done

step "2. Register alice, bob and carol: keys made on their machines, certificates issued and verified"
imgshare --home "$work/alice" register alice
imgshare --home "$work/bob" register bob
imgshare --home "$work/carol" register carol
echo "   (the client checked the CA's signature with the pinned CA key, and that the"
echo "    certificate carries exactly the keys it sent)"

step "3. bob starts watching, downloading whatever appears"
mkdir -p "$work/bob-inbox"
"$bin/imgshare-watch" --home "$work/bob" --download "$work/bob-inbox" >"$work/bob-watch.log" 2>&1 &
watcher_pid=$!
sleep 1.5

step "4. alice posts a real image: encrypted, signed and sealed on her machine"
cp "$root/deploy/demo-image.png" "$work/sunset.png"
imgshare --home "$work/alice" post "$work/sunset.png"

step "5. bob's watcher is told (NEW_IMAGE name owner …) and downloads it"
# The watcher says "downloaded" once the file is renamed into place; before
# that the inbox may hold its temporary file.
for _ in $(seq 1 200); do
  grep -q "^downloaded sunset from alice" "$work/bob-watch.log" && break
  sleep 0.1
done
cat "$work/bob-watch.log"
received=$(find "$work/bob-inbox" -maxdepth 1 -name 'sunset*' ! -name '*.tmp-*' | head -n 1)
[ -n "$received" ] || { echo "demo: FAILED — bob received nothing"; exit 1; }

step "6. The bytes bob verified are exactly the bytes alice posted"
if cmp "$work/sunset.png" "$received"; then
  echo "   identical: $(wc -c <"$received") bytes, sha256 $(sha256sum "$received" | cut -c1-16)…"
else
  echo "demo: FAILED — bob's copy differs"; exit 1
fi

step "7. bob also downloads it explicitly (certificate, signature, digest, every chunk checked)"
imgshare --home "$work/bob" download sunset -o "$work/bob-explicit.png"
cmp "$work/sunset.png" "$work/bob-explicit.png" && echo "   identical again"

step "8. End-to-end: alice posts to bob only (post --to bob)"
imgshare --home "$work/alice" post "$work/sunset.png" --name sunset-for-bob --to bob
echo "   (alice's client verified bob's certificate with the pinned CA key, sealed the content"
echo "    key to bob's and her own certified keys only, and signed the list [alice, bob]: no"
echo "    server, the CA included, holds anything that opens it)"

step "9. bob downloads it with his own grant: the bytes are alice's"
imgshare --home "$work/bob" download sunset-for-bob -o "$work/bob-e2e.png"
if cmp "$work/sunset.png" "$work/bob-e2e.png"; then
  echo "   identical: bob's grant opened, he is in the signed recipient list, every check passed"
else
  echo "demo: FAILED — bob's end-to-end copy differs"; exit 1
fi

step "10. carol is refused: NOT_FOUND, the very answer a name that does not exist gets"
if carol_says=$(imgshare --home "$work/carol" download sunset-for-bob -o "$work/carol-e2e.png" 2>&1); then
  echo "demo: FAILED — carol could download an image not meant for her"; exit 1
fi
missing_says=$(imgshare --home "$work/carol" download no-such-image -o "$work/carol-e2e.png" 2>&1 || true)
echo "   carol, for sunset-for-bob: $carol_says"
echo "   carol, for no-such-image:  $missing_says"
case "$carol_says" in *NOT_FOUND*) ;; *) echo "demo: FAILED — expected NOT_FOUND"; exit 1 ;; esac
[ "$carol_says" = "$missing_says" ] || { echo "demo: FAILED — the answers differ"; exit 1; }
[ ! -e "$work/carol-e2e.png" ] || { echo "demo: FAILED — carol got a file"; exit 1; }
echo "   (the storage node answers carol exactly as for a missing name: she cannot even learn"
echo "    that the image exists; her list does not show it either:)"
imgshare --home "$work/carol" list | sed 's/^/     /'
if imgshare --home "$work/carol" list | grep -q sunset-for-bob; then
  echo "demo: FAILED — carol's list shows the end-to-end image"; exit 1
fi

step "11. Only bob was told: his watcher heard of it on his own topic, user.bob/"
for _ in $(seq 1 100); do
  grep -q "NEW_IMAGE sunset-for-bob alice" "$work/bob-watch.log" && break
  sleep 0.1
done
grep "sunset-for-bob" "$work/bob-watch.log" | sed 's/^/   /'

step "12. Every message each process sent or received is in its protocol log (no image bytes, no secrets)"
for log in "$cluster/broker/protocol.log" "$cluster/ca/protocol.log" "$cluster/storage/protocol.log" \
           "$cluster/witness/protocol.log" \
           "$work/alice/protocol.log" "$work/bob/protocol.log" "$work/carol/protocol.log"; do
  printf '   %-60s %5d lines\n' "$log" "$(wc -l <"$log")"
done
echo "   a line:"
grep -m1 -E '"POST_(CHUNK|IMAGE)"' "$cluster/broker/protocol.log" | cut -c1-220 | sed 's/^/     /'

step "13. Stop the cluster"
kill "$watcher_pid" 2>/dev/null || true
watcher_pid=
"$root/deploy/cluster.sh" down --dir "$cluster"
echo
echo "demo: OK — register, post, notify, download and verify all worked across separate processes;"
echo "demo: OK — an end-to-end post reached bob only, and carol could not even tell it exists."
echo "demo: files kept in $work"
