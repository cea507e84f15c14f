#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Train gst-rnn's default model: which waveform is audiotestsrc producing?

The task is one a stream really has: given 8 kHz mono audio, one sample per
time step, say on every frame whether the source is a sine, square, saw,
triangle or white noise (audiotestsrc wave=0,1,2,3,5).  The model is a GRU
(1 input, 32 hidden, 1 layer) with a Linear head and softmax, so the `rnn`
element outputs 5 class probabilities per input frame.  From a zero state
the per-frame answer is right ~99% of the time after 50 samples (6 ms) and
~99.9% after 200 (25 ms); the script prints these figures.

Rerun (from the repository root; ~3 minutes on 2 CPU cores):

    /usr/bin/python3 examples/train_default.py
        # -> $TMPDIR/gst-rnn/waveform-gru.safetensors (/tmp without TMPDIR)
    /usr/bin/python3 examples/train_default.py --out-dir examples/models
        # -> examples/models/waveform-gru.safetensors, the bundled model

Needs Debian's python3-torch (hence /usr/bin/python3, not a pyenv python3)
and gst-launch-1.0 with audiotestsrc (gstreamer1.0-tools,
gstreamer1.0-plugins-base).  Options: --out FILE, --steps N, --data-dir DIR
(keep the generated audio there; reused if present), --plugin-path DIR
(where libgstrnn.so is, for the final check), --no-check (do not run the
exported file through the element; the check is also skipped, with a
warning, when the element cannot be found).

