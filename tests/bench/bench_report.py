# SPDX-License-Identifier: LGPL-2.1-or-later
"""The benchmark's tables and verdicts (bench.py runs the contenders and
gives the results here): the raw lines gathered, formatting, the issues'
targets per row, the header and every table."""

import os
import re
from dataclasses import dataclass


@dataclass
class Results:
    """The raw lines of a run, gathered by collect()."""
    res: dict       # (contender, name) -> best us per step
    errors: dict    # (contender, name) -> message
    floors: dict    # name -> its lowest floor line
    infos: dict     # contender -> its info line
    mem: dict       # contender -> its memory line at exit, highest VmHWM
    peak: dict | None   # the highest FMA peak line


def collect(raw):
    """The best of every result and floor, the errors, infos, memory and
    peak in @raw (the JSON lines of every run; the precision section's are
    left to it)."""
    res = {}      # (contender, name) -> us
    errors = {}
    floors = {}
    infos = {}
    mem = {}
    peak = None
    for l in raw:
        t = l.get("type")
        if l.get("section") == "precision":
            continue
        if t == "result":
            k = (l["contender"], l["name"])
            res[k] = min(res.get(k, float("inf")), l["us_per_step"])
        elif t == "error":
            errors[(l.get("contender"), l.get("name"))] = l.get("message")
        elif t == "floor":
            if l["name"] not in floors or l["floor_us"] < floors[l["name"]]["floor_us"]:
                floors[l["name"]] = l
        elif t == "info":
            infos[l["contender"]] = l
        elif t == "memory" and l.get("name") == "end":
            m = mem.setdefault(l["contender"], dict(l))
            m["hwm_kb"] = max(m["hwm_kb"], l["hwm_kb"])
        elif t == "peak":
            if not peak or l["peak_gflops"] > peak["peak_gflops"]:
                peak = l
    return Results(res, errors, floors, infos, mem, peak)


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


def products_bound(p, brows, res, raw):
    """Each batched row's step against its two products alone
    (bench_gemm --step: the two timed alternately in one process; the
    ratio is the median of the per-round ratios).  With the rest of the
    step (gate math, bias, copies) free, oneDNN / core could reach dnn/c
    x step/prod: the most this product kernel allows."""
    sp = {l["name"]: l for l in raw if l.get("type") == "step_products"}
    if not sp:
        return
    p("each batched step against its two products alone (input projection B x F "
      "x G*H and recurrent B x H x G*H, this core's kernel on the model's "
      "weights), timed alternately in one process, medians of the rounds, us")
    p("  %-28s %9s %9s %9s %9s %12s" % (
        "config", "step", "products", "step/prod", "dnn/c", "dnn/c x s/p"))
    for name, _cell, _L, _H, _B, _n, _stem in brows:
        l = sp.get(name)
        if not l:
            continue
        core, db = res.get(("core", name)), res.get(("dnnl", name))
        dc = ratio(db, core)
        p("  %-28s %9s %9s %9s %9s %12s" % (
            pretty(name), fmt(l["step_us"], 9), fmt(l["products_us"], 9),
            fmt(l["ratio"], 9, 2), fmt(dc, 9, 2),
            fmt(dc * l["ratio"] if dc else None, 12, 2)))
    p("  step/prod: what the gate math, bias and copies add to the products; "
      "dnn/c x s/p: oneDNN over the core if the step took only its products "
      "(the most this product kernel allows; below 1.3 the 1.3x target needs a "
      "faster product kernel)")
    p("")


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


def cpu_flags():
    """The /proc/cpuinfo flags the kernels and the contenders care about."""
    want = ("avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
            "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8", "asimd")
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith(("flags", "Features")):
                have = set(line.split(":", 1)[1].split())
                return " ".join(f for f in want if f in have) or "none of " + " ".join(want)
    except OSError:
        pass
    return "unknown (no /proc/cpuinfo)"


