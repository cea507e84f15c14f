# SPDX-License-Identifier: LGPL-2.1-or-later
"""Export a PyTorch recurrent model for the gst-rnn `rnn` element, and check it.

    from gst_rnn import export         # installed, or examples/python on sys.path
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
            windowed modes reduce a window), the run settings the model was
            trained for (`rnn.mode`, `rnn.window`, `rnn.hop`, `rnn.steps`,
            `rnn.feed`, `rnn.carry_state`: the element's defaults for
            `mode`, `window`, ..., so a launch line needs only `model=`),
            plus any keys of your own that do not start with `rnn.`
            (`metadata={"description": "..."}`).

ONNX: a name ending in `.onnx` (or `format="onnx"`) writes the same model
with torch.onnx.export (opset 14, or `opset=` 9 to 17): the module's RNN /
LSTM / GRU nodes, the head as MatMul + Add, then Softmax / Sigmoid; input
"input", output "output", frames and streams dynamic.  The metadata above
ride in the ModelProto's `metadata_props` under the same keys, less
`rnn.head` (the graph holds the head); `rnn-inspect FILE.onnx` prints them.
The check is the same.  nn.LSTM(proj_size=...) is refused (torch 1.13 cannot
export it: use .safetensors).

    export(gru, "my-model.onnx", head=fc, head_activation="softmax",
           labels=["speech", "music", "noise"])

Front end and normalisation: `frontend=` takes the torchaudio transform the
features came from (`MelSpectrogram` or `MFCC`, center=False) or kaldi fbank
arguments (`{"preset": "kaldi-fbank", "num_mel_bins": 40, ...}`), with
`frontend_log=None|"ln"|"db"` and `log_offset`, and writes them as
`rnn.frontend.*` metadata, named as the `melspec` element's properties, so
that `melspec model=FILE` computes the same features.  `feature_mean=` and
`feature_std=` (the per-feature normalisation the model was trained with)
are folded into layer 0: the file takes raw features.

    export(gru, "kws.safetensors", head=fc, head_activation="softmax",
           labels=[...], pooling="mean",
           frontend=torchaudio.transforms.MelSpectrogram(
               16000, n_fft=400, hop_length=160, n_mels=40, center=False),
           frontend_log="ln", feature_mean=mu, feature_std=sigma,
           check_forward=lambda x: my_model.classify(x))

The check.  `check="auto"` (the default) proves the file right when the
element can be found and says so otherwise ("export: check skipped: ..."
on stderr, the file written all the same, None returned): a training
machine needs neither GStreamer nor gst-rnn.  `check=True` requires it
(PluginNotFound without gst-launch-1.0 or the element), `check=False` only
writes the file.  The check runs a
random input sequence through PyTorch and through the element in a real
pipeline,

    gst-launch-1.0 filesrc location=in.f32 blocksize=7*B*F*4 ! \
        other/tensors,format=static,num_tensors=1,types=float32,\
        dimensions=(string)B*F,framerate=100/1 \
        ! rnn model=PATH ! filesink location=out.f32

(B = 2 independent streams, 7 frames per buffer so the state has to carry
across buffers; tensors, not audio, so that any input width passes:
`rawaudioparse` refuses more than 64 channels), and requires the largest
difference to be at most 1e-5.  Bidirectional models cannot run frame by
frame, so they are checked with `window=T` (the whole sequence as one
window).  With normalisation the element gets raw features and PyTorch the
normalised ones.  `check_forward=f` (f maps a window of normalised
features to (N, O) scores: your own N-vs-1 forward; the window comes in
the layout the module was built with, (N, T, F) for batch_first=True and
(T, N, F) otherwise, so a batch_first model's own forward fits) adds one
window of T frames
through `rnn mode=n-to-1 window=T` (its `rnn` messages, `gst-launch-1.0
-m`), which checks `pooling=` and the head against your code.

For the check the element must be findable: install gst-rnn (`meson
install`), or point GStreamer at a build tree with
`GST_PLUGIN_PATH=build/plugin`, or run inside `meson devenv -C build`, or
pass `plugin_path=`.  If none of these finds it, a copy inside a checkout
falls back to that checkout's `build/plugin`.  The check drives
gst-launch-1.0 and gst-inspect-1.0 (Debian: gstreamer1.0-tools), not
GStreamer's Python bindings.

Command line (Debian's PyTorch: use /usr/bin/python3):

    /usr/bin/python3 -m gst_rnn.exporter --demo OUT.safetensors
    /usr/bin/python3 examples/export.py --demo OUT.safetensors   (the same)
        builds a random 2-layer LSTM + Linear head (softmax, 4 labels),
        exports it to OUT.safetensors (OUT.onnx: ONNX, --opset N) and
        checks it through the element;
        --cell rnn|rnn-relu|lstm|gru, --bidirectional, --inputs N,
        --normalise (random mean/std folded), --pooling last|mean|final-state
        (also checks n-to-1 against the module's own forward), --mode,
        --window, --hop, --carry-state (run settings written),
        --batch-first (a batch_first module and check_forward),
        --no-check, --require-check (fail, exit 1, when the element is
        missing instead of skipping the check), --plugin-path DIR change
        that.  Exit status 0 when the file was written and the check passed
        or was skipped.
"""

