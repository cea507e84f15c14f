#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run one mode of examples/launch-lines.sh and check what it produced.

    /usr/bin/python3 examples/check_launch_lines.py MODE [--wave WAVE]

MODE is n-to-n, n-to-1, 1-to-n or n-to-m; WAVE (n-to-n, n-to-1) is what
audiotestsrc plays.  The script runs `examples/launch-lines.sh MODE DIR`
into a temporary directory and requires exit status 0, then:

  n-to-n  probabilities.f32 holds 5 probabilities (summing to 1) for each of
          the 4096 input samples, and after the first 200 samples (25 ms)
          at least 95% of the frames name WAVE;
  n-to-1  `gst-launch-1.0 -m` printed 20 `rnn` element messages (one per
          50 ms window of the 1 s stream), back to back in time, every label
          WAVE;
  1-to-n  plucks.f32 holds 64 frames for each of the 20 control frames,
          within 0.02 RMS of the tone the model was trained to generate;
  n-to-m  forecast.f32 holds 25 frames for each of the 19 windows, and the
          forecasts are within 0.05 RMS of the sine they forecast.

The inputs of 1-to-n and n-to-m are regenerated with the same audiotestsrc
settings (which must appear in launch-lines.sh word for word).  Needs
numpy.  Exit status 0 when the check passed, 1 otherwise, 77 (skipped)
without numpy.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError as e:  # pragma: no cover - depends on the machine
    print("SKIP: %s (install python3-numpy)" % e)
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "launch-lines.sh")
LABELS = ["sine", "square", "saw", "triangle", "white-noise"]

SRC_1_TO_N = ("audiotestsrc wave=saw freq=0.5 samplesperbuffer=10 num-buffers=2 ! "
              "audio/x-raw,format=F32LE,rate=10,channels=1")
SRC_N_TO_M = ("audiotestsrc wave=sine freq=3 samplesperbuffer=25 num-buffers=20 ! "
              "audio/x-raw,format=F32LE,rate=100,channels=1")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def script_text():
    with open(SCRIPT) as f:
        return " ".join(f.read().replace("\\\n", " ").split())


def source(desc, tmp):
    """The input a launch line reads: the same audiotestsrc into a file."""
    if desc not in script_text():
        fail("launch-lines.sh no longer contains %r: update this checker" % desc)
    path = os.path.join(tmp, "input.f32")
    subprocess.run(["gst-launch-1.0", "-q"] + desc.split() +
                   ["!", "filesink", "location=" + path], check=True)
    return np.fromfile(path, dtype="<f4")


def pluck_target(c, steps=64, tau=20.0):
    """What examples/train_small.py trained pluck-gru to generate."""
    k = np.arange(steps)
    cycles = 4.0 * 2.0 ** np.asarray(c, dtype=np.float64)
    return np.sin(2 * np.pi * cycles[:, None] * k / steps) * np.exp(-k / tau)


def check_n_to_n(out, wave):
    p = np.fromfile(os.path.join(out, "probabilities.f32"), dtype="<f4")
    if p.size != 4096 * 5:
        fail("probabilities.f32 has %d floats, expected 4096 x 5" % p.size)
    p = p.reshape(-1, 5)
    if np.max(np.abs(p.sum(1) - 1)) > 1e-4:
        fail("the 5 outputs of a frame do not sum to 1")
    pred = p[200:].argmax(1)
    acc = float(np.mean(pred == LABELS.index(wave)))
    print("n-to-n: %d frames x 5 probabilities; after 25 ms %.1f%% of the frames "
          "say %s (mean probability %.3f)"
          % (len(p), 100 * acc, wave, float(p[200:, LABELS.index(wave)].mean())))
    if acc < 0.95:
        fail("the model named %s on only %.1f%% of the frames" % (wave, 100 * acc))


