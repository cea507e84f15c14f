#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Train the keyword-spotting example: a small GRU on 40 log-mel bands.

    /usr/bin/python3 examples/kws/train.py [--out-dir DIR | --out FILE]

writes kws-gru.safetensors into $TMPDIR/gst-rnn/ (/tmp without TMPDIR)
unless told otherwise: --out-dir examples/models replaces the bundled model.

Deterministic (numpy and torch seeded, one process, 2 threads): the words
come from espeak-ng (words.py: 8 keywords and 20 other words, 78 training
voices = 6 English accents x 13 variants, speeds 120-200 wpm, pitches 25-75),
are resampled to 16 kHz and mixed into 1 s windows with background noise
(white, brown, mains hum) at random levels; windows of background alone are
"silence", other words "unknown", a word cut by the window edge to less than
60 % "silence"; a third of the windows also hold a fragment (10-50 %) of
another word at an edge, as a window sliding over speech does, which does
not change the label.  Features: torchaudio MelSpectrogram(16000, n_fft=400,
hop_length=160, n_mels=40, center=False) and ln(x + 1e-6), exactly what the
melspec element computes; 100 frames (1 s) per window.  Model: GRU(40, 64),
mean of its outputs over the window, Linear(64, 10), softmax; Adam, batches
of 128, 10 epochs, cosine learning rate.  The
per-feature mean/std is folded into the GRU's first layer by the exporter,
which also writes the front end as rnn.frontend.* metadata and checks the
file through the rnn element (frame by frame and as n-to-1 windows against
this script's forward).  Reports the window accuracy on held-out voices
(variants m6 m7 f4 klatt3 and the West Midlands accent, never trained on).

Measured on the 2-core Xeon this project runs on, shared with other jobs:
5 min 14 s wall (5 min 21 s CPU) for the committed model, 6 min 43 s on
a busier run; held-out window accuracy 0.860.

Needs python3-torch, python3-torchaudio, espeak-ng (.ci/deps.sh fixtures)
and, for the check, the rnn element (GST_PLUGIN_PATH=build/plugin or
--plugin-path; --no-check skips it).
"""

import argparse
import os
import sys
import tempfile
import time

# OpenBLAS's own threads fight torch's on 2 cores (FACTS.md): torch's only
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import torch
import torchaudio
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import words as W  # noqa: E402
import features  # noqa: E402
from export import export, pooled_forward  # noqa: E402

SEGMENT = W.WIN + (W.WINDOW_FRAMES - 1) * W.HOP     # samples per window: 16240
HIDDEN = 64


def mel_transform():
    return torchaudio.transforms.MelSpectrogram(
        sample_rate=W.RATE, n_fft=W.WIN, win_length=W.WIN, hop_length=W.HOP,
        n_mels=features.N_MELS, center=False)


def synthesise(rng, n_voices, n_other, held_out):
    """[(label index, samples at 16 kHz)]: every keyword and n_other other
    words, each in n_voices random (voice, speed, pitch) settings."""
    resample = torchaudio.transforms.Resample(W.ESPEAK_RATE, W.RATE)
    clips = []
    t0 = time.time()
    for v in range(n_voices):
        if v % 25 == 0:
            print("synthesising %s clips: voice %d of %d (%.0f s)"
                  % ("held-out" if held_out else "training", v + 1, n_voices,
                     time.time() - t0), flush=True)
        voice, speed, pitch = W.pick_voice(rng, held_out)
        others = [W.OTHER_WORDS[i] for i in
                  rng.choice(len(W.OTHER_WORDS), n_other, replace=False)]
        words = W.KEYWORDS + others
        for word, x in zip(words, W.speak_many(words, voice, speed, pitch)):
            label = W.LABELS.index(word if word in W.KEYWORDS else "unknown")
            with torch.no_grad():
                clips.append((label, resample(torch.from_numpy(x)).numpy()))
    return clips


def windows(rng, clips, per_clip, n_silence):
    """(N, SEGMENT) float32 windows and (N,) labels."""
    xs, ys = [], []
    silence = W.LABELS.index("silence")
    for label, clip in clips:
        clip = clip[:SEGMENT]
        for _ in range(per_clip):
            seg = np.zeros(SEGMENT, np.float32)
            y = label
            c = clip * W.level_db(rng, -20, 0)
            if rng.uniform() < 0.75:                   # whole word inside
                at = rng.integers(0, SEGMENT - len(c) + 1)
                seg[at:at + len(c)] = c
            else:                                      # cut by an edge
                keep = int(len(c) * rng.uniform(0.2, 0.95))
                if rng.integers(2):
                    seg[:keep] = c[len(c) - keep:]
                else:
                    seg[SEGMENT - keep:] = c[:keep]
                if keep < 0.6 * len(c):
                    y = silence
            if rng.uniform() < 0.35:
                # a neighbour word cut by the other edge, as a 1 s window
                # sliding over speech sees it: it does not change the label
                other = clips[rng.integers(len(clips))][1][:SEGMENT]
                keep = int(len(other) * rng.uniform(0.1, 0.5))
                frag = other[:keep] if rng.integers(2) else other[len(other) - keep:]
                frag = frag * W.level_db(rng, -20, 0)
                if rng.integers(2):
                    seg[:keep] += frag
                else:
                    seg[SEGMENT - keep:] += frag
            seg += W.noise(rng, SEGMENT, W.level_db(rng, -65, -30), W.RATE)
            xs.append(seg)
            ys.append(y)
    for _ in range(n_silence):
        xs.append(W.noise(rng, SEGMENT, W.level_db(rng, -75, -20), W.RATE))
        ys.append(silence)
    return np.stack(xs), np.array(ys, dtype=np.int64)


def featurise(x):
    """(N, SEGMENT) -> (N, 100, 40) log-mel."""
    with torch.no_grad():
        m = mel_transform()(torch.from_numpy(x))           # (N, 40, 100)
        return torch.log(m + features.LOG_OFFSET).transpose(1, 2).contiguous()


class Kws(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(features.N_MELS, HIDDEN, batch_first=True)
        self.fc = nn.Linear(HIDDEN, len(W.LABELS))

    def forward(self, x):                                   # (N, T, F) -> logits
        y, _ = self.gru(x)
        return self.fc(y.mean(dim=1))


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        p = torch.cat([model(x[i:i + 512]).argmax(1) for i in range(0, len(x), 512)])
    model.train()
    return float((p == y).float().mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--out-dir", default=os.path.join(tempfile.gettempdir(), "gst-rnn"),
                    help="directory of kws-gru.safetensors (default %(default)s; "
                         "examples/models replaces the bundled model)")
    ap.add_argument("--out", help="the model file (default OUT_DIR/kws-gru.safetensors)")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--voices", type=int, default=150,
                    help="(voice, speed, pitch) settings each speaking every keyword "
                         "and 4 other words")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--plugin-path")
    ap.add_argument("--no-check", action="store_true")
    args = ap.parse_args()
    if not args.out:
        args.out = os.path.join(args.out_dir, "kws-gru.safetensors")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    t0 = time.time()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)

    train_clips = synthesise(rng, args.voices, 4, False)
    test_clips = synthesise(rng, 25, 4, True)
    print("synthesised %d training and %d held-out clips (%.0f s)"
          % (len(train_clips), len(test_clips), time.time() - t0))
    xa, ya = windows(rng, train_clips, 3, len(train_clips) // 3)
    xt, yt = windows(rng, test_clips, 2, len(test_clips) // 3)
    fa, ft = featurise(xa), featurise(xt)
    # features.py (numpy, for the demo without melspec) is the same numbers
    err = float(np.abs(features.log_mel(xa[0]) - fa[0].numpy()).max())
    assert err < 1e-3, "features.py differs from torchaudio by %g" % err
    mean, std = fa.mean(dim=(0, 1)), fa.std(dim=(0, 1))
    na, nt = (fa - mean) / std, (ft - mean) / std
    ya_t, yt_t = torch.from_numpy(ya), torch.from_numpy(yt)
    print("%d training windows, %d held-out windows, classes %s (%.0f s)"
          % (len(ya), len(yt), np.bincount(ya, minlength=len(W.LABELS)).tolist(),
             time.time() - t0))

    model = Kws()
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.epochs)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(1)
    for epoch in range(args.epochs):
        order = torch.randperm(len(ya_t), generator=g)
        total = 0.0
        for i in range(0, len(order), 128):
            idx = order[i:i + 128]
            loss = loss_fn(model(na[idx]), ya_t[idx])
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            total += float(loss) * len(idx)
        sched.step()
        print("epoch %2d of %d: loss %.3f, held-out window accuracy %.3f (%.0f s)"
              % (epoch + 1, args.epochs, total / len(ya_t), accuracy(model, nt, yt_t),
                 time.time() - t0), flush=True)
    train_time = time.time() - t0
    acc = accuracy(model, nt, yt_t)
    print("trained in %.0f s on %d threads; held-out window accuracy %.3f"
          % (train_time, args.threads, acc))

    model.eval()
    # check_forward gets each window in the module's layout, (N, T, F) for
    # this batch_first GRU; pooled_forward takes the same
    forward = pooled_forward(model.gru, model.fc, "softmax", "mean")
    export(model.gru, args.out, head=model.fc, head_activation="softmax",
           labels=W.LABELS, pooling="mean", frontend=mel_transform(),
           frontend_log="ln", log_offset=features.LOG_OFFSET,
           feature_mean=mean, feature_std=std, check=not args.no_check,
           check_forward=lambda x: forward(x), check_window=W.WINDOW_FRAMES,
           plugin_path=args.plugin_path,
           metadata={"description": "keyword spotting on 40 log-mel bands "
                     "(examples/kws/train.py): %s; 1 s windows, hop 100 ms; "
                     "held-out voice window accuracy %.3f"
                     % (" ".join(W.KEYWORDS), acc)})
    print("wrote %s" % os.path.abspath(args.out))
    print("total %.0f s" % (time.time() - t0))


if __name__ == "__main__":
    main()