import argparse
import os
import sys

try:
    import torch
    from torch import nn
except ImportError as e:  # pragma: no cover - depends on the machine
    if __name__ == "__main__" and "--skip-without-torch" in sys.argv:
        print(f"SKIP: {e} (install python3-torch)")
        sys.exit(77)
    raise

from .check import (REPO, TOLERANCE, ExportCheckError,  # noqa: F401 (re-exported)
                    PluginNotFound, _launch, _RESULT, check_file,
                    check_pooling, element_available, find_plugin_env)
from .frontend import frontend_metadata
from .weights import _cell_of, _folded_state, _normalisation, _out_width
from .safetensors_io import save_file
from .onnx_io import DEFAULT_OPSET, OPSETS, save_onnx


__all__ = ["export", "check_file", "check_pooling", "frontend_metadata",
           "run_settings", "find_plugin_env", "element_available",
           "pooled_forward", "ExportCheckError", "PluginNotFound", "TOLERANCE"]

_ACTIVATIONS = ("none", "softmax", "sigmoid")
_POOLINGS = ("last", "final-state", "mean")


def export(module, path, *, head=None, head_activation="none", labels=None,
           nonlinearity=None, pooling=None, check="auto", metadata=None,
           plugin_path=None, check_frames=200, check_batch=2, verbose=True,
           frontend=None, frontend_log=None, log_offset=None,
           feature_mean=None, feature_std=None, check_forward=None,
           check_window=None, mode=None, window=None, hop=None, steps=None,
           feed=None, carry_state=None, format=None, opset=None):
    """Save `module` (nn.RNN / nn.LSTM / nn.GRU) and an optional `head`
    (nn.Linear on the recurrent output) to `path` for the `rnn` element.

    format           "safetensors" or "onnx"; None (default) takes it from
                     the name: ".onnx" writes ONNX, anything else
                     safetensors.  A format the name contradicts is refused.
                     ONNX: torch.onnx.export of the module, the head and its
                     activation (input "input", output "output", frames and
                     streams dynamic), the same metadata as
                     metadata_props (less rnn.head: the head is in the
                     graph); nn.LSTM(proj_size=...) cannot be exported so.
    opset            the ONNX opset, 9 to 17 (default 14); ONNX only.

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
                     "rnn." (reserved: the loader ignores, with a warning,
                     the rnn.* keys it does not know).
    mode, window, hop, steps, feed, carry_state
                     how the model was trained to be run, written as
                     rnn.mode ("n-to-n", "n-to-1", "1-to-n"), rnn.window,
                     rnn.hop (frames), rnn.steps, rnn.feed ("repeat",
                     "first", "feedback": 1-to-n) and rnn.carry_state
                     (bool): the element's defaults for its properties of
                     those names.  None: not written.
    check            "auto" (default), True or False: run a random sequence
                     through PyTorch and through the element and compare
                     (max abs error <= 1e-5).  Raises ExportCheckError on a
                     difference.  Without gst-launch-1.0 or the element,
                     "auto" prints "export: check skipped: <why>" to
                     stderr and returns None; True raises PluginNotFound.
    plugin_path      directory holding libgstrnn.so, for the check.
    check_frames, check_batch
                     length and number of streams of the check sequence.
    frontend         the features the model was trained on, written as
                     `rnn.frontend.*` metadata for the `melspec` element: a
                     torchaudio `MelSpectrogram` or `MFCC` (center=False), or
                     a dict {"preset": "kaldi-fbank", "sample_frequency",
                     "frame_length", "frame_shift", "num_mel_bins",
                     "low_freq", "high_freq"} of compliance.kaldi.fbank
                     arguments (see frontend_metadata()).
    frontend_log     None, "ln" (ln(x + log_offset)) or "db"
                     (10 log10(max(x, 1e-10))) after a MelSpectrogram.
    log_offset       the offset added before "ln" (default 1e-6).
    feature_mean, feature_std
                     per-feature normalisation the model was trained with
                     ((x - mean) / std); folded into layer 0 so the file
                     takes raw features: W_ih' = W_ih / std (per column),
                     b_ih' = b_ih - W_ih' mean.  A model without bias gets
                     bias tensors (zero but for b_ih of layer 0).
    check_forward    callable taking one window of normalised features in
                     the module's layout ((N, T, F) if module.batch_first,
                     else (T, N, F)) and returning (N, O) scores: the
                     user's own N-vs-1 forward (pooling + head +
                     activation); checked against `rnn mode=n-to-1
                     window=T` on raw features.
    check_window     T for that check (default: check_frames).

    Returns the maximum absolute error of the check (None without check, or
    when "auto" skipped it).
    """
    if check not in (True, False, "auto"):
        raise ValueError("export: check must be True, False or 'auto', not %r"
                         % (check,))
    cell = _cell_of(module)
    fmt = _format_of(path, format, opset)
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

    meta.update(run_settings(mode, window, hop, steps, feed, carry_state))

    for k, v in (metadata or {}).items():
        if k.startswith("rnn."):
            raise ValueError("export: metadata key %r: the rnn.* namespace is "
                             "reserved (use another prefix)" % k)
        meta[str(k)] = str(v)

    if frontend is not None:
        fmeta = frontend_metadata(frontend, frontend_log, log_offset)
        n_feat = int(fmeta.get("rnn.frontend.n-mfcc", "0")) or \
            int(fmeta["rnn.frontend.n-mels"])
        if n_feat != module.input_size:
            raise ValueError("export: the front end gives %d features per frame "
                             "but the %s takes %d inputs"
                             % (n_feat, type(module).__name__, module.input_size))
        meta.update(fmeta)
    elif frontend_log is not None or log_offset is not None:
        raise ValueError("export: frontend_log/log_offset need a frontend")

    mean, std = _normalisation(module.input_size, feature_mean, feature_std)
    state = _folded_state(module, mean, std)
    if fmt == "onnx":
        opset = DEFAULT_OPSET if opset is None else opset
        save_onnx(path, module, state, head, head_activation, meta, opset)
    else:
        tensors = {"rnn." + k: v for k, v in state.items()}
        if head is not None:
            for k, v in head.state_dict().items():
                tensors["fc." + k] = v.detach().float().cpu()
        save_file(path, tensors, metadata=meta, dtype="F32")
    if verbose:
        print("export: wrote %s (%d bytes, %s%s, %d in, %d out per frame)"
              % (path, os.path.getsize(path), "ONNX opset %d, " % opset
                 if fmt == "onnx" else "", type(module).__name__,
                 module.input_size, out_w))

    if not check:
        return None
    if check == "auto":
        why = element_available(plugin_path)
        if why is not True:
            print("export: check skipped: %s; the file is written but not "
                  "checked through the element (GST_PLUGIN_PATH, `meson "
                  "install` or plugin_path= make it findable; check=True "
                  "requires the check, check=False skips it quietly)" % why,
                  file=sys.stderr)
            return None
    return check_file(path, module, head=head, head_activation=head_activation,
                      plugin_path=plugin_path, frames=check_frames,
                      batch=check_batch, verbose=verbose,
                      feature_mean=mean, feature_std=std,
                      check_forward=check_forward, window=check_window)


