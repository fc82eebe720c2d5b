#!/usr/bin/python3
"""Writes a folder of photo-like JPEGs (smooth colour fields, shapes, noise) for prep benchmarks.

Usage: make_jpegs.py OUT COUNT [WIDTH HEIGHT]. Deterministic in the file index.
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


def main() -> None:
    out = Path(sys.argv[1])
    count = int(sys.argv[2])
    width = int(sys.argv[3]) if len(sys.argv) > 3 else 683
    height = int(sys.argv[4]) if len(sys.argv) > 4 else 512
    out.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        path = out / f"{i // 100:03d}" / f"photo_{i:06d}.jpg"
        if path.exists():
            continue
        path.parent.mkdir(exist_ok=True)
        photo(i, width, height).save(path, quality=90)


if __name__ == "__main__":
    main()
