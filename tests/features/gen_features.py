#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Generate the torchaudio 0.13 reference features for the `melspec` element.

Run from the repository root (needs torchaudio, Debian's python3-torchaudio;
`/usr/bin/python3`, the system interpreter that has it):

    /usr/bin/python3 tests/features/gen_features.py          # rewrite fixtures/
    /usr/bin/python3 tests/features/gen_features.py --list   # list the cases

Each case writes fixtures/NAME.safetensors with
  - `input`    (B, N) float32: the waveform the element is fed, one row per
               stream; for format S16LE the integer sample values (exact in
               float32), and torchaudio is given input / 32768 as
               torchaudio.load() would;
  - `expected` (T, B, F) float32: torchaudio's features, frame-major and
               stream-major, the layout of the element's output buffers;
and metadata: `rate`, `format` (F32LE|S16LE), `compare` (`abs`: max
absolute error, for log features; `rel`: relative error, for linear
power), `reference` (the torchaudio call, for humans), and `prop.NAME` =
the `melspec` property values that must reproduce it (gst-launch syntax);
the kaldi_default_* cases (`preset=kaldi-fbank` alone) add `hop` (the
frame shift in samples) and `f32_error` (how far torchaudio's float32 run
is from the float64 one used as the reference, see kaldi_defaults()).

What the element cannot do and the reference therefore leaves out:
  - AmplitudeToDB's `top_db` clamps against the maximum of the *whole*
    spectrogram, which a stream never has: the dB references use
    top_db=None (MFCC's default top_db=80 is switched off with
    `mfcc.amplitude_to_DB.top_db = None`).
  - `center=True` pads with samples from the future (reflect): the element
    implements torchaudio's `center=False` framing only.
The output is deterministic (fixed seeds, one thread): rerunning gives
byte-identical files.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import math
import sys

import numpy as np
import torch
import torchaudio

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "conformance"))
from safetensors_io import load_file, save_file  # noqa: E402

OUT = os.path.join(HERE, "fixtures")
torch.set_num_threads(1)


def waveform(rate, seconds, B, seed):
    """Broadband test signal: a chirp, two tones and white noise per stream,
    so that every mel band has energy (relative errors stay meaningful)."""
    g = torch.Generator().manual_seed(seed)
    n = int(rate * seconds)
    t = torch.arange(n, dtype=torch.float64) / rate
    rows = []
    for b in range(B):
        f0, f1 = 100.0 + 50 * b, 0.45 * rate
        chirp = torch.sin(2 * math.pi * (f0 * t + (f1 - f0) * t * t / (2 * seconds)))
        tones = 0.3 * torch.sin(2 * math.pi * (440.0 * (b + 1)) * t) \
            + 0.2 * torch.sin(2 * math.pi * (0.3 * rate) * t + b)
        noise = 0.2 * torch.randn(n, generator=g, dtype=torch.float64)
        rows.append(0.3 * chirp + 0.3 * tones + noise)
    return (0.5 * torch.stack(rows)).clamp(-0.99, 0.99)


def povey(n, **_):
    return torch.hann_window(n, periodic=False).pow(0.85)


WINDOWS = {"hann": torch.hann_window, "hamming": torch.hamming_window,
           "povey": povey}


def mel_transform(rate, p):
    return torchaudio.transforms.MelSpectrogram(
        sample_rate=rate, n_fft=p["n-fft"], win_length=p.get("win-length"),
        hop_length=p["hop-length"], f_min=p.get("f-min", 0.0),
        f_max=p.get("f-max"), n_mels=p["n-mels"],
        window_fn=WINDOWS[p.get("window", "hann")], power=p.get("power", 2.0),
        center=False, norm=None if p.get("norm", "none") == "none" else p["norm"],
        mel_scale=p.get("mel-scale", "htk"))


