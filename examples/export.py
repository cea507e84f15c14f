#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Export a PyTorch recurrent model for the gst-rnn `rnn` element: the
command line of the gst_rnn package's exporter (examples/python/gst_rnn/
exporter.py, installed by `meson install`; its docstring is the manual).

    /usr/bin/python3 examples/export.py --demo OUT.safetensors [...]
    /usr/bin/python3 -m gst_rnn.exporter --demo OUT.safetensors [...]   (the same)

From Python, `from gst_rnn import export` (with the installed package on
sys.path, or examples/python); `import export` with examples/ on sys.path
still works and gives the same names.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "python"))
try:
    import torch  # noqa: F401
except ImportError as e:  # pragma: no cover - depends on the machine
    if __name__ == "__main__" and "--skip-without-torch" in sys.argv:
        print(f"SKIP: {e} (install python3-torch)")
        sys.exit(77)
    raise

from gst_rnn import exporter as _exporter  # noqa: E402
from gst_rnn.exporter import *  # noqa: E402,F401,F403
from gst_rnn.exporter import (_RESULT, _launch, _out_width,  # noqa: E402,F401
                              main)

if __name__ == "__main__":
    sys.exit(main())
