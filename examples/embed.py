#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Embedding the rnn element in a Python (PyGObject) application.

    appsrc ! rnn mode=n-to-1 window=400 model=MODEL ! appsink

The application computes 8 kHz mono audio and pushes it: part A (0.475 s)
a square wave, part B (0.5 s) a sine.  The element classifies every window
of 400 samples (50 ms) with the waveform model and the application reads
each result twice:

* from the buffer meta: the buffer in which windows end carries one custom
  meta "GstRnnResultMeta" whose "results" field lists every result (all
  windows, all streams) as "rnn-result" structures:
      meta = buf.get_custom_meta("GstRnnResultMeta")
      for r in meta.get_structure().get_value("results"): ...
  (names and fields: <gst/rnn/gstrnnmeta.h>);
* from the bus: an element message named "rnn" per result.

Between the parts the application emits the element's "reset" action
signal: the state goes back to zero and the 200 frames of the unfinished
window are dropped, so the windows of part B start at its first frame and
none mixes the two waves.

Run from the repository root with the element findable:

    GST_PLUGIN_PATH=build/plugin /usr/bin/python3 examples/embed.py \\
        [--model examples/models/waveform-gru.safetensors]

Needs python3-gi and gir1.2-gstreamer-1.0 (appsrc and appsink are driven
through their action signals, no GstApp typelib needed).  Exit status: 0 when every window got the label
of the wave that was playing, from the meta and from the bus; 1 otherwise.
"""

import argparse
import array
import math
import os
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RATE = 8000
WINDOW = 400                 # frames: 50 ms
BUFFER_FRAMES = 160          # 20 ms per buffer
META = "GstRnnResultMeta"

# (name, first frame, frames, wave, frequency)
PARTS = [("A", 0, 3800, "square", 440.0),
         ("B", 3800, 4000, "sine", 550.0)]


def wave_sample(wave, freq, n):
    """audiotestsrc-like waves at its default volume 0.8."""
    phase = math.fmod(freq * n / RATE, 1.0)
    if wave == "sine":
        return 0.8 * math.sin(2 * math.pi * phase)
    if wave == "square":
        return 0.8 if phase < 0.5 else -0.8
    raise ValueError(wave)


def push_part(src, start, frames, wave, freq):
    """Pushes the part as buffers of BUFFER_FRAMES frames; returns their count."""
    n_buffers = 0
    for f0 in range(start, start + frames, BUFFER_FRAMES):
        n = min(BUFFER_FRAMES, start + frames - f0)
        data = array.array("f", (wave_sample(wave, freq, f0 + i) for i in range(n)))
        if sys.byteorder != "little":
            data.byteswap()
        buf = Gst.Buffer.new_wrapped(data.tobytes())
        buf.pts = Gst.util_uint64_scale(f0, Gst.SECOND, RATE)
        buf.duration = Gst.util_uint64_scale(f0 + n, Gst.SECOND, RATE) - buf.pts
        buf.offset, buf.offset_end = f0, f0 + n
        if src.emit("push-buffer", buf) != Gst.FlowReturn.OK:
            raise SystemExit("embed.py: appsrc refused a buffer")
        n_buffers += 1
    return n_buffers


def check(s, part, what, tally):
    """Compares a result structure with the part's wave and window grid."""
    _, start, frames, wave, _ = part
    ts = s.get_uint64("timestamp")[1]
    label = s.get_string("label")
    conf = s.get_double("confidence")[1]
    first = Gst.util_uint64_scale_round(ts, RATE, Gst.SECOND)
    right = (label == wave and s.get_uint("frames")[1] == WINDOW and
             first >= start and (first - start) % WINDOW == 0 and
             first + WINDOW <= start + frames)
    tally[0] += 1
    tally[1] += 0 if right else 1
    print("  %-4s window at %.3f s: %-8s %.3f%s"
          % (what, ts / Gst.SECOND, label, conf, "" if right else "  (WRONG)"))


def read_bus(bus, part, tally, timeout=0):
    """The rnn messages waiting on the bus; returns True at EOS."""
    while True:
        msg = bus.timed_pop_filtered(
            timeout, Gst.MessageType.ELEMENT | Gst.MessageType.ERROR |
            Gst.MessageType.EOS)
        if msg is None:
            return False
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            raise SystemExit("embed.py: error from %s: %s\n%s"
                             % (msg.src.get_name(), err.message, dbg or ""))
        if msg.type == Gst.MessageType.EOS:
            return True
        s = msg.get_structure()
        if s.has_name("rnn"):
            check(s, part, "bus", tally)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=os.path.join(HERE, "models", "waveform-gru.safetensors"))
    args = ap.parse_args()

    Gst.init(None)
    try:
        pipeline = Gst.parse_launch(
            "appsrc name=src format=time caps=audio/x-raw,format=F32LE,"
            "layout=interleaved,rate=%d,channels=1 ! "
            "rnn name=rnn mode=n-to-1 window=%d model=\"%s\" ! "
            "appsink name=sink sync=false" % (RATE, WINDOW, args.model))
    except GLib.Error as e:
        # no rnn element: GST_PLUGIN_PATH=build/plugin, or meson devenv
        raise SystemExit("embed.py: %s" % e.message)
    src = pipeline.get_by_name("src")
    sink = pipeline.get_by_name("sink")
    rnn = pipeline.get_by_name("rnn")
    bus = pipeline.get_bus()
    metas, msgs = [0, 0], [0, 0]      # results checked, wrong
    expected = 0
    eos = False

    try:
        if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            read_bus(bus, PARTS[0], msgs)     # raises with the error
            raise SystemExit("embed.py: the pipeline did not start")
        for i, part in enumerate(PARTS):
            name, start, frames, wave, freq = part
            print("part %s: %s %.0f Hz, %.3f s" % (name, wave, freq, frames / RATE))
            if i > 0:
                # Every buffer of the previous part has come out of the
                # appsink: the reset applies from the next buffer on.
                print("  emitting \"reset\"")
                rnn.emit("reset")
            n_buffers = push_part(src, start, frames, wave, freq)
            if i == len(PARTS) - 1:
                src.emit("end-of-stream")
            expected += frames // WINDOW
            for _ in range(n_buffers):
                sample = sink.emit("pull-sample")
                if sample is None:
                    raise SystemExit("embed.py: the stream ended early")
                meta = sample.get_buffer().get_custom_meta(META)
                if meta is not None:
                    for r in meta.get_structure().get_value("results"):
                        check(r, part, "meta", metas)
            # the messages of these buffers were posted before they left
            eos = read_bus(bus, part, msgs)
        if not eos:
            eos = read_bus(bus, PARTS[-1], msgs, 10 * Gst.SECOND)
    finally:
        pipeline.set_state(Gst.State.NULL)

    print("%d results from metas (%d wrong), %d from the bus (%d wrong), %d "
          "expected from each" % (metas[0], metas[1], msgs[0], msgs[1], expected))
    ok = eos and metas == [expected, 0] and msgs == [expected, 0]
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
