#!/usr/bin/env python3
"""Projects varstyle's step time and scaling efficiency at 8, 64 and 512 GPUs (docs/scaling.md).

Inputs: the files of measure.sh (bucket sizes and the order and relative time at which each
bucket's gradients become ready in backward, from a 2-rank timeline), the one-GPU step times of
docs/gpu.md, and NCCL's published bus bandwidths and latencies (SOURCES). Every figure it prints
comes from those and the model below; nothing is tuned to a result.

Model (weak scaling: batch 8 per GPU, as on one GPU):
- one bucket's all-reduce on n GPUs takes  alpha(n) + bytes * 2(n-1)/n / busbw(n)  (the
  nccl-tests definition of bus bandwidth, doc/PERFORMANCE.md);
- buckets run one after another on the communication stream, each starting when it is ready:
  bucket k is ready when the share f_k of backward measured by the timeline has elapsed;
- the step waits only for what is still running when backward ends (exposed communication);
  "no overlap" is the same buckets all sent after backward;
- efficiency = one-GPU step / projected step.
Usage: project.py [MEASURED_DIR]  (prints markdown tables)
"""
import json
import math
import sys
from pathlib import Path

SOURCES = {
    "nvlink_ring": "NVIDIA/nccl-tests#212 (S. Jeaugey, NCCL team, 2024-05-06): H100 NVLink line rate "
                   "450 GB/s; with ~20 % protocol overhead ring all-reduce reaches ~370 GB/s busbw "
                   "(NVLink SHARP reaches ~480, at sizes of 256 MB and more)",
    "ndr_nic": "NVIDIA/nccl-tests#290 (AddyLaddy, NCCL team, 2025-03-03): NDR 400 Gb/s gives 46-48 GB/s "
               "per NIC in ring all-reduce",
    "hdr_nic": "NVIDIA/nccl-tests#160 (S. Jeaugey, 2023-08-01): ~24 GB/s per 200 Gb/s NIC on perfect "
               "setups; NVIDIA/nccl#812 (AddyLaddy, 2023-03-31): DGX-A100, 8 x 200 Gb/s IB, 192 GB/s "
               "all-reduce busbw, i.e. ring busbw = the node's total NIC bandwidth",
    "latency_nvlink": "NVIDIA/nccl#1259 (2024-04-22, HGX 8 x H100, NCCL 2.20): ~6 us for a small "
                      "all-reduce on 2 GPUs; taken as 20 us at 8 GPUs (more ranks, no CUDA graph)",
    "ddp_resnet50": "pytorch/pytorch benchmarks/distributed/ddp/README.md: ResNet-50, batch 32, 329 img/s "
                    "on 1 V100, 296 per GPU on 8, 284 per GPU on 64 (8 DGX-1, 4 x 100 Gb/s IB each)",
    "horovod": "horovod/horovod README and docs/benchmarks.rst: 128 servers x 4 Pascal GPUs, 25 Gb/s RoCE: "
               "90 % scaling efficiency at 512 GPUs for Inception V3 and ResNet-101, 68 % for VGG-16",
    "latency_ib": "NVIDIA/nccl#1244 (2024-04-09, 2 nodes x 8 H20, NDR, NCCL 2.21): 46-48 us for "
                  "all-reduces of 4 B to 1 KB; taken as 46 us per doubling of the node count (tree depth)",
}

# A published measurement to hold the model against: PyTorch's DDP benchmark
# (pytorch/pytorch benchmarks/distributed/ddp/README.md): ResNet-50, batch 32 per GPU, 8 DGX-1
# machines of 8 V100 with 4 x 100 Gb/s InfiniBand each; p50 step 0.097 s on 1 GPU, 0.108 s on 8,
# 0.113 s on 64. Its fp32 gradient is 25,557,032 parameters. The NICs are taken at their line rate
# (12.5 GB/s each), so the model's figure is an upper bound of what that setup could give.
DDP_RESNET50 = dict(step_s={1: 0.097, 8: 0.108, 64: 0.113}, gradient_bytes=25_557_032 * 4,
                    fabric=dict(gpus_per_node=8, nvlink=370.0, nics=4 * 12.5))  # NVLink: H100 figure, an upper bound for V100

# Fabrics: GPUs per node, NVLink ring busbw inside a node, the node's NIC bandwidth (GB/s).
FABRICS = {
    "DGX H100 class: 8 GPUs/node, NVLink + 8 x NDR 400": dict(gpus_per_node=8, nvlink=370.0, nics=8 * 47.0),
    "typical Slurm GPU nodes: 4 GPUs/node, 1 x HDR 200": dict(gpus_per_node=4, nvlink=370.0, nics=1 * 24.0),
}

