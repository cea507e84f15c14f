#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-rnn live demo: a GRU names the waveform audiotestsrc is playing.

Runs this live pipeline (8 kHz mono, one sample per time step):

    audiotestsrc is-live=true wave=W freq=F volume=V
      ! audio/x-raw,format=F32LE,rate=8000,channels=1
      ! rnn model=examples/models/waveform-gru.safetensors
      ! appsink

The model (trained by examples/train_default.py) outputs, for every input
sample, 5 probabilities: sine, square, saw, triangle, white-noise.  The
demo switches the source's waveform, frequency and volume every
--seconds-per-wave seconds (setting audiotestsrc's properties while it
plays, and emitting the element's `reset` action signal so the new
source starts from a zero state), prints an annotation every --interval
seconds (the label with the highest mean probability over that stretch,
and that mean), and ends with the accuracy per class against what the
source was really playing.

    /usr/bin/python3 examples/demo.py [--model FILE] [--seconds-per-wave S]
        [--interval S] [--rounds N] [--no-reset] [--plugin-path DIR]

Needs python3-gi and gir1.2-gstreamer-1.0 (no numpy, no torch).  The
element must be findable: installed, or GST_PLUGIN_PATH=build/plugin, or
--plugin-path DIR, or `meson devenv -C build`; failing all of these the demo
looks in build/plugin of this checkout.  examples/demo.sh does all of that.

Exit status: 0 if the pipeline ran and at least --min-accuracy of the
annotations were right, 1 if the pipeline failed (or the element is
missing), 2 if the model was wrong too often.
"""

import argparse
import array
import json
import os
import struct
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RATE = 8000

# (audiotestsrc wave nick, frequency Hz, volume): two rounds through the five
# waveforms, the second at other frequencies and a lower volume.
SCHEDULE = [
    ("sine", 440, 0.8), ("square", 220, 0.8), ("saw", 880, 0.8),
    ("triangle", 330, 0.8), ("white-noise", 440, 0.8),
    ("triangle", 880, 0.3), ("saw", 220, 0.3), ("sine", 660, 0.3),
    ("white-noise", 440, 0.3), ("square", 550, 0.3),
]


def model_labels(path):
    """rnn.labels from the safetensors header (no dependency needed)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n).decode("utf-8"))
    labels = header.get("__metadata__", {}).get("rnn.labels")
    return [s.strip() for s in labels.split(",")] if labels else None


def find_element(plugin_path):
    reg = Gst.Registry.get()
    if plugin_path:
        reg.scan_path(os.path.abspath(plugin_path))
    if Gst.ElementFactory.find("rnn"):
        return True
    local = os.path.join(REPO, "build", "plugin")
    if not plugin_path and os.path.isdir(local):
        reg.scan_path(local)
    return Gst.ElementFactory.find("rnn") is not None


