#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fuzz the model loader with libFuzzer (clang, AddressSanitizer,
# UndefinedBehaviorSanitizer) for a given time, seeded with the conformance
# models (safetensors and ONNX) and the malformed corpus (tests/core/malformed,
# both formats), with safetensors.dict and onnx.dict.  Anything it finds
# is written to tests/fuzz/regressions/, which the `fuzz-regressions` test
# replays: commit the file with the fix.
#
#   tests/fuzz/run.sh [SECONDS]      (default 60)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}

pkgs=(clang libclang-rt-14-dev libglib2.0-dev libjson-glib-dev
      libprotobuf-c-dev protobuf-c-compiler libonnx-dev)   # the ONNX reader
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}" >&2
fi

out=build-fuzz
mkdir -p "$out/corpus"
# rnn.h includes rnn-version.h, which meson writes from the project
# version; written the same way here
ver=$(sed -n "s/^  version : '\([0-9.]*\)',$/\1/p" meson.build)
IFS=. read -r vmaj vmin vmic <<<"$ver"
sed -e "s/@RNN_VERSION_MAJOR@/$vmaj/" -e "s/@RNN_VERSION_MINOR@/$vmin/" \
    -e "s/@RNN_VERSION_MICRO@/$vmic/" -e "s/@RNN_VERSION@/$ver/" \
    core/rnn-version.h.in > "$out/rnn-version.h"
# Only the portable kernel sets: the fuzzers aim at the loader and the
# structures, whatever the kernels (and clang with the sanitizers takes
# many minutes over the unrolled AVX-512 tiles).
flags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I"$out" -Icore -Icore/loader -Icore/state -Icore/run -Icore/kernels -DRNN_HAVE_ONNX=1
       $(pkg-config --cflags glib-2.0 json-glib-1.0 libprotobuf-c))
