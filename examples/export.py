#!/usr/bin/python3
"""Export a PyTorch recurrent model for the gst-rnn `rnn` element, and check it.

    from export import export          # with examples/ on sys.path
    export(gru, "my-model.safetensors", head=fc, head_activation="softmax",
           labels=["speech", "music", "noise"])

`export()` saves any `nn.RNN`, `nn.LSTM` or `nn.GRU` (layers, bias or not,
bidirectional, LSTM `proj_size`, relu RNNs all included) plus an optional
`nn.Linear` head as a safetensors file the element loads:

  tensors   `rnn.weight_ih_l0`, `rnn.weight_hh_l0`, `rnn.bias_ih_l0`, ...
            (the module's own `state_dict()` under the prefix `rnn.`) and
            `fc.weight`, `fc.bias` for the head, all float32;
  metadata  `rnn.cell` (rnn | lstm | gru), `rnn.nonlinearity` (nn.RNN only:
            tanh | relu, which the weights cannot show), `rnn.head` = `fc.`,
            `rnn.head_activation` (none | softmax | sigmoid, applied after the
            Linear on every frame), `rnn.labels` (one name per output, comma
            separated), `rnn.pooling` (last | final-state | mean: how the
            windowed modes reduce a window), plus any keys of your own that
            do not start with `rnn.` (`metadata={"description": "..."}`).

With `check=True` (the default) it then proves the file right: it runs a
random input sequence through PyTorch and through the element in a real
pipeline,

    gst-launch-1.0 filesrc location=in.f32 ! rawaudioparse use-sink-caps=false \
        format=pcm pcm-format=f32le sample-rate=100 num-channels=B*F \
        ! rnn model=PATH ! filesink location=out.f32

(B = 2 independent streams interleaved as audio channels, 7 frames per
buffer so the state has to carry across buffers), and requires the largest
difference to be at most 1e-5.  Bidirectional models cannot run
frame by frame, so they are checked with `window=T` (the whole sequence as one
window).

The element must be findable: install gst-rnn (`meson install`), or point
GStreamer at a build tree with `GST_PLUGIN_PATH=build/plugin`, or run inside
`meson devenv -C build`, or pass `plugin_path=`.  If none of these finds it,
this script falls back to `build/plugin` of the checkout it lives in.

Command line (Debian's PyTorch: use /usr/bin/python3):

    /usr/bin/python3 examples/export.py --demo OUT.safetensors
        builds a random 2-layer LSTM + Linear head (softmax, 4 labels),
        exports it to OUT.safetensors and checks it through the element;
        --cell rnn|rnn-relu|lstm|gru, --bidirectional, --no-check,
        --plugin-path DIR change that.  Exit status 0 when the check passed.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
    from torch import nn
except ImportError as e:  # pragma: no cover - depends on the machine
    if __name__ == "__main__" and "--skip-without-torch" in sys.argv:
        print(f"SKIP: {e} (install python3-torch)")
        sys.exit(77)
    raise

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "conformance"))
from safetensors_io import save_file  # noqa: E402

__all__ = ["export", "check_file", "ExportCheckError", "PluginNotFound"]

_CELLS = {nn.RNN: "rnn", nn.LSTM: "lstm", nn.GRU: "gru"}
_ACTIVATIONS = ("none", "softmax", "sigmoid")
_POOLINGS = ("last", "final-state", "mean")
TOLERANCE = 1e-5


class PluginNotFound(RuntimeError):
    """GStreamer cannot find the `rnn` element."""


class ExportCheckError(RuntimeError):
    """The element's output differs from PyTorch's."""


def _cell_of(module):
    for cls, name in _CELLS.items():
        if type(module) is cls:
            return name
    raise TypeError("export: module must be an nn.RNN, nn.LSTM or nn.GRU, "
                    "not %s" % type(module).__name__)


def _out_width(module):
    h_out = module.proj_size if getattr(module, "proj_size", 0) else module.hidden_size
    return (2 if module.bidirectional else 1) * h_out


def export(module, path, *, head=None, head_activation="none", labels=None,
           nonlinearity=None, pooling=None, check=True, metadata=None,
           plugin_path=None, check_frames=200, check_batch=2, verbose=True):
    """Save `module` (nn.RNN / nn.LSTM / nn.GRU) and an optional `head`
    (nn.Linear on the recurrent output) to `path` for the `rnn` element.

    head_activation  "none", "softmax" or "sigmoid": applied after the head
                     (needs a head unless "none").
    labels           list of names (or a comma-separated string), one per
                     output value per frame (the head's width, or the
                     recurrent output width without a head).  No commas in
                     names.
    nonlinearity     "tanh" or "relu" for nn.RNN; None takes it from the
                     module.  Ignored (must be None or "tanh") otherwise.
    pooling          None, "last", "final-state" or "mean".
    metadata         extra str -> str metadata; keys must not start with
                     "rnn." (the loader refuses unknown rnn.* keys).
    check            run a random sequence through PyTorch and through the
                     element and compare (max abs error <= 1e-5).  Raises
                     PluginNotFound or ExportCheckError on failure.
    plugin_path      directory holding libgstrnn.so, for the check.
    check_frames, check_batch
                     length and number of streams of the check sequence.

    Returns the maximum absolute error of the check (None without check).
    """
    cell = _cell_of(module)
    rnn_w = _out_width(module)
    meta = {"rnn.cell": cell}

    if cell == "rnn":
        nl = nonlinearity if nonlinearity is not None else module.nonlinearity
        if nl not in ("tanh", "relu"):
            raise ValueError("export: nonlinearity must be 'tanh' or 'relu', not %r" % (nl,))
        if nl != module.nonlinearity:
            raise ValueError("export: nonlinearity=%r but the module uses %r"
                             % (nl, module.nonlinearity))
        meta["rnn.nonlinearity"] = nl
    elif nonlinearity not in (None, "tanh"):
        raise ValueError("export: nonlinearity=%r applies to nn.RNN only, "
                         "this is an nn.%s" % (nonlinearity, type(module).__name__))

    if head_activation not in _ACTIVATIONS:
        raise ValueError("export: head_activation must be one of %s, not %r"
                         % (", ".join(_ACTIVATIONS), head_activation))
    out_w = rnn_w
    if head is not None:
        if not isinstance(head, nn.Linear):
            raise TypeError("export: head must be an nn.Linear, not %s" % type(head).__name__)
        if head.in_features != rnn_w:
            raise ValueError("export: head takes %d inputs but the %s outputs %d per frame"
                             % (head.in_features, type(module).__name__, rnn_w))
        out_w = head.out_features
        meta["rnn.head"] = "fc."
        meta["rnn.head_activation"] = head_activation
    elif head_activation != "none":
        raise ValueError("export: head_activation=%r needs a head" % head_activation)

    if labels is not None:
        if isinstance(labels, str):
            labels = labels.split(",")
        labels = [str(s).strip() for s in labels]
        if any("," in s or not s for s in labels):
            raise ValueError("export: labels must be non-empty and contain no commas")
        if len(labels) != out_w:
            raise ValueError("export: %d labels for %d outputs per frame" % (len(labels), out_w))
        meta["rnn.labels"] = ",".join(labels)

    if pooling is not None:
        if pooling not in _POOLINGS:
            raise ValueError("export: pooling must be one of %s, not %r"
                             % (", ".join(_POOLINGS), pooling))
        meta["rnn.pooling"] = pooling

    for k, v in (metadata or {}).items():
        if k.startswith("rnn."):
            raise ValueError("export: metadata key %r: the rnn.* namespace is "
                             "reserved (use another prefix)" % k)
        meta[str(k)] = str(v)

    tensors = {}
    for k, v in module.state_dict().items():
        tensors["rnn." + k] = v.detach().float().cpu()
    if head is not None:
        for k, v in head.state_dict().items():
            tensors["fc." + k] = v.detach().float().cpu()
    save_file(path, tensors, metadata=meta, dtype="F32")
    if verbose:
        print("export: wrote %s (%d bytes, %s, %d in, %d out per frame)"
              % (path, os.path.getsize(path), type(module).__name__,
                 module.input_size, out_w))

    if not check:
        return None
    return check_file(path, module, head=head, head_activation=head_activation,
                      plugin_path=plugin_path, frames=check_frames,
                      batch=check_batch, verbose=verbose)


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


def find_plugin_env(plugin_path=None):
    """Environment in which gst-launch-1.0 finds the rnn element."""
    env = _gst_env(plugin_path)
    if _has_rnn(env):
        return env
    local = os.path.join(REPO, "build", "plugin")
    if not plugin_path and os.path.exists(os.path.join(local, "libgstrnn.so")):
        env = _gst_env(local)
        if _has_rnn(env):
            return env
    raise PluginNotFound(
        "GStreamer cannot find the 'rnn' element%s. Build it and make it "
        "visible, e.g. from the repository root:\n"
        "    meson setup build && meson compile -C build\n"
        "    GST_PLUGIN_PATH=$PWD/build/plugin /usr/bin/python3 examples/export.py ...\n"
        "or run inside `meson devenv -C build`, or `meson install` it, or pass "
        "plugin_path= / --plugin-path."
        % (" in %s" % plugin_path if plugin_path else ""))


def check_file(path, module, *, head=None, head_activation="none",
               plugin_path=None, frames=200, batch=2, seed=0, verbose=True):
    """Run a random (frames, batch, F) sequence through PyTorch and through
    the element (gst-launch-1.0) and compare.  Returns the max abs error;
    raises ExportCheckError above 1e-5, PluginNotFound without the element."""
    env = find_plugin_env(plugin_path)
    g = torch.Generator().manual_seed(seed)
    F = module.input_size
    x = torch.randn(frames, batch, F, generator=g)
    ref = _reference(module, head, head_activation, x)  # (T, B, O)

    props = ["model=" + os.path.abspath(path)]
    if module.bidirectional:
        props.append("window=%d" % frames)
    with tempfile.TemporaryDirectory(prefix="gst-rnn-export-") as tmp:
        fin, fout = os.path.join(tmp, "in.f32"), os.path.join(tmp, "out.f32")
        x.numpy().astype("<f4").tofile(fin)     # (T, B, F) = interleaved frames
        # filesrc blocksize: 7 frames per buffer, so the state must carry
        # across many buffers exactly as PyTorch carries it across steps.
        cmd = ["gst-launch-1.0", "-q",
               "filesrc", "location=" + fin, "blocksize=%d" % (7 * batch * F * 4), "!",
               "rawaudioparse", "use-sink-caps=false", "format=pcm",
               "pcm-format=f32le", "sample-rate=100",
               "num-channels=%d" % (batch * F), "!",
               "rnn"] + props + ["!", "filesink", "location=" + fout]
        r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise ExportCheckError("check: the pipeline failed (exit %d):\n  %s\n%s"
                                   % (r.returncode, " ".join(cmd), r.stdout))
        got = np.fromfile(fout, dtype="<f4")
    if got.size != ref.size:
        raise ExportCheckError("check: the element wrote %d floats, PyTorch %d (%s)"
                               % (got.size, ref.size, "x".join(map(str, ref.shape))))
    err = float(np.max(np.abs(got.reshape(ref.shape) - ref))) if ref.size else 0.0
    if not err <= TOLERANCE:
        raise ExportCheckError("check: %s: max abs error %.3g > %g between the "
                               "element and PyTorch" % (path, err, TOLERANCE))
    if verbose:
        print("export: check passed: %d frames x %d streams through the rnn "
              "element match PyTorch, max abs error %.2g (<= %g)"
              % (frames, batch, err, TOLERANCE))
    return err


def _demo(args):
    torch.manual_seed(args.seed)
    bi = args.bidirectional
    kw = dict(input_size=3, hidden_size=16, num_layers=2, bidirectional=bi)
    if args.cell == "lstm":
        rnn = nn.LSTM(**kw)
    elif args.cell == "gru":
        rnn = nn.GRU(**kw)
    else:
        rnn = nn.RNN(nonlinearity="relu" if args.cell == "rnn-relu" else "tanh", **kw)
    head = nn.Linear(_out_width(rnn), 4)
    return export(rnn, args.demo, head=head, head_activation="softmax",
                  labels=["a", "b", "c", "d"], check=not args.no_check,
                  plugin_path=args.plugin_path,
                  metadata={"description": "random %s%s demo from examples/export.py"
                            % ("bidirectional " if bi else "", args.cell)})


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Export a PyTorch RNN/LSTM/GRU for the gst-rnn element "
                    "(see the module docstring for the Python API).")
    p.add_argument("--demo", metavar="OUT", required=True,
                   help="export a random model (2-layer LSTM + softmax head) to OUT and check it")
    p.add_argument("--cell", choices=["lstm", "gru", "rnn", "rnn-relu"], default="lstm")
    p.add_argument("--bidirectional", action="store_true",
                   help="bidirectional model (checked with window=T)")
    p.add_argument("--no-check", action="store_true", help="only write the file")
    p.add_argument("--plugin-path", metavar="DIR", help="directory holding libgstrnn.so")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--skip-without-torch", action="store_true",
                   help="exit 77 (a skipped test) when PyTorch is missing")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    try:
        _demo(args)
    except (PluginNotFound, ExportCheckError) as e:
        print("export: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
