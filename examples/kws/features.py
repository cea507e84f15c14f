# SPDX-License-Identifier: LGPL-2.1-or-later
"""The keyword model's features in numpy: what torchaudio's
MelSpectrogram(16000, n_fft=400, hop_length=160, n_mels=40, center=False)
followed by ln(x + 1e-6) computes (and what `melspec` computes from the
model's rnn.frontend.* metadata).  For demo.py where the melspec element is
missing; train.py checks it against torchaudio."""

import numpy as np

from words import HOP, RATE, WIN

N_MELS = 40
LOG_OFFSET = 1e-6


def _hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + f / 700.0)            # htk


def mel_filterbank(n_freqs=WIN // 2 + 1, f_min=0.0, f_max=RATE / 2,
                   n_mels=N_MELS, rate=RATE):
    """(n_freqs, n_mels) triangles, htk scale, no norm (torchaudio's
    melscale_fbanks)."""
    all_freqs = np.linspace(0, rate // 2, n_freqs)
    m_pts = np.linspace(_hz_to_mel(f_min), _hz_to_mel(f_max), n_mels + 2)
    f_pts = 700.0 * (10 ** (m_pts / 2595.0) - 1.0)
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts[None, :] - all_freqs[:, None]
    down = -slopes[:, :-2] / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    return np.maximum(0.0, np.minimum(down, up))


def log_mel(x):
    """x: float samples at 16 kHz -> (frames, 40) float32, frame i from
    samples [i*160, i*160 + 400)."""
    n = 0 if len(x) < WIN else 1 + (len(x) - WIN) // HOP
    idx = np.arange(WIN)[None, :] + HOP * np.arange(n)[:, None]
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(WIN) / WIN)  # periodic hann
    spec = np.abs(np.fft.rfft(x.astype(np.float64)[idx] * window, n=WIN)) ** 2
    return np.log(spec @ mel_filterbank() + LOG_OFFSET).astype(np.float32)
