#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The hostile-model corpus of melspec: valid models (the malformed
corpus's base GRU, tests/core/malformed/gen_malformed.py) whose
rnn.frontend.* metadata is hostile, one way each, and expected.txt, what
melspec model=FILE must do with each (test-melspec-malformed.c):

  START-LIB / START-RES: refuse READY -> PAUSED with a LIBRARY / RESOURCE
      SETTINGS error whose message holds every SUBSTRING;
  CAPS: start, then refuse 16 kHz mono F32LE caps with a CORE NEGOTIATION
      error holding every SUBSTRING;
  WARN: start with one WARNING holding every SUBSTRING, and take the caps;
  OK: start and take the caps with no warning.

python3 standard library only, deterministic; do not edit the outputs:

    python3 tests/plugin/melspec-malformed/gen_melspec_malformed.py [--check]
"""
import os
import sys

sys.dont_write_bytecode = True  # nothing written into tests/core/malformed
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "core", "malformed"))
from gen_malformed import gru  # noqa: E402

CASES = []


def case(name, code, subs, about, meta):
    for s in subs:
        assert " | " not in s and "\n" not in s, s
    m = gru()
    m.meta = dict({"rnn.frontend": "melspec"}, **meta)
    CASES.append((name + ".safetensors", code, subs, about, m.file()))


def build():
    case("valid-frontend", "OK", [], "valid: 40 log-mel bands, hop 160",
         {"rnn.frontend.n-mels": "40", "rnn.frontend.log": "ln"})
    # sizes: the same limits as the properties (gstmelspeclimits.c)
    case("n-fft-huge", "START-LIB", ["n-fft=1048576", "65536"],
         "n-fft=1048576 n-mels=4096: an 8.6 GB filter bank",
         {"rnn.frontend.n-fft": "1048576", "rnn.frontend.n-mels": "4096"})
    case("n-mels-huge", "START-LIB", ["n-mels=2048", "1024"],
         "2048 mel bands", {"rnn.frontend.n-fft": "65536",
                            "rnn.frontend.n-mels": "2048"})
    case("kaldi-win-huge", "START-LIB", ["win-length=70000", "65536"],
         "a 70000-sample Kaldi frame", {"rnn.frontend.preset": "kaldi-fbank",
                                        "rnn.frontend.win-length": "70000"})
    case("n-fft-slow", "START-LIB", ["n-fft=65498", "prime factor",
                                     "n-fft=64800", "n-fft=65536"],
         "n-fft = 2 x 32749 (prime): GstFFT's slow path",
         {"rnn.frontend.n-fft": "65498"})
    case("n-fft-odd", "START-LIB", ["n-fft=401", "even"], "an odd n-fft",
         {"rnn.frontend.n-fft": "401"})
    # values that do not parse or fit the property
    case("n-fft-float", "START-RES", ["rnn.frontend.n-fft", '"4e2"'],
         "n-fft written as a float", {"rnn.frontend.n-fft": "4e2"})
    case("n-fft-overflow", "START-RES",
         ["rnn.frontend.n-fft", '"99999999999999999999"'],
         "n-fft beyond 64 bits", {"rnn.frontend.n-fft": "99999999999999999999"})
    case("hop-negative", "START-RES", ["rnn.frontend.hop-length", '"-160"'],
         "a negative hop", {"rnn.frontend.hop-length": "-160"})
    case("f-max-inf", "START-RES", ["rnn.frontend.f-max", '"inf"'],
         "f-max infinite", {"rnn.frontend.f-max": "inf"})
    case("f-max-nan", "START-RES", ["rnn.frontend.f-max", '"nan"'],
         "f-max NaN", {"rnn.frontend.f-max": "nan"})
    case("power-nan", "START-RES", ["rnn.frontend.power", '"nan"'],
         "power NaN", {"rnn.frontend.power": "nan"})
    case("window-unknown", "START-RES", ["rnn.frontend.window", "blackman"],
         "a window melspec does not have",
         {"rnn.frontend.window": "blackman"})
    case("not-melspec", "START-RES", ["mfcc-v2", "melspec"],
         "another front end", {"rnn.frontend": "mfcc-v2"})
    # rate-dependent: at caps
    case("f-max-tiny", "CAPS", ["f-max=1e-300", "f-min=0"],
         "f-max=1e-300: filters of no width (NaN features)",
         {"rnn.frontend.f-max": "1e-300"})
    case("f-max-above-nyquist", "CAPS", ["f-max=9000", "8000"],
         "f-max above half of 16 kHz", {"rnn.frontend.f-max": "9000"})
    # keys that are no front-end property: ignored with a warning
    case("key-object-name", "WARN", ["rnn.frontend.name", "ignored"],
         "GstObject's name", {"rnn.frontend.name": "evil"})
    case("key-model", "WARN", ["rnn.frontend.model"],
         "the element's model property",
         {"rnn.frontend.model": "/etc/passwd"})
    case("key-unknown", "WARN", ["rnn.frontend.n-bands",
                                 "rnn.frontend.pre-emphasis"],
         "keys of a later version", {"rnn.frontend.n-bands": "40",
                                     "rnn.frontend.pre-emphasis": "0.97"})
    case("key-empty-name", "WARN", ["'rnn.frontend.'"],
         "the prefix alone", {"rnn.frontend.": "1"})


def expected_text():
    out = ["# What melspec model=FILE does with each file of its hostile-model",
           "# corpus.  Written by gen_melspec_malformed.py: do not edit.",
           "#",
           "# FILE | START-LIB, START-RES, CAPS, WARN or OK | SUBSTRING | ...",
           ""]
    for name, code, subs, about, _ in CASES:
        out.append("# " + about)
        out.append(" | ".join([name, code] + subs))
    return "\n".join(out) + "\n"


def main():
    check = "--check" in sys.argv[1:]
    build()
    files = {c[0]: c[4] for c in CASES}
    files["expected.txt"] = expected_text().encode()
    bad = []
    for name, blob in files.items():
        path = os.path.join(HERE, name)
        if check:
            try:
                with open(path, "rb") as f:
                    if f.read() != blob:
                        bad.append(name + " differs")
            except OSError:
                bad.append(name + " missing")
        else:
            with open(path, "wb") as f:
                f.write(blob)
    stale = [f for f in os.listdir(HERE)
             if f.endswith(".safetensors") and f not in files]
    if check:
        bad += [f + " is not generated" for f in stale]
        for b in bad:
            print(b, file=sys.stderr)
        sys.exit(1 if bad else 0)
    for f in stale:
        os.remove(os.path.join(HERE, f))
    print("%d files written to %s" % (len(CASES), HERE))


if __name__ == "__main__":
    main()
