#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Render a picture of keyword spotting with the elements (PNG, matplotlib).

    /usr/bin/python3 examples/kws/plot.py [--seed 1] [--words 6] [--out PATH]

Makes the start of demo.py's held-out test recording (words.py: --words
words of espeak-ng voices training never heard; demo.py's write_wav) and
runs it through ONE pipeline: demo.py's launch line with two tees spliced
in, one writing the 16 kHz audio melspec takes, one the log-mel frames
melspec gives the rnn element:

    filesrc ! wavparse ! audioconvert ! audioresample ! audio/x-raw,rate=16000
      ! tee name=a ! queue ! melspec model=M ! tee name=m ! queue
      ! rnn model=M mode=n-to-1 window=100 hop=10
      ! rnntext template="{start} {end} {label} {confidence}" ! fdsink
    a. ! queue ! audioconvert ! audio/x-raw,format=F32LE ! filesink (16 kHz)
    m. ! queue ! filesink (40 bands x 100 frames/s, F32LE)

and draws three aligned panels into $TMPDIR/gst-rnn/kws-annotations.png
(/tmp without TMPDIR; --out examples/kws-annotations.png replaces the
committed picture): the
recording with the spoken words' true spans (demo.py's truth), the 40 log-mel
bands as the model sees them, and rnntext's cues (one per 1 s window every
100 ms: label and confidence, drawn at the window's centre) with the
detections demo.py's rule makes of them, scored by demo.py's score().

Checks on the way (exit 1 when one fails): the number of mel frames and of
windows; the mel frames against features.py's numpy log-mel of the tee'd
16 kHz audio (torchaudio-equal; max |difference| printed); the PNG's size
in pixels and bytes.  Deterministic for a seed (same espeak-ng version).

Needs espeak-ng, python3-numpy, python3-matplotlib and the melspec, rnn and
rnntext elements (GST_PLUGIN_PATH=build/plugin or meson devenv); exit 77
with --skip-if-missing when one is missing.
"""

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

try:
    import numpy as np
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    from PIL import Image
except ImportError as e:  # pragma: no cover - depends on the machine
    if "--skip-if-missing" in sys.argv:
        print("SKIP: %s (install python3-matplotlib python3-numpy)" % e)
        sys.exit(77)
    raise

import demo  # noqa: E402
import features  # noqa: E402
import words as W  # noqa: E402

# Outside the checkout: the committed picture is replaced only when asked
# for (--out examples/kws-annotations.png).
OUT = os.path.join(tempfile.gettempdir(), "gst-rnn", "kws-annotations.png")
SIZE = (1200, 700)                     # pixels
MAX_BYTES = 200 * 1024
# one colour per keyword; silence and unknown muted
COLORS = dict(zip(W.KEYWORDS, ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                               "#9467bd", "#8c564b", "#e377c2", "#17becf"]))
COLORS.update(silence="#e3e3e3", unknown="#b0b0b0")


def tee_line(wav, model, audio_out, mel_out):
    """demo.py's launch line with the 16 kHz audio and melspec's frames
    tee'd to files (the rest unchanged, rnntext still on fdsink)."""
    line = demo.launch_line(wav, model)
    i_mel, i_rnn = line.index("melspec"), line.index("rnn")
    return (line[:i_mel] + ["tee", "name=a", "!", "queue", "!"] +
            line[i_mel:i_rnn] + ["tee", "name=m", "!", "queue", "!"] + line[i_rnn:] +
            ["a.", "!", "queue", "!", "audioconvert", "!",
             "audio/x-raw,format=F32LE,channels=1", "!", "filesink",
             "location=" + audio_out,
             "m.", "!", "queue", "!", "filesink", "location=" + mel_out])


def run_pipeline(wav, model, tmp):
    """(16 kHz samples, (frames, 40) mel, [(start, end, label, conf)])."""
    audio, mel = os.path.join(tmp, "16k.f32"), os.path.join(tmp, "mel.f32")
    cmd = ["gst-launch-1.0", "-q"] + tee_line(wav, model, audio, mel)
    print("running: gst-launch-1.0 " + " ".join(
        a if " " not in a else a.replace("=", '="', 1) + '"' for a in cmd[2:]))
    out = demo.run(cmd, "the pipeline")
    cues = []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4:
            cues.append((float(f[0]), float(f[1]), f[2], float(f[3])))
    return (np.fromfile(audio, dtype="<f4"),
            np.fromfile(mel, dtype="<f4").reshape(-1, features.N_MELS), cues)