_FORMATS = ("safetensors", "onnx")


def _format_of(path, format, opset):
    """"safetensors" or "onnx" for export(path, format=, opset=)."""
    by_name = "onnx" if str(path).lower().endswith(".onnx") else "safetensors"
    if format is None:
        format = by_name
    elif format not in _FORMATS:
        raise ValueError("export: format must be 'safetensors' or 'onnx', "
                         "not %r" % (format,))
    elif format != by_name:
        raise ValueError("export: format=%r but %s %s: the element reads a "
                         "file as ONNX by its .onnx suffix (name it so, or "
                         "leave format= out)" % (format, path,
                                                 "ends in .onnx" if by_name == "onnx"
                                                 else "does not end in .onnx"))
    if opset is not None and format != "onnx":
        raise ValueError("export: opset=%r applies to ONNX files, not %s"
                         % (opset, format))
    if opset is not None and (isinstance(opset, bool) or opset not in OPSETS):
        raise ValueError("export: opset must be one of %d to %d (the ONNX "
                         "opsets the rnn element reads), not %r"
                         % (OPSETS[0], OPSETS[-1], opset))
    return format


_MODES = ("n-to-n", "n-to-1", "1-to-n")
_FEEDS = ("repeat", "first", "feedback")
MAX_WINDOW = 1 << 20        # the element's (and the loader's) limits
MAX_STEPS = 1 << 16


