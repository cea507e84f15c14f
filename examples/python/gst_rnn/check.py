# SPDX-License-Identifier: LGPL-2.1-or-later
"""The exporter's check: a model file through the `rnn` element
(gst-launch-1.0 in a subprocess) against PyTorch, frame by frame and, with
the user's own forward, one n-to-1 window.  Used by gst_rnn.exporter;
check_file() and check_pooling() are also callable on their own.  No
global mutable state; each call makes and removes its own temporary
folder, so calls may run from any thread.
"""

import os
import re
import shutil
import subprocess
import tempfile

import numpy as np
import torch

from .weights import _normalisation

__all__ = ["check_file", "check_pooling", "element_available",
           "find_plugin_env", "ExportCheckError", "PluginNotFound",
           "TOLERANCE"]

# A checkout (examples/python/gst_rnn/check.py): its build/plugin is the
# last place find_plugin_env() looks.  None for an installed copy.
_HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(_HERE)))
if not (os.path.isfile(os.path.join(REPO, "core", "rnn.h"))
        and os.path.isfile(os.path.join(REPO, "examples", "export.py"))):
    REPO = None

TOLERANCE = 1e-5


class PluginNotFound(RuntimeError):
    """GStreamer cannot find the `rnn` element."""


class ExportCheckError(RuntimeError):
    """The element's output differs from PyTorch's."""


def _reference(module, head, head_activation, x):
    """PyTorch output for x (T, B, F): (T, B, O) float32 numpy."""
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            if module.batch_first:
                y, _ = module(x.transpose(0, 1))
                y = y.transpose(0, 1)
            else:
                y, _ = module(x)
            if head is not None:
                y = head(y)
                if head_activation == "softmax":
                    y = torch.softmax(y, dim=-1)
                elif head_activation == "sigmoid":
                    y = torch.sigmoid(y)
    finally:
        module.train(was_training)
    return y.float().numpy()


def _gst_env(plugin_path):
    env = dict(os.environ)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    if plugin_path:
        env["GST_PLUGIN_PATH"] = os.pathsep.join(
            [os.path.abspath(plugin_path)] + [p for p in [env.get("GST_PLUGIN_PATH")] if p])
    return env


