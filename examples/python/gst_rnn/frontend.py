# SPDX-License-Identifier: LGPL-2.1-or-later
"""The audio front end a model was trained on, as `rnn.frontend.*` metadata:
a torchaudio MelSpectrogram or MFCC (center=False), or kaldi fbank
arguments, turned into the `melspec` element's properties, named and
written as gst-launch-1.0 takes them, so that `melspec model=FILE`
computes the same features.  Used by gst_rnn.exporter.export(frontend=);
pure functions (any thread), ValueError/TypeError naming the argument.
"""

import sys

import numpy as np
import torch

__all__ = ["frontend_metadata"]


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