def header(p, args, r, notes, coretype_note, load_before):
    """What ran, on what: the CPU, the load, each contender's library and
    threads (or why it is n/a), the floors' peak."""
    ci = r.infos.get("core", {})
    p("gst-rnn speed benchmark: us per time step (one frame of all B streams), "
      "best of %d round(s) of the median of %d repetitions, single thread" % (
          args.rounds, args.reps))
    p("CPU: %s (%s vectors; the core's kernel set: %s); OMP_NUM_THREADS=1 "
      "OPENBLAS_NUM_THREADS=1" % (ci.get("cpu", "?"), ci.get("vector_isa", "?"),
                                  ci.get("kernel_set", "?")))
    p("CPU flags that matter: %s" % cpu_flags())
    if coretype_note:
        p(coretype_note)
    if load_before is not None:
        ncpu = os.cpu_count() or 1
        p("load average before the run: %.2f on %d CPUs%s" % (
            load_before, ncpu, "  ** machine busy: numbers are inflated and noisy **"
            if load_before > 0.5 * ncpu else ""))
    p("OpenBLAS: core %s threads %s (bench_core)%s" % (
        ci.get("openblas_core", "n/a"), ci.get("openblas_threads", "n/a"),
        "" if notes.get("core") == "" else "  [core: %s]" % notes.get("core")))
    ti = r.infos.get("torch")
    if ti:
        p("PyTorch %s (%s): threads %s, OpenBLAS core %s threads %s" % (
            ti.get("version"), ti.get("python"), ti.get("torch_threads"),
            ti.get("openblas_core"), ti.get("openblas_threads")))
    else:
        p("PyTorch: n/a (%s)" % notes.get("torch", ""))
    di = r.infos.get("dnnl")
    if di:
        p("oneDNN %s: ISA %s, OMP_NUM_THREADS=%s" % (
            di.get("version"), di.get("isa"), di.get("omp_num_threads")))
    else:
        p("oneDNN: n/a (%s)" % notes.get("dnnl", ""))
    peak = r.peak
    if peak:
        p("Floors: FMA peak %.0f GFLOP/s (AVX-512 %.0f, AVX2 %.0f), one core; "
          "cache bandwidth per row (bw column)" % (
              peak["peak_gflops"], peak["avx512_gflops"], peak["avx2_gflops"]))
    p("")


def main_table(p, rows, r, checks, tol):
    """The first table (every contender per configuration, batch 1 and 16),
    then its failed checks, errors and memory; returns the counts (pass,
    miss, n/a) and the failed checks [(name, {contender: max diff})]."""
    hdr = ("%-24s %7s %7s %7s %7s %7s %6s %6s %5s %6s %6s %6s  %-8s %s" % (
        "config", "core", "dnnl1f", "dnnlblk", "torch1f", "torchblk", "floor",
        "GB/s", "c/fl", "dnn/c", "tch/c", "maxdiff", "targets", ""))
    p(hdr)
    p("-" * len(hdr))
    n_pass = n_miss = n_na = 0
    bad_checks = []
    res = r.res
    for row in rows:
        name, cell, L, H, B, n, stem = row
        one = "%s_b%d_n1" % (stem, B)
        core = res.get(("core", name))
        d1, db = res.get(("dnnl", one)), res.get(("dnnl", name))
        t1, tb = res.get(("torch", one)), res.get(("torch", name))
        fl = r.floors.get(name, {})
        floor = fl.get("floor_us")
        vals = {"floor": ratio(core, floor), "dnnl": ratio(db, core),
                "torch": ratio(tb, core)}
        diffs = [checks.get((w, name)) for w in ("dnnl", "torch")]
        diffs = [d for d in diffs if d is not None]
        md = max(diffs) if diffs else None
        if md is not None and md > tol:
            bad_checks.append((name, {w: checks.get((w, name)) for w in ("dnnl", "torch")}))
        verdicts, (a, b, c) = judge(targets_for(row), vals)
        n_pass, n_miss, n_na = n_pass + a, n_miss + b, n_na + c
        p("%-24s %7s %7s %7s %7s %7s %6s %6s %5s %6s %6s %7s  %s" % (
            pretty(name), fmt(core, 7), fmt(d1, 7), fmt(db, 7), fmt(t1, 7), fmt(tb, 7),
            fmt(floor, 6, 2), fmt(fl.get("bw_gbs"), 6, 0),
            fmt(vals["floor"], 5, 2), fmt(vals["dnnl"], 6, 2), fmt(vals["torch"], 6, 2),
            ("%.0e" % md if md else ("0" if md == 0 else "n/a")).rjust(7),
            ", ".join(verdicts)))
    p("")
    p("columns: core = this core, n frames per call, state carried; dnnl1f/torch1f = "
      "one frame per call; dnnlblk/torchblk = n frames per call (the row's block); "
      "floor = max(weight bytes per step / bw, flops per step / FMA peak); "
      "c/fl = core/floor; dnn/c = dnnlblk/core; tch/c = torchblk/core "
      "(> 1: core faster); maxdiff = max |output - core output| of oneDNN and "
      "PyTorch over the first 320 frames (tolerance %g)" % tol)
    for name, d in bad_checks:
        p("CHECK FAILED %s: %s" % (name, ", ".join(
            "%s %s" % (w, "n/a" if v is None else "%.3g" % v) for w, v in d.items())))
    for who in ("core", "dnnl", "torch"):
        errs = [(k[1], m) for k, m in r.errors.items() if k[0] == who]
        for name, m in errs[:3]:
            p("%s error on %s: %s" % (who, name, m))
        if len(errs) > 3:
            p("%s: %d more errors" % (who, len(errs) - 3))
    memline = ", ".join("%s VmRSS %d kB VmHWM %d kB" % (w, m["rss_kb"], m["hwm_kb"])
                        for w, m in r.mem.items() if w != "element")
    if memline:
        p("memory at exit: " + memline)
    p("")
    return (n_pass, n_miss, n_na), bad_checks


