#!/usr/bin/python3
"""The Python equivalent of `varstyle-prep images`, for the throughput comparison.

Decode (PIL), convert to RGB, resize the short side to SIZE with area (BOX) filtering, centre-crop,
write uint8 [N,S,S,3] to HDF5 (h5py) one image per chunk, in sorted-path order, with a pool of
THREADS worker processes decoding while the main process writes (as varstyle-prep's THREADS
decoding threads and its writing thread). `--draft` lets PIL's JPEG decoder use reduced-scale IDCT
(what varstyle-prep does); without it the script is what most people write.
Usage: prep_python.py INPUT OUTPUT.h5 [--size 256] [--threads N] [--draft]
"""
import argparse
import time
from multiprocessing import Pool
from pathlib import Path

import h5py
import numpy as np
from PIL import Image

SIZE = 256
DRAFT = False
EXTENSIONS = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}


def load(path: Path):
    try:
        image = Image.open(path)
        if DRAFT:
            image.draft("RGB", (SIZE, SIZE))
        image = image.convert("RGB")
        width, height = image.size
        scale = SIZE / min(width, height)
        new_size = (max(SIZE, round(width * scale)), max(SIZE, round(height * scale)))
        image = image.resize(new_size, Image.BOX)
        left, top = (new_size[0] - SIZE) // 2, (new_size[1] - SIZE) // 2
        return np.asarray(image.crop((left, top, left + SIZE, top + SIZE)))
    except Exception:  # a bad file is skipped, as varstyle-prep does
        return None


def init(size: int, draft: bool) -> None:
    global SIZE, DRAFT
    SIZE, DRAFT = size, draft


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--draft", action="store_true")
    args = parser.parse_args()
    init(args.size, args.draft)
    files = sorted(p for p in Path(args.input).rglob("*") if p.suffix.lower() in EXTENSIONS)
    start = time.perf_counter()
    with h5py.File(args.output, "w") as out:
        images = out.create_dataset("images", shape=(0, args.size, args.size, 3), dtype="u1",
                                    maxshape=(None, args.size, args.size, 3),
                                    chunks=(1, args.size, args.size, 3))
        def append(arrays):
            for array in arrays:
                if array is None:
                    continue
                images.resize(images.shape[0] + 1, axis=0)
                images[-1] = array

        # THREADS decoding workers while this process writes: the structure of varstyle-prep.
        with Pool(args.threads, initializer=init, initargs=(args.size, args.draft)) as pool:
            append(pool.imap(load, files, chunksize=8))
        count = images.shape[0]
    seconds = time.perf_counter() - start
    print(f'{{"bench": "prep_python", "images": {count}, "seconds": {seconds:.3f}, '
          f'"images_per_s": {count / seconds:.1f}, "threads": {args.threads}, "draft": {str(args.draft).lower()}}}')


if __name__ == "__main__":
    main()
