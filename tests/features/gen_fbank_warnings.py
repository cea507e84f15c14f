#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""When torchaudio 0.13's functional.melscale_fbanks warns about all-zero
mel filters, and with which message: fixtures/fbank_warnings.txt, one line
per case, read by tests/plugin/test-melspec-filterbank.c:

    n-fft n-mels rate | the warning's message, or - for none

melspec (center=False, f-min 0, f-max rate / 2, htk, no norm) builds the
same banks as melscale_fbanks(n_fft // 2 + 1, 0, rate // 2, n_mels, rate).

    /usr/bin/python3 tests/features/gen_fbank_warnings.py [--check]
"""
import os
import sys
import warnings

import torchaudio.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures", "fbank_warnings.txt")
CASES = [(4, 200, 16000), (400, 40, 16000), (64, 40, 8000), (400, 128, 16000)]


def text():
    out = ["# torchaudio %s melscale_fbanks warnings: written by "
           "gen_fbank_warnings.py" % __import__("torchaudio").__version__]
    for n_fft, n_mels, rate in CASES:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            F.melscale_fbanks(n_fft // 2 + 1, 0.0, float(rate // 2), n_mels,
                              rate)
        msgs = [str(x.message) for x in w]
        assert len(msgs) <= 1, msgs
        out.append("%d %d %d | %s" % (n_fft, n_mels, rate,
                                      msgs[0] if msgs else "-"))
    return "\n".join(out) + "\n"


def main():
    t = text()
    if "--check" in sys.argv[1:]:
        with open(OUT) as f:
            sys.exit(0 if f.read() == t else 1)
    with open(OUT, "w") as f:
        f.write(t)
    print(t, end="")


if __name__ == "__main__":
    main()
