# SPDX-License-Identifier: LGPL-2.1-or-later
"""Spoken words from espeak-ng for the keyword-spotting example (numpy only).

The vocabulary, the voices (held-out ones apart), and the deterministic
synthesis and mixing both train.py and demo.py use.  espeak-ng (Debian
package `espeak-ng`) speaks at 22050 Hz; every random choice comes from a
numpy Generator seeded by the caller, so the same seed gives the same
samples on the same espeak-ng version.
"""

import subprocess

import numpy as np

ESPEAK_RATE = 22050
RATE = 16000                  # the model's input rate (melspec sample-rate)
HOP = 160                     # samples per feature frame (10 ms)
WIN = 400                     # samples per analysis window (25 ms)
WINDOW_FRAMES = 100           # frames per classified window (1 s)
HOP_FRAMES = 10               # frames between windows (100 ms)

KEYWORDS = ["yes", "no", "up", "down", "left", "right", "stop", "go"]
OTHER_WORDS = ["bed", "bird", "cat", "dog", "house", "tree", "happy", "wow",
               "seven", "marvin", "sheila", "zero", "learn", "follow", "visual",
               "forward", "dance", "water", "table", "sun"]
LABELS = ["silence", "unknown"] + KEYWORDS

# espeak-ng voices are a language plus a variant.  The test voices use
# variants (and one accent) that training never hears.
TRAIN_LANGS = ["en-us", "en", "en-gb-scotland", "en-gb-x-rp", "en-029",
               "en-gb-x-gbclan"]
TRAIN_VARIANTS = ["", "m1", "m2", "m3", "m4", "m5", "f1", "f2", "f3",
                  "klatt", "klatt2", "klatt4", "croak"]
TEST_LANGS = TRAIN_LANGS + ["en-gb-x-gbcwmd"]
TEST_VARIANTS = ["m6", "m7", "f4", "klatt3"]
SPEEDS = (120, 200)           # words per minute, uniform
PITCHES = (25, 75)            # espeak pitch 0..99, uniform


def voice_name(lang, variant):
    return lang + ("+" + variant if variant else "")


def pick_voice(rng, held_out):
    """A random (voice, speed, pitch): a training voice, or a held-out one
    (a test variant, or the accent training never hears)."""
    if held_out:
        lang = TEST_LANGS[rng.integers(len(TEST_LANGS))]
        variant = TEST_VARIANTS[rng.integers(len(TEST_VARIANTS))]
    else:
        lang = TRAIN_LANGS[rng.integers(len(TRAIN_LANGS))]
        variant = TRAIN_VARIANTS[rng.integers(len(TRAIN_VARIANTS))]
    return (voice_name(lang, variant), int(rng.integers(*SPEEDS)),
            int(rng.integers(*PITCHES)))


def _espeak(text, voice, speed, pitch, ssml=False):
    """espeak-ng's samples for text: float32 at ESPEAK_RATE in [-1, 1)."""
    r = subprocess.run(["espeak-ng"] + (["-m"] if ssml else []) +
                       ["-v", voice, "-s", str(speed), "-p", str(pitch),
                        "--stdout", text],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    # a streamed RIFF header (44 bytes, sizes unset), then s16le mono
    pcm = np.frombuffer(r.stdout[44:len(r.stdout) // 2 * 2], dtype="<i2")
    return pcm.astype(np.float32) / 32768.0


def speak(word, voice, speed, pitch):
    """The word as float32 samples at ESPEAK_RATE in [-1, 1), trimmed to
    where the speech is (espeak-ng pads with silence)."""
    return trim(_espeak(word, voice, speed, pitch), ESPEAK_RATE)


def speak_many(words, voice, speed, pitch):
    """Several words in one espeak-ng run (1 s breaks between them, split
    at the silences): the list speak() would give, in a tenth of the time.
    Falls back to one run per word when the split does not find them all."""
    text = "<speak>" + '<break time="1s"/>'.join(words) + "</speak>"
    x = _espeak(text, voice, speed, pitch, ssml=True)
    block = ESPEAK_RATE // 100
    n = len(x) // block
    loud = np.abs(x[:n * block]).reshape(n, block).max(axis=1) > 0.01
    idx = np.nonzero(loud)[0]
    clips = []
    if len(idx):
        cuts = np.nonzero(np.diff(idx) > 50)[0]          # gaps > 0.5 s
        starts = np.concatenate([[idx[0]], idx[cuts + 1]])
        ends = np.concatenate([idx[cuts], [idx[-1]]]) + 1
        clips = [x[a * block:b * block] for a, b in zip(starts, ends)]
    if len(clips) != len(words):
        return [speak(w, voice, speed, pitch) for w in words]
    return clips


def trim(x, rate, threshold=0.01):
    """x without the leading and trailing parts quieter than threshold
    (peak over 10 ms blocks)."""
    block = rate // 100
    n = len(x) // block
    if n == 0:
        return x
    peaks = np.abs(x[:n * block]).reshape(n, block).max(axis=1)
    loud = np.nonzero(peaks > threshold)[0]
    if len(loud) == 0:
        return x[:0]
    return x[loud[0] * block:(loud[-1] + 1) * block]


def noise(rng, n, level, rate=ESPEAK_RATE):
    """Background of n samples at `rate`: white, brown-ish (integrated white) or mains
    hum, at RMS `level`."""
    kind = rng.integers(3)
    if kind == 0:
        b = rng.standard_normal(n)
    elif kind == 1:
        b = np.cumsum(rng.standard_normal(n))
        b -= np.convolve(b, np.ones(64) / 64, mode="same")     # no drift
    else:
        t = np.arange(n) / rate
        f = 50.0 if rng.integers(2) else 60.0
        b = sum(np.sin(2 * np.pi * f * k * t + rng.uniform(0, 6.3)) / k
                for k in range(1, 6)) + 0.3 * rng.standard_normal(n)
    rms = np.sqrt(np.mean(b * b)) + 1e-12
    return (b * (level / rms)).astype(np.float32)


def level_db(rng, lo, hi):
    return float(10 ** (rng.uniform(lo, hi) / 20))


def sequence(seed, n_words=30, keyword_share=0.75, held_out=True):
    """A test recording at ESPEAK_RATE: words of held-out voices separated
    by 1.0-1.6 s of background.  Returns (samples float32, truth) with truth
    a list of (label, word, voice, start_s, end_s)."""
    rng = np.random.default_rng(seed)
    parts, truth = [], []
    pos = 0

    def gap(seconds):
        nonlocal pos
        parts.append(np.zeros(int(seconds * ESPEAK_RATE), np.float32))
        pos += len(parts[-1])

    gap(0.8)
    for i in range(n_words):
        if rng.uniform() < keyword_share:
            word = KEYWORDS[i % len(KEYWORDS)] if i < len(KEYWORDS) else \
                KEYWORDS[rng.integers(len(KEYWORDS))]
            label = word
        else:
            word = OTHER_WORDS[rng.integers(len(OTHER_WORDS))]
            label = "unknown"
        voice, speed, pitch = pick_voice(rng, held_out)
        x = speak(word, voice, speed, pitch) * level_db(rng, -12, 0)
        truth.append((label, word, voice, pos / ESPEAK_RATE,
                      (pos + len(x)) / ESPEAK_RATE))
        parts.append(x.astype(np.float32))
        pos += len(x)
        gap(rng.uniform(1.0, 1.6))
    y = np.concatenate(parts)
    y += noise(rng, len(y), level_db(rng, -50, -40))
    return np.clip(y, -1.0, 32767 / 32768), truth