def check_n_to_1(stdout, wave):
    msgs = [line for line in stdout.splitlines()
            if re.search(r'\(element\): rnn, ', line)]
    for line in msgs[:3]:
        print("  " + line)
    labels = [re.search(r"label=\(string\)([\w-]+)", m).group(1) for m in msgs]
    stamps = [int(re.search(r"timestamp=\(guint64\)(\d+)", m).group(1)) for m in msgs]
    print("n-to-1: %d rnn messages, labels %s"
          % (len(msgs), ", ".join("%s x%d" % (lab, labels.count(lab))
                                  for lab in sorted(set(labels)))))
    if len(msgs) != 20:
        fail("expected 20 rnn messages (1 s in windows of 50 ms), got %d" % len(msgs))
    # a live source stamps its first buffer with the running time it starts at
    if stamps != [stamps[0] + i * 50000000 for i in range(20)]:
        fail("windows are not 50 ms apart: %s" % stamps)
    # audiotestsrc's white noise has no seed, so each run is a new draw: the
    # model misnames 3 of 500 such windows (25 runs measured, all "square"),
    # and a run of 20 with one or more misses came 3 times in 25.  Up to 2
    # misses are allowed there (P(3+) ~ 3e-4 per run); the periodic waves are
    # the same samples every run and must be named in every window.
    allowed = 2 if wave == "white-noise" else 0
    misses = sum(lab != wave for lab in labels)
    if misses > allowed:
        fail("audiotestsrc played %s but %d of 20 labels were not %s (at most "
             "%d allowed): %s" % (wave, misses, wave, allowed, labels))


def check_1_to_n(out, tmp):
    c = source(SRC_1_TO_N, tmp)
    y = np.fromfile(os.path.join(out, "plucks.f32"), dtype="<f4")
    if c.size != 20 or y.size != 20 * 64:
        fail("%d control frames -> %d output frames, expected 20 -> 1280" % (c.size, y.size))
    rms = float(np.sqrt(np.mean((y - pluck_target(c).reshape(-1)) ** 2)))
    print("1-to-n: %d control frames -> %d generated frames; RMS error against "
          "the tones the model was trained to make: %.4f" % (c.size, y.size, rms))
    if rms > 0.02:
        fail("the generated tones are off by %.4f RMS" % rms)


def check_n_to_m(out, tmp):
    x = source(SRC_N_TO_M, tmp)
    y = np.fromfile(os.path.join(out, "forecast.f32"), dtype="<f4")
    W, S = 50, 25
    n_win = (x.size - W) // S + 1
    if y.size != n_win * S:
        fail("%d forecast frames, expected %d windows x %d" % (y.size, n_win, S))
    # forecast frame j is the forecast of input frame W + j; the last window
    # forecasts beyond the end of the input
    truth = x[W:]
    err = y[:truth.size] - truth
    rms = float(np.sqrt(np.mean(err ** 2)))
    naive = float(np.sqrt(np.mean((np.repeat(x[W - 1:-1:S], S)[:truth.size] - truth) ** 2)))
    print("n-to-m: %d windows -> %d forecast frames; RMS error %.4f against the "
          "sine that followed (repeating the window's last value: %.4f; the "
          "sine's RMS: %.3f)" % (n_win, y.size, rms, naive, float(np.sqrt(np.mean(x ** 2)))))
    if rms > 0.05:
        fail("forecast RMS error %.4f > 0.05" % rms)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["n-to-n", "n-to-1", "1-to-n", "n-to-m"])
    ap.add_argument("--wave", default="square", choices=LABELS)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="gst-rnn-launch-") as tmp:
        out = os.path.join(tmp, "out")
        env = dict(os.environ, WAVE=args.wave)
        r = subprocess.run(["bash", SCRIPT, args.mode, out], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        sys.stderr.write(r.stderr)
        if r.returncode != 0:
            print(r.stdout)
            fail("launch-lines.sh %s exited with %d" % (args.mode, r.returncode))
        if "ERROR" in r.stdout:
            print(r.stdout)
            fail("gst-launch-1.0 reported an error")
        if args.mode == "n-to-n":
            check_n_to_n(out, args.wave)
        elif args.mode == "n-to-1":
            check_n_to_1(r.stdout, args.wave)
        elif args.mode == "1-to-n":
            check_1_to_n(out, tmp)
        else:
            check_n_to_m(out, tmp)
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