# The ONNX reader's protobuf-c code, generated from Debian's onnx.proto as
# core/meson.build does (not instrumented: the reader's own code is).
protoc-c --c_out="$out" --proto_path=/usr/include/onnx /usr/include/onnx/onnx.proto
clang -g -O1 -w $(pkg-config --cflags libprotobuf-c) -c "$out/onnx.pb-c.c" -o "$out/onnx.pb-c.o"
objs=("$out/onnx.pb-c.o")
for src in core/loader/safetensors.c core/loader/json_check.c core/loader/file.c core/loader/model.c core/loader/model_tensors.c core/loader/model_info.c core/loader/model_settings.c core/loader/onnx.c core/loader/onnx_graph.c core/state/state.c core/state/forward.c core/state/pool.c core/state/snapshot.c core/kernels/kernels.c core/kernels/set_c.c \
           core/kernels/kernels_lowp.c; do
  file=${src%%:*}; extra=""; [ "$file" != "$src" ] && extra=${src#*:}
  obj="$out/$(basename "$file" .c).o"
  # shellcheck disable=SC2086
  clang "${flags[@]}" $extra -fsanitize=fuzzer-no-link -c "$file" -o "$obj"
  objs+=("$obj")
done
clang "${flags[@]}" tests/fuzz/fuzz_loader.c "${objs[@]}" \
  $(pkg-config --libs glib-2.0 json-glib-1.0 libprotobuf-c) -lm -o "$out/fuzz_loader"
# the runner (input/output structures) on top of the same objects
robjs=()
for src in core/run/run.c core/run/window.c core/run/mode_n_to_n.c core/run/mode_n_to_n_window.c \
           core/run/mode_n_to_1.c core/run/mode_1_to_n.c core/run/mode_n_to_m.c; do
  obj="$out/$(basename "$src" .c).o"
  clang "${flags[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
  robjs+=("$obj")
done
clang "${flags[@]}" tests/fuzz/fuzz_runner.c "${objs[@]}" "${robjs[@]}" \
  $(pkg-config --libs glib-2.0 json-glib-1.0 libprotobuf-c) -lm -o "$out/fuzz_runner"

cp -n tests/conformance/fixtures/*.model.safetensors "$out/corpus/" 2>/dev/null || true
cp -n tests/core/malformed/*.safetensors tests/core/malformed/*.onnx "$out/corpus/" 2>/dev/null || true
cp -n tests/conformance/onnx/*.onnx tests/conformance/onnx/refused/*.onnx "$out/corpus/" 2>/dev/null || true
# the safetensors and the ONNX tokens in one dictionary (libFuzzer takes one)
cat tests/fuzz/safetensors.dict tests/fuzz/onnx.dict > "$out/loader.dict"
echo "Fuzzing the loader for ${secs}s (corpus $out/corpus, findings in tests/fuzz/regressions/)"
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
ASAN_OPTIONS=detect_leaks=1 \
  "$out/fuzz_loader" -max_total_time="$secs" -max_len=65536 -timeout=10 \
  -malloc_limit_mb=512 -rss_limit_mb=2048 \
  -dict="$out/loader.dict" -print_final_stats=1 \
  -artifact_prefix=tests/fuzz/regressions/ "$out/corpus" 2>&1 | tail -25
rsecs=$(( (secs + 1) / 2 ))
mkdir -p "$out/runner-corpus"
cp -n tests/fuzz/runner-seeds/* "$out/runner-corpus/" 2>/dev/null || true
rm -f "$out/runner-corpus/README.md"
echo "Fuzzing the runner for ${rsecs}s (findings in tests/fuzz/runner-seeds/)"
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
ASAN_OPTIONS=detect_leaks=1 \
  "$out/fuzz_runner" -max_total_time="$rsecs" -max_len=4096 -timeout=10 \
  -print_final_stats=1 -artifact_prefix=tests/fuzz/runner-seeds/ \
  "$out/runner-corpus" 2>&1 | tail -12

# melspec's model file (rnn.frontend.* keys) through the element compiled
# in, on the same core objects; -malloc_limit_mb makes an allocation the
# size limits should have refused a finding.
mpkgs=(libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev)
for p in "${mpkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || {
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "$p" >&2; }
done
gflags=($(pkg-config --cflags gstreamer-1.0 gstreamer-audio-1.0 gstreamer-fft-1.0) -Iplugin/common -Iplugin/melspec)
mobjs=()
for src in plugin/melspec/gstmelspec.c plugin/melspec/gstmelspecsettings.c plugin/melspec/gstmelspecdsp.c \
           plugin/melspec/gstmelspeclimits.c plugin/melspec/gstmelspeccaps.c plugin/melspec/gstmelspecquery.c \
           plugin/common/gstrnncontinuity.c plugin/common/gstcapsadvice.c plugin/common/gstrnntags.c; do
  obj="$out/$(basename "$src" .c).o"
  clang "${flags[@]}" "${gflags[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
  mobjs+=("$obj")
done
clang "${flags[@]}" "${gflags[@]}" tests/fuzz/fuzz_melspec.c "${mobjs[@]}" "${objs[@]}" \
  $(pkg-config --libs glib-2.0 json-glib-1.0 libprotobuf-c gstreamer-1.0 gstreamer-audio-1.0 gstreamer-fft-1.0) -lm \
  -o "$out/fuzz_melspec"
msecs=$(( (secs + 1) / 2 ))
mkdir -p "$out/melspec-corpus"
cp -n tests/plugin/melspec-malformed/*.safetensors tests/fuzz/melspec-regressions/* \
  "$out/melspec-corpus/" 2>/dev/null || true
rm -f "$out/melspec-corpus/README.md"
echo "Fuzzing melspec's model file for ${msecs}s (findings in tests/fuzz/melspec-regressions/)"
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
ASAN_OPTIONS=detect_leaks=0 GST_REGISTRY_FORK=no \
  "$out/fuzz_melspec" -max_total_time="$msecs" -max_len=8192 -timeout=10 \
  -malloc_limit_mb=512 -rss_limit_mb=2048 -dict=tests/fuzz/safetensors.dict \
  -print_final_stats=1 -artifact_prefix=tests/fuzz/melspec-regressions/ \
  "$out/melspec-corpus" 2>&1 | tail -12
