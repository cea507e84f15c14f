#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""examples/demo.sh shows the build's progress (issue 26).

  check_demo_progress.py --source-root SRC --build-root BUILD

A first build takes 30 s to 2 min, which demo.sh used to cover with one
"Building ..." line.  This runs demo.sh --help (the demo itself only
prints its options) with a stand-in `meson` first on PATH that prints
ninja's "[n/N] ..." lines for a 40-step build, and a build folder whose
plugin/ is BUILD's; demo.sh must print progress lines for that build
("build: n of 40 steps", ending at 40 of 40, at least 5 of them) on
stderr and exit 0.  A second run whose stand-in fails at step 7 must exit
non-zero and show the build's whole log.  Exit 0 when all hold, else 1.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

FAKE_MESON = """#!/bin/sh
# stand-in for `meson compile -C DIR`: a 40-step build, failing at step
# $FAIL_AT when that is set
echo "ninja: Entering directory \\`$3'"
i=1
while [ $i -le 40 ]; do
  echo "[$i/40] Compiling C object x$i.o"
  if [ "$i" = "${FAIL_AT:-0}" ]; then
    echo "x$i.c:1:1: error: stand-in failure"
    exit 1
  fi
  i=$((i + 1))
done
"""


def run(src, env):
    return subprocess.run([os.path.join(src, "examples", "demo.sh"), "--help"],
                          env=env, capture_output=True, text=True, timeout=300)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--build-root", required=True)
    a = ap.parse_args()
    src, build = os.path.abspath(a.source_root), os.path.abspath(a.build_root)
    ok = True
    with tempfile.TemporaryDirectory(prefix="demo-progress-") as tmp:
        bindir = os.path.join(tmp, "bin")
        os.mkdir(bindir)
        meson = os.path.join(bindir, "meson")
        with open(meson, "w") as f:
            f.write(FAKE_MESON)
        os.chmod(meson, 0o755)
        bdir = os.path.join(tmp, "build")
        os.mkdir(bdir)
        open(os.path.join(bdir, "build.ninja"), "w").close()
        os.symlink(os.path.join(build, "plugin"), os.path.join(bdir, "plugin"))
        env = dict(os.environ, PATH=bindir + ":" + os.environ.get("PATH", "/usr/bin:/bin"),
                   GST_RNN_BUILD_DIR=bdir, PYTHONDONTWRITEBYTECODE="1")
        env.pop("FAIL_AT", None)
        p = run(src, env)
        print("demo.sh --help: exit %d, stderr:\n%s" % (p.returncode, p.stderr))
        steps = [int(m.group(1)) for m in
                 re.finditer(r"^  build: (\d+) of 40 steps$", p.stderr, re.M)]
        if p.returncode != 0:
            print("FAIL: exit %d" % p.returncode)
            ok = False
        if len(steps) < 5 or steps[-1] != 40 or steps != sorted(steps):
            print("FAIL: progress lines %s: want at least 5, rising, ending at 40" % steps)
            ok = False
        env["FAIL_AT"] = "7"
        p = run(src, env)
        print("with the build failing at step 7: exit %d, stderr:\n%s"
              % (p.returncode, p.stderr))
        if p.returncode == 0:
            print("FAIL: a failed build exits 0")
            ok = False
        if "stand-in failure" not in p.stderr or "the build failed" not in p.stderr:
            print("FAIL: a failed build does not show its log and say so")
            ok = False
    print("ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