def melspec(x, rate, p):
    """MelSpectrogram(center=False) + the element's log."""
    m = mel_transform(rate, p)(x)                       # (B, n_mels, T)
    log = p.get("log", "none")
    if log == "ln":
        m = torch.log(m + p.get("log-offset", 1e-6))
    elif log == "db":
        m = torchaudio.transforms.AmplitudeToDB("power", top_db=None)(m)
    ref = "MelSpectrogram(center=False) log=%s" % log
    return m.permute(2, 0, 1), ref


def mfcc(x, rate, p):
    log_mels = p["log"] == "ln"
    melkwargs = dict(n_fft=p["n-fft"], win_length=p.get("win-length"),
                     hop_length=p["hop-length"], f_min=p.get("f-min", 0.0),
                     f_max=p.get("f-max"), n_mels=p["n-mels"],
                     window_fn=WINDOWS[p.get("window", "hann")],
                     power=p.get("power", 2.0), center=False,
                     norm=None if p.get("norm", "none") == "none" else p["norm"],
                     mel_scale=p.get("mel-scale", "htk"))
    t = torchaudio.transforms.MFCC(sample_rate=rate, n_mfcc=p["n-mfcc"],
                                   log_mels=log_mels, melkwargs=melkwargs)
    # streamable dB (see the module doc)
    t.amplitude_to_DB.top_db = None
    ref = "MFCC(log_mels=%s, top_db=None, melkwargs=dict(center=False))" % log_mels
    return t(x).permute(2, 0, 1), ref


def kaldi(x, rate, p):
    win, hop = p["win-length"], p["hop-length"]
    frame_length, frame_shift = 1000.0 * win / rate, 1000.0 * hop / rate
    # torchaudio turns milliseconds back into samples with int(): check
    assert int(rate * frame_length * 0.001) == win, (rate, frame_length)
    assert int(rate * frame_shift * 0.001) == hop, (rate, frame_shift)
    rows = []
    for b in range(x.shape[0]):
        rows.append(torchaudio.compliance.kaldi.fbank(
            x[b:b + 1], dither=0.0, sample_frequency=float(rate),
            frame_length=frame_length, frame_shift=frame_shift,
            num_mel_bins=p["n-mels"], low_freq=p.get("f-min", 0.0),
            high_freq=p.get("f-max", 0.0), use_power=p.get("power", 2.0) == 2.0,
            use_log_fbank=p.get("log", "none") != "none"))
    ref = ("compliance.kaldi.fbank(dither=0.0, frame_length=%g, "
           "frame_shift=%g)" % (frame_length, frame_shift))
    return torch.stack(rows, dim=1), ref


def kaldi_defaults(x, rate, p):
    """compliance.kaldi.fbank(dither=0) with every other argument at its
    default, against `melspec preset=kaldi-fbank` alone.  The reference is
    torchaudio run in float64 on the same (float32) samples: its float32 run
    is off by itself where a band lies ~100 dB below the frame's strongest
    (a pure tone's or a chirp's leakage bands: 4e-4 and 1e-2 in ln, its own
    FFT's rounding); both runs' difference is kept as `f32_error`."""
    rows32, rows64 = [], []
    for b in range(x.shape[0]):
        kw = dict(dither=0.0, sample_frequency=float(rate))
        rows32.append(torchaudio.compliance.kaldi.fbank(x[b:b + 1], **kw))
        rows64.append(torchaudio.compliance.kaldi.fbank(
            x[b:b + 1].double(), **kw))
    f32, f64 = torch.stack(rows32, dim=1), torch.stack(rows64, dim=1)
    extra = {"f32_error": "%.3g" % (f32.double() - f64).abs().max().item(),
             "hop": str(int(rate * 10.0 * 0.001))}
    ref = "compliance.kaldi.fbank(dither=0.0) in float64"
    return f64, ref, extra


