#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The gst_rnn package as a user of the installed files has it: `meson
install --tags python-runtime --destdir D` (the package alone), then, from
an empty folder outside the tree with PYTHONPATH=D<site-packages>:

  check     python3 -m gst_rnn.exporter --demo ... --require-check on a
            batch_first GRU with n-to-1 mean pooling: the element check and
            the pooling check pass (exit 0), the package is the installed
            copy, which has no checkout to fall back on;
  skip      the same with no rnn element anywhere GStreamer looks: the
            default check="auto" writes the file and says "check skipped"
            (exit 0); --require-check fails (exit 1) naming the element;
  api       from gst_rnn import export, read_model: an LSTM (proj_size,
            2 layers, bidirectional) exported with check=False, its file
            read back: every field equals the module's own attributes;
  copy      a lone copy of examples/export.py in that folder runs over the
            installed package;
  onnx      python3 -m gst_rnn.exporter --demo m.onnx on a bidirectional
            GRU: an ONNX file (checked through the element when the build
            has ONNX support, RNN_ONNX=1; written only otherwise).

    test_installed.py BUILD_DIR SITE_DIR EXPORT_PY

SITE_DIR is the package folder meson installs into (absolute, or relative to
the prefix).  Exit 77 without python3-torch.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import torch  # noqa: F401
except ImportError as e:
    print("SKIP: %s (install python3-torch)" % e)
    sys.exit(77)

PY = "/usr/bin/python3"


def run(cmd, env, cwd):
    r = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=200)
    return r.returncode, r.stdout, r.stderr


def expect(cond, what, out=""):
    if not cond:
        print("FAIL %s\n%s" % (what, out))
        sys.exit(1)
    print("ok   %s" % what)


def main():
    build, site, export_py = sys.argv[1:4]
    dest = tempfile.mkdtemp(prefix="gst-rnn-pyinst-")
    try:
        r = subprocess.run(["meson", "install", "-C", build, "--no-rebuild",
                            "--tags", "python-runtime", "--destdir", dest],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        expect(r.returncode == 0, "meson install --tags python-runtime", r.stdout)
        intro = json.loads(subprocess.run(
            ["meson", "introspect", build, "--buildoptions"],
            stdout=subprocess.PIPE, text=True, check=True).stdout)
        prefix = next(o["value"] for o in intro if o["name"] == "prefix")
        if not os.path.isabs(site):
            site = os.path.join(prefix, site)
        pkgs = os.path.join(dest + site)
        files = sorted(os.path.relpath(os.path.join(d, f), dest)
                       for d, _, fs in os.walk(dest) for f in fs)
        expect(all(f.startswith(os.path.relpath(pkgs, dest) + "/gst_rnn/")
                   for f in files) and len(files) == 8,
               "the package alone is installed, into %s: %s" % (site, files))
        work = os.path.join(dest, "work")          # outside the tree, empty
        os.mkdir(work)
        env = dict(os.environ, PYTHONPATH=pkgs, PYTHONDONTWRITEBYTECODE="1",
                   OMP_NUM_THREADS="1")

        # 1. the check through the element (the build's plugin)
        rc, out, err = run([PY, "-c", "import gst_rnn.exporter as e; "
                            "print(e.__file__); print(e.REPO)"], env, work)
        expect(rc == 0 and out.split("\n")[0].startswith(pkgs)
               and out.split("\n")[1] == "None",
               "gst_rnn imports from the installed copy, no checkout", out + err)
        f = os.path.join(work, "bf.safetensors")
        rc, out, err = run([PY, "-m", "gst_rnn.exporter", "--demo", f, "--cell",
                            "gru", "--batch-first", "--pooling", "mean",
                            "--require-check"], env, work)
        expect(rc == 0 and "export: check passed" in out
               and "pooling check passed" in out,
               "check: batch_first GRU, element and pooling checks pass",
               out + err)

        # 2. no element: registry of its own, no plugin folder
        empty = os.path.join(dest, "no-plugins")
        os.mkdir(empty)
        env_none = dict(env, GST_PLUGIN_PATH_1_0=empty, GST_PLUGIN_PATH=empty,
                        GST_PLUGIN_SYSTEM_PATH_1_0=empty,
                        GST_REGISTRY_1_0=os.path.join(dest, "none.registry"))
        f = os.path.join(work, "skip.safetensors")
        rc, out, err = run([PY, "-m", "gst_rnn.exporter", "--demo", f], env_none, work)
        expect(rc == 0 and os.path.getsize(f) > 0
               and "export: check skipped: GStreamer cannot find the 'rnn' element" in err
               and "check passed" not in out,
               "skip: no element, check='auto' writes the file and says "
               "'check skipped'", out + err)
        rc, out, err = run([PY, "-m", "gst_rnn.exporter", "--demo", f,
                            "--require-check"], env_none, work)
        expect(rc == 1 and "cannot find the 'rnn' element" in err,
               "skip: --require-check fails (exit 1) naming the element", out + err)

        # 3. the Python API, and the reader on what it wrote
        code = r'''
import sys, torch
from torch import nn
from gst_rnn import export, read_model
torch.manual_seed(1)
m = nn.LSTM(5, 8, num_layers=2, proj_size=3, bidirectional=True)
fc = nn.Linear(6, 2)
r = export(m, sys.argv[1], head=fc, head_activation="sigmoid",
           labels=["x", "y"], check=False, mode="n-to-1", window=20, hop=5,
           pooling="final-state", verbose=False)
i = read_model(sys.argv[1])
got = (r, i.cell, i.input_size, i.hidden_size, i.proj_size, i.num_layers,
       i.bidirectional, i.bias, i.head, i.head_activation, i.output_size,
       i.labels, i.pooling, i.precision, i.settings)
want = (None, "lstm", m.input_size, m.hidden_size, m.proj_size, m.num_layers,
        m.bidirectional, m.bias, (fc.in_features, fc.out_features), "sigmoid",
        fc.out_features, ["x", "y"], "final-state", "f32",
        {"mode": "n-to-1", "window": 20, "hop": 5})
assert got == want, "read_model: %r != %r" % (got, want)
print("fields match")
'''
        rc, out, err = run([PY, "-c", code, os.path.join(work, "api.safetensors")],
                           env_none, work)
        expect(rc == 0 and "fields match" in out and not err,
               "api: export(check=False) quietly, read_model() gives the "
               "module's sizes", out + err)

        # 4. a lone copy of examples/export.py
        shutil.copy(export_py, os.path.join(work, "export.py"))
        f = os.path.join(work, "copy.safetensors")
        rc, out, err = run([PY, os.path.join(work, "export.py"), "--demo", f,
                            "--cell", "lstm", "--require-check"], env, work)
        expect(rc == 0 and "export: check passed" in out,
               "copy: examples/export.py alone over the installed package",
               out + err)

        # 5. ONNX from the installed package
        f = os.path.join(work, "m.onnx")
        checked = os.environ.get("RNN_ONNX") == "1"
        rc, out, err = run([PY, "-m", "gst_rnn.exporter", "--demo", f, "--cell",
                            "gru", "--bidirectional", "--opset", "11",
                            "--require-check" if checked else "--no-check"],
                           env, work)
        with open(f, "rb") as fh:
            first = fh.read(1) if os.path.exists(f) else b""
        expect(rc == 0 and "ONNX opset 11" in out and first == b"\x08"
               and (not checked or "export: check passed" in out),
               "onnx: --demo m.onnx writes an ONNX file%s"
               % (", and the element matches PyTorch" if checked else
                  " (no ONNX in this build: not checked)"), out + err)
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