def threads_table(p, two, res, only):
    """Two cores for one stream: @two (the 2-thread result lines of the
    batch-1 rows) against the core's one-thread results."""
    p("two cores for one stream (rnn_state_set_threads(state, 2): the rows of "
      "every weight matrix split between the cores), batch 1, us per step")
    p("  %-24s %8s %8s %8s" % ("config", "1 thread", "2 threads", "speedup"))
    for l in two:
        one = res.get(("core", l["name"]))
        if one and (not only or only in l["name"]):
            p("  %-24s %8.2f %8.2f %7.2fx" % (pretty(l["name"]), one,
                                             l["us_per_step"], one / l["us_per_step"]))
    p("")


def element_table(p, elem, mem, note, f, reps):
    """The element in a pipeline against the core alone (bench_element's
    lines @elem; @note: why there are none); returns the counts (pass,
    miss) of its target."""
    n_pass = n_miss = 0
    p("element in a pipeline vs the core alone (lstm h256, F=%d, batch 1, same data, "
      "same buffer sizes, median of %d runs)" % (f, max(3, min(reps, 5))))
    e = {l.get("what"): l for l in elem if l.get("type") == "element"}
    eu = next((l for l in elem if l.get("type") == "unavailable"), None)
    if "core" not in e:
        why = (eu or {}).get("message") or note or "no result"
        p("  n/a (%s)" % why)
    else:
        pl = e.get("pipeline", {})
        p("  %-58s %9s %9s" % ("", "ms total", "us/frame"))
        for key, label in (
                ("pipeline", "filesrc ! rawaudioparse ! rnn ! fakesink (PLAYING->EOS)"),
                ("identity", "same pipeline with identity instead of rnn"),
                ("element_wall", "rnn element by difference (pipeline - identity)"),
                ("element", "rnn element by pad probes (sink in -> src out)"),
                ("core", "core alone, rnn_state_process on the same buffers")):
            l = e.get(key)
            if l:
                p("  %-58s %9.1f %9.2f" % (label, l["ms"], l["us_per_frame"]))
        r = e.get("ratio", {}).get("element_over_core")
        if r is not None:
            ok = r <= 1.10
            p("  element/core = %.3f (median of per-run ratios; target <= 1.10: %s); "
              "%s frames in %s buffers of %s frames" % (
                  r, "PASS" if ok else "MISS", pl.get("frames"), pl.get("buffers"),
                  pl.get("frames_per_buffer")))
            if ok:
                n_pass += 1
            else:
                n_miss += 1
        em = mem.get("element")
        if em:
            p("  memory of the element process at exit: VmRSS %d kB, VmHWM %d kB" % (
                em["rss_kb"], em["hwm_kb"]))
    p("")
    return n_pass, n_miss