def signal(kind, rate, seconds, seed):
    """The kaldi-fbank default cases' inputs: ordinary signals, not the
    broadband mixture of waveform()."""
    g = torch.Generator().manual_seed(seed)
    n = int(rate * seconds)
    t = torch.arange(n, dtype=torch.float64) / rate
    if kind == "tone":
        x = 0.5 * torch.sin(2 * math.pi * 440.0 * t)
    elif kind == "chirp":
        f0, f1 = 100.0, 0.45 * rate
        x = 0.5 * torch.sin(2 * math.pi * (f0 * t + (f1 - f0) * t * t / (2 * seconds)))
    elif kind == "noise":
        x = 0.1 * torch.randn(n, generator=g, dtype=torch.float64)
    elif kind == "speech":
        # a voiced source (f0 gliding 110-150 Hz, harmonics falling 12 dB
        # per octave) through three formants, in 4 Hz syllables, over a
        # -60 dB noise floor
        f0 = 130.0 + 20.0 * torch.sin(2 * math.pi * 1.5 * t)
        phase = 2 * math.pi * torch.cumsum(f0, 0) / rate
        x = torch.zeros(n, dtype=torch.float64)
        for k in range(1, int(0.45 * rate / 150)):
            fk = k * 130.0
            env = sum(a * math.exp(-((fk - fc) / bw) ** 2) for fc, bw, a in
                      ((500.0, 150.0, 1.0), (1500.0, 200.0, 0.5),
                       (2500.0, 250.0, 0.25)))
            x += (env + 0.01) / k * torch.sin(k * phase)
        syll = 0.5 - 0.5 * torch.cos(2 * math.pi * 4.0 * t)
        x = 0.3 * x / x.abs().max() * syll
        x += 1e-3 * torch.randn(n, generator=g, dtype=torch.float64)
    elif kind == "near_silence":
        x = 1e-4 * torch.randn(n, generator=g, dtype=torch.float64)
    elif kind == "silence":
        x = torch.zeros(n, dtype=torch.float64)
    else:
        raise ValueError(kind)
    return x.clamp(-0.99, 0.99).unsqueeze(0)


# name, rate, format, B, seconds, function, melspec properties
CASES = [
    ("mel_16k_hann_htk_pow2", 16000, "F32LE", 1, 0.3, melspec,
     {"n-fft": 400, "hop-length": 160, "n-mels": 40}),
    ("mel_16k_ln_b2_s16", 16000, "S16LE", 2, 0.3, melspec,
     {"n-fft": 400, "hop-length": 160, "n-mels": 40, "log": "ln"}),
    ("mel_16k_db", 16000, "F32LE", 1, 0.3, melspec,
     {"n-fft": 512, "win-length": 400, "hop-length": 160, "n-mels": 64,
      "log": "db"}),
    ("mel_8k_hamming_slaney_pow1", 8000, "F32LE", 2, 0.4, melspec,
     {"n-fft": 256, "win-length": 200, "hop-length": 80, "n-mels": 32,
      "f-min": 50.0, "f-max": 3800.0, "window": "hamming",
      "mel-scale": "slaney", "norm": "slaney", "power": 1.0, "log": "ln"}),
    ("mel_8k_hop_gt_fft", 8000, "S16LE", 1, 0.4, melspec,
     {"n-fft": 64, "hop-length": 100, "n-mels": 8, "log": "db"}),
    ("mel_22k_povey_slaney_norm", 22050, "F32LE", 2, 0.25, melspec,
     {"n-fft": 512, "win-length": 441, "hop-length": 245, "n-mels": 64,
      "window": "povey", "norm": "slaney", "log": "db"}),
    ("mel_44k_slaney_lin", 44100, "S16LE", 1, 0.2, melspec,
     {"n-fft": 1024, "hop-length": 441, "n-mels": 80, "mel-scale": "slaney"}),
    ("mfcc_16k_db", 16000, "F32LE", 1, 0.3, mfcc,
     {"n-fft": 400, "hop-length": 160, "n-mels": 40, "n-mfcc": 13,
      "log": "db"}),
    ("mfcc_16k_ln_b2_s16", 16000, "S16LE", 2, 0.3, mfcc,
     {"n-fft": 400, "hop-length": 160, "n-mels": 40, "n-mfcc": 20,
      "log": "ln"}),
    ("mfcc_8k_hamming_slaney", 8000, "F32LE", 1, 0.4, mfcc,
     {"n-fft": 200, "hop-length": 100, "n-mels": 23, "n-mfcc": 23,
      "window": "hamming", "mel-scale": "slaney", "norm": "slaney",
      "power": 1.0, "log": "db"}),
    ("kaldi_16k", 16000, "F32LE", 1, 0.3, kaldi,
     {"preset": "kaldi-fbank", "n-fft": 400, "hop-length": 160,
      "win-length": 400, "n-mels": 40, "f-min": 20.0, "log": "ln"}),
    ("kaldi_8k_pow1_b2_s16", 8000, "S16LE", 2, 0.4, kaldi,
     {"preset": "kaldi-fbank", "n-fft": 256, "win-length": 256,
      "hop-length": 80, "n-mels": 23, "f-min": 64.0, "f-max": 3800.0,
      "power": 1.0, "log": "ln"}),
    ("kaldi_44k_lin", 44100, "F32LE", 1, 0.2, kaldi,
     {"preset": "kaldi-fbank", "n-fft": 882, "win-length": 882,
      "hop-length": 441, "n-mels": 80, "f-min": 20.0, "log": "none"}),
]
# preset=kaldi-fbank and nothing else, against fbank's defaults (23 bands
# from 20 Hz, log, 25 ms frames every 10 ms at the input rate)
CASES += [("kaldi_default_16k_" + kind, 16000, fmt, 1, 0.5, kaldi_defaults,
           {"preset": "kaldi-fbank"})
          for kind, fmt in (("tone", "F32LE"), ("chirp", "F32LE"),
                            ("noise", "F32LE"), ("speech", "F32LE"),
                            ("speech_s16", "S16LE"),
                            ("near_silence", "F32LE"),
                            ("silence", "F32LE"))]
