# SPDX-License-Identifier: LGPL-2.1-or-later
"""The core and oneDNN alternated in one process (bench_dnnl --pair):
per batched row, ROUNDS rounds of one repetition each (the two in turn
first), the FMA peak measured between rounds.  Each round gives a ratio
(oneDNN time / core time) and a share of the peak; the table shows their
medians and quartiles, and gives a verdict on a target only when the
quartiles lie on one side of it (PASS: the lower quartile reaches it,
MISS: the upper one does not), "undecided" otherwise: a load that comes
and goes moves both contenders of a round alike, and what it still moves
shows as spread instead of as a verdict."""
import os
import statistics

# issue 24's targets for float32 at many streams, one thread
TARGETS = {64: (1.2, 65.0), 16: (1.1, None)}     # B >= key: dnnl/core, %peak


def run_alternated(run, rounds, run_json):
    """The pair lines of every batched row ([] when bench_dnnl is missing
    or rounds is 0)."""
    exe = os.path.join(run.bdir, "bench_dnnl")
    if rounds <= 0 or not run.brows or run.args.no_dnnl or not os.path.exists(exe):
        return []
    cmd = [exe, "--plan", run.bplan, "--input", run.inp, "--pair", str(rounds),
           "--target-ms", str(run.args.target_ms), "--min-steps",
           str(run.args.min_steps)]
    lines, note = run_json(cmd, run.env, run.log, 1800, "core and oneDNN alternated")
    if note:
        run.notes["pair"] = note
    return [l for l in lines if l.get("type") in ("pair", "error")]


def quartiles(v):
    if len(v) < 2:
        return v[0], v[0], v[0]
    q1, q2, q3 = statistics.quantiles(v, n=4, method="inclusive")
    return q1, q2, q3


def verdict(q1, q3, target):
    if q1 >= target:
        return "PASS"
    if q3 < target:
        return "MISS"
    return "undecided"


def alternated_table(p, brows, lines, model_f, gates):
    """Prints the table; returns (pass, miss, undecided) counts."""
    n_pass = n_miss = n_und = 0
    by = {}
    for l in lines:
        if l.get("type") == "pair":
            by.setdefault(l["name"], []).append(l)
    if not by:
        errs = [l for l in lines if l.get("type") == "error"]
        if errs:
            p("\ncore and oneDNN alternated: no result (%s)" % errs[0].get("message"))
        return 0, 0, 0
    n_rounds = max(len(v) for v in by.values())
    p("\ncore and oneDNN alternated in one process (bench_dnnl --pair): %d rounds of "
      "one repetition each, in turn first; median [quartiles] of the per-round values"
      % n_rounds)
    p("%-28s %9s %9s  %-20s %-16s %s" % ("config", "core us", "dnnl us",
                                         "dnnl/core", "%peak", "targets"))
    p("-" * 110)
    for name, cell, L, H, B, n, stem in brows:
        rs = by.get(name)
        if not rs:
            continue
        F = model_f[stem]
        flops = 2.0 * B * gates[cell] * H * (F + H) * L
        ratio = [r["dnnl_us"] / r["core_us"] for r in rs]
        share = [100.0 * flops / (r["core_us"] * 1e-6) / (r["peak_gflops"] * 1e9)
                 for r in rs]
        rq, sq = quartiles(ratio), quartiles(share)
        core = statistics.median(r["core_us"] for r in rs)
        dnnl = statistics.median(r["dnnl_us"] for r in rs)
        tg = next((TARGETS[k] for k in sorted(TARGETS, reverse=True) if B >= k), None)
        verdicts = []
        if tg:
            v = verdict(rq[0], rq[2], tg[0])
            verdicts.append("dnnl/core>=%.1f %s" % (tg[0], v))
            if tg[1] is not None:
                w = verdict(sq[0], sq[2], tg[1])
                verdicts.append("%%peak>=%.0f %s" % (tg[1], w))
                v = (v, w)
            for x in (v if isinstance(v, tuple) else (v,)):
                n_pass += x == "PASS"
                n_miss += x == "MISS"
                n_und += x == "undecided"
        p("%-28s %9.1f %9.1f  %4.2f [%4.2f-%4.2f]     %3.0f [%3.0f-%3.0f]    %s" % (
            "%s B%d" % (stem, B), core, dnnl, rq[1], rq[0], rq[2], sq[1], sq[0],
            sq[2], ", ".join(verdicts)))
    p("columns: dnnl/core > 1: the core is faster; %peak = 2*B*G*H*(F+H) flops per "
      "step over the core's time, against the FMA peak of the same round; a verdict "
      "only where the quartiles lie on one side of the target")
    p("targets (issue 24, alternated): %d PASS, %d MISS, %d undecided" % (
        n_pass, n_miss, n_und))
    return n_pass, n_miss, n_und
