#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The checked runs CI makes after the plain test suite:
#  1. the whole suite built with AddressSanitizer + UndefinedBehaviorSanitizer
#     (build dir build-asan), but the examples, which run in /usr/bin/python3
#     (not instrumented, so it cannot load an ASan-built plugin), and the
#     16 kHz soak hour (minutes under ASan; the 100 Hz hour runs);
#  2. the element tests under valgrind memcheck (no definite/indirect leaks);
#  3. a short libFuzzer run of the model loader (FUZZ_SECONDS, default 30);
#  4. the core and conformance suites cross-built for aarch64 and run
#     under qemu (tests/cross/aarch64.sh, build dir build-aarch64;
#     installs the arm64 packages it needs).
set -euo pipefail
cd "$(dirname "$0")/.."
.ci/deps.sh build

echo "== AddressSanitizer + UndefinedBehaviorSanitizer: whole suite"
[ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
meson compile -C build-asan >/dev/null
# (the 16 kHz hour of suite soak takes minutes under ASan: the 100 Hz hour,
# test-rnn-soak, runs instead)
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1
meson test -C build-asan --print-errorlogs --no-suite examples --no-suite soak
meson test -C build-asan --print-errorlogs test-rnn-soak

echo "== valgrind memcheck: element tests"
[ -d build ] || meson setup build >/dev/null
meson compile -C build >/dev/null
meson test -C build --setup valgrind --suite plugin --print-errorlogs

echo "== libFuzzer: model loader, ${FUZZ_SECONDS:-30}s"
tests/fuzz/run.sh "${FUZZ_SECONDS:-30}"

echo "== aarch64 (cross build, qemu): core and conformance suites"
tests/cross/aarch64.sh