CASES += [("kaldi_default_8k_speech", 8000, "F32LE", 1, 0.5, kaldi_defaults,
           {"preset": "kaldi-fbank"})]


def gst_value(v):
    return repr(float(v)) if isinstance(v, float) else str(v)


def make(case):
    name, rate, fmt, B, seconds, fn, p = case
    seed = len(name) * 1000 + rate
    if fn is kaldi_defaults:
        kind = name.split("_", 3)[3].replace("_s16", "")
        x = signal(kind, rate, seconds, seed)
    else:
        x = waveform(rate, seconds, B, seed=seed)
    if fmt == "S16LE":
        ints = torch.round(x * 32768).clamp(-32768, 32767)
        stored, x = ints, (ints / 32768.0).float()
    else:
        x = x.float()
        stored = x
    feats, ref, *extra = fn(x, rate, p)
    feats = feats.contiguous().float()
    assert feats.shape[1] == B and torch.isfinite(feats).all(), name
    log = p.get("log", "ln" if fn is kaldi_defaults else "none")
    compare = "abs" if log != "none" else "rel"
    meta = {"rate": str(rate), "format": fmt, "compare": compare,
            "reference": "torchaudio %s %s" % (torchaudio.__version__, ref)}
    if extra:
        meta.update(extra[0])
    for k, v in p.items():
        meta["prop." + k] = gst_value(v)
    path = os.path.join(OUT, name + ".safetensors")
    save_file(path, {"input": stored.float().contiguous(), "expected": feats},
              metadata=meta)
    t, m = load_file(path)
    assert np.array_equal(t["expected"], feats.numpy()) and m == meta
    print("%-28s %s B=%d N=%d -> T=%d F=%d (%s)%s" % (
        name, fmt, B, stored.shape[1], feats.shape[0], feats.shape[2], ref,
        " float32 run off by %s" % meta["f32_error"] if extra else ""))


def main():
    if "--list" in sys.argv:
        for c in CASES:
            print(c[0])
        return
    os.makedirs(OUT, exist_ok=True)
    for c in CASES:
        make(c)


if __name__ == "__main__":
    main()
