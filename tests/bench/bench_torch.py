#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyTorch contender of the gst-rnn benchmark.

Same plan, weights, input and protocol as bench_core (see bench_common.h):
for each configuration, torch.nn.RNN/LSTM/GRU with the weights of the
safetensors file, under torch.no_grad(), one thread (torch.set_num_threads(1)
and OPENBLAS_NUM_THREADS=1 from the driver), each call running n frames
(the plan's frames per call) with the state carried over: n = 1 is
"one frame per call", n = 160 "whole block per call".

Prints JSON lines on stdout.  Without torch it prints one
{"type": "unavailable"} line and exits 0, so the driver shows n/a.

    /usr/bin/python3 bench_torch.py --plan FILE --input FILE [--dump DIR] ...
"""

import argparse
import json
import os
import re
import statistics
import struct
import sys
import time

UNIT = 160


def emit(obj):
    print(json.dumps(obj), flush=True)


def openblas_info():
    """Core name and threads of the OpenBLAS torch loaded, via ctypes."""
    try:
        import ctypes

        maps = open("/proc/self/maps").read()
        libs = sorted(set(re.findall(r"(/\S*lib(?:openblas|blas)\S*\.so\S*)", maps)))
        for path in libs:
            try:
                lib = ctypes.CDLL(path)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                return lib.openblas_get_corename().decode(), lib.openblas_get_num_threads(), path
            except (OSError, AttributeError):
                continue
    except OSError:
        pass
    return "not loaded", 0, ""


def load_safetensors(path, torch):
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8 : 8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    base = 8 + n
    out = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError("%s: %s is not F32" % (path, name))
        b, e = info["data_offsets"]
        t = torch.frombuffer(bytearray(buf[base + b : base + e]), dtype=torch.float32)
        out[name] = t.reshape(info["shape"]).clone()
    return out


def read_plan(path):
    cfgs = []
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, cell, L, F, H, B, n, model = line.split()
        cfgs.append(dict(name=name, cell=cell, layers=int(L), F=int(F), H=int(H),
                         B=int(B), n=int(n), model=model))
    return cfgs


def make_module(c, torch):
    nn = torch.nn
    if c["cell"] == "lstm":
        m = nn.LSTM(c["F"], c["H"], c["layers"])
    elif c["cell"] == "gru":
        m = nn.GRU(c["F"], c["H"], c["layers"])
    elif c["cell"] in ("rnn_tanh", "rnn_relu"):
        m = nn.RNN(c["F"], c["H"], c["layers"], nonlinearity=c["cell"][4:])
    else:
        raise ValueError("unknown cell " + c["cell"])
    sd = load_safetensors(c["model"], torch)
    m.load_state_dict({k: v for k, v in sd.items() if k in m.state_dict()})
    return m.eval()


def measure(args, c, inp, torch):
    """The protocol of bench_common.h.  Returns (median_us, min_us, steps)."""
    m = make_module(c, torch)
    n, B, F = c["n"], c["B"], c["F"]
    unit = ((UNIT + n - 1) // n) * n
    avail = inp.numel() // (B * F)
    avail -= avail % unit
    if avail < unit:
        raise ValueError("input too short")
    x = inp[: avail * B * F].reshape(avail, B, F)
    chunks = [x[f : f + n] for f in range(0, avail - n + 1, n)]
    state = [None]

    def run(frames):
        h = state[0]
        for k in range(frames // n):
            _, h = m(chunks[k], h)
        state[0] = h

    V = args.verify_frames - args.verify_frames % unit
    V = min(max(V, unit), avail)
    streams = [0] if B == 1 else [0, B - 1]
    h = None
    outs = []
    for k in range(V // n):
        y, h = m(chunks[k], h)
        outs.append(y[:, streams, :].contiguous())
    state[0] = h
    if args.dump:
        y = torch.cat(outs, 0).contiguous()
        with open(os.path.join(args.dump, "torch-%s.f32" % c["name"]), "wb") as f:
            f.write(y.numpy().astype("<f4").tobytes())

    t0 = time.perf_counter()
    run(unit)
    est = (time.perf_counter() - t0) / unit
    steps = int(args.target_ms * 1e-3 / max(est, 1e-9))
    steps = -(-steps // unit) * unit
    if steps < args.min_steps:
        steps = -(-args.min_steps // unit) * unit
    if steps > args.max_steps:
        steps = args.max_steps - args.max_steps % unit
    steps = min(max(steps, unit), avail)

    run(steps)  # warm-up
    times = []
    for _ in range(max(args.reps, 1)):
        t0 = time.perf_counter()
        run(steps)
        times.append((time.perf_counter() - t0) * 1e6 / steps)
    return statistics.median(times), min(times), steps, len(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--plan")
    ap.add_argument("--input")
    ap.add_argument("--dump")
    ap.add_argument("--only")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--target-ms", type=float, default=60.0)
    ap.add_argument("--min-steps", type=int, default=320)
    ap.add_argument("--max-steps", type=int, default=3200)
    ap.add_argument("--verify-frames", type=int, default=320)
    ap.add_argument("--info", action="store_true")
    args = ap.parse_args()

    try:
        import torch
    except ImportError as e:
        emit({"type": "unavailable", "contender": "torch", "message": str(e),
              "python": sys.executable})
        return 0
    torch.set_num_threads(1)
    core, threads, lib = openblas_info()
    emit({"type": "info", "contender": "torch", "version": torch.__version__,
          "python": sys.executable, "torch_threads": torch.get_num_threads(),
          "openblas_core": core, "openblas_threads": threads, "openblas_lib": lib,
          "mkldnn": bool(torch.backends.mkldnn.is_available())})
    if args.info:
        return 0
    if not args.plan or not args.input:
        ap.error("--plan and --input are required")

    import numpy as np

    inp = torch.from_numpy(np.fromfile(args.input, dtype="<f4").astype(np.float32))
    with torch.no_grad():
        for c in read_plan(args.plan):
            if args.only and args.only not in c["name"]:
                continue
            try:
                med, mn, steps, reps = measure(args, c, inp, torch)
                emit({"type": "result", "contender": "torch", "mode": "stream",
                      "name": c["name"], "us_per_step": round(med, 4),
                      "min_us": round(mn, 4), "steps": steps, "reps": reps})
            except Exception as e:  # report, go on with the next one
                emit({"type": "error", "contender": "torch", "name": c["name"],
                      "message": "%s: %s" % (type(e).__name__, e)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
