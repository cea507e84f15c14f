#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Keyword spotting on held-out voices, scored against the truth.

Builds a test recording with espeak-ng (words.py: 30 words, 3/4 of them
keywords, each in a voice training never heard, 1.0-1.6 s apart, low
background noise; deterministic for a seed), runs it through one launch
line and scores what comes out:

    gst-launch-1.0 filesrc location=kws-test.wav ! wavparse ! audioconvert \\
        ! audioresample \\
        ! melspec model=examples/models/kws-gru.safetensors \\
        ! rnn model=examples/models/kws-gru.safetensors mode=n-to-1 \\
            window=100 hop=10 \\
        ! rnntext template="{start} {end} {label} {confidence}" ! fdsink

(--features launch, the default when melspec and rnntext are there).
--features numpy computes the same log-mel bands in numpy (features.py)
and feeds them to the rnn element, for a build without melspec.

Scoring: every 100 ms window names a class.  Consecutive windows naming the
same keyword with confidence >= --min-confidence, at least --min-windows of
them, make one detection, spanning those windows (of two whose centres are
less than --merge s apart, the weaker is dropped: one word at a time); it
belongs to the spoken word it overlaps most (none: a false alarm).  A keyword is detected when a
detection of its label belongs to it; a detection belonging to a word of
another label (an other word, another keyword, or none) is a false alarm.

With --rnntext PROPS the launch line's rnntext gets PROPS instead (e.g.
"merge=true ignore-labels=silence,unknown smoothing=5 thresholds=yes=0.8",
its own post-processing) and its cues, read from fakesink, are scored as
they are: each cue is one detection spanning its windows; nothing above
is applied.

    /usr/bin/python3 examples/kws/demo.py [--seed 1] [--keep-wav out.wav]

Needs espeak-ng, python3-numpy and the elements (GST_PLUGIN_PATH=build/plugin
or meson devenv).  Exit 0 when the detection rate is at least
--min-accuracy and the false alarms at most --max-false-alarms, 2 when not,
1 when the pipeline fails, 77 when --skip-if-missing and a needed element or
espeak-ng is missing.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import wave

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import words as W  # noqa: E402

MODEL = os.path.join(HERE, "..", "models", "kws-gru.safetensors")
HOP_S = W.HOP_FRAMES * W.HOP / W.RATE          # 0.1 s between windows
WINDOW_S = W.WINDOW_FRAMES * W.HOP / W.RATE    # 1 s per window


def write_wav(path, x, rate):
    pcm = np.round(np.clip(x, -1.0, 32767 / 32768) * 32768).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def launch_line(wav, model):
    # melspec model=M offers only the model's sample rate, so audioresample
    # converts to it
    return ["filesrc", "location=" + wav, "!", "wavparse", "!", "audioconvert",
            "!", "audioresample", "!", "melspec", "model=" + model, "!",
            "rnn", "model=" + model, "mode=n-to-1", "window=%d" % W.WINDOW_FRAMES,
            "hop=%d" % W.HOP_FRAMES, "!",
            "rnntext", "template={start} {end} {label} {confidence}", "!", "fdsink"]


def run(cmd, what):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        print("demo: %s failed (exit %d):\n  %s\n%s%s" % (
            what, r.returncode, " ".join(cmd), r.stdout[-2000:], r.stderr[-2000:]),
            file=sys.stderr)
        sys.exit(1)
    return r.stdout


def windows_launch(wav, model):
    """[(start_s, label, confidence)] from the launch line's text."""
    cmd = ["gst-launch-1.0", "-q"] + launch_line(wav, model)
    print("running: gst-launch-1.0 " + " ".join(
        a if " " not in a else a.replace("=", '="', 1) + '"' for a in cmd[2:]))
    out = run(cmd, "the launch line")
    rows = []
    for line in out.splitlines():
        m = re.match(r"^\s*([\d.]+) ([\d.]+) (\S+) ([\d.eE+-]+)\s*$", line)
        if m:
            rows.append((float(m.group(1)), m.group(3), float(m.group(4))))
    return rows


