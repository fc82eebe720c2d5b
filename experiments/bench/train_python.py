"""Plain-PyTorch twin of varstyle's `adain` training step, timed on the CPU or a GPU (one JSON line).

The network and loss mirror the C++ sources (src/nets/vgg19.cpp, src/nets/decoder.cpp,
src/nets/adain.cpp, src/nets/feature_statistics.cpp, src/losses/style_losses.cpp,
src/losses/image_losses.cpp, src/models/adain_model.cpp, src/losses/perceptual_criterion.cpp)
with loss.content_target=adain, content on relu4_1 (weight 1), style_moments on
relu1_1..relu4_1 (weight 10), frozen random VGG19 shared by encoder and loss network, Adam.

Run with Debian's interpreter (torch 1.13):
  /usr/bin/python3 experiments/bench/train_python.py --width 0.25 --size 64 --batch 8 \
      --steps 60 --warmup 10 --threads 1 --lr 1e-4
Data are random tensors in [0, 1], made before timing (a pool of batches, cycled), so the timed
step is compute only: forward, loss, backward, optimizer.step, zero_grad. --bf16 is varstyle's
train.bf16: the forward pass under bf16 autocast on the CPU or a GPU, the feature statistics
outside it in fp32. On a GPU (--device cuda, with --channels-last as train.channels_last) the
clock stops after a synchronisation.
"""
import argparse
import contextlib
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# Vgg19::full_layers: (name, channels at width 1, max-pool after).
VGG_PLAN = [
    ("conv1_1", 64, False), ("conv1_2", 64, True), ("conv2_1", 128, False), ("conv2_2", 128, True),
    ("conv3_1", 256, False), ("conv3_2", 256, False), ("conv3_3", 256, False), ("conv3_4", 256, True),
    ("conv4_1", 512, False), ("conv4_2", 512, False), ("conv4_3", 512, False), ("conv4_4", 512, True),
    ("conv5_1", 512, False),
]
STYLE_TAPS = ["relu1_1", "relu2_1", "relu3_1", "relu4_1"]
CONTENT_TAP = "relu4_1"


def scaled(channels, width):
    # std::lround rounds halves away from zero; Python's round() rounds them to even.
    value = channels * width
    return max(4, int(value + 0.5) if value >= 0 else -int(-value + 0.5))


def full_layers(width):
    layers, channels_in = [], 3
    for name, out, pool in VGG_PLAN:
        channels = scaled(out, width)
        layers.append((name, channels_in, channels, pool))
        channels_in = channels
    return layers


def he_conv(channels_in, channels_out):
    conv = nn.Conv2d(channels_in, channels_out, 3)
    nn.init.kaiming_normal_(conv.weight, a=0.0, mode="fan_in", nonlinearity="relu")
    nn.init.zeros_(conv.bias)
    return conv


def pad(x):
    return F.pad(x, (1, 1, 1, 1), mode="reflect")


class Vgg19(nn.Module):
    """VGG19 up to relu4_1 (the deepest tap the adain model asks for)."""

    def __init__(self, width, last_tap="relu4_1"):
        super().__init__()
        self.layers = []
        for name, channels_in, channels_out, pool in full_layers(width):
            self.add_module(name, he_conv(channels_in, channels_out))
            self.layers.append((name, "relu" + name[4:], pool))
            if "relu" + name[4:] == last_tap:
                break
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1), persistent=False)

    def features(self, image, taps):
        names = [tap for _, tap, _ in self.layers]
        deepest = max(names.index(tap) for tap in taps)
        result = {}
        x = (image - self.mean) / self.std
        for i in range(deepest + 1):
            name, tap, pool = self.layers[i]
            x = F.relu(getattr(self, name)(pad(x)))
            if tap in taps:
                result[tap] = x
            if pool and i < deepest:
                x = F.max_pool2d(x, 2, 2)
        return result


class Decoder(nn.Module):
    """The mirrored decoder (Decoder::forward without modulation stages)."""

    def __init__(self, width):
        super().__init__()
        layers = full_layers(width)
        c1, c2, c3, c4 = layers[0][2], layers[2][2], layers[4][2], layers[8][2]
        plan = [("dec4_1", c4, c3), ("dec3_4", c3, c3), ("dec3_3", c3, c3), ("dec3_2", c3, c3),
                ("dec3_1", c3, c2), ("dec2_2", c2, c2), ("dec2_1", c2, c1), ("dec1_2", c1, c1),
                ("dec1_1", c1, 3)]
        self.names = [name for name, _, _ in plan]
        for name, channels_in, channels_out in plan:
            self.add_module(name, he_conv(channels_in, channels_out))

    def conv(self, index, x, relu=True):
        y = getattr(self, self.names[index])(pad(x))
        return F.relu(y) if relu else y

    def forward(self, features):
        up = lambda x: F.interpolate(x, scale_factor=2, mode="nearest")
        x = up(self.conv(0, features))
        x = self.conv(4, self.conv(3, self.conv(2, self.conv(1, x))))
        x = up(x)
        x = up(self.conv(6, self.conv(5, x)))
        return self.conv(8, self.conv(7, x), relu=False)


def no_autocast(x):
    # Feature statistics in fp32 even under bf16 autocast, as varstyle's (feature_statistics.cpp).
    return torch.autocast(x.device.type, enabled=False)


def channel_mean(x):
    with no_autocast(x):
        return x.float().flatten(2).mean(2)


