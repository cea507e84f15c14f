#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst_rnn.modelinfo (pure Python, the header alone) against rnn-inspect
(the C loader) on every committed model file: examples/models/*,
tests/conformance/modes/*.model.*, tests/core/malformed/valid-*.  The
report format() prints must have every line rnn-inspect prints (less the
Fingerprint, which needs the weights), in any order; a file rnn-inspect
refuses, the reader refuses too.  Then the reader's
errors: a file too short, a header length past the end, a header that is
not JSON, no recurrent layer; each a ModelFileError naming the file.

    test_modelinfo.py RNN_INSPECT SOURCE_ROOT

Standard library only.
"""
import glob
import os
import subprocess
import sys
import tempfile


def main():
    tool, root = sys.argv[1:3]
    sys.path.insert(0, os.path.join(root, "examples", "python"))
    from gst_rnn.modelinfo import ModelFileError, read_model

    files = sorted(glob.glob(os.path.join(root, "examples", "models", "*.safetensors"))
                   + glob.glob(os.path.join(root, "tests", "conformance", "modes",
                                            "*.model.safetensors"))
                   + glob.glob(os.path.join(root, "tests", "core", "malformed",
                                            "valid-*.safetensors")))
    failed = 0
    assert len(files) > 20, files
    for f in files:
        r = subprocess.run([tool, f], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            # refused by the loader (valid-run-settings-limits: n-to-m
            # without encoder.*): the reader must refuse it too
            try:
                read_model(f)
                print("FAIL %s: rnn-inspect refuses it (%s), modelinfo reads it"
                      % (f, r.stderr.strip()))
                failed += 1
            except ModelFileError as e:
                print("ok   %s: both refuse it (%s)" % (os.path.relpath(f, root), e))
            continue
        want = {" ".join(l.split()) for l in r.stdout.splitlines()
                if l.strip() and "Fingerprint:" not in l}
        got = {" ".join(l.split()) for l in read_model(f).format().splitlines()}
        missing, extra = sorted(want - got), sorted(got - want)
        if missing or extra:
            print("FAIL %s:\n  rnn-inspect only: %s\n  modelinfo only:   %s"
                  % (os.path.relpath(f, root), missing, extra))
            failed += 1
        else:
            print("ok   %s (%d lines)" % (os.path.relpath(f, root), len(want)))

    with tempfile.TemporaryDirectory(prefix="gst-rnn-modelinfo-") as tmp:
        import json
        import struct
        hdr = json.dumps({"fc.weight": {"dtype": "F32", "shape": [2, 2],
                                        "data_offsets": [0, 16]}}).encode()
        cases = {
            "short": (b"\x10\x00\x00", "too short"),
            "past-end": (struct.pack("<Q", 1000) + b"{}", "header length 1000"),
            "not-json": (struct.pack("<Q", 4) + b"{x:1", "not UTF-8 JSON"),
            "no-rnn": (struct.pack("<Q", len(hdr)) + hdr + bytes(16),
                       "no recurrent layer found"),
        }
        for name, (data, msg) in cases.items():
            p = os.path.join(tmp, name + ".safetensors")
            with open(p, "wb") as fh:
                fh.write(data)
            try:
                read_model(p)
                print("FAIL %s: read without an error" % name)
                failed += 1
            except ModelFileError as e:
                if p in str(e) and msg in str(e):
                    print("ok   %s: %s" % (name, e))
                else:
                    print("FAIL %s: %r lacks the file or %r" % (name, str(e), msg))
                    failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
