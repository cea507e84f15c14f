#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A sensor read by the application and pushed into rnn through appsrc.

The application reads one value every 10 ms (100 Hz) but pushes it late
by 0 to 100 ms (a busy thread, a USB or network read): with
do-timestamp=true each buffer is stamped when it is pushed, so the
timestamps jitter by +-50 ms around their mean.  The pipeline:

    appsrc is-live=true format=time do-timestamp=true
        caps=audio/x-raw,format=F32LE,layout=interleaved,rate=100,channels=1 !
    rnn model=examples/models/waveform-gru.safetensors mode=n-to-1
        window=100 timestamp-policy=... timestamp-tolerance=... ! fakesink

prints how many of the windows gave a result and the WARNING, if any.
With the default timestamp-policy=strict (40 ms) most jumps reset the
state and windows are lost; with timestamp-policy=perfect and a tolerance
above the jitter every window comes, stamped from the frame count.

    meson devenv -C build /usr/bin/python3 examples/sensor.py \\
        [--policy perfect] [--tolerance 200000000] [--seconds 10]
"""

import argparse
import math
import os
import random
import struct
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RATE = 100


def run(policy, tolerance, seconds, late_ms, seed):
    model = os.path.join(HERE, "models", "waveform-gru.safetensors")
    desc = (
        "appsrc name=src is-live=true format=time do-timestamp=true "
        "caps=audio/x-raw,format=F32LE,layout=interleaved,rate=%d,channels=1 ! "
        "rnn name=rnn mode=n-to-1 window=%d model=%s timestamp-policy=%s%s ! "
        "fakesink" % (RATE, RATE, model, policy,
                      " timestamp-tolerance=%d" % tolerance
                      if tolerance is not None else ""))
    pipe = Gst.parse_launch(desc)
    src = pipe.get_by_name("src")
    bus = pipe.get_bus()
    pipe.set_state(Gst.State.PLAYING)
    time.sleep(0.2)  # a live pipeline: PLAYING at once, the sink prerolls on data

    rng = random.Random(seed)
    frames = seconds * RATE
    start = time.monotonic()
    due = 0.0
    for k in range(frames):
        # read at k / RATE, pushed 0..late_ms later (in order)
        due = max(due, k / RATE + rng.uniform(0, late_ms / 1000.0))
        delay = start + due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        v = math.sin(2 * math.pi * 5 * k / RATE)
        src.emit("push-buffer", Gst.Buffer.new_wrapped(struct.pack("<f", v)))
    src.emit("end-of-stream")
    results, warnings = [], []
    while True:
        msg = bus.timed_pop_filtered(
            10 * Gst.SECOND, Gst.MessageType.ELEMENT | Gst.MessageType.EOS
            | Gst.MessageType.WARNING | Gst.MessageType.ERROR)
        if msg is None or msg.type in (Gst.MessageType.EOS,
                                       Gst.MessageType.ERROR):
            break
        if msg.type == Gst.MessageType.WARNING:
            warnings.append(msg.parse_warning()[0].message)
        elif msg.get_structure().get_name() == "rnn":
            results.append(msg.get_structure().get_uint64("timestamp")[1])
    pipe.set_state(Gst.State.NULL)
    return frames // RATE, results, warnings


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--policy", default="strict")
    ap.add_argument("--tolerance", type=int, default=None,
                    help="timestamp-tolerance in ns (default: the element's)")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--late-ms", type=float, default=100.0,
                    help="each frame is pushed 0 to this many ms late")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    Gst.init(None)
    n, results, warnings = run(a.policy, a.tolerance, a.seconds, a.late_ms,
                               a.seed)
    print("timestamp-policy=%s timestamp-tolerance=%s: %d of %d windows"
          % (a.policy, a.tolerance if a.tolerance is not None else "default",
             len(results), n))
    if results:
        print("window timestamps (s):",
              " ".join("%.3f" % (t / 1e9) for t in results))
    for w in warnings:
        print("WARNING:", w)


if __name__ == "__main__":
    main()
