#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Train the two small example models of the 1-to-n and n-to-m modes.

    /usr/bin/python3 examples/train_small.py      # 2-4 minutes on 2 cores
        -> $TMPDIR/gst-rnn/pluck-gru.safetensors          (mode=1-to-n)
        -> $TMPDIR/gst-rnn/sine-forecast-gru.safetensors  (mode=n-to-m)
    /usr/bin/python3 examples/train_small.py --out-dir examples/models
        # replaces the bundled files (/tmp without TMPDIR)

Both are trained on signals generated here (numpy, fixed seeds), so the
files are reproducible on the same machine and PyTorch build.

pluck-gru (1-to-n, generation).  One input frame, a control value c in
[-1, 1], drives 64 output frames: a decaying "plucked" tone whose pitch c
sets, 4 * 2**c cycles per 64 frames (2 to 8), amplitude exp(-k/20) at
step k.  A GRU (1 input, 32 hidden) + Linear(32, 1), fed the control value
at every step (feed=repeat, the element's default in 1-to-n), each input
frame from a zero state.  In a pipeline at 10 control frames per second
the element outputs 640 frames per second:

    audiotestsrc wave=saw freq=0.5 samplesperbuffer=10 num-buffers=2
      ! audio/x-raw,format=F32LE,rate=10,channels=1
      ! rnn mode=1-to-n steps=64 model=examples/models/pluck-gru.safetensors
      ! filesink location=plucks.f32

sine-forecast-gru (n-to-m, encoder-decoder).  Reads the last 50 frames
(0.5 s at 100 Hz) of a sine of 2-6 Hz, amplitude 0.3-1, any phase, and
forecasts the next 25 frames.  Encoder GRU(1, 32), decoder GRU(32, 32) fed
the encoder's last output at every step (feed=context, the element's
default in n-to-m), head Linear(32, 1):

    audiotestsrc wave=sine freq=3 volume=0.8 samplesperbuffer=25 num-buffers=20
      ! audio/x-raw,format=F32LE,rate=100,channels=1
      ! rnn mode=n-to-m window=50 hop=25 steps=25
            model=examples/models/sine-forecast-gru.safetensors
      ! filesink location=forecast.f32

With hop = steps the forecasts tile the time line: output frame j is the
forecast of input frame 50 + j.

Each file is checked through the element (gst-launch-1.0) against PyTorch
after export, in its own mode (skipped with a warning when the element
cannot be found; see examples/export.py for how it is looked for).
Options: --out-dir DIR (default $TMPDIR/gst-rnn), --steps N (training steps per model; small values
for a quick smoke test), --only pluck|forecast, --no-check, --threads N
(torch threads, default 2; the committed files were made with 2).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

try:
    import numpy as np
    import torch
    from torch import nn
except ImportError as e:  # pragma: no cover - depends on the machine
    if "--skip-without-torch" in sys.argv:
        print("SKIP: %s (install python3-torch)" % e)
        sys.exit(77)
    raise

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import export as exporter  # noqa: E402  (examples/export.py)
from gst_rnn.safetensors_io import save_file  # noqa: E402  (export put examples/python on the path)

# ---- pluck: 1-to-n
PLUCK_STEPS = 64
PLUCK_TAU = 20.0
PLUCK_HIDDEN = 32


def pluck_target(c, steps=PLUCK_STEPS):
    """c (N,) control values in [-1, 1] -> (N, steps) the tone each drives."""
    c = np.asarray(c, dtype=np.float64)
    k = np.arange(steps, dtype=np.float64)
    cycles = 4.0 * 2.0 ** c                    # per `steps` frames
    return (np.sin(2 * np.pi * cycles[:, None] * k[None, :] / steps)
            * np.exp(-k / PLUCK_TAU)[None, :]).astype(np.float32)


# ---- forecast: n-to-m
FC_RATE = 100
FC_WINDOW = 50
FC_STEPS = 25
FC_HIDDEN = 32
FC_FMIN, FC_FMAX = 2.0, 6.0
FC_AMIN, FC_AMAX = 0.3, 1.0