# One-GPU step times (ms) at 256x256, batch 8 (docs/gpu.md, one H200): the adain twin measured;
# vst scaled from it by the CPU ratio of their steps (the ratio of their medians in measured/metrics-*.jsonl).
DEFAULT_MB = 5.0  # dist.bucket_mb
ADAIN_STEP_MS = {"fp32": 8 / 301.2 * 1000, "bf16 + channels_last": 8 / 359.1 * 1000}


def alpha_us(n, gpus_per_node):
    if n <= 1:
        return 0.0
    if n <= gpus_per_node:
        return 6.0 if n == 2 else 20.0
    return 46.0 * math.ceil(math.log2(math.ceil(n / gpus_per_node)))


def busbw(n, fabric):
    if n <= fabric["gpus_per_node"]:
        return fabric["nvlink"]
    return min(fabric["nvlink"], fabric["nics"])


def collective_ms(nbytes, n, fabric):
    if n <= 1:
        return 0.0
    return alpha_us(n, fabric["gpus_per_node"]) / 1000 + nbytes * 2 * (n - 1) / n / (busbw(n, fabric) * 1e9) * 1000


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def plans(bench):
    """bucket_mb -> [(bytes, parameters)] in launch order, from bench allreduce's bucket lines."""
    result = {}
    for line in bench:
        if line["what"] == "bucket":
            result.setdefault(line["bucket_mb"], []).append((line["bytes"], line["parameters"]))
    return result


