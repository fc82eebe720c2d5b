"""Shared by the explorer's tests: tiny images, two briefly trained checkpoints (vst and adain,
the demo configs at 32x32 for a few steps) and a running `varstyle explore` to talk to."""
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import numpy as np
from PIL import Image


class Fixture:
    def __init__(self, bin_dir, source_dir, work):
        bin_dir, source_dir = os.path.abspath(bin_dir), os.path.abspath(source_dir)
        self.varstyle = os.path.join(bin_dir, "varstyle")
        self.prep = os.path.join(bin_dir, "varstyle-prep")
        self.source = source_dir
        self.work = work

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def run(self, *args, check=True):
        result = subprocess.run(list(args), cwd=self.work, capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def images(self):
        """Two content PNGs and a style folder with one sub-folder per label, prepared with
        --labels subdirs (so that the explorer has label presets)."""
        rng = np.random.default_rng(7)
        os.makedirs(self.path("contents"), exist_ok=True)
        for i in range(2):
            y, x = np.mgrid[0:48, 0:48]
            image = np.stack([x * 5, y * 5, (x + y) * 2 + 60 * i], -1) % 256
            image[12:30, 10 + 8 * i:34] = [250, 240, 40]
            Image.fromarray(image.astype(np.uint8)).save(self.path("contents", f"c{i}.png"))
        for label in ("dots", "stripes"):
            os.makedirs(self.path("style_folders", label), exist_ok=True)
            for i in range(3):
                image = rng.integers(0, 255, (40, 40, 3)).astype(np.uint8)
                if label == "stripes":
                    image[::4] = [20 * i, 200, 90]
                Image.fromarray(image).save(self.path("style_folders", label, f"{label}{i}.png"))
        self.run(self.prep, "images", "--no-progress", "--input", self.path("style_folders"), "--output",
                 self.path("styles"), "--labels", "subdirs", "--size", "32", "--min-side", "16")

    # The style code of configs/demo.yaml's vst: latent_dim 16, then spectrum_dim 16.
    VST_CODE = 32

    def train(self, kind, steps=3):
        """A checkpoint of `kind` from its demo config, a few steps on synthetic data."""
        if not os.path.exists(self.path("data", "content")):
            self.run(self.prep, "synthetic", "--no-progress", "--kind", "content", "--count", "8", "--size", "32",
                     "--output", self.path("data", "content"))
            self.run(self.prep, "synthetic", "--no-progress", "--kind", "style", "--count", "8", "--size", "32",
                     "--output", self.path("data", "style"))
        config = os.path.join(self.source, "configs", "demo.yaml" if kind == "vst" else f"demo_{kind}.yaml")
        run_dir = self.path(f"run_{kind}")
        self.run(self.varstyle, "train", "--config", config, "--run-dir", run_dir, "--device", "cpu",
                 f"data.content={self.path('data', 'content')}", f"data.style={self.path('data', 'style')}",
                 "data.size=32", "data.batch_size=2", f"train.steps={steps}", "train.ckpt_every=1000",
                 "train.log_every=1", "train.threads=1", "train.grid_size=0")
        return run_dir


class Server:
    """`varstyle explore` on a free port; stopped with SIGINT (and checked to stop cleanly)."""

    def __init__(self, fixture, *args, cwd=None):
        self.process = subprocess.Popen([fixture.varstyle, "explore", "--port", "0", "--device", "cpu", *args],
                                        cwd=cwd or fixture.work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.url = None
        deadline = time.time() + 120
        lines = []
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            lines.append(line)
            found = re.search(r"open (http://\S+)", line)
            if found:
                self.url = found.group(1)
                break
        if self.url is None:
            self.process.kill()
            raise AssertionError("varstyle explore did not start:\n" + "".join(lines) + self.process.stderr.read())

    def request(self, path, body=None, method=None, content_type="application/json"):
        """(status, body bytes); never raises for an HTTP error status."""
        data = body.encode() if isinstance(body, str) else body
        request = urllib.request.Request(self.url.rstrip("/") + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def json(self, path, body=None):
        status, data = self.request(path, body if body is None or isinstance(body, (str, bytes)) else json.dumps(body))
        return status, json.loads(data)

    def stop(self):
        """SIGINT, as Ctrl-C: the server must exit 0 within a few seconds."""
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError("varstyle explore did not stop on SIGINT")
        output = self.process.stdout.read()
        if code != 0:
            raise AssertionError(f"varstyle explore exited {code} on SIGINT: {output}{self.process.stderr.read()}")
        return output


def png_pixels(data):
    import io
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def check(condition, message):
    if not condition:
        print("FAIL:", message)
        sys.exit(1)
    print("ok  ", message)