class Demo:
    def __init__(self, args, labels):
        self.args = args
        self.labels = labels
        self.n_out = len(labels)
        self.buf_frames = int(round(RATE * args.interval / 5))     # 5 buffers per annotation
        self.interval_frames = self.buf_frames * 5
        self.seg_intervals = max(1, int(round(args.seconds_per_wave / args.interval)))
        self.seg = 0
        self.seg_done = 0            # intervals done in the current segment
        self.acc = [0.0] * self.n_out  # sum of probabilities in this interval
        self.frames = 0              # frames in this interval
        self.frames_since_reset = 0
        self.interval_pts = None
        self.frame_hits = {}         # wave -> [right, total] per frame after warm-up
        self.hits = {}               # wave -> [right, total] per annotation
        self.error = None
        self.finished = False
        self.loop = GLib.MainLoop()

        p = Gst.parse_launch(
            "audiotestsrc name=src is-live=true samplesperbuffer=%d "
            "! audio/x-raw,format=F32LE,rate=%d,channels=1 "
            "! rnn name=rnn ! appsink name=sink emit-signals=true sync=true"
            % (self.buf_frames, RATE))
        self.pipeline = p
        self.src = p.get_by_name("src")
        self.rnn = p.get_by_name("rnn")
        self.rnn.set_property("model", args.model)
        self.sink = p.get_by_name("sink")
        self.sink.connect("new-sample", self.on_sample)
        self.configure_source()
        bus = p.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)

    def truth(self):
        return SCHEDULE[self.seg % len(SCHEDULE)]

    def configure_source(self):
        wave, freq, vol = self.truth()
        Gst.util_set_object_arg(self.src, "wave", wave)
        self.src.set_property("freq", float(freq))
        self.src.set_property("volume", vol)

    # Runs in the streaming thread: the source creates the next buffer only
    # after this returns, so a property set here applies from the next
    # buffer on, and the reset lands exactly on the switch.
    def on_sample(self, sink):
        if self.error or self.finished:
            return Gst.FlowReturn.EOS
        try:
            return self.handle_sample(sink)
        except BrokenPipeError:             # e.g. `demo.py | head`
            self.error = "stdout closed"
        except Exception as e:              # never leave the pipeline running
            self.error = "%s in the appsink callback: %s" % (type(e).__name__, e)
        self.pipeline.post_message(Gst.Message.new_application(
            self.sink, Gst.Structure.new_empty("demo-done")))
        return Gst.FlowReturn.ERROR

    def handle_sample(self, sink):
        sample = sink.emit("pull-sample")
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if not ok:
            return Gst.FlowReturn.ERROR
        try:
            probs = array.array("f")
            probs.frombytes(bytes(info.data))
        finally:
            buf.unmap(info)
        if sys.byteorder != "little":
            probs.byteswap()
        if self.interval_pts is None:
            self.interval_pts = buf.pts
        wave = self.truth()[0]
        truth_idx = self.labels.index(wave) if wave in self.labels else -1
        n = self.n_out
        fh = self.frame_hits.setdefault(wave, [0, 0])
        for t in range(0, len(probs), n):
            row = probs[t:t + n]
            for k in range(n):
                self.acc[k] += row[k]
            self.frames_since_reset += 1
            if self.frames_since_reset > self.args.warmup:
                fh[0] += max(range(n), key=row.__getitem__) == truth_idx
                fh[1] += 1
        self.frames += len(probs) // n
        if self.frames >= self.interval_frames:
            self.annotate(wave, truth_idx)
        return Gst.FlowReturn.OK

    def annotate(self, wave, truth_idx):
        mean = [a / self.frames for a in self.acc]
        best = max(range(self.n_out), key=mean.__getitem__)
        right = best == truth_idx
        h = self.hits.setdefault(wave, [0, 0])
        h[0] += right
        h[1] += 1
        _, freq, vol = self.truth()
        src = wave if wave == "white-noise" else "%s %d Hz" % (wave, freq)
        t = self.interval_pts / Gst.SECOND if self.interval_pts != Gst.CLOCK_TIME_NONE else 0.0
        print("%6.2f s  %-16s %4.1f   %-12s %5.1f%%  %s"
              % (t, src, vol, self.labels[best], 100 * mean[best],
                 "ok" if right else "WRONG"), flush=True)
        self.acc = [0.0] * self.n_out
        self.frames = 0
        self.interval_pts = None
        self.seg_done += 1
        if self.seg_done == self.seg_intervals:
            self.seg_done = 0
            self.seg += 1
            if self.seg == len(SCHEDULE) * self.args.rounds:
                self.finished = True
                self.pipeline.post_message(Gst.Message.new_application(
                    self.sink, Gst.Structure.new_empty("demo-done")))
                return
            self.configure_source()
            if self.args.no_reset:
                print("         -- source now %s, state kept --" % self.describe(), flush=True)
            else:
                self.rnn.emit("reset")      # new source: start from zero state
                self.frames_since_reset = 0
                print("         -- source now %s, rnn state reset --" % self.describe(),
                      flush=True)

    def describe(self):
        wave, freq, vol = self.truth()
        return wave if wave == "white-noise" else "%s %d Hz vol %.1f" % (wave, freq, vol)

    def on_message(self, bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            self.error = "%s: %s\n  (%s)" % (msg.src.get_name(), err.message, dbg)
            self.loop.quit()
        elif msg.type == Gst.MessageType.EOS:
            self.error = self.error or "unexpected end of stream"
            self.loop.quit()
        elif msg.type == Gst.MessageType.APPLICATION and \
                msg.get_structure().get_name() == "demo-done":
            self.loop.quit()

    def on_timeout(self):
        if self.seg == 0 and self.seg_done == 0 and self.frames == 0:
            self.error = "no output from the pipeline after %d s" % self.args.timeout
            self.loop.quit()
        return False

    def run(self):
        total = len(SCHEDULE) * self.args.rounds * self.seg_intervals * self.interval_frames / RATE
        print("Live: audiotestsrc is-live=true ! audio/x-raw,format=F32LE,rate=%d,channels=1 "
              "! rnn model=%s ! appsink" % (RATE, self.args.model_shown))
        print("Model labels: %s.  Annotation every %.2f s = argmax of the mean per-frame "
              "probabilities; %d waves x %.2f s, about %.0f s.\n"
              % (", ".join(self.labels), self.interval_frames / RATE,
                 len(SCHEDULE) * self.args.rounds, self.seg_intervals * self.interval_frames / RATE,
                 total))
        print("%8s  %-16s %4s   %-12s %6s" % ("time", "source", "vol", "prediction", "mean p"))
        print("         -- source now %s --" % self.describe())
        ret = self.pipeline.set_state(Gst.State.PLAYING)
        if ret == Gst.StateChangeReturn.FAILURE:
            # the ERROR message (e.g. the model cannot be loaded) is on the bus
            msg = self.pipeline.get_bus().timed_pop_filtered(Gst.SECOND, Gst.MessageType.ERROR)
            if msg:
                err, dbg = msg.parse_error()
                self.error = "%s: %s\n  (%s)" % (msg.src.get_name(), err.message, dbg)
            else:
                self.error = "the pipeline refused to start"
        else:
            GLib.timeout_add_seconds(self.args.timeout, self.on_timeout)
            self.loop.run()
        self.pipeline.set_state(Gst.State.NULL)
        return self.error

    def summary(self):
        print("\nSummary (truth = what audiotestsrc was playing):")
        print("  %-12s  annotations right   frames right after %d-frame warm-up"
              % ("class", self.args.warmup))
        tot = [0, 0]
        ftot = [0, 0]
        for wave in self.labels:
            h = self.hits.get(wave)
            fh = self.frame_hits.get(wave, [0, 0])
            if not h:
                continue
            tot[0] += h[0]
            tot[1] += h[1]
            ftot[0] += fh[0]
            ftot[1] += fh[1]
            print("  %-12s  %3d/%-3d %6.1f%%       %6.1f%%"
                  % (wave, h[0], h[1], 100 * h[0] / h[1], 100 * fh[0] / max(1, fh[1])))
        print("  %-12s  %3d/%-3d %6.1f%%       %6.1f%%"
              % ("all", tot[0], tot[1], 100 * tot[0] / max(1, tot[1]),
                 100 * ftot[0] / max(1, ftot[1])))
        return tot[0] / max(1, tot[1])


def main():
    ap = argparse.ArgumentParser(description="gst-rnn live demo: which waveform is playing?")
    ap.add_argument("--model", default=os.path.join(HERE, "models", "waveform-gru.safetensors"),
                    help="safetensors model (default: the bundled waveform GRU)")
    ap.add_argument("--seconds-per-wave", type=float, default=1.5,
                    help="how long each source plays (default 1.5; 10 sources)")
    ap.add_argument("--interval", type=float, default=0.25,
                    help="seconds between annotations (default 0.25)")
    ap.add_argument("--rounds", type=int, default=1, help="times through the schedule")
    ap.add_argument("--plugin-path", metavar="DIR", help="directory holding libgstrnn.so")
    ap.add_argument("--warmup", type=int, default=200,
                    help="frames after a reset not scored per frame (default 200)")
    ap.add_argument("--no-reset", action="store_true",
                    help="keep the state across source switches (the model then has "
                         "to notice the change by itself)")
    ap.add_argument("--min-accuracy", type=float, default=0.8,
                    help="exit 2 if fewer annotations than this are right (default 0.8)")
    ap.add_argument("--timeout", type=int, default=10, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.interval <= 0 or args.seconds_per_wave <= 0:
        ap.error("--interval and --seconds-per-wave must be positive")

    Gst.init(None)
    if not find_element(args.plugin_path):
        print("demo: GStreamer cannot find the 'rnn' element. Build it and point "
              "GStreamer at it, e.g. from the repository root:\n"
              "    meson setup build && meson compile -C build\n"
              "    GST_PLUGIN_PATH=$PWD/build/plugin /usr/bin/python3 examples/demo.py\n"
              "or run examples/demo.sh, or pass --plugin-path DIR.", file=sys.stderr)
        return 1
    args.model_shown = os.path.relpath(args.model) if \
        os.path.abspath(args.model).startswith(REPO + os.sep) else args.model
    args.model = os.path.abspath(args.model)
    try:
        labels = model_labels(args.model)
    except (OSError, ValueError, struct.error) as e:
        print("demo: cannot read the model %s: %s" % (args.model, e), file=sys.stderr)
        return 1
    if not labels:
        print("demo: %s has no rnn.labels metadata: this demo needs a classifier "
              "with labels sine, square, saw, triangle, white-noise" % args.model,
              file=sys.stderr)
        return 1
    missing = sorted({w for w, _, _ in SCHEDULE} - set(labels))
    if missing:
        print("demo: the model's labels (%s) lack %s" % (", ".join(labels), ", ".join(missing)),
              file=sys.stderr)
        return 1

    demo = Demo(args, labels)
    err = demo.run()
    if err:
        print("demo: pipeline error: %s" % err, file=sys.stderr)
        if demo.hits and err != "stdout closed":
            demo.summary()
        return 1
    acc = demo.summary()
    if acc < args.min_accuracy:
        print("demo: only %.0f%% of the annotations were right (wanted %.0f%%)"
              % (100 * acc, 100 * args.min_accuracy), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 1
    sys.exit(status)