def cues_launch(wav, model, props):
    """[(label, start_s, end_s)]: the cues of the launch line with rnntext
    PROPS (its own post-processing), read from fakesink's messages (pts,
    duration) and dumps (text).  A cue of merged windows stands for those
    windows: it spans from its first window's start to its last window's
    end (its end plus a window less a hop), as detections() spans do.  So
    the cues are asked at their windows' starts, whole (cue-time=start
    max-hold=-1, before PROPS, which may say otherwise)."""
    line = launch_line(wav, model)[:-4] + [
        "rnntext", "cue-time=start", "max-hold=-1"] + props.split() + [
        "!", "fakesink", "silent=false", "dump=true"]
    print("running: gst-launch-1.0 -v " + " ".join(line))
    out = run(["gst-launch-1.0", "-v"] + line, "the launch line")
    spans, texts = [], []
    for ln in out.splitlines():
        m = re.search(r"last-message = chain .*? pts: (\d+):(\d+):([\d.]+), "
                      r"duration: (\d+):(\d+):([\d.]+)", ln)
        if m:
            g = [float(x) for x in m.groups()]
            start = g[0] * 3600 + g[1] * 60 + g[2]
            spans.append((start, start + g[3] * 3600 + g[4] * 60 + g[5]))
            continue
        # one dump line per cue (labels are short), in the same order
        m = re.match(r"^0{8} \(0x[0-9a-f]+\): ((?:[0-9a-f]{2} )+)", ln)
        if m:
            texts.append(bytes.fromhex(m.group(1).replace(" ", "")))
    if len(spans) != len(texts):
        print("demo: %d cue times but %d cue texts from fakesink"
              % (len(spans), len(texts)), file=sys.stderr)
        sys.exit(1)
    cues = [(a, b, t) for (a, b), t in zip(spans, texts)]
    return [(t.decode().strip(), a, b + WINDOW_S - HOP_S) for a, b, t in cues]


_RESULT = re.compile(r"\brnn, .*?\btimestamp=\(guint64\)(\d+), .*?"
                     r"\blabel=\(string\)(\S+?), confidence=\(double\)([\d.eE+-]+)")


