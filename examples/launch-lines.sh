#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# gst-launch-1.0 lines for every mode of the rnn element, with the small
# models of examples/models/ and audiotestsrc as the input.
#
#   examples/launch-lines.sh n-to-n|n-to-1|1-to-n|n-to-m|all [OUTDIR]
#
# Runs from the repository root (the model paths are relative to it) and
# prints each command before running it.  Files are written to OUTDIR
# (default: ${TMPDIR:-/tmp}/gst-rnn-examples).  WAVE=sine|square|saw|
# triangle|white-noise chooses what audiotestsrc plays in n-to-n and n-to-1
# (default square).  The element must be findable: installed, or
# GST_PLUGIN_PATH=build/plugin, or inside `meson devenv -C build`; failing
# these the script uses build/plugin of this checkout.
#
# Each line is run and checked by the tests (suite examples,
# examples/check_launch_lines.py).
#
# n-to-n   waveform-gru (examples/train_default.py): 5 class probabilities
#          (sine, square, saw, triangle, white-noise) for every sample of
#          8 kHz audio; the output is 5-channel F32 audio at 8 kHz.
# n-to-1   the same model, one result per 400-sample window (50 ms), the
#          audio passing through: `-m` prints each result as an `rnn`
#          element message (label, confidence, scores, times).
# 1-to-n   pluck-gru (examples/train_small.py): every control frame (10 per
#          second, a saw ramp) generates 64 frames of a decaying tone whose
#          pitch it sets; the output runs at 10 x 64 = 640 frames/s.
# n-to-m   sine-forecast-gru (examples/train_small.py): a 3 Hz sine sampled
#          at 100 Hz; every 25 frames the encoder reads the last 50 and the
#          decoder forecasts the next 25 (0.25 s ahead, tiling the time line).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-all}
OUT=${2:-${TMPDIR:-/tmp}/gst-rnn-examples}
WAVE=${WAVE:-square}
mkdir -p "$OUT"

if ! gst-inspect-1.0 rnn >/dev/null 2>&1 && [ -f build/plugin/libgstrnn.so ]; then
  export GST_PLUGIN_PATH="$PWD/build/plugin${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
fi

run() {
  printf '+ %s\n' "$*" >&2
  "$@"
}

n_to_n() {
  run gst-launch-1.0 audiotestsrc wave=$WAVE num-buffers=4 ! \
    audio/x-raw,format=F32LE,rate=8000,channels=1 ! \
    rnn model=examples/models/waveform-gru.safetensors ! \
    filesink location=$OUT/probabilities.f32
}

n_to_1() {
  run gst-launch-1.0 -m audiotestsrc is-live=true wave=$WAVE \
      samplesperbuffer=800 num-buffers=10 ! \
    audio/x-raw,format=F32LE,rate=8000,channels=1 ! \
    rnn mode=n-to-1 window=400 model=examples/models/waveform-gru.safetensors ! \
    fakesink
}

one_to_n() {
  run gst-launch-1.0 audiotestsrc wave=saw freq=0.5 samplesperbuffer=10 num-buffers=2 ! \
    audio/x-raw,format=F32LE,rate=10,channels=1 ! \
    rnn mode=1-to-n steps=64 model=examples/models/pluck-gru.safetensors ! \
    filesink location=$OUT/plucks.f32
}

n_to_m() {
  run gst-launch-1.0 audiotestsrc wave=sine freq=3 samplesperbuffer=25 num-buffers=20 ! \
    audio/x-raw,format=F32LE,rate=100,channels=1 ! \
    rnn mode=n-to-m window=50 hop=25 steps=25 \
      model=examples/models/sine-forecast-gru.safetensors ! \
    filesink location=$OUT/forecast.f32
}

case "$mode" in
  n-to-n) n_to_n ;;
  n-to-1) n_to_1 ;;
  1-to-n) one_to_n ;;
  n-to-m) n_to_m ;;
  all) n_to_n; n_to_1; one_to_n; n_to_m ;;
  *) echo "usage: $0 n-to-n|n-to-1|1-to-n|n-to-m|all [OUTDIR]" >&2; exit 2 ;;
esac
echo "launch-lines: outputs in $OUT" >&2