def ready_fractions(timeline, fine_plan):
    """For each parameter (in launch order), the median share of backward elapsed when the fine
    plan's bucket holding it was launched, over the timed steps (the first one is warm-up)."""
    events = timeline["traceEvents"]
    backward = sorted((e["ts"], e["ts"] + e["dur"]) for e in events if e["name"] == "backward")
    launches = {}
    for e in events:
        if e["name"].startswith("allreduce bucket "):
            launches.setdefault(int(e["name"].split()[-1]), []).append(e["ts"])
    per_bucket = []
    for b in range(len(fine_plan)):
        shares = []
        for start, (b0, b1) in zip(sorted(launches[b])[1:], backward[1:]):
            shares.append(min(1.0, max(0.0, (start - b0) / (b1 - b0))))
        shares.sort()
        per_bucket.append(shares[len(shares) // 2])
    fractions = []
    for share, (_, parameters) in zip(per_bucket, fine_plan):
        fractions += [share] * parameters
    return fractions


def check_model_on_cpu(bench):
    """The cost model's form on the measured machine: alpha from the 4-byte line, bandwidth from the
    largest bucket, then each plan's whole gradient predicted against its measured time."""
    latency = next(l for l in bench if l["what"] == "latency")["us"] / 1000
    largest = max((l for l in bench if l["what"] == "bucket"), key=lambda l: l["bytes"])
    seconds = largest["us"] / 1e6 - latency / 1000
    bandwidth = largest["bytes"] / seconds  # 2 ranks: 2(n-1)/n = 1
    rows = []
    for line in bench:
        if line["what"] != "gradient":
            continue
        predicted = sum(latency + b / bandwidth * 1000 for b, _ in plans(bench)[line["bucket_mb"]])
        rows.append((line["bucket_mb"], line["buckets"], line["us"] / 1000, predicted))
    return latency, bandwidth / 1e9, rows


def cpu_overlap(metrics, bench):
    """Share of the fine plan's all-reduce time that the 2-rank CPU run hid behind backward: one
    minus its median reduce wait over the bench's time for the same buckets sent back to back."""
    waits = sorted(r["seconds_per_step"]["reduce"] for r in metrics[1:] if "seconds_per_step" in r)
    standalone = next(l for l in bench if l["what"] == "gradient" and l["bucket_mb"] == 0.001)["us"] / 1e6
    return waits[len(waits) // 2], standalone


def step_split(metrics):
    """Median forward, backward and whole-step seconds over the metrics rows after the first."""
    rows = [r for r in metrics[1:] if "seconds_per_step" in r]
    def median(key):
        values = sorted(r["seconds_per_step"][key] for r in rows)
        return values[len(values) // 2]
    return median("forward"), median("backward"), sum(median(k) for k in ("data", "forward", "backward", "optimizer"))


def project(step_ms, backward_share, plan, fractions, n, fabric, overlap=True):
    backward_ms = backward_share * step_ms
    backward_start = step_ms - backward_ms  # the optimiser's share is small and left in forward
    comm_end, cursor = 0.0, 0
    for nbytes, parameters in plan:
        cursor += parameters
        ready = backward_start + fractions[cursor - 1] * backward_ms if overlap else step_ms
        comm_end = max(comm_end, ready) + collective_ms(nbytes, n, fabric)
    return max(step_ms, comm_end)


def main():
    measured = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "measured")
    models = {}
    for model in ("vst_256", "adain_256"):
        bench = plans(read_jsonl(measured / f"bench-{model}-2.jsonl"))
        fine = bench[0.001]
        fractions = ready_fractions(json.loads((measured / f"timeline-{model}.json").read_text()), fine)
        forward, backward, step = step_split(read_jsonl(measured / f"metrics-{model}.jsonl"))
        models[model] = dict(plans=bench, fractions=fractions, backward_share=backward / (forward + backward),
                             cpu_step=step, gradient_bytes=sum(b for b, _ in fine))
        lines = read_jsonl(measured / f"bench-{model}-2.jsonl")
        latency, bandwidth, rows = check_model_on_cpu(lines)
        print(f"{model}, 2 CPU ranks: alpha {1000 * latency:.1f} us, bandwidth {bandwidth:.2f} GB/s; "
              "whole gradient, measured / predicted ms: "
              + ", ".join(f"{mb:g} MiB ({n} buckets) {m:.2f} / {p:.2f}" for mb, n, m, p in rows))
        wait, standalone = cpu_overlap(read_jsonl(measured / f"metrics-{model}.jsonl"), lines)
        print(f"{model}, 2 CPU ranks: reduce wait {1000 * wait:.1f} ms of {1000 * standalone:.1f} ms sent back to "
              f"back: {100 * max(0.0, 1 - wait / standalone):.0f} % hidden behind backward")
    ratio = models["vst_256"]["cpu_step"] / models["adain_256"]["cpu_step"]
    print(f"CPU step ratio vst_256 / adain_256 (2 ranks, 64x64, batch 2): {ratio:.2f}\n")
    for model, m in models.items():
        first = [f for f in m["fractions"]]
        print(f"{model}: gradient {m['gradient_bytes'] / 2**20:.1f} MiB, backward {100 * m['backward_share']:.0f} % "
              f"of forward + backward; plans (MiB, the share of backward after which each bucket is ready):")
        for mb in (DEFAULT_MB, 25.0):
            plan = m["plans"][mb]
            ready = [round(first[sum(p for _, p in plan[:k + 1]) - 1], 2) for k in range(len(plan))]
            print(f"  {mb:g} MiB: {[round(b / 2**20, 2) for b, _ in plan]}, ready at {ready}")
    print()
    for precision, adain_ms in ADAIN_STEP_MS.items():
        print(f"### {precision}, {DEFAULT_MB:g} MiB buckets\n")
        print("| model | fabric | 1 GPU ms | 8 GPUs | 64 GPUs | 512 GPUs | 512, no overlap |")
        print("|---|---|---|---|---|---|---|")
        for model, m in models.items():
            one = adain_ms * (ratio if model == "vst_256" else 1.0)
            for name, fabric in FABRICS.items():
                cells = []
                for n in (8, 64, 512):
                    t = project(one, m["backward_share"], m["plans"][DEFAULT_MB], m["fractions"], n, fabric)
                    cells.append(f"{t:.1f} ms, {100 * one / t:.0f} %")
                t = project(one, m["backward_share"], m["plans"][DEFAULT_MB], m["fractions"], 512, fabric, overlap=False)
                cells.append(f"{t:.1f} ms, {100 * one / t:.0f} %")
                print(f"| {model} | {name} | {one:.1f} | " + " | ".join(cells) + " |")
        print()
    print("### bucket size (bf16 + channels_last, 512 GPUs, efficiency)\n")
    sizes = [1.0, 5.0, 25.0, 100.0]
    print("| model | fabric | " + " | ".join(f"{s:g} MiB" for s in sizes) + " |")
    print("|---|---|" + "---|" * len(sizes))
    for model, m in models.items():
        one = ADAIN_STEP_MS["bf16 + channels_last"] * (ratio if model == "vst_256" else 1.0)
        for name, fabric in FABRICS.items():
            cells = []
            for s in sizes:
                t = project(one, m["backward_share"], m["plans"][s], m["fractions"], 512, fabric)
                cells.append(f"{100 * one / t:.1f} % ({len(m['plans'][s])})")
            print(f"| {model} | {name} | " + " | ".join(cells) + " |")
    ddp = DDP_RESNET50
    one = ddp["step_s"][1] * 1000
    print("\n### the model against PyTorch DDP's ResNet-50 benchmark (whole gradient after backward)\n")
    print("| GPUs | measured | model, no overlap |")
    print("|---|---|---|")
    for n in (8, 64):
        t = one + collective_ms(ddp["gradient_bytes"], n, ddp["fabric"])
        print(f"| {n} | {100 * one / (1000 * ddp['step_s'][n]):.0f} % | {100 * one / t:.0f} % |")
    print("\nSources:")
    for key, text in SOURCES.items():
        print(f"- {key}: {text}")


if __name__ == "__main__":
    main()
