#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A script of examples/ run with its default output writes outside the
checkout and leaves the committed files alone (issue 26).

  check_script_outputs.py --source-root SRC [--exit N] OUTPUT SCRIPT [ARG...]

Runs SCRIPT (from SRC, with /usr/bin/python3) with TMPDIR pointed at a new
scratch folder and no output option, then checks that
  * the script exited N (0 unless --exit says; 77 is passed on: a skipped
    test),
  * TMPDIR/gst-rnn/OUTPUT exists (the default place the script says), and
  * no file git tracks under SRC/examples changed (content or mtime,
    before and after) and no untracked file appeared there.
Exit 0 when all hold, 1 otherwise.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile


def tracked(src):
    """{path: (sha256, mtime)} of every file git tracks under @src/examples:
    a file rewritten with the same bytes counts as changed too."""
    out = subprocess.run(["git", "-C", src, "ls-files", "-z", "examples"],
                         capture_output=True, check=True).stdout.decode()
    sums = {}
    for name in out.split("\0"):
        p = os.path.join(src, name)
        if name and os.path.isfile(p):
            with open(p, "rb") as f:
                sums[name] = (hashlib.sha256(f.read()).hexdigest(),
                              os.stat(p).st_mtime_ns)
    return sums


def untracked(src):
    out = subprocess.run(["git", "-C", src, "ls-files", "-z", "--others",
                          "--exclude-standard", "examples"],
                         capture_output=True, check=True).stdout.decode()
    return set(n for n in out.split("\0") if n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--exit", type=int, default=0,
                    help="the exit status the script is expected to give (0)")
    ap.add_argument("output", help="file name the script writes by default")
    ap.add_argument("script", help="path under SRC, e.g. examples/plot.py")
    ap.add_argument("args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    src = os.path.abspath(a.source_root)
    if not os.path.exists(os.path.join(src, ".git")):
        print("SKIP: not a git checkout (the committed files come from git ls-files)")
        return 77
    before, extra_before = tracked(src), untracked(src)
    tmp = tempfile.mkdtemp(prefix="script-outputs-")
    try:
        env = dict(os.environ, TMPDIR=tmp, PYTHONDONTWRITEBYTECODE="1")
        cmd = ["/usr/bin/python3", os.path.join(src, a.script)] + a.args
        print("running (TMPDIR=%s): %s" % (tmp, " ".join(cmd)), flush=True)
        p = subprocess.run(cmd, cwd=src, env=env)
        if p.returncode == 77:
            return 77
        ok = True
        if p.returncode != a.exit:
            print("FAIL: %s exited %d, not %d" % (a.script, p.returncode, a.exit))
            ok = False
        want = os.path.join(tmp, "gst-rnn", a.output)
        if not os.path.isfile(want):
            print("FAIL: %s did not write its default output %s" % (a.script, want))
            ok = False
        after, extra_after = tracked(src), untracked(src)
        changed = sorted(n for n in before if after.get(n) != before[n])
        new = sorted(extra_after - extra_before)
        if changed:
            print("FAIL: %s changed committed files: %s" % (a.script, ", ".join(changed)))
            ok = False
        if new:
            print("FAIL: %s wrote into the checkout: %s" % (a.script, ", ".join(new)))
            ok = False
        if ok:
            print("ok: %s wrote %s and left the checkout alone" % (a.script, want))
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
