#!/usr/bin/python3
"""Read the rnn element's n-to-1 results from Python (PyGObject).

Runs  filesrc ! rawaudioparse ! rnn mode=n-to-1 ! audioconvert ! appsink
on a fixture of tests/conformance/modes and checks, against what PyTorch
computed, both ways an application gets the results:

* the buffer meta:   buf.get_custom_meta("GstRnnResultMeta").get_structure()
* the bus message:   an element message named "rnn" (one per stream and
                     window), with running-time and stream-time.

PyGObject limit (GStreamer 1.22): Gst.Buffer.get_custom_meta() returns the
*first* result meta of a buffer; there is no usable way to iterate over all
metas of a read-only buffer from Python (foreach_meta() needs a writable
buffer and does not hand the meta over).  With several results per buffer
(B > 1 streams, or several windows ending in one buffer) Python sees the
first (stream 0 of the earliest window); read the bus messages to get every
result.  C code can iterate with gst_buffer_iterate_meta_filtered().

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

CASE = "n1_gru_l1_uni_b1_tm_w20_h20_last_softmax"
META = "GstRnnResultMeta"
RATE = 100
TOL = 1e-5


def close(a, b):
    return all(abs(x - y) <= TOL * max(1.0, abs(y)) for x, y in zip(a, b)) \
        and len(a) == len(b)


def check_fields(s, scores, start, window, labels, what):
    ok, stream = s.get_uint("stream")
    assert ok and stream == 0, (what, s.to_string())
    ok, ts = s.get_uint64("timestamp")
    assert ok and ts == start * Gst.SECOND // RATE, (what, ts, start)
    ok, dur = s.get_uint64("duration")
    assert ok and dur == window * Gst.SECOND // RATE, (what, dur)
    got = [float(x) for x in s.get_value("scores")]
    assert close(got, scores), (what, got, scores)
    ok, cls = s.get_uint("class")
    assert ok and cls == max(range(len(got)), key=lambda i: got[i]), what
    assert s.get_string("label") == labels[cls], (what, s.get_string("label"))
    ok, conf = s.get_double("confidence")
    if not ok:  # a G_TYPE_FLOAT field
        conf = s.get_value("confidence")
    assert abs(conf - got[cls]) < 1e-7, (what, conf)


def main():
    modes = os.environ.get("RNN_MODES_DIR",
                           os.path.join(HERE, "..", "conformance", "modes"))
    data, meta = load_file(os.path.join(modes, CASE + ".data.safetensors"))
    model = os.path.join(modes, CASE + ".model.safetensors")
    x = data["input"]                       # (T, 1, F)
    scores = data["scores"]                 # (NW, 1, O)
    starts = [int(s) for s in data["starts"]]
    T, B, F = x.shape
    W = int(meta["window"])
    labels = ["yes", "no", "maybe", "other", "silence"]
    assert B == 1 and int(meta["hop"]) == W

    Gst.init(None)
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "in.f32")
        x.astype("<f4").tofile(raw)
        # one window per buffer: buffers of W/2 frames
        # queue: rawaudioparse then works in push mode and keeps the
        # blocks (in pull mode it reads 4 kB at a time)
        desc = ("filesrc location=%s blocksize=%d ! queue ! rawaudioparse "
                "use-sink-caps=false format=pcm pcm-format=f32le "
                "num-channels=%d sample-rate=%d ! "
                "rnn name=rnn mode=n-to-1 window=%d model=%s ! "
                "audioconvert ! audio/x-raw,format=S16LE ! "
                "appsink name=sink sync=false"
                % (raw, W // 2 * F * 4, F, RATE, W, model))
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
            m = buf.get_custom_meta(META)
            if m is not None:
                metas.append((buf.pts, buf.duration, m.get_structure().copy()))

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

    # the meta rides on the buffer in which its window ends, through
    # audioconvert (the meta has no tags)
    assert len(metas) == len(starts), (len(metas), len(starts))
    for (pts, dur, s), w, st in zip(metas, range(len(starts)), starts):
        end = (st + W) * Gst.SECOND // RATE
        assert pts < end <= pts + dur, (pts, dur, end)
        check_fields(s, scores[w, 0], st, W, labels, "meta %d" % w)

    assert len(messages) == len(starts), (len(messages), len(starts))
    for w, s in enumerate(messages):
        check_fields(s, scores[w, 0], starts[w], W, labels, "message %d" % w)
        ok, rt = s.get_uint64("running-time")
        assert ok and rt == starts[w] * Gst.SECOND // RATE, rt
        ok, st = s.get_uint64("stream-time")
        assert ok and st == rt, st

    print("read %d result metas and %d messages from Python: OK"
          % (len(metas), len(messages)))


if __name__ == "__main__":
    main()