Data.  The tonal waves are produced by audiotestsrc itself (gst-launch-1.0
into files), at frequencies drawn log-uniformly from 80-1200 Hz and volumes
from 0.1-1.0, so the model learns exactly what the element will see.  White
noise from audiotestsrc is unseeded (it differs on every run), so it is
generated here the way audiotestsrc does it (uniform in [-volume, volume],
independent samples; checked against audiotestsrc's output below) from a
seeded generator.  Training windows are random 384-sample crops (so every
phase is seen), a third of them switching to another waveform part-way
through, so the state forgets the old source if it is not reset.  Held-out
test streams use other frequencies and volumes (plus the demo's 220, 440
and 880 Hz at the default volume 0.8) and are 2 s long, to show the answer
stays right on long streams.

Deterministic: fixed seeds, a fixed number of steps and
torch.set_num_threads(2); rerunning gives the same file on the same
machine and PyTorch build.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

# OpenBLAS 0.3.21 misdetects recent CPUs (see FACTS.md); must be set before
# torch loads it.  Only affects speed.
os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
# Outside the checkout, so that a run never replaces the committed model
# unless asked to (--out-dir examples/models).
DEFAULT_OUT_DIR = os.path.join(tempfile.gettempdir(), "gst-rnn")
sys.path.insert(0, HERE)
import export as exporter  # noqa: E402  (examples/export.py)

RATE = 8000
CLASSES = [("sine", 0), ("square", 1), ("saw", 2), ("triangle", 3), ("white-noise", 5)]
LABELS = [c for c, _ in CLASSES]
NOISE = LABELS.index("white-noise")
FMIN, FMAX = 80.0, 1200.0
VMIN, VMAX = 0.1, 1.0
HIDDEN = 32
WARMUP = 200          # frames after a (re)start that are not scored
SEQ = 384             # training crop length
BATCH = 64
SEED = 1234


# ----------------------------------------------------------------- data

def gst_generate(dirname, jobs, n_samples):
    """jobs: list of (name, wave, freq, volume).  Writes dirname/name.f32
    with audiotestsrc (one gst-launch-1.0 run for many clips)."""
    for i in range(0, len(jobs), 50):
        cmd = ["gst-launch-1.0", "-q"]
        for name, wave, freq, vol in jobs[i:i + 50]:
            cmd += ["audiotestsrc", "wave=%d" % wave, "freq=%.2f" % freq,
                    "volume=%.4f" % vol, "samplesperbuffer=%d" % n_samples,
                    "num-buffers=1", "!",
                    "audio/x-raw,format=F32LE,rate=%d,channels=1" % RATE, "!",
                    "filesink", "location=" + os.path.join(dirname, name + ".f32")]
        subprocess.run(cmd, check=True)
        print("data: %d of %d clips generated with audiotestsrc"
              % (min(i + 50, len(jobs)), len(jobs)), flush=True)


def make_set(dirname, tag, n_per_class, n_samples, rng, extra=()):
    """Returns (clips (N, n_samples) float32, labels (N,), freqs, volumes)."""
    tonal, meta = [], []
    for ci, (label, wave) in enumerate(CLASSES):
        fs = np.exp(rng.uniform(np.log(FMIN), np.log(FMAX), n_per_class))
        vs = rng.uniform(VMIN, VMAX, n_per_class)
        pairs = [(round(f, 2), round(v, 4)) for f, v in zip(fs, vs)] + list(extra)
        for j, (f, v) in enumerate(pairs):
            name = "%s-%s-%03d" % (tag, label, j)
            meta.append((name, ci, f, v))
            if label != "white-noise":
                tonal.append((name, wave, f, v))
    have = all(os.path.exists(os.path.join(dirname, n + ".f32")) for n, *_ in tonal)
    if not have:
        gst_generate(dirname, tonal, n_samples)
    clips, labels, freqs, vols = [], [], [], []
    for name, ci, f, v in meta:
        if ci == NOISE:
            x = rng.uniform(-v, v, n_samples).astype(np.float32)
        else:
            x = np.fromfile(os.path.join(dirname, name + ".f32"), dtype="<f4")
            assert x.size == n_samples, (name, x.size)
        clips.append(x)
        labels.append(ci)
        freqs.append(f)
        vols.append(v)
    return np.stack(clips), np.array(labels), np.array(freqs), np.array(vols)


def check_noise_model(dirname):
    """Our white noise must look like audiotestsrc's: uniform, independent."""
    path = os.path.join(dirname, "noise-check.f32")
    gst_generate(dirname, [("noise-check", 5, 440.0, 0.5)], 100000)
    a = np.fromfile(path, dtype="<f4")
    std, lag1 = float(a.std()), float(np.corrcoef(a[1:], a[:-1])[0, 1])
    ok = abs(a.min() + 0.5) < 1e-3 and abs(a.max() - 0.5) < 1e-3 and \
        abs(std - 0.5 / np.sqrt(3)) < 0.005 and abs(lag1) < 0.02
    print("audiotestsrc white-noise at volume 0.5: range [%.3f, %.3f], std %.4f "
          "(uniform: %.4f), lag-1 correlation %.3f -> %s"
          % (a.min(), a.max(), std, 0.5 / np.sqrt(3), lag1,
             "matches our generator" if ok else "DIFFERS"))
    if not ok:
        raise SystemExit("audiotestsrc's white noise is not what this script assumes")


def batch_from(clips, labels, rng, n, seq, switch_prob=1 / 3):
    """Random crops; some switch class at a random point.  Returns x (n, seq),
    y (n, seq), weight mask (n, seq)."""
    n_clips, n_samp = clips.shape
    x = np.empty((n, seq), np.float32)
    y = np.empty((n, seq), np.int64)
    w = np.ones((n, seq), np.float32)
    by_class = [np.flatnonzero(labels == c) for c in range(len(CLASSES))]
    for i in range(n):
        c = i % len(CLASSES)                      # balanced classes
        a = rng.choice(by_class[c])
        s = rng.integers(0, n_samp - seq)
        x[i] = clips[a, s:s + seq]
        y[i] = c
        w[i, :16] = 0.0                           # nothing to go on yet
        if rng.random() < switch_prob:
            t = int(rng.integers(WARMUP, seq - 100))
            c2 = (c + int(rng.integers(1, len(CLASSES)))) % len(CLASSES)
            b = rng.choice(by_class[c2])
            s2 = rng.integers(0, n_samp - seq)
            x[i, t:] = clips[b, s2 + t:s2 + seq]
            y[i, t:] = c2
            w[i, t:t + 48] = 0.0                  # grace period after a switch
    return torch.from_numpy(x)[..., None], torch.from_numpy(y), torch.from_numpy(w)


# ---------------------------------------------------------------- model

class WaveformNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(1, HIDDEN, batch_first=True)
        self.fc = nn.Linear(HIDDEN, len(CLASSES))

    def forward(self, x):           # x (N, T, 1) -> logits (N, T, C)
        y, _ = self.rnn(x)
        return self.fc(y)


def evaluate(net, clips, labels, freqs=None, chunk=32):
    """Per-frame predictions on whole clips, from zero state: (correct, pred),
    both (N, T)."""
    net.eval()
    preds = []
    with torch.no_grad():
        for i in range(0, len(clips), chunk):
            x = torch.from_numpy(clips[i:i + chunk])[..., None]
            preds.append(net(x).argmax(-1).numpy())
    net.train()
    p = np.concatenate(preds)
    return p == labels[:, None], p


def report(correct, labels, title):
    print(title)
    worst = 1.0
    for ci, name in enumerate(LABELS):
        acc = correct[labels == ci].mean()
        worst = min(worst, acc)
        print("  %-12s %6.2f%%  (%d streams)" % (name, 100 * acc, (labels == ci).sum()))
    print("  %-12s %6.2f%%" % ("all", 100 * correct.mean()))
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out-dir", default=DEFAULT_OUT_DIR,
                    help="directory of waveform-gru.safetensors (default %(default)s; "
                         "examples/models replaces the bundled model)")
    ap.add_argument("--out", help="the model file (default OUT_DIR/waveform-gru.safetensors)")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--data-dir", help="keep the generated audio here (default: a temp dir)")
    ap.add_argument("--no-check", action="store_true",
                    help="do not run the exported file through the rnn element")
    ap.add_argument("--plugin-path", help="directory holding libgstrnn.so (for the check)")
    args = ap.parse_args()
    if not args.out:
        args.out = os.path.join(args.out_dir, "waveform-gru.safetensors")

    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    t0 = time.time()

    tmp = None
    ddir = args.data_dir
    if not ddir:
        tmp = tempfile.TemporaryDirectory(prefix="gst-rnn-train-")
        ddir = tmp.name
    os.makedirs(ddir, exist_ok=True)
    check_noise_model(ddir)
    train = make_set(ddir, "train", 160, 4096, np.random.default_rng(SEED + 1))
    demo_freqs = [(220.0, 0.8), (440.0, 0.8), (880.0, 0.8)]
    test = make_set(ddir, "test", 40, 2 * RATE, np.random.default_rng(SEED + 2), demo_freqs)
    print("data: %d training clips of %d samples, %d test streams of %d samples "
          "(%.1f s)" % (len(train[0]), train[0].shape[1], len(test[0]),
                        test[0].shape[1], time.time() - t0))

    net = WaveformNet()
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=5e-3, total_steps=args.steps,
                                                pct_start=0.1)
    brng = np.random.default_rng(SEED + 3)
    t1 = time.time()
    run_loss = run_acc = 0.0
    for step in range(1, args.steps + 1):
        x, y, w = batch_from(train[0], train[1], brng, BATCH, SEQ)
        logits = net(x)
        ce = nn.functional.cross_entropy(logits.reshape(-1, len(CLASSES)),
                                         y.reshape(-1), reduction="none")
        loss = (ce * w.reshape(-1)).sum() / w.sum()
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        sched.step()
        run_loss += loss.item()
        run_acc += ((logits.argmax(-1) == y).float() * w).sum().item() / w.sum().item()
        if step % 100 == 0:
            print("step %4d  loss %.4f  train acc %.2f%%  (%.0f s)"
                  % (step, run_loss / 100, run_acc, time.time() - t1),  # sum of 100 = %
                  flush=True)
            run_loss = run_acc = 0.0

    correct_all, _ = evaluate(net, test[0], test[1])
    correct = correct_all[:, WARMUP:]
    print("held-out: per-frame accuracy by time since the (zero) start: " + ", ".join(
        "frames %d-%d %.1f%%" % (a, b - 1, 100 * correct_all[:, a:b].mean())
        for a, b in [(0, 25), (25, 50), (50, 100), (100, 200), (200, 400)]))
    worst = report(correct, test[1],
                   "held-out: per-frame accuracy after %d frames of warm-up, "
                   "2 s streams from zero state:" % WARMUP)
    demo = np.isin(test[2], [f for f, _ in demo_freqs]) & (test[3] == 0.8)
    report(correct[demo], test[1][demo], "of which the demo's 220/440/880 Hz, volume 0.8:")
    tonal = test[1] != NOISE
    bands = [(FMIN, 200), (200, 500), (500, FMAX)]
    print("tonal waves by frequency: " + ", ".join(
        "%g-%g Hz %.2f%%" % (lo, hi, 100 * correct[tonal & (test[2] >= lo) & (test[2] <= hi)].mean())
        for lo, hi in bands))
    print("training took %.0f s (%d steps)" % (time.time() - t1, args.steps))

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    meta = {
        "description": "Which waveform is audiotestsrc producing (sine, square, "
                       "saw, triangle, white-noise)? 8 kHz mono F32, one sample "
                       "per frame; per-frame class probabilities, reliable "
                       "after ~100 frames. Trained by examples/train_default.py.",
        "gst-rnn.sample-rate": str(RATE),
        "gst-rnn.channels": "1",
    }
    try:
        exporter.export(net.rnn, args.out, head=net.fc, head_activation="softmax",
                        labels=LABELS, metadata=meta, check=not args.no_check,
                        plugin_path=args.plugin_path)
    except exporter.PluginNotFound as e:
        print("warning: exported, but not checked through the element: %s" % e)
    print("wrote %s" % os.path.abspath(args.out), flush=True)
    if worst < 0.95:
        print("warning: a class is below 95%% per-frame accuracy (%.2f%%)" % (100 * worst))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