def channel_std(x, eps=1e-5):
    with no_autocast(x):
        flat = x.float().flatten(2)
        return (flat.var(2, unbiased=flat.size(2) > 1) + eps).sqrt()


def adain(content, style, eps=1e-5):
    scale = channel_std(style, eps)[..., None, None]
    bias = channel_mean(style)[..., None, None]
    mean = channel_mean(content)[..., None, None]
    std = channel_std(content, eps)[..., None, None]
    return scale * (content - mean) / std + bias


def style_moments_loss(outputs, targets):
    total = outputs[0].new_zeros((), dtype=torch.float32)
    for output, target in zip(outputs, targets):
        total = total + ((channel_mean(output) - channel_mean(target)).pow(2).mean()
                         + (channel_std(output) - channel_std(target)).pow(2).mean())
    return total


class AdainModel(nn.Module):
    def __init__(self, width, content_weight=1.0, style_weight=10.0):
        super().__init__()
        self.vgg = Vgg19(width)            # encoder and loss network (shared, as in varstyle)
        self.decoder = Decoder(width)
        for parameter in self.vgg.parameters():
            parameter.requires_grad_(False)
        self.vgg.eval()
        self.content_weight = content_weight
        self.style_weight = style_weight

    def training_step(self, content, style):
        # AdainModel::training_step, in the same order and with the same passes.
        with torch.no_grad():
            content_features = self.vgg.features(content, [CONTENT_TAP])[CONTENT_TAP]
            # One pass over the style batch gives the style taps and AdaIN's relu4_1, as in varstyle.
            style_features = self.vgg.features(style, STYLE_TAPS)
            target = adain(content_features, style_features[CONTENT_TAP])
        output = self.decoder(target)
        output_features = self.vgg.features(output, STYLE_TAPS + [CONTENT_TAP])
        content_loss = (output_features[CONTENT_TAP].float() - target.detach().float()).pow(2).mean()
        style_loss = style_moments_loss([output_features[t] for t in STYLE_TAPS],
                                        [style_features[t] for t in STYLE_TAPS])
        return self.content_weight * content_loss + self.style_weight * style_loss


def time_steps(step, warmup, steps, synchronize=lambda: None):
    """Runs `warmup` untimed steps, then `steps` timed one by one: their seconds, wall clock and
    the process's CPU time (all threads)."""
    for i in range(warmup):
        step(i)
    synchronize()
    times = []
    for i in range(warmup, warmup + steps):
        start, cpu_start = time.perf_counter(), time.process_time()
        step(i)
        synchronize()
        times.append((time.perf_counter() - start, time.process_time() - cpu_start))
    return times


def step_figures(times, batch):
    """images/s and ms per step over all timed steps, the median and fastest step, and the median
    CPU time of a step: on a machine shared with other work the fastest step is the one least
    slowed by it, and at one thread the CPU time hardly depends on it."""
    wall = [w for w, _ in times]
    seconds = sum(wall)
    return {"images_per_s": round(batch * len(wall) / seconds, 3), "ms_per_step": round(1000.0 * seconds / len(wall), 2),
            "median_ms_per_step": round(1000.0 * statistics.median(wall), 2), "best_ms_per_step": round(1000.0 * min(wall), 2),
            "median_cpu_ms_per_step": round(1000.0 * statistics.median(c for _, c in times), 2)}


def count(module):
    return sum(p.numel() for p in module.parameters())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=float, default=0.25)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=60, help="timed steps (after warm-up)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps first")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--pool", type=int, default=8, help="pre-made batches, cycled")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu", help="cpu | cuda | cuda:N")
    parser.add_argument("--bf16", action="store_true", help="bf16 autocast (CPU or CUDA)")
    parser.add_argument("--channels-last", action="store_true", help="channels-last inputs (CUDA)")
    parser.add_argument("--params", action="store_true",
                        help="print the parameter counts and names/shapes as JSON and exit")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # only settable before the first parallel work
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    model = AdainModel(args.width)
    if args.params:
        print(json.dumps({"encoder_params": count(model.vgg), "decoder_params": count(model.decoder),
                          "shapes": {name: list(p.shape) for name, p in model.named_parameters()}}))
        return
    model.to(device)
    model.train()
    model.vgg.eval()
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=args.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)

    shape = (args.batch, 3, args.size, args.size)
    pool = [(torch.rand(shape).to(device), torch.rand(shape).to(device)) for _ in range(args.pool)]
    if args.channels_last and device.type == "cuda":
        pool = [(c.contiguous(memory_format=torch.channels_last), s.contiguous(memory_format=torch.channels_last))
                for c, s in pool]
    autocast = args.bf16

    def synchronize():
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    def step(i):
        content, style = pool[i % len(pool)]
        with torch.autocast(device.type, dtype=torch.bfloat16) if autocast else contextlib.nullcontext():
            loss = model.training_step(content, style)
        loss.item()  # varstyle reads the loss every step (its non-finite check)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)  # varstyle drops the gradients (undefined tensors)

    times = time_steps(step, args.warmup, args.steps, synchronize)
    print(json.dumps({
        "bench": "train_python", "model": "adain", "width": args.width, "size": args.size,
        "batch": args.batch, "threads": args.threads, "steps": args.steps, "device": str(device),
        "bf16": autocast, "channels_last": args.channels_last and device.type == "cuda",
        **step_figures(times, args.batch), "torch": torch.__version__,
    }))

if __name__ == "__main__":
    main()
