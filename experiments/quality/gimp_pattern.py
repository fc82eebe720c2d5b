#!/usr/bin/env python3
"""GIMP pattern (.pat) -> PNG, tiled to SIZE x SIZE, standard library only.

The real validation set's styles are GIMP's stock patterns (experiments/quality/real_images.sh);
varstyle-prep reads PNG, not .pat. A pattern is a tile, so it is repeated, never resized: its
grain stays at the scale it was drawn. Usage: gimp_pattern.py IN.pat OUT.png [SIZE]
"""
import struct
import sys
import zlib


def read_pattern(path):
    data = open(path, "rb").read()
    header_size, _version, width, height, depth = struct.unpack(">5I", data[:20])
    if data[20:24] != b"GPAT" or depth not in (1, 2, 3, 4):
        sys.exit(f"gimp_pattern.py: {path}: not a GIMP pattern (magic {data[20:24]!r}, {depth} bytes a pixel)")
    pixels = data[header_size:header_size + width * height * depth]
    if len(pixels) != width * height * depth:
        sys.exit(f"gimp_pattern.py: {path}: truncated ({len(pixels)} of {width * height * depth} pixel bytes)")
    return width, height, depth, pixels


def png_bytes(size, rows):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    raw = b"".join(b"\x00" + row for row in rows)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip().splitlines()[-1])
    size = int(sys.argv[3]) if len(sys.argv) == 4 else 128
    width, height, depth, pixels = read_pattern(sys.argv[1])

    def rgb(x, y):
        at = (y * width + x) * depth
        return bytes([pixels[at]] * 3) if depth <= 2 else pixels[at:at + 3]  # grey (+alpha) or RGB(A)

    rows = [b"".join(rgb(x % width, y % height) for x in range(size)) for y in range(size)]
    open(sys.argv[2], "wb").write(png_bytes(size, rows))


if __name__ == "__main__":
    main()
