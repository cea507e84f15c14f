"""The benchmark's tables and verdicts (bench.py runs the contenders and
gives the results here): formatting, the issues' targets per row, and
the many-streams and products tables."""

import re


def fmt(v, width, prec=None):
    """prec None: 2 decimals below 10, 1 below 1000, else none."""
    if v is None:
        return "n/a".rjust(width)
    if prec is None:
        prec = 2 if v < 10 else 1 if v < 1000 else 0
    return ("%.*f" % (prec, v)).rjust(width)


def ratio(a, b):
    return a / b if a is not None and b else None


def pretty(name):
    # lstm_h256_l2_b1_n160 -> "lstm h256 L2 B1 n160"
    m = re.match(r"(.+?)_h(\d+)(?:_l(\d+))?_b(\d+)_n(\d+)$", name)
    if not m:
        return name
    cell, H, L, B, n = m.groups()
    return "%-8s h%-3s L%s B%-2s n%s" % (cell, H, L or "1", B, n)


def targets_for(row):
    """The issue's targets that apply to @row: list of (label, value, op, limit)."""
    name, cell, L, H, B, n, stem = row
    if (L, H) != (1, 256):
        return []
    if B == 1 and n == 160:
        return [("core/floor", "floor", "<=", 1.3), ("dnnl/core", "dnnl", ">=", 1.3)]
    if B == 1 and n == 1:
        return [("core/floor", "floor", "<=", 1.3), ("torch/core", "torch", ">=", 4.0)]
    if B == 16 and n == 160:
        return [("dnnl/core", "dnnl", ">=", 0.95)]
    return []


def judge(targets, vals):
    """Each (label, key, op, limit) target against vals[key]: the verdict
    texts and the counts (pass, miss, n/a)."""
    texts, counts = [], [0, 0, 0]
    for label, key, op, lim in targets:
        v = vals[key]
        if v is None:
            texts.append("%s n/a" % label)
            counts[2] += 1
            continue
        ok = v <= lim if op == "<=" else v >= lim
        texts.append("%s%s%g %s" % (label, op, lim, "PASS" if ok else "MISS"))
        counts[0 if ok else 1] += 1
    return texts, counts


def batched_targets(B):
    """Issue 12's targets for a batched row: (label, key, op, limit)."""
    if B >= 64:
        return [("dnnl/core", "dnnl", ">=", 1.3), ("core/floor", "floor", "<=", 1.6),
                ("2 threads", "threads", ">=", 1.8)]
    if B >= 16:
        return [("dnnl/core", "dnnl", ">=", 1.2)]
    return []


def pair_ratio(one, pair, name):
    """Throughput of two processes with B/2 streams each (pair[(name, 0|1)])
    over one thread with B streams (one[name] us per step)."""
    a, b = pair.get((name, 0)), pair.get((name, 1))
    if not one.get(name) or not a or not b:
        return None
    return one[name] / 2.0 * (1.0 / a + 1.0 / b)


