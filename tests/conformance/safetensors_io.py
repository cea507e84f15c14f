# SPDX-License-Identifier: LGPL-2.1-or-later
"""The safetensors writer/reader moved into the gst_rnn Python package
(examples/python/gst_rnn/safetensors_io.py), which the exporter installs;
this shim keeps `from safetensors_io import ...` working for the
generators and tests that put tests/conformance on sys.path."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, "examples", "python"))
from gst_rnn.safetensors_io import *  # noqa: E402,F401,F403
from gst_rnn.safetensors_io import DTYPES, MAX_HEADER, __all__  # noqa: E402,F401
