#!/usr/bin/python3
"""Writes a folder of photo-like JPEGs (smooth colour fields, shapes, noise) for prep benchmarks.

Usage: make_jpegs.py OUT COUNT [WIDTH HEIGHT | camera]. Deterministic in the file index.
`camera` gives each file its own camera-like size: 0.3 to 1.2 megapixels, aspect ratio 4:3, 3:2,
16:9, 5:4 or 1:1, and two in five of the non-square ones portrait (as a phone or camera folder).
"""
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw


def photo(index: int, width: int, height: int) -> Image.Image:
    rng = np.random.default_rng(index)
    # Low-frequency colour field upsampled, plus shapes and sensor-like noise: JPEG sizes and
    # decode costs similar to real photos.
    field = rng.uniform(0, 255, size=(6, 8, 3)).astype(np.uint8)
    image = Image.fromarray(field).resize((width, height), Image.BICUBIC)
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x0, y0 = rng.integers(0, width), rng.integers(0, height)
        x1, y1 = x0 + rng.integers(20, width // 2), y0 + rng.integers(20, height // 2)
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        if rng.random() < 0.5:
            draw.ellipse([x0, y0, x1, y1], fill=colour)
        else:
            draw.rectangle([x0, y0, x1, y1], fill=colour)
    pixels = np.asarray(image).astype(np.int16) + rng.normal(0, 6, size=(height, width, 3)).astype(np.int16)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


CAMERA_ASPECTS = (4 / 3, 3 / 2, 16 / 9, 5 / 4, 1.0)


def camera_size(index: int) -> tuple:
    # Its own stream, so that the picture drawn for an index does not depend on the size choice.
    rng = np.random.default_rng((index, 1))
    pixels = rng.uniform(0.3e6, 1.2e6)
    aspect = CAMERA_ASPECTS[rng.integers(len(CAMERA_ASPECTS))]
    # Sensors give even sides; JPEG's 8x8 blocks do not need them to be multiples of 8.
    long_side = 2 * round((pixels * aspect) ** 0.5 / 2)
    short_side = 2 * round(long_side / aspect / 2)
    return (short_side, long_side) if rng.random() < 0.4 else (long_side, short_side)


def main() -> None:
    out = Path(sys.argv[1])
    count = int(sys.argv[2])
    camera = len(sys.argv) > 3 and sys.argv[3] == "camera"
    width = int(sys.argv[3]) if len(sys.argv) > 3 and not camera else 683
    height = int(sys.argv[4]) if len(sys.argv) > 4 else 512
    out.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        path = out / f"{i // 100:03d}" / f"photo_{i:06d}.jpg"
        if path.exists():
            continue
        path.parent.mkdir(exist_ok=True)
        photo(i, *(camera_size(i) if camera else (width, height))).save(path, quality=90)


if __name__ == "__main__":
    main()
