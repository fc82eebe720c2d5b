#!/usr/bin/env bash
# varstyle bench allreduce on 2 ranks (mpirun): the published AdaIN decoder at full width has
# 3,505,219 parameters (its convolutions' weights and biases), so its gradient is 14,020,876 fp32
# bytes; each plan's buckets (the default 5 MiB's, then 2 and 25) tile exactly that, every bucket
# but the last reaches its size, and a smaller size gives more buckets. Then the refusals: a bad
# bucket size, a missing config file.
set -euo pipefail
varstyle="$1"
repo="$2"
mpirun_cmd=(mpirun --allow-run-as-root --oversubscribe -np 2)
out="$(mktemp)"
trap 'rm -f "$out" "$out.err"' EXIT
"${mpirun_cmd[@]}" "$varstyle" bench allreduce --config "$repo/configs/adain_256.yaml" --repeats 3 \
  --bucket-mb 2 --bucket-mb 25 >"$out" 2>"$out.err" || { cat "$out.err"; exit 1; }
/usr/bin/python3 - "$out" <<'PY'
import json, sys
lines = [json.loads(line) for line in open(sys.argv[1])]
assert all(l["bench"] == "allreduce" and l["ranks"] == 2 and l["model"] == "adain" for l in lines), lines
assert [l["what"] for l in lines if l["what"] != "bucket"] == ["latency"] + ["gradient"] * 3, lines
expected = 4 * 3505219
plans = {}
for l in lines:
    if l["what"] == "bucket":
        plans.setdefault(l["bucket_mb"], []).append(l)
    elif l["what"] == "gradient":
        assert l["bytes"] == expected, (l["bytes"], expected)
        buckets = plans[l["bucket_mb"]]
        assert l["buckets"] == len(buckets), l
        assert [b["bucket"] for b in buckets] == list(range(len(buckets))), buckets
        assert sum(b["bytes"] for b in buckets) == expected, buckets
        limits = [l["first_bucket_mb"]] + [l["bucket_mb"]] * (len(buckets) - 1)
        for b, limit in zip(buckets[:-1], limits):
            assert b["bytes"] >= limit * 1024 * 1024, (b, limit)
        assert l["us"] > 0 and abs(l["busbw_GBps"] - l["algbw_GBps"]) < 1e-3, l  # 2(n-1)/n = 1 at n = 2
assert list(plans) == [5.0, 2.0, 25.0], plans.keys()  # the default dist.bucket_mb first
assert len(plans[2.0]) > len(plans[5.0]) > len(plans[25.0]) == 2, {k: len(v) for k, v in plans.items()}
print("bench allreduce: gradient", expected, "bytes;", {k: len(v) for k, v in plans.items()}, "buckets")
PY
if "$varstyle" bench allreduce --config "$repo/configs/demo.yaml" --bucket-mb 0 >"$out" 2>&1; then
  echo "FAIL: --bucket-mb 0 was accepted"; exit 1
fi
grep -q -- "--bucket-mb" "$out" || { echo "FAIL: the refusal does not name --bucket-mb:"; cat "$out"; exit 1; }
if "$varstyle" bench allreduce --config "$repo/configs/no-such.yaml" >"$out" 2>&1; then
  echo "FAIL: a missing config was accepted"; exit 1
fi
grep -q "no-such.yaml" "$out" || { echo "FAIL: the refusal does not name the file:"; cat "$out"; exit 1; }
echo "bench allreduce: ok"
