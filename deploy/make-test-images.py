#!/usr/bin/python3
"""Writes COUNT real PNG images of MIN_KIB..MAX_KIB (log-uniform, seeded) into DIR, as
image-000.png, ...: random pixels (incompressible, so the file size is the size asked for)
that a browser decodes and shows. For the gallery benchmark
(deploy/gallery-bench.sh).

    deploy/make-test-images.py DIR COUNT MIN_KIB MAX_KIB [SEED]
"""
import math
import random
import struct
import sys
import zlib
from pathlib import Path


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_png(path: Path, size_bytes: int, rng: random.Random) -> None:
    width = 512
    height = max(8, size_bytes // (width * 3))
    rows = [b"\x00" + rng.randbytes(width * 3) for _ in range(height)]
    data = zlib.compress(b"".join(rows), 0)  # stored: the size is what was asked
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) +
                     chunk(b"IEND", b""))


def main() -> None:
    out, count, low, high = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 20)
    out.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        kib = math.exp(rng.uniform(math.log(low), math.log(high)))
        write_png(out / f"image-{i:03d}.png", int(kib * 1024), rng)


if __name__ == "__main__":
    main()
