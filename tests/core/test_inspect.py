#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""rnn-inspect (core/tools/rnn-inspect.c) on files whose contents are
known from their generators: tests/core/malformed (gen_malformed.py) and
tests/conformance/modes (gen_modes.py).  Each report must contain the
lines given here (what the generator put in the file), and a file the
loader refuses must give its error and exit status 1.

    test_inspect.py RNN_INSPECT MALFORMED_DIR MODES_DIR

Standard library only.
"""
import os
import re
import subprocess
import sys


def run(tool, *args):
    r = subprocess.run([tool] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    return r.returncode, r.stdout, r.stderr


def expect_lines(out, patterns, what):
    """Every pattern (whitespace-insensitive) matches a line of out."""
    lines = [" ".join(l.split()) for l in out.splitlines()]
    missing = [p for p in patterns
               if not any(re.fullmatch(" ".join(p.split()), l) for l in lines)]
    assert not missing, "%s: lines %s missing from:\n%s" % (what, missing, out)


def main():
    tool, malformed, modes = sys.argv[1:4]
    failed = 0

    def case(name, fn):
        nonlocal failed
        try:
            fn()
            print("ok   %s" % name)
        except AssertionError as e:
            print("FAIL %s: %s" % (name, e))
            failed += 1

    def settings():
        f = os.path.join(malformed, "valid-run-settings.safetensors")
        rc, out, err = run(tool, f)
        assert rc == 0, err
        expect_lines(out, [
            r"File: " + re.escape(f),
            r"Cell: gru", r"Input size: 3 values per frame",
            r"Hidden size: 4", r"Layers: 2", r"Directions: 1",
            r"Bias: yes", r"Head: none", r"Output size: 4 values per frame",
            r"Precision: f32",
            r"mode n-to-1 \(rnn.mode\)", r"window 100 \(rnn.window\)",
            r"hop 10 \(rnn.hop\)",
            r"steps - \(rnn.steps not set: the property's default\)",
            r"feed - \(rnn.feed not set: the property's default\)",
            r"carry-state true \(rnn.carry_state\)",
            r"Front end: none \(no rnn.frontend metadata\)"], f)
        assert "Ignored keys" not in out and "Labels" not in out, out

    def network():
        f = os.path.join(malformed, "valid-lstm-proj-bi-head.safetensors")
        rc, out, err = run(tool, f)
        assert rc == 0, err
        expect_lines(out, [
            r"Cell: lstm", r"Input size: 2 values per frame",
            r"Hidden size: 3", r"Projection: 2 \(LSTM proj_size\)",
            r"Layers: 2", r"Directions: 2 \(bidirectional: .*\)",
            r"Head: Linear 4 -> 3, activation softmax",
            r"Labels: yes, no, maybe", r"Pooling: mean \(n-to-1\)",
            r"Other metadata:", r"format pt"], f)

    def ignored():
        f = os.path.join(malformed, "metadata-unknown-key.safetensors")
        rc, out, err = run(tool, f)
        assert rc == 0, err
        expect_lines(out, [r"Ignored keys: rnn.poolin \(.*\)",
                           r"Front end \(melspec model=FILE\):",
                           r"rnn.frontend melspec", r"description x"], f)

    def encoder_decoder():
        name = [n for n in sorted(os.listdir(modes))
                if n.startswith("nm_") and "_settings" in n
                and n.endswith(".model.safetensors")]
        assert len(name) == 1, name
        f = os.path.join(modes, name[0])
        # nm_lstm_l1_b3_tm_w8_h4_s5_feedback_none_carry_settings
        rc, out, err = run(tool, f)
        assert rc == 0, err
        expect_lines(out, [r"Networks: encoder-decoder .*", r"Encoder:",
                           r"Decoder:", r"Cell: lstm",
                           r"mode n-to-m \(rnn.mode\)",
                           r"window 8 \(rnn.window\)", r"hop 4 \(rnn.hop\)",
                           r"steps 5 \(rnn.steps\)",
                           r"feed feedback \(rnn.feed\)",
                           r"carry-state true \(rnn.carry_state\)"], f)
        assert out.count("Cell: lstm") + out.count("Cell:            lstm") >= 2

    def refused():
        for n, words in [("torch-save-zip.safetensors",
                          ["is a PyTorch torch.save() file, not safetensors: "
                           "export it with examples/export.py"]),
                         ("window-zero.safetensors",
                          ['metadata rnn.window: "0" is not a whole number']),
                         ("bad-gate-count.safetensors", ["weight_hh"])]:
            f = os.path.join(malformed, n)
            rc, out, err = run(tool, f)
            assert rc == 1, (n, rc)
            assert out == "", (n, out)
            for w in words:
                assert f in err and w in err, (n, err)

    def keys():
        rc, out, _ = run(tool, "--keys")
        assert rc == 0
        for k in ("rnn.mode", "rnn.window", "rnn.hop", "rnn.steps",
                  "rnn.feed", "rnn.carry_state", "rnn.labels", "rnn.precision"):
            assert k in out.split(), (k, out)
        rc, _, err = run(tool)
        assert rc == 2 and "usage" in err, (rc, err)

    for name, fn in [("run settings", settings), ("network", network),
                     ("ignored keys", ignored),
                     ("encoder-decoder", encoder_decoder),
                     ("refused files", refused), ("--keys", keys)]:
        case(name, fn)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
