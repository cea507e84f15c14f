#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Render pictures of the rnn element at work (PNG, matplotlib).

    /usr/bin/python3 examples/plot.py [--out-dir DIR] [--only waveform|forecast]

writes, into $TMPDIR/gst-rnn/ (/tmp without TMPDIR) unless given --out-dir
(--out-dir examples replaces the committed pictures):

waveform-annotations.png
    8 kHz audio from audiotestsrc switching waveform every 0.15 s (sine,
    square, saw, triangle, white noise (seeded, numpy)), run through the bundled
    waveform-gru model twice: mode=n-to-1 window=400 (one label per 50 ms
    window, read from the `rnn` bus messages) and mode=n-to-n (5 class
    probabilities per sample, the state carried across the switches).
forecast.png
    A 100 Hz "sensor" sine whose frequency and amplitude change half-way,
    with the forecasts of sine-forecast-gru in mode=n-to-m (window=50 hop=25
    steps=25: every 0.25 s, the next 0.25 s from the last 0.5 s), and the
    tones pluck-gru generates in mode=1-to-n (steps=64) from a ramp of
    control values.

Every number drawn comes out of the element (appsrc ! rnn ! appsink, the
plugin found like any GStreamer plugin: installed, GST_PLUGIN_PATH=
build/plugin or `meson devenv -C build`; failing these, build/plugin of this
checkout).  The inputs come from audiotestsrc (waveforms) or numpy.