def sine_batch(rng, n, length, rate=FC_RATE):
    f = rng.uniform(FC_FMIN, FC_FMAX, n)
    a = rng.uniform(FC_AMIN, FC_AMAX, n)
    ph = rng.uniform(0, 2 * np.pi, n)
    t = np.arange(length) / rate
    return (a[:, None] * np.sin(2 * np.pi * f[:, None] * t[None, :] + ph[:, None])
            ).astype(np.float32)


class Seq2Seq(nn.Module):
    """The layout the element reads in n-to-m: encoder., decoder., fc."""

    def __init__(self, hidden=FC_HIDDEN):
        super().__init__()
        self.encoder = nn.GRU(1, hidden)
        self.decoder = nn.GRU(hidden, hidden)
        self.fc = nn.Linear(hidden, 1)

    def forward(self, xw, steps=FC_STEPS):       # xw (W, N, 1) -> (steps, N, 1)
        y, h = self.encoder(xw)
        ctx = y[-1:].expand(steps, -1, -1).contiguous()
        z, _ = self.decoder(ctx, h)
        return self.fc(z)


def train_pluck(steps, seed=1):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    rnn, fc = nn.GRU(1, PLUCK_HIDDEN), nn.Linear(PLUCK_HIDDEN, 1)
    params = list(rnn.parameters()) + list(fc.parameters())
    opt = torch.optim.Adam(params, lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(1, steps))
    t0 = time.time()
    for it in range(steps):
        c = rng.uniform(-1, 1, 128)
        y = torch.from_numpy(pluck_target(c).T[..., None])       # (S, N, 1)
        x = torch.from_numpy(c.astype(np.float32))[None, :, None].expand(PLUCK_STEPS, -1, -1)
        out = fc(rnn(x)[0])
        loss = torch.mean((out - y) ** 2)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        if it % 250 == 0 or it == steps - 1:
            print("pluck    step %5d of %d  mse %.5f  (%.0f s)"
                  % (it, steps, loss.item(), time.time() - t0), flush=True)
    rnn.eval()
    fc.eval()
    c = np.linspace(-1, 1, 41)
    with torch.no_grad():
        x = torch.from_numpy(c.astype(np.float32))[None, :, None].expand(PLUCK_STEPS, -1, -1)
        out = fc(rnn(x)[0])[..., 0].numpy().T
    rms = float(np.sqrt(np.mean((out - pluck_target(c)) ** 2)))
    print("pluck: held-out RMS error %.4f (the tone's RMS is %.3f)"
          % (rms, float(np.sqrt(np.mean(pluck_target(c) ** 2)))))
    return rnn, fc


def train_forecast(steps, seed=2):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = Seq2Seq()
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(1, steps))
    t0 = time.time()
    L = FC_WINDOW + FC_STEPS
    for it in range(steps):
        s = sine_batch(rng, 128, L)
        s_in = s[:, :FC_WINDOW] + rng.normal(0, 0.01, (128, FC_WINDOW)).astype(np.float32)
        x = torch.from_numpy(s_in.T[..., None].copy())
        y = torch.from_numpy(s[:, FC_WINDOW:].T[..., None].copy())
        loss = torch.mean((net(x) - y) ** 2)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        sched.step()
        if it % 250 == 0 or it == steps - 1:
            print("forecast step %5d of %d  mse %.5f  (%.0f s)"
                  % (it, steps, loss.item(), time.time() - t0), flush=True)
    net.eval()
    s = sine_batch(np.random.default_rng(99), 512, L)
    with torch.no_grad():
        out = net(torch.from_numpy(s[:, :FC_WINDOW].T[..., None].copy()))[..., 0].numpy().T
    rms = float(np.sqrt(np.mean((out - s[:, FC_WINDOW:]) ** 2)))
    print("forecast: held-out RMS error %.4f over %d frames ahead (signal RMS %.3f)"
          % (rms, FC_STEPS, float(np.sqrt(np.mean(s ** 2)))))
    return net


def save_forecast(net, path):
    meta = {"rnn.cell": "gru", "rnn.head": "fc.", "rnn.head_activation": "none",
            "description": "n-to-m sine forecaster from examples/train_small.py: "
            "window 50 frames at 100 Hz -> next 25 frames (feed=context)"}
    tensors = {k: v.detach().float() for k, v in net.state_dict().items()}
    save_file(path, tensors, metadata=meta, dtype="F32")
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