def style(ax):
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)


def draw(path, x, rate, truth, mel, cues, events, detected, false_alarms, seed):
    t_end = len(x) / rate
    fig, (ax0, ax1, ax2) = plt.subplots(
        3, 1, figsize=(SIZE[0] / 100, SIZE[1] / 100), sharex=True,
        gridspec_kw=dict(height_ratios=[1.5, 1.6, 1.35], hspace=0.32))
    fig.suptitle("Keyword spotting: melspec ! rnn mode=n-to-1 window=100 hop=10 ! "
                 "rnntext (kws-gru, voices training never heard)", fontsize=12.5,
                 fontweight="bold", x=0.015, ha="left", y=0.985)

    # the recording and what was said
    t = np.arange(len(x)) / rate
    peak = float(np.max(np.abs(x))) or 1.0
    for label, word, voice, a, b in truth:
        col = COLORS[label]
        ax0.axvspan(a, b, color=col, alpha=0.22 if label in W.KEYWORDS else 0.35,
                    linewidth=0)
        ax0.text((a + b) / 2, 1.08 * peak, "\u201c%s\u201d" % word, ha="center",
                 va="bottom", fontsize=10.5, fontweight="bold",
                 color=col if label in W.KEYWORDS else "#777777")
        ax0.text((a + b) / 2, -1.1 * peak, voice, ha="center", va="top",
                 fontsize=7, color="#777777")
    ax0.plot(t, x, color="#333333", linewidth=0.4)
    ax0.set_ylim(-1.45 * peak, 1.45 * peak)
    ax0.set_yticks([])
    ax0.set_ylabel("audio\n(espeak-ng)")
    ax0.set_title("the recording (seed %d), the words' true spans shaded"
                  % seed, loc="right", fontsize=9, color="#555555")
    style(ax0)
    ax0.tick_params(bottom=False)

    # the mel bands as the rnn element gets them (frame i at i * 10 ms)
    hop_s = W.HOP / W.RATE
    im = ax1.imshow(mel.T, origin="lower", aspect="auto", cmap="magma",
                    extent=(0, len(mel) * hop_s, 0, features.N_MELS),
                    interpolation="nearest", vmin=np.percentile(mel, 2),
                    vmax=np.max(mel))
    ax1.set_ylabel("mel band")
    ax1.set_yticks([0, 10, 20, 30, 40])
    ax1.set_title("melspec's output: %d frames x %d log-mel bands (ln), 100 per "
                  "second" % mel.shape, loc="right", fontsize=9, color="#555555")
    ax1.tick_params(bottom=False)
    cb = fig.colorbar(im, ax=ax1, pad=0.005, fraction=0.02, aspect=12)
    cb.ax.tick_params(labelsize=7)
    cb.set_label("ln energy", fontsize=7.5)

    # rnntext's cues: one per window, at the window's centre
    for start, end, label, conf in cues:
        c = start + demo.WINDOW_S / 2
        ax2.bar(c, conf, width=demo.HOP_S * 0.9, color=COLORS[label],
                edgecolor="none", align="center")
    for label, a, b in events:
        ok = any(ev == (label, a, b) for ev, _ in false_alarms)
        ax2.annotate("", xy=(a, 1.12), xytext=(b, 1.12),
                     arrowprops=dict(arrowstyle="|-|", color=COLORS[label],
                                     linewidth=1.6, mutation_scale=3))
        ax2.text((a + b) / 2, 1.17, label + (" (false alarm)" if ok else ""),
                 ha="center", va="bottom", fontsize=9.5, fontweight="bold",
                 color=COLORS[label])
    for label, word, voice, a, b in truth:      # the words again, faintly
        ax2.axvspan(a, b, color=COLORS[label], alpha=0.12, linewidth=0)
    kws = [i for i, tr in enumerate(truth) if tr[0] in W.KEYWORDS]
    ax2.axhline(0.5, color="#888888", linewidth=0.6, linestyle=":")
    ax2.set_ylim(0, 1.42)
    ax2.set_yticks([0, 0.5, 1])
    ax2.set_ylabel("confidence")
    ax2.set_xlabel("time (s); a window's cue is drawn at its centre")
    ax2.set_xlim(0, t_end)
    ax2.set_title("rnntext's cues: one per 1 s window every 100 ms; above, the "
                  "detections (demo.py: \u2265 2 windows \u2265 0.5, spanning them): %d/%d keywords, "
                  "%d false alarms" % (len([i for i in kws if i in detected]),
                                       len(kws), len(false_alarms)),
                  loc="right", fontsize=9, color="#555555")
    style(ax2)
    shown = [k for k in W.LABELS if any(c[2] == k for c in cues)] or W.LABELS
    fig.legend(handles=[Patch(color=COLORS[k], label=k) for k in shown],
               loc="lower center", ncol=len(shown), frameon=False,
               bbox_to_anchor=(0.5, 0.0), fontsize=9)
    fig.subplots_adjust(left=0.075, right=0.96, top=0.9, bottom=0.135)
    # the colour bar makes the mel axes narrower: line the others up with it
    fig.canvas.draw()
    p1 = ax1.get_position()
    for ax in (ax0, ax2):
        p = ax.get_position()
        ax.set_position([p1.x0, p.y0, p1.width, p.height])

    b = io.BytesIO()
    fig.savefig(b, format="png", dpi=100)
    plt.close(fig)
    b.seek(0)
    # flat colours and one colour map: a 256-colour palette is enough
    img = Image.open(b).convert("RGB").quantize(
        colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    img.save(path, optimize=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=demo.MODEL)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--words", type=int, default=6)
    ap.add_argument("--out", default=OUT, help="the PNG (default %(default)s)")
    ap.add_argument("--skip-if-missing", action="store_true")
    args = ap.parse_args()

    missing = [e for e in ("melspec", "rnn", "rnntext") if not demo.have_element(e)]
    if not shutil.which("espeak-ng"):
        missing.append("espeak-ng (Debian package espeak-ng)")
    if missing:
        print("plot: missing: %s" % ", ".join(missing), file=sys.stderr)
        return 77 if args.skip_if_missing else 1

    x, truth = W.sequence(args.seed, args.words)
    model = os.path.abspath(args.model)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gst-rnn-kws-plot-") as tmp:
        wav = os.path.join(tmp, "kws-test.wav")
        demo.write_wav(wav, x, W.ESPEAK_RATE)
        print("test recording: %.1f s, %d words in held-out voices (seed %d)"
              % (len(x) / W.ESPEAK_RATE, len(truth), args.seed))
        audio, mel, cues = run_pipeline(wav, model, tmp)

    errors = []
    frames = 0 if len(audio) < W.WIN else 1 + (len(audio) - W.WIN) // W.HOP
    if len(mel) != frames:
        errors.append("%d mel frames for %d samples, %d expected"
                      % (len(mel), len(audio), frames))
    ref = features.log_mel(audio)
    n = min(len(ref), len(mel))
    diff = float(np.max(np.abs(ref[:n] - mel[:n]))) if n else float("inf")
    print("melspec vs features.py (numpy) on the same 16 kHz audio: %d frames, "
          "max |difference| %.2e" % (n, diff))
    if not diff < 1e-3:
        errors.append("melspec differs from features.py by %.3g" % diff)
    expected = int((len(x) / W.ESPEAK_RATE - demo.WINDOW_S) / demo.HOP_S) + 1
    if abs(len(cues) - expected) > 2:
        errors.append("%d cues, about %d expected" % (len(cues), expected))

    rows = [(s, label, c) for s, _, label, c in cues]
    events = demo.detections(rows, 0.5, 2, 0.6)
    detected, false_alarms = demo.score(truth, events)
    draw(args.out, x, W.ESPEAK_RATE, truth, mel, cues, events, detected,
         false_alarms, args.seed)
    size = os.path.getsize(args.out)
    with Image.open(args.out) as img:
        px = img.size
    print("wrote %s (%dx%d, %d bytes): %d cues, detections %s"
          % (args.out, px[0], px[1], size, len(cues),
             ", ".join("%s %.1f-%.1f s" % e for e in sorted(events, key=lambda e: e[1]))
             or "none"))
    if px != SIZE:
        errors.append("the picture is %dx%d, not %dx%d" % (px + SIZE))
    if not 20 * 1024 < size <= MAX_BYTES:
        errors.append("the PNG has %d bytes (20 KiB-%d expected)" % (size, MAX_BYTES))
    for e in errors:
        print("plot: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