def windows_numpy(wav, model, tmp):
    """The same windows with the features computed in numpy (features.py)
    and fed to the rnn element as 40-channel audio at 100 frames/s."""
    import features
    raw = os.path.join(tmp, "16k.f32")
    run(["gst-launch-1.0", "-q", "filesrc", "location=" + wav, "!", "wavparse",
         "!", "audioconvert", "!", "audioresample", "!",
         "audio/x-raw,format=F32LE,rate=%d,channels=1" % W.RATE, "!",
         "filesink", "location=" + raw], "resampling")
    feats = features.log_mel(np.fromfile(raw, dtype="<f4"))
    fin = os.path.join(tmp, "feat.f32")
    feats.astype("<f4").tofile(fin)
    out = run(["gst-launch-1.0", "-m", "filesrc", "location=" + fin,
               "blocksize=%d" % (16 * features.N_MELS * 4), "!", "rawaudioparse",
               "use-sink-caps=false", "format=pcm", "pcm-format=f32le",
               "sample-rate=%d" % (W.RATE // W.HOP),
               "num-channels=%d" % features.N_MELS, "!", "rnn", "model=" + model,
               "mode=n-to-1", "window=%d" % W.WINDOW_FRAMES,
               "hop=%d" % W.HOP_FRAMES, "!", "fakesink"], "the rnn element")
    return [(int(m.group(1)) / 1e9, m.group(2), float(m.group(3)))
            for m in _RESULT.finditer(out)]


def detections(rows, min_conf, min_windows, merge_s):
    """Runs of consecutive windows naming one keyword: [(label, start, end)];
    of two runs whose centres are closer than merge_s, the one with the
    smaller sum of confidences is dropped (the windows at a word's edges
    that see only part of it name another word now and then)."""
    runs, run_ = [], None
    for start, label, conf in sorted(rows):
        hit = label in W.KEYWORDS and conf >= min_conf
        if run_ and hit and label == run_[0] and start - run_[3] < 1.5 * HOP_S:
            run_[2], run_[3], run_[4], run_[5] = (start + WINDOW_S, start,
                                                  run_[4] + 1, run_[5] + conf)
            continue
        if run_ and run_[4] >= min_windows:
            runs.append(run_)
        run_ = [label, start, start + WINDOW_S, start, 1, conf] if hit else None
    if run_ and run_[4] >= min_windows:
        runs.append(run_)
    kept = []
    for r in sorted(runs, key=lambda r: -r[5]):
        centre = (r[1] + r[2]) / 2
        if all(abs(centre - (k[1] + k[2]) / 2) >= merge_s for k in kept):
            kept.append(r)
    return sorted((r[0], r[1], r[2]) for r in kept)


def score(truth, events):
    """(detected keyword indices, false alarms [(event, word or None)])."""
    detected, false_alarms = set(), []
    for ev in events:
        label, a, b = ev
        overlaps = [max(0.0, min(b, t[4]) - max(a, t[3])) for t in truth]
        best = int(np.argmax(overlaps)) if truth else -1
        if best < 0 or overlaps[best] <= 0:
            false_alarms.append((ev, None))
        elif truth[best][0] == label:
            detected.add(best)
        else:
            false_alarms.append((ev, truth[best]))
    return detected, false_alarms


def have_element(name):
    return subprocess.run(["gst-inspect-1.0", name], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=MODEL)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--words", type=int, default=30)
    ap.add_argument("--features", choices=["auto", "launch", "numpy"], default="auto")
    ap.add_argument("--min-confidence", type=float, default=0.5)
    ap.add_argument("--min-windows", type=int, default=2)
    ap.add_argument("--merge", type=float, default=0.6, metavar="SECONDS",
                    help="detections closer than this are one word (the stronger kept)")
    ap.add_argument("--rnntext", metavar="PROPS",
                    help="score the cues of the launch line with these rnntext "
                    "properties (e.g. \"merge=true thresholds=... smoothing=3\") "
                    "as detections, with no post-processing here")
    ap.add_argument("--min-accuracy", type=float, default=0.0)
    ap.add_argument("--max-false-alarms", type=int, default=1 << 30)
    ap.add_argument("--keep-wav", metavar="PATH", help="also write the recording here")
    ap.add_argument("--skip-if-missing", action="store_true")
    args = ap.parse_args()

    need = ["rnn"] + (["melspec", "rnntext"] if args.features == "launch" else [])
    missing = [e for e in need if not have_element(e)]
    if not shutil.which("espeak-ng"):
        missing.append("espeak-ng (Debian package espeak-ng)")
    if missing:
        print("demo: missing: %s" % ", ".join(missing), file=sys.stderr)
        return 77 if args.skip_if_missing else 1
    mode = args.features
    if mode == "auto":
        mode = "launch" if have_element("melspec") and have_element("rnntext") else "numpy"

    x, truth = W.sequence(args.seed, args.words)
    model = os.path.abspath(args.model)
    with tempfile.TemporaryDirectory(prefix="gst-rnn-kws-") as tmp:
        wav = args.keep_wav or os.path.join(tmp, "kws-test.wav")
        write_wav(wav, x, W.ESPEAK_RATE)
        print("test recording: %.1f s, %d words in held-out voices (seed %d)"
              % (len(x) / W.ESPEAK_RATE, len(truth), args.seed))
        if args.rnntext is not None:
            events = sorted(cues_launch(wav, model, args.rnntext))
            rows = None
        else:
            rows = windows_launch(wav, model) if mode == "launch" else \
                windows_numpy(wav, model, tmp)
    if rows is not None:
        expected = int((len(x) / W.ESPEAK_RATE - WINDOW_S) / HOP_S) + 1
        if abs(len(rows) - expected) > 2:
            print("demo: %d windows came out, about %d expected"
                  % (len(rows), expected), file=sys.stderr)
            return 1
        events = detections(rows, args.min_confidence, args.min_windows,
                            args.merge)
    detected, false_alarms = score(truth, events)
    keywords = [i for i, t in enumerate(truth) if t[0] in W.KEYWORDS]
    for i, (label, word, voice, a, b) in enumerate(truth):
        mine = [e for e in events if max(0.0, min(e[2], b) - max(e[1], a)) > 0]
        mark = "" if label not in W.KEYWORDS else (" ok" if i in detected else " MISSED")
        print("  %6.2f-%6.2f s  %-7s %-22s -> %s%s" % (
            a, b, word, voice, " ".join(e[0] for e in mine) or "-", mark))
    hits = len([i for i in keywords if i in detected])
    acc = hits / len(keywords) if keywords else 0.0
    if rows is None:
        print("rnntext %s: %d cues, scored as they are" % (args.rnntext, len(events)))
    else:
        print("features: %s; %d windows, %d detections" % (mode, len(rows), len(events)))
    print("keywords detected: %d/%d = %.3f; false alarms: %d (%s)"
          % (hits, len(keywords), acc, len(false_alarms),
             ", ".join("%s at %.1f s" % (e[0], e[1]) for e, _ in false_alarms) or "none"))
    ok = acc >= args.min_accuracy and len(false_alarms) <= args.max_false_alarms
    print("OK" if ok else "FAILED (need accuracy >= %.2f, false alarms <= %d)"
          % (args.min_accuracy, args.max_false_alarms))
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
