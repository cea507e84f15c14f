#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""tests/bench/bench.py shows its progress without -v (issue 26).

  check_bench_progress.py --source-root SRC --build-root BUILD

Runs a smoke run of the benchmark (--quick, one row, no peers) twice:
without -v, stderr must hold one "bench: M:SS STEP ..." line per step
(the data, `core --info`, the core's round) and stdout none of them; with
-v, stderr holds the "# running ..." lines and no progress lines.  Both
runs print as many lines on stdout (the numbers differ).
Exit 0 when all hold, 1 otherwise, 77 when the benchmark is not built.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

PROGRESS = re.compile(r"^bench: \d+:\d\d .+ \.\.\.$")
ARGS = ["--quick", "--only", "rnn_tanh_h256_b1_n1", "--no-threads", "--no-batched",
        "--no-gemm", "--no-dnnl", "--no-torch", "--no-element", "--no-precision",
        "--pair-rounds", "0"]


def bench(src, build, workdir, extra):
    cmd = [sys.executable, os.path.join(src, "tests", "bench", "bench.py"),
           "--build", build, "--workdir", workdir] + ARGS + extra
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--build-root", required=True)
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.build_root, "tests", "bench", "bench_core")):
        print("SKIP: bench_core is not built (-Dbenchmarks=disabled?)")
        return 77
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-progress-") as tmp:
        rc, out, err = bench(a.source_root, a.build_root, tmp, [])
        print("without -v: exit %d, stderr:\n%s" % (rc, err))
        steps = [l for l in err.split("\n") if PROGRESS.match(l)]
        want = ["generating the models and the input", "core --info", "core (round 1)"]
        for w in want:
            if not any(w + " ..." in l for l in steps):
                print("FAIL: no progress line for '%s' on stderr" % w)
                ok = False
        if any(PROGRESS.match(l) for l in out.split("\n")):
            print("FAIL: a progress line on stdout (the tables' stream)")
            ok = False
        rc_v, out_v, err_v = bench(a.source_root, a.build_root, tmp, ["-v"])
        if any(PROGRESS.match(l) for l in err_v.split("\n")):
            print("FAIL: -v prints the progress lines as well as its own")
            ok = False
        if "# running core (round 1)" not in err_v:
            print("FAIL: -v no longer prints '# running ...'")
            ok = False
        if rc or rc_v:
            print("FAIL: bench.py exited %d / %d (-v)" % (rc, rc_v))
            ok = False
        n1, n2 = len(out.split("\n")), len(out_v.split("\n"))
        if n1 != n2:
            print("FAIL: stdout has %d lines without -v, %d with" % (n1, n2))
            ok = False
    print("ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
