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
        exports it to OUT.safetensors and checks it through the element;
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
import re
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

from .safetensors_io import save_file

# A checkout (examples/python/gst_rnn/exporter.py): its build/plugin is the
# last place find_plugin_env() looks.  None for an installed copy.
_HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(_HERE)))
if not (os.path.isfile(os.path.join(REPO, "core", "rnn.h"))
        and os.path.isfile(os.path.join(REPO, "examples", "export.py"))):
    REPO = None

__all__ = ["export", "check_file", "check_pooling", "frontend_metadata",
           "run_settings", "find_plugin_env", "element_available",
           "pooled_forward", "ExportCheckError", "PluginNotFound", "TOLERANCE"]

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
           nonlinearity=None, pooling=None, check="auto", metadata=None,
           plugin_path=None, check_frames=200, check_batch=2, verbose=True,
           frontend=None, frontend_log=None, log_offset=None,
           feature_mean=None, feature_std=None, check_forward=None,
           check_window=None, mode=None, window=None, hop=None, steps=None,
           feed=None, carry_state=None):
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
    tensors = {}
    for k, v in _folded_state(module, mean, std).items():
        tensors["rnn." + k] = v
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


# ---------------------------------------------------------------------------
# The front end: torchaudio transform -> rnn.frontend.* metadata (the
# `melspec` element's properties, named and written as gst-launch takes them)

_KALDI_KEYS = ("preset", "sample_frequency", "frame_length", "frame_shift",
               "num_mel_bins", "low_freq", "high_freq", "dither",
               "use_log_fbank", "use_power")


def _num(x):
    """A number as gst-launch parses it: decimal, no exponent, no '.0'."""
    if float(x) == int(x) and abs(x) < 2 ** 31:
        return str(int(x))
    return np.format_float_positional(float(x), trim="-")


def _window_name(win, win_length):
    """hann | hamming, recognised from the window tensor a torchaudio
    Spectrogram keeps (it keeps no window_fn)."""
    for name, fn in (("hann", torch.hann_window), ("hamming", torch.hamming_window)):
        ref = fn(win_length)
        if win.shape == ref.shape and torch.allclose(win.float(), ref, atol=1e-6):
            return name
    raise ValueError("export: frontend: the transform's window (length %d) is "
                     "neither torch.hann_window nor torch.hamming_window "
                     "(periodic, no wkwargs): the melspec element has hann, "
                     "hamming and povey (kaldi-fbank preset) only" % win_length)


