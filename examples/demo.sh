#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# gst-rnn's main job in one command: install what is missing, build, and run
# the live demo (a GRU names the waveform audiotestsrc is playing, as it
# plays, then prints its accuracy against the truth).
#
#   examples/demo.sh [demo.py options, e.g. --seconds-per-wave 1 --rounds 2]
#
# Installs missing Debian 12 packages with .ci/deps.sh (sudo when not root),
# configures and compiles ./build with meson when needed, and runs
# examples/demo.py with GStreamer pointed at build/plugin.  Set
# GST_RNN_BUILD_DIR to use another build directory than ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
B="${GST_RNN_BUILD_DIR:-build}"

.ci/deps.sh demo

# The build's progress from ninja's "[n/N] ..." lines, one line about
# every tenth of the steps (a first build takes 30 s to 2 min); the whole
# log only when it fails.
build() {
  local log
  log=$(mktemp)
  if ! meson compile -C "$B" 2>&1 | tee "$log" | awk '
      /^\[[0-9]+\/[0-9]+\]/ {
        split(substr($1, 2), a, "/"); n = a[1] + 0; t = a[2] + 0
        if (n == t || n - last >= t / 10) {
          printf "  build: %d of %d steps\n", n, t; fflush(); last = n
        }
      }' >&2; then
    cat "$log" >&2
    rm -f "$log"
    echo "demo.sh: the build failed" >&2
    exit 1
  fi
  rm -f "$log"
}
if [ ! -f "$B/build.ninja" ]; then
  echo "Configuring $B/ ..." >&2
  meson setup "$B" >/dev/null
fi
echo "Building $B/ ..." >&2
build
if [ ! -f "$B/plugin/libgstrnn.so" ]; then   # configured before plugin/ existed
  meson setup --reconfigure "$B" >/dev/null
  build
fi

export GST_PLUGIN_PATH="$(cd "$B" && pwd)/plugin${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
exec /usr/bin/python3 examples/demo.py "$@"
