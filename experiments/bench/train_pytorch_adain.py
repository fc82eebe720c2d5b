"""pytorch-AdaIN's own training step (naoto0804/pytorch-AdaIN, net.py and train.py), timed on the CPU.

The step is train.py's loop body as its users run it: net.Net over VGG19 cut at relu4_1 (31
layers, its 1x1 input convolution included) and net.decoder, Adam on the decoder at lr 1e-4 with
train.py's per-iteration decay, content weight 1, style weight 10, loss.item() twice (its
TensorBoard scalars). Only the weights differ (random, timing only; train.py loads
vgg_normalised.pth) and the data (random tensors in [0, 1], made before timing, like
train_python.py; train.py reads and crops JPEGs in DataLoader workers).

  /usr/bin/python3 experiments/bench/train_pytorch_adain.py --adain-dir PATH/pytorch-AdaIN \
      --size 128 --batch 4 --threads 2 --steps 15 --warmup 3 [--bf16]
--bf16 runs the forward pass under torch.autocast('cpu', dtype=torch.bfloat16), which pytorch-AdaIN
itself does not do (its statistics then run in bf16 too). Prints one JSON line.
"""
import argparse
import contextlib
import json
import sys

import torch
import torch.nn as nn

from train_python import step_figures, time_steps  # the same clock as the twin


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adain-dir", required=True, help="a checkout of naoto0804/pytorch-AdaIN (net.py, function.py)")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--steps", type=int, default=15, help="timed steps (after warm-up)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--pool", type=int, default=4, help="pre-made batches, cycled")
    parser.add_argument("--bf16", action="store_true", help="CPU bf16 autocast around the forward pass")
    args = parser.parse_args()

    sys.path.insert(0, args.adain_dir)
    import net  # pytorch-AdaIN's net.py

    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(0)
    vgg = nn.Sequential(*list(net.vgg.children())[:31])  # train.py's cut at relu4_1
    network = net.Net(vgg, net.decoder)
    network.train()
    lr, lr_decay, content_weight, style_weight = 1e-4, 5e-5, 1.0, 10.0  # train.py's defaults
    optimizer = torch.optim.Adam(network.decoder.parameters(), lr=lr)
    shape = (args.batch, 3, args.size, args.size)
    pool = [(torch.rand(shape), torch.rand(shape)) for _ in range(args.pool)]

    def step(i):
        for group in optimizer.param_groups:  # train.py's adjust_learning_rate
            group["lr"] = lr / (1.0 + lr_decay * i)
        content, style = pool[i % len(pool)]
        with torch.autocast("cpu", dtype=torch.bfloat16) if args.bf16 else contextlib.nullcontext():
            loss_c, loss_s = network(content, style)
            loss = content_weight * loss_c + style_weight * loss_s
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_c.item(), loss_s.item()  # train.py logs both every iteration

    times = time_steps(step, args.warmup, args.steps)
    print(json.dumps({
        "bench": "pytorch_adain", "width": 1.0, "size": args.size, "batch": args.batch,
        "threads": args.threads, "steps": args.steps, "bf16": args.bf16,
        **step_figures(times, args.batch), "torch": torch.__version__,
    }))

if __name__ == "__main__":
    main()