def _has_rnn(env):
    if not shutil.which("gst-inspect-1.0"):
        raise PluginNotFound("gst-inspect-1.0 is not installed "
                             "(Debian: apt-get install gstreamer1.0-tools)")
    r = subprocess.run(["gst-inspect-1.0", "rnn"], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


def element_available(plugin_path=None):
    """True when the check can run (gst-launch-1.0 and the rnn element are
    found, as find_plugin_env() looks), else a str saying what is missing.
    Runs gst-inspect-1.0 (a subprocess); any thread."""
    if not shutil.which("gst-launch-1.0"):
        return ("gst-launch-1.0 is not installed (Debian: apt-get install "
                "gstreamer1.0-tools)")
    try:
        find_plugin_env(plugin_path)
    except PluginNotFound as e:
        return str(e).split(". ")[0]
    return True


def find_plugin_env(plugin_path=None):
    """Environment (a new dict, the caller's) in which gst-launch-1.0 finds
    the rnn element; raises PluginNotFound.  Any thread."""
    env = _gst_env(plugin_path)
    if _has_rnn(env):
        return env
    local = os.path.join(REPO, "build", "plugin") if REPO else None
    if local and not plugin_path and os.path.exists(os.path.join(local, "libgstrnn.so")):
        env = _gst_env(local)
        if _has_rnn(env):
            return env
    raise PluginNotFound(
        "GStreamer cannot find the 'rnn' element%s. Build it and make it "
        "visible, e.g. from the repository root:\n"
        "    meson setup build && meson compile -C build\n"
        "    GST_PLUGIN_PATH=$PWD/build/plugin /usr/bin/python3 -m gst_rnn.exporter ...\n"
        "or run inside `meson devenv -C build`, or `meson install` it, or pass "
        "plugin_path= / --plugin-path."
        % (" in %s" % plugin_path if plugin_path else ""))


def _check_input(module, frames, batch, seed, mean, std):
    """Random raw features (T, B, F) drawn around mean with spread std, and
    the normalised ones PyTorch takes."""
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(frames, batch, module.input_size, generator=g)
    if mean is None:
        return z, z
    x = (z.double() * std + mean).float()
    return x, ((x.double() - mean) / std).float()


def _launch(env, fin, width, props, sink, block_frames=7, messages=False):
    """gst-launch-1.0 over raw float32 frames of `width` values read from
    `fin` as other/tensors (no channel limit, unlike rawaudioparse, which
    refuses more than 64 channels).  Raises ExportCheckError on failure."""
    cmd = ["gst-launch-1.0", "-m" if messages else "-q",
           "filesrc", "location=" + fin, "blocksize=%d" % (block_frames * width * 4), "!",
           "other/tensors,format=static,num_tensors=1,types=float32,"
           "dimensions=(string)%d,framerate=100/1" % width, "!",
           "rnn"] + props + ["!"] + sink
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise ExportCheckError("check: the pipeline failed (exit %d):\n  %s\n%s"
                               % (r.returncode, " ".join(cmd), r.stdout))
    return r


def check_file(path, module, *, head=None, head_activation="none",
               plugin_path=None, frames=200, batch=2, seed=0, verbose=True,
               feature_mean=None, feature_std=None, check_forward=None,
               window=None):
    """Run a random (frames, batch, F) sequence through PyTorch and through
    the element (gst-launch-1.0, as other/tensors: any width) and compare.
    With feature_mean/std the element gets raw features and PyTorch the
    normalised ones.  With check_forward (a callable (T, N, F) -> (N, O) on
    normalised features), also one window of `window` frames through
    `rnn mode=n-to-1`.  Returns the max abs error; raises ExportCheckError
    above 1e-5, PluginNotFound without the element."""
    env = find_plugin_env(plugin_path)
    mean, std = _normalisation(module.input_size, feature_mean, feature_std)
    x, xn = _check_input(module, frames, batch, seed, mean, std)
    ref = _reference(module, head, head_activation, xn)  # (T, B, O)
    width = batch * module.input_size

    # frame by frame whatever run settings the file carries (the element
    # warns that they are overridden)
    props = ["model=" + os.path.abspath(path), "mode=n-to-n"]
    if module.bidirectional:
        props.append("window=%d" % frames)
    with tempfile.TemporaryDirectory(prefix="gst-rnn-export-") as tmp:
        fin, fout = os.path.join(tmp, "in.f32"), os.path.join(tmp, "out.f32")
        x.numpy().astype("<f4").tofile(fin)     # (T, B, F) = interleaved frames
        # 7 frames per buffer, so the state must carry across many buffers
        # exactly as PyTorch carries it across steps.
        _launch(env, fin, width, props, ["filesink", "location=" + fout])
        got = np.fromfile(fout, dtype="<f4")
    if got.size != ref.size:
        raise ExportCheckError("check: the element wrote %d floats, PyTorch %d (%s)"
                               % (got.size, ref.size, "x".join(map(str, ref.shape))))
    err = float(np.max(np.abs(got.reshape(ref.shape) - ref))) if ref.size else 0.0
    if not err <= TOLERANCE:
        raise ExportCheckError("check: %s: max abs error %.3g > %g between the "
                               "element and PyTorch" % (path, err, TOLERANCE))
    if verbose:
        print("export: check passed: %d frames x %d streams of %d inputs through "
              "the rnn element match PyTorch, max abs error %.2g (<= %g)"
              % (frames, batch, module.input_size, err, TOLERANCE))
    if check_forward is not None:
        err = max(err, check_pooling(path, module, check_forward, window or frames,
                                     batch=batch, seed=seed + 1,
                                     feature_mean=mean, feature_std=std,
                                     plugin_path=plugin_path, verbose=verbose))
    return err


_RESULT = re.compile(r"\brnn, .*?\bstream=\(uint\)(\d+), .*?\bscores=\(double\)< ([^>]*) >")


def _window_scores(env, path, x, window):
    """The rnn element's n-to-1 scores for x (T, B, F) raw: (B, O) numpy,
    read from its `rnn` element messages (`gst-launch-1.0 -m` prints them
    with every float in full)."""
    T, B, F = x.shape
    with tempfile.TemporaryDirectory(prefix="gst-rnn-export-") as tmp:
        fin = os.path.join(tmp, "in.f32")
        x.numpy().astype("<f4").tofile(fin)
        props = ["model=" + os.path.abspath(path), "mode=n-to-1",
                 "window=%d" % window]
        r = _launch(env, fin, B * F, props, ["fakesink"], messages=True)
    rows = {}
    for m in _RESULT.finditer(r.stdout):
        rows.setdefault(int(m.group(1)), []).append(
            [float(v) for v in m.group(2).split(",")])
    if sorted(rows) != list(range(B)) or any(len(v) != 1 for v in rows.values()):
        raise ExportCheckError("check: rnn mode=n-to-1 window=%d on %d frames x %d "
                               "streams gave results %s, expected one per stream"
                               % (window, T, B, {k: len(v) for k, v in rows.items()}))
    return np.array([rows[b][0] for b in range(B)], dtype=np.float32)


def check_pooling(path, module, forward, window, *, batch=2, seed=1,
                  feature_mean=None, feature_std=None, plugin_path=None,
                  verbose=True):
    """One window of `window` frames x `batch` streams through `rnn
    mode=n-to-1 window=T` (raw features) against `forward` (normalised
    features in the module's layout, (N, T, F) if module.batch_first else
    (T, N, F) -> (N, O) scores, the user's own N-vs-1 forward: pooling,
    head, activation).  Returns the max abs error; raises
    ExportCheckError above 1e-5."""
    env = find_plugin_env(plugin_path)
    mean, std = _normalisation(module.input_size, feature_mean, feature_std)
    x, xn = _check_input(module, window, batch, seed, mean, std)
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            # the window in the layout the module was trained with
            ref = forward(xn.transpose(0, 1) if module.batch_first else xn)
    finally:
        module.train(was_training)
    ref = torch.as_tensor(ref).detach().float().numpy()
    got = _window_scores(env, path, x, window)
    if ref.shape != got.shape:
        raise ExportCheckError("check: check_forward returned %s scores, the "
                               "element %s (expected (N, O) = (%d, O))"
                               % (tuple(ref.shape), tuple(got.shape), batch))
    err = float(np.max(np.abs(got - ref)))
    if not err <= TOLERANCE:
        raise ExportCheckError("check: %s: rnn mode=n-to-1 window=%d: max abs "
                               "error %.3g > %g against check_forward (is "
                               "pooling= what your forward does?)"
                               % (path, window, err, TOLERANCE))
    if verbose:
        print("export: pooling check passed: one window of %d frames x %d "
              "streams through rnn mode=n-to-1 matches check_forward, max abs "
              "error %.2g (<= %g)" % (window, batch, err, TOLERANCE))
    return err