def run_settings(mode=None, window=None, hop=None, steps=None, feed=None,
                 carry_state=None):
    """The rnn.mode / rnn.window / rnn.hop / rnn.steps / rnn.feed /
    rnn.carry_state metadata for export(), checked as the loader checks
    them (ValueError naming the argument and value)."""
    meta = {}
    if mode is not None:
        if mode == "n-to-m":
            raise ValueError("export: mode='n-to-m' needs an encoder-decoder "
                             "file (keys encoder.* and decoder.*); export() "
                             "writes one network")
        if mode not in _MODES:
            raise ValueError("export: mode must be one of %s, not %r"
                             % (", ".join(_MODES), mode))
        meta["rnn.mode"] = mode
    for name, v, top in (("window", window, MAX_WINDOW), ("hop", hop, MAX_WINDOW),
                         ("steps", steps, MAX_STEPS)):
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= top:
            raise ValueError("export: %s must be a whole number from 1 to %d, "
                             "not %r" % (name, top, v))
        meta["rnn." + name] = str(v)
    if mode == "n-to-1" and window is None:
        raise ValueError("export: mode='n-to-1' needs window= (the frames "
                         "per window the model was trained on)")
    if mode in ("n-to-n", "1-to-n") and hop is not None:
        raise ValueError("export: hop= applies to n-to-1 windows, not %s" % mode)
    if mode in ("n-to-n", "n-to-1") and (steps is not None or feed is not None):
        raise ValueError("export: steps=/feed= apply to 1-to-n, not %s" % mode)
    if feed is not None:
        if feed not in _FEEDS:
            raise ValueError("export: feed must be one of %s, not %r"
                             % (", ".join(_FEEDS), feed))
        meta["rnn.feed"] = feed
    if carry_state is not None:
        if not isinstance(carry_state, bool):
            raise ValueError("export: carry_state must be True or False, not %r"
                             % (carry_state,))
        meta["rnn.carry_state"] = "true" if carry_state else "false"
    return meta