def _melspec_metadata(ms):
    """rnn.frontend.* of a torchaudio MelSpectrogram (without the log)."""
    sp, mel = ms.spectrogram, ms.mel_scale
    if getattr(sp, "center", False):
        raise ValueError("export: frontend: MelSpectrogram(center=True) pads each "
                         "side of the signal by n_fft/2 (%d samples) before the "
                         "first frame, which a stream cannot do without "
                         "look-ahead: train with center=False, as the melspec "
                         "element frames (frame i covers samples [i*hop, "
                         "i*hop + win))" % (sp.n_fft // 2))
    if sp.pad:
        raise ValueError("export: frontend: pad=%d: the melspec element does not "
                         "pad the signal (use pad=0)" % sp.pad)
    if sp.normalized:
        raise ValueError("export: frontend: normalized=True is not supported by "
                         "the melspec element (use normalized=False)")
    if sp.onesided is False:
        raise ValueError("export: frontend: onesided=False is not supported")
    if sp.power is None:
        raise ValueError("export: frontend: power=None (complex output) is not "
                         "a feature the melspec element computes")
    return {
        "rnn.frontend": "melspec",
        "rnn.frontend.sample-rate": _num(mel.sample_rate),
        "rnn.frontend.n-fft": _num(sp.n_fft),
        "rnn.frontend.win-length": _num(sp.win_length),
        "rnn.frontend.hop-length": _num(sp.hop_length),
        "rnn.frontend.n-mels": _num(mel.n_mels),
        "rnn.frontend.f-min": _num(mel.f_min),
        "rnn.frontend.f-max": _num(mel.f_max),
        "rnn.frontend.window": _window_name(sp.window, sp.win_length),
        "rnn.frontend.power": _num(sp.power),
        "rnn.frontend.mel-scale": mel.mel_scale,
        "rnn.frontend.norm": mel.norm if mel.norm is not None else "none",
    }


def _kaldi_metadata(d):
    """rnn.frontend.* of compliance.kaldi.fbank arguments (dict)."""
    unknown = sorted(set(d) - set(_KALDI_KEYS))
    if unknown:
        raise ValueError("export: frontend: kaldi-fbank argument(s) %s not "
                         "supported (known: %s)" % (", ".join(unknown),
                                                    ", ".join(_KALDI_KEYS[1:])))
    if float(d.get("dither", 0.0)) != 0.0:
        raise ValueError("export: frontend: kaldi-fbank dither=%g: the melspec "
                         "element adds no random noise (train with dither=0)"
                         % d["dither"])
    rate = float(d.get("sample_frequency", 16000.0))
    win = int(rate * float(d.get("frame_length", 25.0)) * 0.001)
    hop = int(rate * float(d.get("frame_shift", 10.0)) * 0.001)
    if win < 2 or hop < 1:
        raise ValueError("export: frontend: kaldi-fbank frame_length %g ms / "
                         "frame_shift %g ms at %g Hz give %d / %d samples"
                         % (d.get("frame_length", 25.0), d.get("frame_shift", 10.0),
                            rate, win, hop))
    high = float(d.get("high_freq", 0.0))
    if high <= 0.0:
        high += rate / 2                     # kaldi: offset from Nyquist
    # The preset frames win-length samples and takes the FFT of the next
    # power of two itself (round_to_power_of_two): no n-fft.
    return {
        "rnn.frontend": "melspec",
        "rnn.frontend.preset": "kaldi-fbank",
        "rnn.frontend.sample-rate": _num(rate),
        "rnn.frontend.win-length": _num(win),
        "rnn.frontend.hop-length": _num(hop),
        "rnn.frontend.n-mels": _num(d.get("num_mel_bins", 23)),
        "rnn.frontend.f-min": _num(d.get("low_freq", 20.0)),
        "rnn.frontend.f-max": _num(high),
        "rnn.frontend.window": "povey",
        "rnn.frontend.power": "2" if d.get("use_power", True) else "1",
        "rnn.frontend.log": "ln" if d.get("use_log_fbank", True) else "none",
    }


def frontend_metadata(frontend, frontend_log=None, log_offset=None):
    """The `rnn.frontend.*` metadata (str -> str) for `frontend`: a torchaudio
    MelSpectrogram (+ frontend_log "ln" | "db"), MFCC (its own log: "db", or
    "ln" with log_mels=True), or a kaldi-fbank dict (its log: ln, or none
    with use_log_fbank=False)."""
    import torchaudio
    T = torchaudio.transforms
    if frontend_log not in (None, "none", "ln", "db"):
        raise ValueError("export: frontend_log must be None, 'ln' or 'db', not %r"
                         % (frontend_log,))
    log = frontend_log or "none"
    if isinstance(frontend, dict):
        if frontend.get("preset") != "kaldi-fbank":
            raise ValueError("export: frontend: a dict must say "
                             "preset='kaldi-fbank' (got %r)" % frontend.get("preset"))
        if log != "none" or log_offset is not None:
            raise ValueError("export: frontend: kaldi-fbank takes the log itself "
                             "(ln(max(x, float eps)), use_log_fbank=True); leave "
                             "frontend_log and log_offset unset")
        return _kaldi_metadata(frontend)
    if isinstance(frontend, T.MFCC):
        meta = _melspec_metadata(frontend.MelSpectrogram)
        if frontend.dct_type != 2 or frontend.norm != "ortho":
            raise ValueError("export: frontend: MFCC(dct_type=%s, norm=%r): the "
                             "melspec element computes the DCT-II with norm "
                             "'ortho' only" % (frontend.dct_type, frontend.norm))
        own = "ln" if frontend.log_mels else "db"
        if log not in ("none", own):
            raise ValueError("export: frontend: this MFCC takes the %s of the "
                             "mel bands (log_mels=%s), not frontend_log=%r"
                             % (own, frontend.log_mels, frontend_log))
        top_db = frontend.amplitude_to_DB.top_db
        if own == "db" and top_db is not None:
            print("export: note: MFCC clamps each tensor at its own maximum - "
                  "%g dB (top_db); a stream has no such maximum and melspec "
                  "does not clamp (set mfcc.amplitude_to_DB.top_db = None "
                  "for training to match exactly)" % top_db, file=sys.stderr)
        meta["rnn.frontend.log"] = own
        if own == "ln":
            if log_offset is not None and float(log_offset) != 1e-6:
                raise ValueError("export: frontend: MFCC(log_mels=True) adds "
                                 "1e-6 before ln, not log_offset=%g" % log_offset)
            meta["rnn.frontend.log-offset"] = _num(1e-6)
        meta["rnn.frontend.n-mfcc"] = _num(frontend.n_mfcc)
        return meta
    if isinstance(frontend, T.MelSpectrogram):
        meta = _melspec_metadata(frontend)
        meta["rnn.frontend.log"] = log
        if log == "ln":
            meta["rnn.frontend.log-offset"] = _num(1e-6 if log_offset is None
                                                   else log_offset)
        elif log_offset is not None:
            raise ValueError("export: frontend: log_offset applies to "
                             "frontend_log='ln' only (frontend_log=%r)" % frontend_log)
        return meta
    raise TypeError("export: frontend must be a torchaudio MelSpectrogram or MFCC "
                    "or a kaldi-fbank dict, not %s" % type(frontend).__name__)


# ---------------------------------------------------------------------------
# Feature normalisation, folded into layer 0


def _normalisation(n_in, mean, std):
    """(mean, std) as float64 tensors of n_in, or (None, None)."""
    if mean is None and std is None:
        return None, None
    mean = torch.zeros(n_in) if mean is None else torch.as_tensor(mean)
    std = torch.ones(n_in) if std is None else torch.as_tensor(std)
    for name, v in (("feature_mean", mean), ("feature_std", std)):
        if v.numel() != n_in:
            raise ValueError("export: %s has %d values, the model takes %d inputs"
                             % (name, v.numel(), n_in))
    mean, std = mean.reshape(-1).double(), std.reshape(-1).double()
    bad = [i for i in range(n_in) if not (std[i] > 0 and torch.isfinite(std[i]))]
    if bad or not torch.isfinite(mean).all():
        raise ValueError("export: feature_std must be finite and > 0 and "
                         "feature_mean finite (feature %d: std %g)"
                         % ((bad or [0])[0], std[(bad or [0])[0]]))
    return mean, std


def _folded_state(module, mean, std):
    """The module's state_dict as float32 with (x - mean) / std folded into
    layer 0 (both directions).  Without bias, zero biases are added (the
    loader takes all or none) and b_ih of layer 0 carries the mean."""
    sd = {k: v.detach().double().cpu().clone() for k, v in module.state_dict().items()}
    if mean is not None:
        D = 2 if module.bidirectional else 1
        G = {"rnn": 1, "gru": 3, "lstm": 4}[_cell_of(module)]
        if not module.bias:
            for layer in range(module.num_layers):
                for sfx in ("", "_reverse")[:D]:
                    for kind in ("ih", "hh"):
                        sd["bias_%s_l%d%s" % (kind, layer, sfx)] = \
                            torch.zeros(G * module.hidden_size, dtype=torch.float64)
        for sfx in ("", "_reverse")[:D]:
            w = sd["weight_ih_l0" + sfx] / std          # (G*H, F) / (F,)
            sd["weight_ih_l0" + sfx] = w
            sd["bias_ih_l0" + sfx] = sd["bias_ih_l0" + sfx] - w @ mean
    return {k: v.float() for k, v in sd.items()}


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
                  check_window=50,
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
