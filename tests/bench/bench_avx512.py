#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Issue 24's float32 rows on their own: the core and oneDNN alternated in
one process (bench_dnnl --pair) on LSTM and GRU at hidden 256 (input 64)
and hidden 512 (input 128), B = 1, 16, 64, 128, 160 frames per call, one
thread; then each row's step against its two products alone (bench_gemm
--step).  Much shorter than bench.py (no PyTorch, no element, no floors):
for comparing two builds of the kernels on the same machine.

    python3 tests/bench/bench_avx512.py --build build [--rounds 11]
        [--only lstm_h512] [--no-step]

The models and the input are bench.py's generator's (deterministic), in
BUILD/tests/bench/data-avx512/.  Prints the CPU model, its AVX-512 flags,
the kernel set, the FMA peak with ymm and zmm vectors (512-bit ops as one
or as two halves), the load average, then the alternated table (medians
and quartiles of the per-round ratios, a verdict only where the quartiles
lie on one side of the target; bench_alternated.py)."""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402  (its generator, run_json, parse_lines)
from bench_alternated import alternated_table  # noqa: E402

# (stem, cell, hidden, input width); batches as the issue asks
MODELS = [("lstm_h256", "lstm", 256, 64), ("gru_h256", "gru", 256, 64),
          ("lstm_h512_f128", "lstm", 512, 128), ("gru_h512_f128", "gru", 512, 128)]
BATCHES = (1, 16, 64, 128)
N = 160
FLAGS = ("avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni",
         "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8")


def cpu_line():
    model, flags = "?", []
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model == "?":
                    model = line.split(":", 1)[1].strip()
                if line.startswith("flags"):
                    have = line.split(":", 1)[1].split()
                    flags = [x for x in FLAGS if x in have]
                    break
    except OSError:
        pass
    return model, flags


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--only", default="")
    ap.add_argument("--no-step", action="store_true")
    ap.add_argument("--target-ms", type=float, default=60.0)
    ap.add_argument("--json", help="write every raw line here")
    args = ap.parse_args()
    bdir = os.path.join(args.build, "tests", "bench")
    work = os.path.join(bdir, "data-avx512")
    os.makedirs(work, exist_ok=True)
    log = lambda s: print("# " + s, file=sys.stderr, flush=True)  # noqa: E731
    for i, (stem, cell, H, f) in enumerate(MODELS):
        path = os.path.join(work, stem + ".safetensors")
        if not os.path.exists(path):
            bench.make_model(path, cell, 1, H, f, 2000 + i)
    inp = os.path.join(work, "input.f32")
    if not os.path.exists(inp):
        rng = bench.random.Random(7)
        data = bench.uniform(rng, 3200 * 64 * 64, 1.0)   # 128 x 128 x 800 frames
        with open(inp, "wb") as fh:
            data.tofile(fh)
    rows = []
    for stem, cell, H, f in MODELS:
        for B in BATCHES:
            name = "%s_b%d_n%d" % (stem, B, N)
            if args.only in name:
                rows.append((name, cell, 1, H, B, N, stem))
    plan = os.path.join(work, "plan.txt")
    model_f = {stem: f for stem, _, _, f in MODELS}
    with open(plan, "w") as fh:
        for name, cell, L, H, B, n, stem in rows:
            fh.write("%s %s %d %d %d %d %d %s\n" % (
                name, cell, L, model_f[stem], H, B, n,
                os.path.join(work, stem + ".safetensors")))
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    model, flags = cpu_line()
    print("CPU: %s; flags: %s; load average %s" % (
        model, " ".join(flags), " ".join(open("/proc/loadavg").read().split()[:3])))
    raw = []
    gemm = os.path.join(bdir, "bench_gemm")
    info, _ = bench.run_json([gemm, "x:1:16:16", "--reps", "1"], env, log, 60, "set")
    kset = next((l["kernels"] for l in info if l.get("type") == "gemm_info"), "?")
    print("kernel set: %s (RNN_KERNEL=%s)" % (kset, env.get("RNN_KERNEL", "")))
    lines, note = bench.run_json(
        [os.path.join(bdir, "bench_dnnl"), "--plan", plan, "--input", inp,
         "--pair", str(args.rounds), "--target-ms", str(args.target_ms),
         "--min-steps", "160"], env, log, 3600, "core and oneDNN alternated")
    raw += lines
    if note:
        print("bench_dnnl: " + note)
    peaks = sorted(l["peak_gflops"] for l in lines if l.get("type") == "pair")
    if peaks:
        print("FMA peak in the rounds (zmm): median %.1f GFLOP/s, range %.1f-%.1f" % (
            peaks[len(peaks) // 2], peaks[0], peaks[-1]))
    alternated_table(print, rows, lines, model_f, bench.GATES)
    if not args.no_step:
        print("\nstep against its two products alone (bench_gemm --step, 5 rounds)")
        print("%-24s %10s %12s %9s" % ("config", "step us", "products us", "step/prod"))
        for name, cell, L, H, B, n, stem in rows:
            out, _ = bench.run_json(
                [gemm, "--step", "%s:%s:%d" % (name, os.path.join(work, stem + ".safetensors"), B),
                 "--reps", "5"], env, log, 600, "step " + name)
            raw += out
            for l in out:
                if l.get("type") == "step_products":
                    print("%-24s %10.1f %12.1f %9.3f" % (name, l["step_us"],
                                                        l["products_us"], l["ratio"]))
    if args.json:
        with open(args.json, "w") as fh:
            for l in raw:
                fh.write(json.dumps(l) + "\n")


if __name__ == "__main__":
    main()