def pooled_forward(module, head=None, head_activation="none", pooling="last"):
    """A PyTorch N-vs-1 forward, a window in the module's layout ((N, T, F)
    if module.batch_first, else (T, N, F)) -> (N, O): the module over the
    window from a zero state, its outputs pooled (last | mean |
    final-state), then the head and its activation.  For the demo and as an
    example of a `check_forward`."""
    def forward(x):
        y, h = module(x)
        if module.batch_first:
            y = y.transpose(0, 1)
        if isinstance(h, tuple):
            h = h[0]                                    # LSTM: (h_n, c_n)
        if pooling == "last":
            p = y[-1]
        elif pooling == "mean":
            p = y.mean(dim=0)
        elif pooling == "final-state":
            p = torch.cat([h[-2], h[-1]], dim=-1) if module.bidirectional else h[-1]
        else:
            raise ValueError("pooling %r" % (pooling,))
        if head is not None:
            p = head(p)
        if head_activation == "softmax":
            p = torch.softmax(p, dim=-1)
        elif head_activation == "sigmoid":
            p = torch.sigmoid(p)
        return p
    return forward


def _demo(args):
    torch.manual_seed(args.seed)
    bi = args.bidirectional
    kw = dict(input_size=args.inputs, hidden_size=16, num_layers=2,
              bidirectional=bi, bias=not args.no_bias,
              batch_first=args.batch_first)
    if args.cell == "lstm":
        rnn = nn.LSTM(**kw)
    elif args.cell == "gru":
        rnn = nn.GRU(**kw)
    else:
        rnn = nn.RNN(nonlinearity="relu" if args.cell == "rnn-relu" else "tanh", **kw)
    head = nn.Linear(_out_width(rnn), 4)
    mean = std = None
    if args.normalise:
        mean = torch.randn(args.inputs) * 5 - 3
        std = torch.rand(args.inputs) * 4 + 0.25
    fwd = None
    if args.pooling:
        fwd = pooled_forward(rnn, head, "softmax", args.pooling)
    check = False if args.no_check else True if args.require_check else "auto"
    return export(rnn, args.demo, head=head, head_activation="softmax",
                  labels=["a", "b", "c", "d"], check=check,
                  mode=args.mode, window=args.window, hop=args.hop,
                  carry_state=True if args.carry_state else None,
                  plugin_path=args.plugin_path, pooling=args.pooling,
                  feature_mean=mean, feature_std=std, check_forward=fwd,
                  check_window=50, opset=args.opset,
                  metadata={"description": "random %s%s demo from gst_rnn.exporter"
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
    p.add_argument("--inputs", type=int, default=3, metavar="F",
                   help="input width (features per frame), default 3")
    p.add_argument("--no-bias", action="store_true", help="a model with bias=False")
    p.add_argument("--normalise", action="store_true",
                   help="fold a random per-feature mean/std into layer 0")
    p.add_argument("--pooling", choices=list(_POOLINGS),
                   help="write rnn.pooling and check n-to-1 windows against "
                        "pooled_forward()")
    p.add_argument("--mode", choices=list(_MODES),
                   help="write rnn.mode: the element's default mode for this file")
    p.add_argument("--window", type=int, metavar="N", help="write rnn.window")
    p.add_argument("--hop", type=int, metavar="N", help="write rnn.hop")
    p.add_argument("--carry-state", action="store_true",
                   help="write rnn.carry_state=true")
    p.add_argument("--batch-first", action="store_true",
                   help="a batch_first=True module (check_forward gets (N, T, F))")
    p.add_argument("--no-check", action="store_true", help="only write the file")
    p.add_argument("--require-check", action="store_true",
                   help="fail (exit 1) when the element cannot be found, "
                        "rather than skip the check")
    p.add_argument("--plugin-path", metavar="DIR", help="directory holding libgstrnn.so")
    p.add_argument("--opset", type=int, metavar="N",
                   help="ONNX opset (%d to %d, default %d) when OUT ends in .onnx"
                        % (OPSETS[0], OPSETS[-1], DEFAULT_OPSET))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--skip-without-torch", action="store_true",
                   help="exit 77 (a skipped test) when PyTorch is missing")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    try:
        _demo(args)
    except ValueError as e:
        print("%s" % e, file=sys.stderr)
        return 2
    except (PluginNotFound, ExportCheckError) as e:
        print("export: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
