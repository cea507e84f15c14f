#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check examples/classify.c (N-vs-1 through rnn-core) against PyTorch.

    check_classify.py --classify build/examples/classify \\
        --modes tests/conformance/modes [--tmp-dir DIR] [--tol 1e-5]

For every n-to-1 case of the committed fixtures (modes/n1_*, written by
tests/conformance/gen_modes.py from PyTorch: every pooling, uni- and
bidirectional, B = 1 and 3, both layouts, carried state, hop < = > window)
the case's `input` is written as the raw float32 file classify reads and
classify runs with the case's window, hop, batch, layout, carry and
--partial run.  Every printed line must match a fixture row: `scores`
(NW, B, O) at `starts`, plus `tail_scores` for the partial window where
`tail_frames` > 0, each score within --tol absolute; no window may be
missing or extra, the class must be the highest score and the label the
model's "rnn.labels" entry for it.  Then, per case: the same run pushed
frame by frame and in one block prints the same lines (splits do not
matter), and without --partial (drop) it prints the same lines without
the tail.
Finally a few wrong invocations must exit 1 with a message naming the
file and the numbers.

Exit status 0 when everything matches, 1 otherwise.  Needs numpy only (no
torch): the fixtures are read with tests/conformance/safetensors_io.py.
"""

import argparse
import glob
import importlib.util
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.dont_write_bytecode = True


def load_safetensors_io(modes_dir):
    path = os.path.join(os.path.dirname(os.path.abspath(modes_dir)),
                        "safetensors_io.py")
    spec = importlib.util.spec_from_file_location("safetensors_io", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def parse(out):
    """classify's stdout -> list of (start, frames, stream, class, label,
    scores)."""
    rows = []
    for line in out.splitlines():
        if not line or line.startswith("#"):
            continue
        f = line.split("\t")
        rows.append((int(f[0]), int(f[1]), int(f[2]), int(f[3]), f[4],
                     np.array([float(v) for v in f[5:]], dtype=np.float64)))
    return rows


class Checker:
    def __init__(self, args):
        self.args = args
        self.failures = []
        self.max_err = 0.0

    def fail(self, case, msg):
        self.failures.append("%s: %s" % (case, msg))
        print("FAIL %s: %s" % (case, msg))

    def check_case(self, st, data_path, tmp):
        case = os.path.basename(data_path)[:-len(".data.safetensors")]
        model_path = data_path.replace(".data.", ".model.")
        t, meta = st.load_file(data_path)
        _, mmeta = st.load_file(model_path)
        bf = meta["batch_first"] == "1"
        x = t["input"]
        B = x.shape[0] if bf else x.shape[1]
        W, hop = int(meta["window"]), int(meta["hop"])
        tail_frames = int(meta["tail_frames"])
        labels = mmeta["rnn.labels"].split(",") if "rnn.labels" in mmeta \
            else []

        raw = os.path.join(tmp, case + ".f32")
        x.astype("<f4").tofile(raw)
        cmd = [self.args.classify, model_path, raw, "--window", str(W),
               "--batch", str(B)]
        if hop != W:            # else the default hop (= window) is used
            cmd += ["--hop", str(hop)]
        if bf:
            cmd.append("--batch-first")
        if meta["carry"] == "1":
            cmd.append("--carry-state")

        # expected rows: {(start, stream): (frames, scores)}
        expected = {}
        for i, s in enumerate(t["starts"]):
            for b in range(B):
                expected[(int(s), b)] = (W, t["scores"][i, b])
        if tail_frames > 0:
            for b in range(B):
                expected[(int(meta["tail_start"]), b)] = (
                    tail_frames, t["tail_scores"][b])

        rc, out, err = run(cmd + ["--partial", "run"])
        if rc != 0:
            self.fail(case, "classify exited %d: %s" % (rc, err.strip()))
            return
        rows = parse(out)
        got = {}
        case_err = 0.0
        for start, frames, stream, cls, label, scores in rows:
            key = (start, stream)
            if key in got:
                self.fail(case, "window %d stream %d printed twice" % key)
                continue
            got[key] = True
            if key not in expected:
                self.fail(case, "extra window: start %d stream %d" % key)
                continue
            ef, es = expected[key]
            if frames != ef:
                self.fail(case, "window %d stream %d: %d frames, expected %d"
                          % (start, stream, frames, ef))
            if scores.shape != es.shape:
                self.fail(case, "window %d stream %d: %d scores, expected %d"
                          % (start, stream, scores.size, es.size))
                continue
            e = float(np.max(np.abs(scores - es.astype(np.float64))))
            case_err = max(case_err, e)
            if not e <= self.args.tol:
                worst = int(np.argmax(np.abs(scores - es)))
                self.fail(case, "window %d stream %d score %d: got %.9g, "
                          "PyTorch %.9g (|diff| %.3g > %g)"
                          % (start, stream, worst, scores[worst], es[worst],
                             e, self.args.tol))
            if cls != int(np.argmax(scores)):
                self.fail(case, "window %d stream %d: class %d is not the "
                          "highest score" % (start, stream, cls))
            want_label = labels[cls] if cls < len(labels) else "-"
            if label != want_label:
                self.fail(case, "window %d stream %d: label %r, expected %r"
                          % (start, stream, label, want_label))
        for key in sorted(set(expected) - set(got)):
            self.fail(case, "missing window: start %d stream %d" % key)
        self.max_err = max(self.max_err, case_err)
        print("ok   %s: %d window(s) x %d stream(s)%s, max |diff| %.3g"
              % (case, len(t["starts"]), B,
                 " + tail of %d frames" % tail_frames if tail_frames else "",
                 case_err))

        # the split of the input into blocks does not change any result:
        # frame by frame and all at once print the very same text
        for blocks in ("1", str(len(x) * x.shape[1])):
            rc2, out2, err2 = run(cmd + ["--partial", "run",
                                         "--blocks", blocks])
            if rc2 != 0 or out2 != out:
                self.fail(case, "--blocks %s does not print what the default "
                          "split does (exit %d) %s"
                          % (blocks, rc2, err2.strip()))
        # no --partial (drop, the default): the same lines without the tail
        rc3, out3, err3 = run(cmd)
        want = [line for line in out.splitlines()
                if line.startswith("#") or tail_frames == 0
                or int(line.split("\t")[1]) == W]
        if rc3 != 0 or out3.splitlines() != want:
            self.fail(case, "without --partial: not the full windows alone "
                      "(exit %d) %s" % (rc3, err3.strip()))

    def check_errors(self, modes, tmp):
        """Wrong invocations: exit 1, the message names the file and the
        numbers that clash."""
        model = os.path.join(modes, "n1_gru_l1_uni_b1_tm_w20_h20_last_softmax"
                             ".model.safetensors")
        odd = os.path.join(tmp, "odd.f32")
        np.zeros(7, dtype="<f4").tofile(odd)  # 28 bytes, frames are 12 (F=3)
        missing = os.path.join(tmp, "missing.safetensors")
        cases = [
            ([model, odd, "--window", "4"], [odd, "28 bytes", "F=3", "12"]),
            ([model, odd, "--window", "4", "--batch", "2"],
             [odd, "B=2", "24 bytes"]),
            ([missing, odd, "--window", "4"], [missing]),
            ([model, odd, "--window", "0"], ["--window 0"]),
            ([model, odd, "--window", "4", "--partial", "some"], ["some"]),
            ([model, "--window", "4"], ["MODEL and INPUT"]),
        ]
        for argv, words in cases:
            rc, out, err = run([self.args.classify] + argv)
            name = "error " + " ".join(os.path.basename(a) for a in argv)
            if rc != 1 or not all(w in err for w in words):
                self.fail(name, "expected exit 1 and %r in the message, got "
                          "exit %d: %s" % (words, rc, err.strip()))
            else:
                print("ok   %s: %s" % (name, err.strip()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--classify", required=True, help="the built program")
    ap.add_argument("--modes", required=True,
                    help="tests/conformance/modes")
    ap.add_argument("--tmp-dir", help="where the raw inputs go (default: a "
                    "temporary directory)")
    ap.add_argument("--tol", type=float, default=1e-5)
    args = ap.parse_args()

    st = load_safetensors_io(args.modes)
    cases = sorted(glob.glob(os.path.join(args.modes,
                                          "n1_*.data.safetensors")))
    if not cases:
        print("no n1_*.data.safetensors in %s" % args.modes)
        return 1
    c = Checker(args)
    with tempfile.TemporaryDirectory() as auto_tmp:
        tmp = args.tmp_dir or auto_tmp
        os.makedirs(tmp, exist_ok=True)
        for data_path in cases:
            c.check_case(st, data_path, tmp)
        c.check_errors(args.modes, tmp)
    print("%d case(s), max |classify - PyTorch| = %.3g (tolerance %g)"
          % (len(cases), c.max_err, args.tol))
    if c.failures:
        print("%d failure(s)" % len(c.failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
