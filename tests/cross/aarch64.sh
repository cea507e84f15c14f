#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The core and its conformance suite cross-built for aarch64 (Debian 12
# multiarch, gcc-aarch64-linux-gnu) and run under qemu-aarch64 (user mode):
#  1. installs what is missing (arm64 architecture, cross compiler, qemu,
#     the arm64 -dev packages of GLib, json-glib, check and GStreamer's
#     core), as root or with sudo;
#  2. configures build-aarch64 with tests/cross/aarch64-linux-gnu.ini and
#     builds the core, its tests and the element (a link check: the
#     element's tests and the examples need an arm64 GStreamer runtime and
#     are left out of a cross build);
#  3. prints how many NEON fused multiply-adds (fmla) each kernel set's
#     object holds, and fails if a set has none;
#  4. runs `meson test --suite core --suite conformance` under qemu: every
#     PyTorch fixture within 1e-5 under each kernel set (c, neon).
# Idempotent: a second run installs nothing and rebuilds only what changed.
# Extra arguments go to `meson test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
t0=$SECONDS
build=build-aarch64
cross=tests/cross/aarch64-linux-gnu.ini

echo "== aarch64: packages"
pkgs=(gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-user
      libc6-dev:arm64 libglib2.0-dev:arm64 libjson-glib-dev:arm64 check:arm64
      libgstreamer1.0-dev:arm64 meson ninja-build pkg-config)
# (libgstreamer-plugins-base1.0-dev is not Multi-Arch: same in Debian 12:
# its arm64 package would remove the amd64 one.  The element needs only
# gstreamer-1.0 and gstreamer-base-1.0, both in libgstreamer1.0-dev.)
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
update=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
  update=1
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  update=1
fi
if ((update)); then
  $SUDO apt-get update -q >/dev/null
fi
if ((${#missing[@]})); then
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "packages ready after $((SECONDS - t0)) s"

echo "== aarch64: build ($build)"
if [ -f "$build/build.ninja" ]; then
  meson setup --reconfigure "$build" --cross-file "$cross" -Dplugin=true >/dev/null
else
  meson setup "$build" --cross-file "$cross" -Dplugin=true >/dev/null
fi
meson compile -C "$build" >/dev/null
# the element, linked with no undefined symbol (-Wl,--no-undefined)
aarch64-linux-gnu-readelf -h "$build/plugin/libgstrnn.so" | grep -q AArch64 \
  || { echo "aarch64: the element was not built for aarch64" >&2; exit 1; }
echo "built (core, tests, element libgstrnn.so) after $((SECONDS - t0)) s"

echo "== aarch64: NEON fused multiply-adds in the kernel objects"
# every fmla of each kernel set's object, those on 4 floats (.4s; the rest
# are .2s loop epilogues), how many of those take the multiplier from a
# lane, and how many are in the product k_gemm (the register-blocked
# tiles); a set without any is not vectorised
status=0
for ks in c neon; do
  obj=$(find "$build/core" -name "*set_$ks.c.o" | head -n1)
  if [ -z "$obj" ]; then
    echo "kernels $ks: object not found"; status=1; continue
  fi
  dis=$(aarch64-linux-gnu-objdump -d --no-show-raw-insn "$obj")
  all=$(grep -Ec $'\tfmla\t' <<<"$dis" || true)
  n=$(grep -Ec $'\tfmla\tv[0-9]+\\.4s' <<<"$dis" || true)
  lane=$(grep -Ec $'\tfmla\tv[0-9]+\\.4s.*\\.s\\[' <<<"$dis" || true)
  gemm=$(awk '/<k_gemm>:/{f=1;next} /^$/{f=0} f' <<<"$dis" | grep -Ec $'\tfmla\tv[0-9]+\\.4s' || true)
  echo "kernels $ks: $all fmla, $n on 4 floats (.4s; $lane by lane), $gemm of those in the product (k_gemm)"
  ((gemm > 0)) || status=1
done
((status == 0)) || { echo "aarch64: a kernel set has no NEON fmla in its product" >&2; exit 1; }

echo "== aarch64: core and conformance suites under qemu-aarch64"
meson test -C "$build" --print-errorlogs --suite core --suite conformance "$@" \
  || status=$?
grep -hE 'PyTorch fixtures|largest error' "$build/meson-logs/testlog.txt" || true
echo "aarch64: done in $((SECONDS - t0)) s, meson test exit status $status"
exit $status