def batched_table(p, brows, res, floors, checks, thr, peak, counts, model_f,
                  n_frames, tol):
    """The many-streams table; returns the updated (pass, miss, n/a).
    thr: "one", "two" (name -> us, one and two threads back to back),
    "pair" ((name, process) -> us, see pair_ratio), "fma" (two_cores
    lines)."""
    n_pass, n_miss, n_na = counts
    one_b, two_b = thr["one"], thr["two"]
    p("many streams in one buffer: B streams of one model, %d frames per call, "
      "us per time step (one frame of all B streams)" % n_frames)
    hdr = ("%-24s %8s %8s %8s %8s %8s %5s %6s %6s %6s %7s %7s %9s %7s  %s" % (
        "config", "core", "2 thr", "dnnl", "torch", "compute", "c/cf", "%peak",
        "dnn/c", "tch/c", "thr x", "2proc x", "100Hz/core", "16k/core",
        "targets"))
    p(hdr)
    p("-" * len(hdr))
    for row in brows:
        name, cell, L, H, B, n, stem = row
        core = res.get(("core", name))
        db, tb = res.get(("dnnl", name)), res.get(("torch", name))
        fl = floors.get(name, {})
        cf = fl.get("compute_us")
        t2 = two_b.get(name)
        vals = {"floor": ratio(core, cf), "dnnl": ratio(db, core),
                "threads": ratio(one_b.get(name), t2)}
        verdicts, (a, b, c) = judge(batched_targets(B), vals)
        n_pass, n_miss, n_na = n_pass + a, n_miss + b, n_na + c
        pk = 100.0 * cf / core if core and cf else None
        s100 = B * 1e6 / (core * 100) if core else None
        s16k = B * 1e6 / (core * 16000) if core else None
        diffs = [checks.get((w, name)) for w in ("dnnl", "torch")]
        diffs = [d for d in diffs if d is not None]
        p("%-24s %8s %8s %8s %8s %8s %5s %6s %6s %6s %7s %7s %9s %7s  %s" % (
            pretty(name) + " F%d" % model_f[stem], fmt(core, 8), fmt(t2, 8),
            fmt(db, 8), fmt(tb, 8), fmt(cf, 8, 1), fmt(vals["floor"], 5, 2),
            fmt(pk, 6, 0), fmt(vals["dnnl"], 6, 2), fmt(ratio(tb, core), 6, 2),
            fmt(vals["threads"], 7, 2),
            fmt(pair_ratio(one_b, thr["pair"], name), 7, 2), fmt(s100, 9, 0),
            fmt(s16k, 7, 1), ", ".join(verdicts)))
        if diffs and max(diffs) > tol:
            p("  CHECK FAILED %s: max diff %.3g" % (name, max(diffs)))
    p("")
    p("columns: compute = 2*B*G*H*(F+H) flops per step / the FMA peak of this run "
      "(%s GFLOP/s); c/cf = core/compute; %%peak = compute/core; dnn/c, tch/c = "
      "oneDNN, PyTorch over core (> 1: core faster); thr x = 1 thread / 2 "
      "threads, timed back to back (not the core column); 2proc x = what "
      "this machine's two cores give at best: two processes at once, one per "
      "CPU, each with B/2 of the streams and one thread, in streams per second "
      "over 1 thread's (timed in the same rounds); "
      "100Hz/core, 16k/core = streams one core keeps in real time at 100 and 16000 "
      "frames per second (B * 1e6 / (us per step * rate)); outputs of oneDNN and "
      "PyTorch checked against the core's (tolerance %g)" % (
          "%.0f" % peak["peak_gflops"] if peak else "n/a", tol))
    sc = [l["scaling"] for l in thr["fma"] if l.get("scaling")]
    if sc:
        p("two cores on the FMA loop alone (two threads at once over one, best "
          "of 5 trials, once per round): %s" % ", ".join("%.2f" % v for v in sc))
    p("")
    return n_pass, n_miss, n_na


def gemm_table(p, gemm_lines):
    """The products alone: core kernel vs OpenBLAS SGEMM, per shape."""
    info = {}
    res = {}
    for label, lines in gemm_lines.items():
        for l in lines:
            if l.get("type") == "gemm_info":
                info[label] = l
            elif l.get("type") == "gemm":
                res[(label, l["lib"], l["name"])] = l
    labels = list(gemm_lines)
    p("the products alone: y (n, M) = x (n, K) . W^T, this core's kernel (%s, "
      "weights packed at load) vs OpenBLAS SGEMM (W as stored), one thread, "
      "median us" % info.get("detected", {}).get("kernels", "?"))
    head = "  %-22s %5s %5s %5s %9s" % ("product", "n", "K", "M", "core")
    for lb in labels:
        head += " %13s %8s" % ("openblas " + info.get(lb, {}).get("openblas_core", "?"),
                               "blas/core")
    p(head)
    names = [l["name"] for l in gemm_lines[labels[0]] if l.get("type") == "gemm"
             and l["lib"] == "core"]
    wins = []
    for name in names:
        c = res.get((labels[0], "core", name))
        line = "  %-22s %5d %5d %5d %9.1f" % (name, c["n"], c["K"], c["M"], c["us"])
        for lb in labels:
            b = res.get((lb, "openblas", name))
            if b:
                line += " %13.1f %8.2f" % (b["us"], b["us"] / c["us"])
                if b["us"] < c["us"]:
                    wins.append("%s (%s %.2fx)" % (name, lb, c["us"] / b["us"]))
            else:
                line += " %13s %8s" % ("n/a", "n/a")
        p(line)
    p("  OpenBLAS faster on: %s" % (", ".join(wins) if wins else "none of these shapes"))
    p("")
