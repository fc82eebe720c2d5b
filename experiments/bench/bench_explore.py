"""Latency of the latent explorer (issue 14): a slider change -> its new images, measured as the
page's request: POST /api/render with a changed code -> JSON with every image as base64 PNG,
over loopback HTTP, against a running `varstyle explore` (decoder part only; contents encoded
once). Rows: 1 and 4 contents at 128, 256 and 512 pixels, for the demo model (runs/demo, or any
--checkpoint) and a full-width model of the same config (model.width=1, one training step:
weights do not change the time).
Usage: [VARSTYLE_BIN_DIR=build/bin] /usr/bin/python3 experiments/bench/bench_explore.py [--checkpoint runs/demo] [--moves 30]"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("VARSTYLE_BIN_DIR", os.path.join(ROOT, "build", "bin"))
VARSTYLE = os.path.join(BIN, "varstyle")
PREP = os.path.join(BIN, "varstyle-prep")


def start(checkpoint, contents, styles):
    command = [VARSTYLE, "explore", "--checkpoint", checkpoint, "--port", "0", "--device", "cpu", "--style", styles]
    for content in contents:
        command += ["--content", content]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in process.stdout:
        found = re.search(r"open (http://\S+)", line)
        if found:
            return process, found.group(1).rstrip("/")
    raise RuntimeError("explore did not start: " + process.stderr.read())


def post(url, body):
    request = urllib.request.Request(url + "/api/render", data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def measure(url, dims, size, moves):
    """Median and 90th percentile of `moves` slider changes (one dimension moved each time), after
    the first view at this size (which encodes the contents) and two warm-up moves."""
    code = [0.0] * dims
    post(url, {"code": code, "size": size})
    times, server = [], []
    for move in range(moves + 2):
        code[move % dims] = ((move * 37) % 61) / 10.0 - 3.0
        started = time.perf_counter()
        answer = post(url, {"code": code, "size": size})
        if move >= 2:
            times.append((time.perf_counter() - started) * 1000)
            server.append(answer["milliseconds"])
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))], statistics.median(server)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoint", default=os.path.join(ROOT, "runs", "demo"))
    parser.add_argument("--moves", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([PREP, "synthetic", "--no-progress", "--kind", "content", "--count", "4", "--size", "512",
                        "--seed", "5", "--output", f"{work}/content"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([PREP, "synthetic", "--no-progress", "--kind", "style", "--count", "16", "--size", "256",
                        "--seed", "6", "--output", f"{work}/style"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([VARSTYLE, "train", "--config", f"{ROOT}/configs/demo.yaml", "--run-dir", f"{work}/wide",
                        "--device", "cpu", f"data.content={work}/content", f"data.style={work}/style", "data.size=64",
                        "data.batch_size=1", "model.width=1", "train.steps=1", "train.threads=2", "train.grid_size=0"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # One content: the first image of the folder; four: all of it.
        single = f"{work}/one"
        os.makedirs(single)
        print("| model | contents | size | median ms | p90 ms | server median ms |")
        print("|---|---|---|---|---|---|")
        for name, checkpoint in (("demo (width 0.25)", args.checkpoint), ("full width (1.0)", f"{work}/wide")):
            for contents in (1, 4):
                process, url = start(checkpoint, [f"{work}/content"], f"{work}/style") if contents == 4 else \
                    start_one(checkpoint, work)
                try:
                    with urllib.request.urlopen(url + "/api/state") as response:
                        dims = len(json.loads(response.read())["dims"])
                    for size in (128, 256, 512):
                        median, p90, server = measure(url, dims, size, args.moves)
                        print(f"| {name} | {contents} | {size} | {median:.0f} | {p90:.0f} | {server:.0f} |", flush=True)
                finally:
                    process.send_signal(signal.SIGINT)
                    process.wait(timeout=30)


def start_one(checkpoint, work):
    """The explorer with only the first content image (exported as PNG from the folder)."""
    path = f"{work}/one/first.png"
    if not os.path.exists(path):
        import h5py
        import numpy as np
        from PIL import Image
        with h5py.File(f"{work}/content/shard-00000.h5", "r") as f:
            Image.fromarray(np.asarray(f["images"][0])).save(path)
    return start(checkpoint, [path], f"{work}/style")


if __name__ == "__main__":
    main()