Needs python3-matplotlib, python3-numpy, python3-gi; exits 77 (skipped)
when matplotlib or numpy is missing and --skip-if-missing is given.
"""

import argparse
import os
import sys
import tempfile

try:
    import numpy as np
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
except ImportError as e:  # pragma: no cover - depends on the machine
    if "--skip-if-missing" in sys.argv:
        print("SKIP: %s (install python3-matplotlib python3-numpy)" % e)
        sys.exit(77)
    raise

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
MODELS = os.path.join(HERE, "models")

LABELS = ["sine", "square", "saw", "triangle", "white-noise"]
COLORS = {"sine": "#1f77b4", "square": "#ff7f0e", "saw": "#2ca02c",
          "triangle": "#d62728", "white-noise": "#7f7f7f"}
RATE = 8000
SEGMENT = 1200                     # 0.15 s per waveform
WAVEFORMS = [("sine", 150), ("square", 110), ("saw", 130),
             ("triangle", 90), ("white-noise", 440)]


# ----------------------------------------------------------- the element

def find_element():
    if Gst.ElementFactory.find("rnn"):
        return
    local = os.path.join(REPO, "build", "plugin")
    if os.path.isdir(local):
        Gst.Registry.get().scan_path(local)
    if not Gst.ElementFactory.find("rnn"):
        raise SystemExit("plot.py: GStreamer cannot find the rnn element: build it "
                         "(meson setup build && meson compile -C build) and run with "
                         "GST_PLUGIN_PATH=build/plugin")


def run_rnn(x, rate, props, chunk=160):
    """Runs x (T, C) float32 through appsrc ! rnn PROPS ! appsink.
    Returns ([(pts seconds, (n, C_out) array)], [rnn message structures])."""
    x = np.ascontiguousarray(x, dtype="<f4")
    if x.ndim == 1:
        x = x[:, None]
    T, C = x.shape
    pipeline = Gst.parse_launch(
        "appsrc name=src format=time caps=audio/x-raw,format=F32LE,"
        "layout=interleaved,rate=%d,channels=%d ! rnn %s ! "
        "appsink name=sink sync=false" % (rate, C, props))
    src, sink = pipeline.get_by_name("src"), pipeline.get_by_name("sink")
    bus = pipeline.get_bus()
    outs, msgs = [], []
    try:
        if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            m = bus.timed_pop_filtered(0, Gst.MessageType.ERROR)
            raise SystemExit("plot.py: %s" % (m.parse_error()[0].message if m else
                                               "the pipeline did not start"))
        for f0 in range(0, T, chunk):
            part = x[f0:f0 + chunk]
            buf = Gst.Buffer.new_wrapped(part.tobytes())
            buf.pts = Gst.util_uint64_scale(f0, Gst.SECOND, rate)
            buf.duration = Gst.util_uint64_scale(f0 + len(part), Gst.SECOND, rate) - buf.pts
            src.emit("push-buffer", buf)
        src.emit("end-of-stream")
        while True:
            sample = sink.emit("pull-sample")
            if sample is None:
                break
            buf = sample.get_buffer()
            ch = sample.get_caps().get_structure(0).get_int("channels")[1]
            ok, info = buf.map(Gst.MapFlags.READ)
            data = np.frombuffer(info.data, dtype="<f4").copy().reshape(-1, ch)
            buf.unmap(info)
            outs.append((buf.pts / Gst.SECOND, data))
        while True:
            m = bus.timed_pop_filtered(5 * Gst.SECOND, Gst.MessageType.ELEMENT |
                                       Gst.MessageType.EOS | Gst.MessageType.ERROR)
            if m is None or m.type == Gst.MessageType.EOS:
                break
            if m.type == Gst.MessageType.ERROR:
                raise SystemExit("plot.py: %s" % m.parse_error()[0].message)
            if m.get_structure().has_name("rnn"):
                msgs.append(m.get_structure().copy())
    finally:
        pipeline.set_state(Gst.State.NULL)
    return outs, msgs


def audiotestsrc(wave, freq, n):
    """n samples of audiotestsrc wave=WAVE freq=FREQ at 8 kHz (volume 0.8)."""
    p = Gst.parse_launch(
        "audiotestsrc wave=%s freq=%g samplesperbuffer=%d num-buffers=1 ! "
        "audio/x-raw,format=F32LE,rate=%d,channels=1 ! appsink name=sink"
        % (wave, freq, n, RATE))
    sink = p.get_by_name("sink")
    p.set_state(Gst.State.PLAYING)
    sample = sink.emit("pull-sample")
    buf = sample.get_buffer()
    ok, info = buf.map(Gst.MapFlags.READ)
    x = np.frombuffer(info.data, dtype="<f4").copy()
    buf.unmap(info)
    p.set_state(Gst.State.NULL)
    return x


# --------------------------------------------------------------- figures

def style(ax):
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.grid(True, axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def save_png(fig, path):
    """Saves @fig as a small PNG: 8-bit palette (these flat-colour plots need
    no more), optimised; README-friendly sizes."""
    import io
    from PIL import Image
    b = io.BytesIO()
    fig.savefig(b, format="png", dpi=100)
    plt.close(fig)
    b.seek(0)
    img = Image.open(b).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                                dither=Image.Dither.NONE)
    img.save(path, optimize=True)


def plot_waveform(path):
    model = os.path.join(MODELS, "waveform-gru.safetensors")
    # audiotestsrc's white noise is unseeded: the same noise (uniform in
    # [-0.8, 0.8], independent samples) from a seeded generator instead, so
    # the picture is the same on every run
    noise = np.random.default_rng(0).uniform(-0.8, 0.8, SEGMENT).astype(np.float32)
    x = np.concatenate([noise if w == "white-noise" else audiotestsrc(w, f, SEGMENT)
                        for w, f in WAVEFORMS])
    truth = np.repeat(np.arange(len(WAVEFORMS)), SEGMENT)
    t = np.arange(len(x)) / RATE

    _, msgs = run_rnn(x, RATE, "mode=n-to-1 window=400 model=\"%s\"" % model)
    outs, _ = run_rnn(x, RATE, "model=\"%s\"" % model)
    probs = np.concatenate([d for _, d in outs])            # (T, 5)
    assert probs.shape == (len(x), 5), probs.shape

    fig, (ax0, ax1, ax2) = plt.subplots(
        3, 1, figsize=(11, 6.4), sharex=True,
        gridspec_kw=dict(height_ratios=[2.2, 0.75, 1.6], hspace=0.28))
    fig.suptitle("The rnn element naming the waveform audiotestsrc plays "
                 "(waveform-gru, 8 kHz)", fontsize=13, fontweight="bold", x=0.06,
                 ha="left", y=0.985)

    # the input, shaded by what audiotestsrc really played
    for i, (w, f) in enumerate(WAVEFORMS):
        t0, t1 = i * SEGMENT / RATE, (i + 1) * SEGMENT / RATE
        ax0.axvspan(t0, t1, color=COLORS[w], alpha=0.10, linewidth=0)
        ax0.text((t0 + t1) / 2, 1.02, "%s%s" % (w, "" if w == "white-noise" else " %d Hz" % f),
                 ha="center", va="bottom", fontsize=9.5, color=COLORS[w],
                 fontweight="bold")
    ax0.plot(t, x, color="#333333", linewidth=0.6)
    ax0.set_ylim(-1.0, 1.18)
    ax0.set_yticks([-0.8, 0, 0.8])
    ax0.set_ylabel("input\n(audiotestsrc)")
    style(ax0)
    ax0.tick_params(bottom=False)

    # n-to-1: one label per window, from the bus
    right = 0
    for s in msgs:
        ts = s.get_uint64("timestamp")[1] / Gst.SECOND
        dur = s.get_uint64("duration")[1] / Gst.SECOND
        label = s.get_string("label")
        conf = s.get_double("confidence")[1]
        frame = int(round(ts * RATE))
        ok = label == WAVEFORMS[truth[frame]][0]
        right += ok
        ax1.broken_barh([(ts + 0.0015, dur - 0.003)], (0.1, 0.8),
                        facecolors=COLORS[label], alpha=0.85)
        ax1.text(ts + dur / 2, 0.5, "%s\n%.2f" % ("noise" if label == "white-noise" else label,
                                                  conf),
                 ha="center", va="center", fontsize=7.2, color="white",
                 fontweight="bold")
    ax1.set_ylim(0, 1)
    ax1.set_yticks([])
    ax1.set_ylabel("n-to-1\nlabels", rotation=0, ha="right", va="center")
    ax1.set_title("mode=n-to-1 window=400: one label (and its confidence) per 50 ms "
                  "window, %d/%d right" % (right, len(msgs)), loc="right",
                  fontsize=9, color="#555555")
    for sp in ax1.spines.values():
        sp.set_visible(False)
    ax1.tick_params(bottom=False)

    # n-to-n: per-frame probabilities
    ax2.stackplot(t, probs.T, colors=[COLORS[c] for c in LABELS], alpha=0.85,
                  linewidth=0)
    for i in range(1, len(WAVEFORMS)):
        for ax in (ax0, ax2):
            ax.axvline(i * SEGMENT / RATE, color="#444444", linewidth=0.8,
                       linestyle=":")
    acc = float(np.mean(probs.argmax(1) == truth))
    ax2.set_ylim(0, 1)
    ax2.set_xlim(0, t[-1])
    ax2.set_ylabel("n-to-n\nprobability")
    ax2.set_xlabel("time (s)")
    ax2.set_title("mode=n-to-n: class probabilities for every sample, state "
                  "carried across the switches (argmax right on %.1f%% of the "
                  "samples)" % (100 * acc), loc="right", fontsize=9, color="#555555")
    style(ax2)
    handles = [Patch(color=COLORS[c], label=c) for c in LABELS]
    fig.legend(handles=handles, loc="lower center", ncol=5, frameon=False,
               bbox_to_anchor=(0.5, -0.005), fontsize=9.5)
    fig.subplots_adjust(left=0.1, right=0.985, top=0.91, bottom=0.14)
    save_png(fig, path)
    print("wrote %s (%d bytes): n-to-1 %d/%d windows right, n-to-n %.1f%% of "
          "the samples" % (path, os.path.getsize(path), right, len(msgs), 100 * acc))
    return right == len(msgs)


def plot_forecast(path):
    # n-to-m: a 100 Hz sensor, 3 Hz then 5 Hz, phase continuous
    rate, n = 100, 500
    f = np.where(np.arange(n) < 250, 3.0, 5.0)
    a = np.where(np.arange(n) < 250, 0.8, 0.5)
    x = (a * np.sin(2 * np.pi * np.cumsum(f) / rate)).astype(np.float32)
    W, S = 50, 25
    model = os.path.join(MODELS, "sine-forecast-gru.safetensors")
    outs, _ = run_rnn(x, rate, "mode=n-to-m window=%d hop=%d steps=%d model=\"%s\""
                      % (W, S, S, model), chunk=25)

    # 1-to-n: 12 control values, 64 generated frames each
    c = np.linspace(-1, 1, 12).astype(np.float32)
    gen, _ = run_rnn(c, 10, "mode=1-to-n steps=64 model=\"%s\""
                     % os.path.join(MODELS, "pluck-gru.safetensors"), chunk=4)
    y = np.concatenate([d[:, 0] for _, d in gen])

    fig = plt.figure(figsize=(11, 7.4))
    gs = fig.add_gridspec(4, 1, height_ratios=[2.3, 0.42, 0.6, 1.4], hspace=0.1,
                          left=0.1, right=0.985, top=0.91, bottom=0.07)
    ax0, ax1 = fig.add_subplot(gs[0]), fig.add_subplot(gs[2])
    ax2 = fig.add_subplot(gs[3], sharex=ax1)
    fig.suptitle("Forecasting (n-to-m) and generation (1-to-n) with the rnn element",
                 fontsize=13, fontweight="bold", x=0.06, ha="left", y=0.985)

    # n-to-m: the forecasts under the input they forecast
    t = np.arange(n) / rate
    errs, clean = [], []
    for k, (pts, d) in enumerate(outs):
        tf = pts + np.arange(len(d)) / rate
        col = "#d62728" if k % 2 == 0 else "#ff7f0e"
        ax0.plot(tf, d[:, 0], color=col, linewidth=3.2, alpha=0.55,
                 solid_capstyle="butt",
                 label="forecasts (one colour per window, alternating)" if k == 0 else None)
        i0 = int(round(pts * rate))
        seg = x[i0:i0 + len(d)]
        if len(seg) == len(d):
            errs.append(d[:, 0] - seg)
            # windows whose input or forecast spans the change at frame 250
            if not (i0 - W < 250 < i0 + len(d)):
                clean.append(d[:, 0] - seg)
    ax0.plot(t, x, color="#222222", linewidth=0.9, marker=".", markersize=2.5,
             label="input: a 100 Hz sensor")
    # one window and its forecast, marked
    k = 6
    ws = k * S / rate
    ax0.axvspan(ws, ws + W / rate, color="#1f77b4", alpha=0.12, linewidth=0)
    ax0.axvspan(ws + W / rate, ws + (W + S) / rate, color="#d62728", alpha=0.12,
                linewidth=0)
    ax0.text(ws + W / rate / 2, 1.1, "window:\n50 frames in", ha="center",
             va="center", fontsize=8.5, color="#1f77b4")
    ax0.text(ws + (W + S / 2) / rate, 1.1, "forecast:\n25 out", ha="center",
             va="center", fontsize=8.5, color="#d62728")
    ax0.axvline(2.5, color="#444444", linewidth=0.8, linestyle=":")
    ax0.text(2.54, 1.1, "change: 3 Hz, 0.8 \u2192 5 Hz, 0.5", fontsize=8.5,
             color="#444444", va="center")
    rms = float(np.sqrt(np.mean(np.concatenate(errs) ** 2)))
    rms_clean = float(np.sqrt(np.mean(np.concatenate(clean) ** 2)))
    ax0.set_xlim(0, t[-1] + S / rate)
    ax0.set_ylim(-1.0, 1.25)
    ax0.set_yticks([-0.8, -0.4, 0, 0.4, 0.8])
    ax0.set_xlabel("time (s)")
    ax0.set_ylabel("value")
    ax0.set_title("mode=n-to-m window=50 hop=25 steps=25 (sine-forecast-gru): RMS "
                  "error %.3f (%.3f away from the change)" % (rms, rms_clean),
                  loc="right", fontsize=9, color="#555555")
    ax0.legend(loc="lower left", fontsize=8.5, frameon=True, framealpha=0.9,
               edgecolor="none", ncol=2, bbox_to_anchor=(0, -0.02))
    style(ax0)

    # 1-to-n: controls and what they generate
    tc = np.arange(len(c)) / 10
    ax1.bar(tc, c, width=0.1, align="edge", color="#9467bd", edgecolor="white")
    ax1.axhline(0, color="#888888", linewidth=0.6)
    ax1.set_ylim(-1.1, 1.1)
    ax1.set_yticks([-1, 0, 1])
    ax1.set_ylabel("control\n(10 Hz)")
    ax1.set_title("mode=1-to-n steps=64 (pluck-gru): each control value sets the "
                  "pitch of 64 generated frames", loc="right", fontsize=9,
                  color="#555555")
    ax1.tick_params(labelbottom=False, bottom=False)
    style(ax1)
    tg = np.arange(len(y)) / 640
    ax2.plot(tg, y, color="#9467bd", linewidth=1.0)
    for tt in tc[1:]:
        ax2.axvline(tt, color="#cccccc", linewidth=0.6, zorder=0)
    ax2.set_xlim(0, len(c) / 10)
    ax2.set_ylim(-1.05, 1.05)
    ax2.set_xlabel("time (s)")
    ax2.set_ylabel("output\n(640 Hz)")
    style(ax2)
    save_png(fig, path)
    print("wrote %s (%d bytes): n-to-m forecast RMS error %.3f (%.3f away from "
          "the change), 1-to-n %d frames from %d controls"
          % (path, os.path.getsize(path), rms, rms_clean, len(y), len(c)))
    return len(y) == 64 * len(c) and rms_clean < 0.05


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out-dir", default=os.path.join(tempfile.gettempdir(), "gst-rnn"),
                    help="where the PNGs go (default %(default)s; examples "
                         "replaces the committed ones)")
    ap.add_argument("--only", choices=["waveform", "forecast"])
    ap.add_argument("--skip-if-missing", action="store_true",
                    help="exit 77 when matplotlib or numpy is missing")
    args = ap.parse_args()
    Gst.init(None)
    find_element()
    os.makedirs(args.out_dir, exist_ok=True)
    ok = True
    if args.only in (None, "waveform"):
        ok &= plot_waveform(os.path.join(args.out_dir, "waveform-annotations.png"))
    if args.only in (None, "forecast"):
        ok &= plot_forecast(os.path.join(args.out_dir, "forecast.png"))
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except GLib.Error as e:
        raise SystemExit("plot.py: %s" % e.message)