def run_element(env, props, x, rate, out_channels=1):
    """x (T,) mono float32 through filesrc ! rawaudioparse ! rnn PROPS ! filesink."""
    with tempfile.TemporaryDirectory(prefix="gst-rnn-train-small-") as tmp:
        fin, fout = os.path.join(tmp, "in.f32"), os.path.join(tmp, "out.f32")
        np.asarray(x, dtype="<f4").tofile(fin)
        cmd = ["gst-launch-1.0", "-q", "filesrc", "location=" + fin, "blocksize=36", "!",
               "rawaudioparse", "use-sink-caps=false", "format=pcm", "pcm-format=f32le",
               "sample-rate=%d" % rate, "num-channels=1", "!", "rnn"] + props + \
              ["!", "filesink", "location=" + fout]
        subprocess.run(cmd, env=env, check=True)
        return np.fromfile(fout, dtype="<f4")


def check_pluck(path, rnn, fc, env):
    c = np.linspace(-1, 1, 9).astype(np.float32)
    got = run_element(env, ["mode=1-to-n", "steps=%d" % PLUCK_STEPS, "model=" + path], c, 10)
    with torch.no_grad():
        x = torch.from_numpy(c)[None, :, None].expand(PLUCK_STEPS, -1, -1)
        ref = fc(rnn(x)[0])[..., 0].numpy().T.reshape(-1)
    err = float(np.max(np.abs(got - ref))) if got.size == ref.size else float("inf")
    print("check: pluck through the element (mode=1-to-n): %d frames, max abs "
          "error vs PyTorch %.2g" % (got.size, err))
    return err <= 1e-5


def check_forecast(path, net, env):
    x = sine_batch(np.random.default_rng(5), 1, 200)[0]
    got = run_element(env, ["mode=n-to-m", "window=%d" % FC_WINDOW, "hop=%d" % FC_STEPS,
                            "steps=%d" % FC_STEPS, "model=" + path], x, FC_RATE)
    refs = []
    with torch.no_grad():
        for s in range(0, len(x) - FC_WINDOW + 1, FC_STEPS):
            xw = torch.from_numpy(x[s:s + FC_WINDOW].copy())[:, None, None]
            refs.append(net(xw)[:, 0, 0].numpy())
    ref = np.concatenate(refs)
    err = float(np.max(np.abs(got - ref))) if got.size == ref.size else float("inf")
    print("check: forecaster through the element (mode=n-to-m): %d frames, max "
          "abs error vs PyTorch %.2g" % (got.size, err))
    return err <= 1e-5


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out-dir", default=os.path.join(tempfile.gettempdir(), "gst-rnn"),
                    help="where the two files go (default %(default)s; "
                         "examples/models replaces the bundled models)")
    ap.add_argument("--steps", type=int, default=3000, help="training steps per model")
    ap.add_argument("--only", choices=["pluck", "forecast"])
    ap.add_argument("--no-check", action="store_true")
    ap.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    ap.add_argument("--plugin-path", help="directory holding libgstrnn.so (for the check)")
    ap.add_argument("--skip-without-torch", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out_dir, exist_ok=True)

    env = None
    if not args.no_check:
        try:
            env = exporter.find_plugin_env(args.plugin_path)
        except exporter.PluginNotFound as e:
            print("warning: not checking the files through the element: %s" % e)
    ok = True
    if args.only in (None, "pluck"):
        rnn, fc = train_pluck(args.steps)
        path = os.path.join(args.out_dir, "pluck-gru.safetensors")
        exporter.export(rnn, path, head=fc, labels=["tone"], check=False,
                        metadata={"description": "1-to-n pluck generator from "
                                  "examples/train_small.py: control value in [-1, 1] "
                                  "-> 64 frames of a decaying tone (steps=64)"})
        if env is not None:
            ok &= check_pluck(path, rnn, fc, env)
    if args.only in (None, "forecast"):
        net = train_forecast(args.steps)
        path = os.path.join(args.out_dir, "sine-forecast-gru.safetensors")
        save_forecast(net, path)
        if env is not None:
            ok &= check_forecast(path, net, env)
    if not ok:
        print("check FAILED: the element's output differs from PyTorch's", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
