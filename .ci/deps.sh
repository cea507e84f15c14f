#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install the Debian 12 packages gst-rnn needs, only those that are missing.
# Usage: .ci/deps.sh [build|demo|tests|bench|fixtures]...   (build is implied)
set -euo pipefail

pkgs=(meson ninja-build pkg-config gcc libc6-dev
      libglib2.0-dev libjson-glib-dev libopenblas-dev check
      libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
      gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
      python3 python3-gi python3-gst-1.0 gir1.2-gstreamer-1.0 valgrind
      libprotobuf-c-dev protobuf-c-compiler libonnx-dev)   # ONNX reader (core/loader/onnx.c)
for what in "$@"; do
  case "$what" in
    build) ;;
    demo) pkgs+=(espeak-ng python3-numpy) ;;   # examples/kws/demo.py
    tests) pkgs+=(python3-torch python3-numpy python3-matplotlib)   # exporter, plot tests
           pkgs+=(ffmpeg gstreamer1.0-x)   # reading subtitle tracks back; textoverlay
           pkgs+=(python3-torchaudio espeak-ng)   # exporter front end; keyword-spotting demo
           pkgs+=(locales) ;;   # test-rnntext-locale compiles de_DE.UTF-8 with localedef
    bench) pkgs+=(python3-torch libdnnl-dev g++ hyperfine) ;;
    fixtures) pkgs+=(python3-torch python3-numpy python3-torchaudio)
              pkgs+=(espeak-ng) ;;   # examples/kws/train.py
    *) echo "deps.sh: unknown group '$what'" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
((${#missing[@]})) || exit 0

echo "Installing missing Debian packages: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
