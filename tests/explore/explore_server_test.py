"""varstyle explore's server against hostile and concurrent clients (issue 14): bad JSON,
out-of-range values, huge uploads, non-images, decompression bombs and unknown paths get 4xx with
a message and the server stays up; two concurrent clients get the images a lone client gets;
SIGINT stops it cleanly; --bf16 renders close to fp32; a checkpoint that cannot be loaded is an error before it starts; and
`varstyle stylize --code` / `sample --code` refuse what they cannot reproduce.
Usage: explore_server_test.py BIN_DIR SOURCE_DIR"""
import base64
import json
import socket
import struct
import sys
import tempfile
import threading
import zlib

from explore_fixture import Fixture, Server, check, png_pixels


def bomb_png(width, height):
    """A PNG whose header claims width x height pixels (and whose data is junk)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk)) + b"\0" * 64


def announce_huge_body(url, path, length):
    """Sends only the headers of a `length`-byte POST and reads the answer: the server must refuse
    it from its Content-Length, without waiting for (or reading) the body."""
    host, port = url.split("//")[1].rstrip("/").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=120) as connection:  # a loaded CI machine
        connection.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/octet-stream\r\n"
                           f"Content-Length: {length}\r\n\r\n".encode() + b"\x89PNG" + b"\0" * 1000)
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < 10:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split()[1]) if head else 0
    try:
        return status, json.loads(body.decode()).get("error", "")
    except ValueError:
        return status, body.decode(errors="replace")


def main(bin_dir, source_dir):
    with tempfile.TemporaryDirectory() as work:
        fixture = Fixture(bin_dir, source_dir, work)
        fixture.images()
        run_vst = fixture.train("vst")

        missing = fixture.run(fixture.varstyle, "explore", "--checkpoint", "no_such_run", "--port", "0", check=False)
        check(missing.returncode != 0 and "no_such_run" in missing.stderr and "open http" not in missing.stdout,
              f"a checkpoint that cannot be loaded is an error before the server starts: {missing.stderr.strip()}")

        server = Server(fixture, "--checkpoint", run_vst, "--content", fixture.path("contents"),
                        "--style", fixture.path("styles"))
        status, state = server.json("/api/state")
        dims = len(state["dims"])
        check(status == 200 and state["has_code"] and dims == fixture.VST_CODE and not state["exposed"],
              f"state: {fixture.VST_CODE} dimensions, loopback")
        check([d["variance"] for d in state["dims"]] == sorted((d["variance"] for d in state["dims"]), reverse=True),
              "dimensions ordered by decreasing variance")
        check(sorted(label["name"] for label in state["labels"]) == ["dots", "stripes"], "label presets from --labels subdirs")

        def error_of(path, body, expected, words, method=None, content_type="application/json"):
            status, data = server.request(path, body, method=method, content_type=content_type)
            text = data.decode(errors="replace")
            message = json.loads(text).get("error", "") if text.startswith("{") else text
            check(status == expected and all(w in message for w in words),
                  f"{path} {str(body)[:40]!r}: {status} '{message}'")

        error_of("/api/render", "{not json", 400, ["not valid JSON"])
        error_of("/api/render", "[1, 2]", 400, ["JSON object"])
        error_of("/api/render", json.dumps({"code": [0] * dims, "alpha": 2}), 400, ["alpha", "outside"])
        error_of("/api/render", json.dumps({"code": [0] * 3}), 400, ["code", str(fixture.VST_CODE)])
        error_of("/api/render", json.dumps({"code": ["a"] * dims}), 400, ["code[0]"])
        error_of("/api/render", json.dumps({"code": [1e9] * dims}), 400, ["code[0]", "outside"])
        error_of("/api/render", json.dumps({"code": [0] * dims, "size": 4294967552}), 400, ["size"])
        error_of("/api/render", json.dumps({"code": [0] * dims, "bogus": 1}), 400, ["unknown key 'bogus'"])
        error_of("/api/render", json.dumps({"styles": [{"style": 99, "weight": 1}]}), 400, ["styles[0].style", "99"])
        error_of("/api/render", json.dumps({"alpha": 1}), 400, ["exactly one"])
        error_of("/api/render", "x" * (100 << 10), 413, ["limit"])
        status, message = announce_huge_body(server.url, "/api/upload/content?name=big.png", 21 << 20)
        check(status == 413 and "20 MB" in message, f"a 21 MB upload is refused before it is read: {status} '{message}'")
        error_of("/api/upload/style?name=notes.txt", b"just some text, not an image", 400, ["notes.txt", "not an image"],
                 content_type="application/octet-stream")
        error_of("/api/upload/style?name=bomb.png", bomb_png(20000, 20000), 400, ["bomb.png", "too large", "50000000"],
                 content_type="application/octet-stream")
        error_of("/api/upload/style?name=empty.png", b"", 400, ["empty"], content_type="application/octet-stream")
        error_of("/etc/passwd", None, 404, ["no such page"])
        error_of("/../../../etc/passwd", None, 404, [])
        error_of("/api/thumbnail/style/999", None, 404, ["no style 999"])
        error_of("/api/nothing", b"{}", 404, ["no such endpoint"], method="POST")
        status, _ = server.request("/explore.js")
        check(status == 200, "the server is still up and serves its page")

        # Two clients at once: each gets what it would get alone.
        views = [{"code": [0.5 * ((i + k) % 3 - 1) for k in range(dims)], "size": 128} for i in range(4)]
        alone = [server.json("/api/render", view)[1]["images"] for view in views]
        results, failures = {}, []

        def client(index):
            for round_ in range(3):
                for i, view in enumerate(views):
                    status, answer = server.json("/api/render", view)
                    if status != 200:
                        failures.append(status)
                    results[(index, round_, i)] = answer.get("images")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(2)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        check(not failures and all(images == alone[i] for (_, _, i), images in results.items()),
              f"two concurrent clients: {len(results)} renders, each equal to a lone client's")

        # Export, then the command-line reproduction refuses a wrong kind.
        status, exported = server.json("/api/export", views[1])
        check(status == 200 and exported["format"] == "varstyle-code" and len(exported["code"]) == dims, "export of a code view")
        output = server.stop()
        check("stopped" in output, "SIGINT stops the server cleanly (exit 0)")

        # --bf16: the same view decoded under bf16 autocast, close to the fp32 image but not it.
        bf16_server = Server(fixture, "--checkpoint", run_vst, "--content", fixture.path("contents"),
                             "--style", fixture.path("styles"), "--bf16")
        status, answer = bf16_server.json("/api/render", views[1])
        bf16_server.stop()
        check(status == 200, f"--bf16 renders: {status}")
        fp32_pixels = png_pixels(base64.b64decode(alone[1][0].split(",", 1)[1])).astype(int)
        bf16_pixels = png_pixels(base64.b64decode(answer["images"][0].split(",", 1)[1])).astype(int)
        difference = abs(fp32_pixels - bf16_pixels)
        check(difference.max() > 0 and difference.mean() < 4,
              f"--bf16 is close to fp32 and not it: mean {difference.mean():.2f}, max {difference.max()} levels")

        run_adain = fixture.train("adain")
        with open(fixture.path("code.json"), "w") as f:
            json.dump(exported, f)
        refused = fixture.run(fixture.varstyle, "stylize", "--checkpoint", run_adain, "--content",
                              fixture.path("contents", "c0.png"), "--code", fixture.path("code.json"),
                              "--out", fixture.path("x.png"), "--device", "cpu", check=False)
        check(refused.returncode == 2 and "code.json" in refused.stderr and "no style code" in refused.stderr,
              f"stylize --code on adain: {refused.stderr.strip()}")
        with open(fixture.path("bad_code.json"), "w") as f:
            json.dump(dict(exported, code=exported["code"][:3]), f)
        refused = fixture.run(fixture.varstyle, "sample", "--checkpoint", run_vst, "--content",
                              fixture.path("contents", "c0.png"), "--code", fixture.path("bad_code.json"),
                              "--out", fixture.path("x.png"), "--device", "cpu", check=False)
        check(refused.returncode == 2 and "bad_code.json" in refused.stderr and "latent" in refused.stderr,
              f"sample --code with a wrong size: {refused.stderr.strip()}")
        sampled = fixture.run(fixture.varstyle, "sample", "--checkpoint", run_vst, "--content",
                              fixture.path("contents", "c0.png"), "--code", fixture.path("code.json"),
                              "--out", fixture.path("sampled.png"), "--device", "cpu")
        check("the code of" in sampled.stdout, "sample --code decodes an exported code")
    print("explore server test passed")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
