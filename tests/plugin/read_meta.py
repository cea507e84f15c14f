#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Read the rnn element's n-to-1 results from Python (PyGObject).

Runs  filesrc ! rawaudioparse ! rnn mode=n-to-1 ! audioconvert ! appsink
on a fixture of tests/conformance/modes with 3 streams and buffers in
which several windows end, and checks, against what PyTorch computed,
both ways an application gets the results (gstrnnmeta.h):

* the buffer meta: buf.get_custom_meta("GstRnnResultMeta").get_structure()
  holds one field, "results": a list of "rnn-result" structures, every
  result that ended in the buffer (all windows, all streams);
* the bus message: an element message named "rnn" (one per stream and
  window), with running-time and stream-time.

Scores and confidence are doubles: get_double() works on them.

Run by meson (suite plugin) with the plugin test environment; by hand:

    meson devenv -C build /usr/bin/python3 tests/plugin/read_meta.py
"""

import os
import sys
import tempfile

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "conformance"))
from safetensors_io import load_file  # noqa: E402

CASE = "n1_gru_l2_bi_b3_tm_w12_h5_final-state_softmax"
META = "GstRnnResultMeta"
RATE = 100
TOL = 1e-5


def close(a, b):
    return all(abs(x - y) <= TOL * max(1.0, abs(y)) for x, y in zip(a, b)) \
        and len(a) == len(b)


def check_fields(s, scores, start, window, hop, labels, what):
    ok, ts = s.get_uint64("timestamp")
    assert ok and ts == start * Gst.SECOND // RATE, (what, ts, start)
    ok, dur = s.get_uint64("duration")
    assert ok and dur == window * Gst.SECOND // RATE, (what, dur)
    ok, h = s.get_uint64("hop")
    assert ok and h == hop * Gst.SECOND // RATE, (what, h)
    got = [float(x) for x in s.get_value("scores")]
    assert close(got, scores), (what, got, scores)
    ok, cls = s.get_uint("class")
    assert ok and cls == max(range(len(got)), key=lambda i: got[i]), what
    want = labels[cls] if labels else str(cls)
    assert s.get_string("label") == want, (what, s.get_string("label"))
    ok, conf = s.get_double("confidence")
    assert ok, ("confidence is not a double", what, s.to_string())
    assert abs(conf - got[cls]) < 1e-7, (what, conf)


def meta_results(buf):
    """Every result of @buf, as docs/embedding.md shows it."""
    m = buf.get_custom_meta(META)
    if m is None:
        return []
    return [r.copy() for r in m.get_structure().get_value("results")]


def run(raw, desc):
    pipeline = Gst.parse_launch(desc)
    sink = pipeline.get_by_name("sink")
    bus = pipeline.get_bus()
    pipeline.set_state(Gst.State.PLAYING)
    metas = []
    while True:
        sample = sink.emit("pull-sample")
        if sample is None:
            break
        buf = sample.get_buffer()
        metas += [(buf.pts, buf.duration, r) for r in meta_results(buf)]
    messages = []
    while True:
        msg = bus.timed_pop_filtered(
            10 * Gst.SECOND,
            Gst.MessageType.ELEMENT | Gst.MessageType.EOS |
            Gst.MessageType.ERROR)
        assert msg is not None, "timed out"
        if msg.type == Gst.MessageType.ERROR:
            raise SystemExit("pipeline error: %s" % (msg.parse_error(),))
        if msg.type == Gst.MessageType.EOS:
            break
        s = msg.get_structure()
        if s.get_name() == "rnn":
            messages.append(s.copy())
    pipeline.set_state(Gst.State.NULL)
    return metas, messages


def main():
    modes = os.environ.get("RNN_MODES_DIR",
                           os.path.join(HERE, "..", "conformance", "modes"))
    data, meta = load_file(os.path.join(modes, CASE + ".data.safetensors"))
    model = os.path.join(modes, CASE + ".model.safetensors")
    _, mmeta = load_file(model)
    labels = mmeta["rnn.labels"].split(",") if "rnn.labels" in mmeta else None
    x = data["input"]                       # (T, B, F)
    scores = data["scores"]                 # (NW, B, O)
    starts = [int(s) for s in data["starts"]]
    T, B, F = x.shape
    W, H = int(meta["window"]), int(meta["hop"])
    assert B > 1 and H < W

    Gst.init(None)
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "in.f32")
        x.astype("<f4").tofile(raw)
        # buffers of 3 hops: about 3 windows end in each
        # queue: rawaudioparse then works in push mode and keeps the
        # blocks (in pull mode it reads 4 kB at a time)
        desc = ("filesrc location=%s blocksize=%d ! "
                "audio/x-raw,format=F32LE,layout=interleaved,rate=%d,"
                "channels=%d,channel-mask=(bitmask)0 ! queue ! "
                "rawaudioparse use-sink-caps=true ! "
                "rnn name=rnn mode=n-to-1 window=%d hop=%d model=%s ! "
                "audioconvert ! audio/x-raw,format=S16LE ! "
                "appsink name=sink sync=false"
                % (raw, 3 * H * B * F * 4, RATE, B * F, W, H, model))
        metas, messages = run(raw, desc)

    # the meta rides on the buffer in which its window ends, through
    # audioconvert (the meta has no tags); every result of a buffer is
    # in its one meta, window by window, stream by stream
    assert len(metas) == len(starts) * B, (len(metas), len(starts), B)
    per_buffer = {}
    for i, (pts, dur, s) in enumerate(metas):
        w, b = divmod(i, B)
        ok, stream = s.get_uint("stream")
        assert ok and stream == b, (i, stream)
        end = (starts[w] + W) * Gst.SECOND // RATE
        assert pts < end <= pts + dur, (pts, dur, end)
        check_fields(s, scores[w, b], starts[w], W, H, labels,
                     "meta %d" % i)
        per_buffer[pts] = per_buffer.get(pts, 0) + 1
    assert max(per_buffer.values()) > B, per_buffer   # several windows

    assert len(messages) == len(starts) * B, (len(messages), len(starts))
    for i, s in enumerate(messages):
        w, b = divmod(i, B)
        check_fields(s, scores[w, b], starts[w], W, H, labels,
                     "message %d" % i)
        ok, rt = s.get_uint64("running-time")
        assert ok and rt == starts[w] * Gst.SECOND // RATE, rt
        ok, st = s.get_uint64("stream-time")
        assert ok and st == rt, st

    print("read %d results from %d buffers' metas and %d messages from "
          "Python: OK" % (len(metas), len(per_buffer), len(messages)))


if __name__ == "__main__":
    main()
