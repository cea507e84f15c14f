#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build gst-rnn and run the whole test suite (the README's test command).
# Installs missing Debian packages first.  Extra arguments go to
# `meson test` (e.g. --suite core).
set -euo pipefail
cd "$(dirname "$0")/.."

.ci/deps.sh build tests
if [ -d build ]; then
  meson setup --reconfigure build >/dev/null
else
  meson setup build >/dev/null
fi
meson compile -C build
status=0
meson test -C build --print-errorlogs "$@" || status=$?

# One plain closing line: how many test programs passed and failed.
python3 - build/meson-logs/testlog.json <<'PY'
import json, sys
res = [json.loads(l)["result"] for l in open(sys.argv[1]) if l.strip()]
ok = sum(r in ("OK", "EXPECTEDFAIL") for r in res)
skip = sum(r == "SKIP" for r in res)
print(f"{ok} passed, {len(res) - ok - skip} failed, {skip} skipped")
PY
exit $status
