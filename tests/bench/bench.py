#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-rnn speed benchmark: this core against oneDNN and PyTorch on the same
weights and inputs, next to the floors of this machine, measured in the
same run.  See tests/bench/README.md.

    python3 tests/bench/bench.py --build build

Needs only the Python standard library: it writes the models and the input
(deterministic, pure Python), runs bench_core, bench_dnnl, bench_torch.py
and bench_element as subprocesses, single-threaded, and prints the tables.
A contender that is missing (not built, no torch, no element) shows n/a.
"""

import argparse
import array
import json
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench_alternated import alternated_table, run_alternated
from bench_report import (batched_table, collect, element_table, fmt, gemm_table,
                          header, main_table, products_bound, ratio,
                          threads_table)

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_ROOT = os.path.dirname(os.path.dirname(HERE))

F = 64                    # input width of the batch-1 models
INPUT_FRAMES = 3200       # frames of 32 streams of F in the input file; a
INPUT_STREAMS = 32        # row of B streams of width F' reads it as frames
                          # of B*F' floats (B*F' = 16384: 400 frames)
GEN_VERSION = "2"         # bump when the generated data changes
TOL = 1e-4                # oneDNN / PyTorch vs core, max abs difference

# (model file stem, cell, layers, hidden, input width)
MODELS = [
    ("rnn_tanh_h256", "rnn_tanh", 1, 256, F),
    ("lstm_h256", "lstm", 1, 256, F),
    ("gru_h256", "gru", 1, 256, F),
    ("lstm_h256_l2", "lstm", 2, 256, F),
    ("lstm_h32", "lstm", 1, 32, F),
    ("lstm_h1024_f256", "lstm", 1, 1024, 256),
    ("gru_h1024_f256", "gru", 1, 1024, 256),
]
MODEL_F = {stem: f for stem, _, _, _, f in MODELS}
# Many streams in one buffer (the batched table): (stem, batches), 160
# frames per call.
BATCHED = [
    ("lstm_h256", (16, 64, 256)),
    ("gru_h256", (16, 64, 256)),
    ("lstm_h1024_f256", (16, 64)),
    ("gru_h1024_f256", (16, 64)),
]
BATCHED_N = 160
GATES = {"rnn_tanh": 1, "lstm": 4, "gru": 3}
FRAMES_PER_CALL = (1, 10, 160)


def plan_rows():
    """(name, cell, layers, H, B, n, model stem) of every configuration."""
    rows = []
    for stem, cell, L, H, f in MODELS:
        if f != F:
            continue
        batches = (1, 16) if (L, H) == (1, 256) else (1,)
        for B in batches:
            for n in FRAMES_PER_CALL:
                rows.append(("%s_b%d_n%d" % (stem, B, n), cell, L, H, B, n, stem))
    return rows


def batched_rows():
    """The batched table's rows, same tuple shape as plan_rows().  Rows
    also in plan_rows() (h256 B16 n160) are measured once."""
    spec = {stem: (cell, L, H) for stem, cell, L, H, _ in MODELS}
    rows = []
    for stem, batches in BATCHED:
        cell, L, H = spec[stem]
        for B in batches:
            rows.append(("%s_b%d_n%d" % (stem, B, BATCHED_N), cell, L, H, B,
                         BATCHED_N, stem))
    return rows


# ----------------------------------------------------------------- data

def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, shape, array('f')).  Little-endian F32."""
    header, offset = {}, 0
    for name, shape, data in tensors:
        size = len(data) * 4
        header[name] = {"dtype": "F32", "shape": list(shape),
                        "data_offsets": [offset, offset + size]}
        offset += size
    if metadata:
        header["__metadata__"] = metadata
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * (-len(hb) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for _, _, data in tensors:
            if sys.byteorder != "little":
                data = array.array("f", data)
                data.byteswap()
            data.tofile(f)
    os.replace(tmp, path)


def uniform(rng, n, k):
    r = rng.random
    return array.array("f", [(2.0 * r() - 1.0) * k for _ in range(n)])


def make_model(path, cell, L, H, f, seed):
    """PyTorch-like init: U(-1/sqrt(H), 1/sqrt(H)), state_dict key names."""
    rng = random.Random(seed)
    G, k = GATES[cell], 1.0 / math.sqrt(H)
    tensors = []
    for l in range(L):
        C = f if l == 0 else H
        tensors += [
            ("weight_ih_l%d" % l, (G * H, C), uniform(rng, G * H * C, k)),
            ("weight_hh_l%d" % l, (G * H, H), uniform(rng, G * H * H, k)),
            ("bias_ih_l%d" % l, (G * H,), uniform(rng, G * H, k)),
            ("bias_hh_l%d" % l, (G * H,), uniform(rng, G * H, k)),
        ]
    meta = {"rnn.cell": "rnn" if cell.startswith("rnn") else cell}
    if cell.startswith("rnn"):
        meta["rnn.nonlinearity"] = cell[4:]
    write_safetensors(path, tensors, meta)


def make_data(workdir, log):
    """Models and input in @workdir, made once (stamped)."""
    os.makedirs(workdir, exist_ok=True)
    stamp = os.path.join(workdir, "stamp")
    want = "gen %s F=%d frames=%d streams=%d %s" % (
        GEN_VERSION, F, INPUT_FRAMES, INPUT_STREAMS, MODELS)
    if os.path.exists(stamp) and open(stamp).read() == want and all(
            os.path.exists(os.path.join(workdir, s + ".safetensors")) for s, *_ in MODELS):
        return
    t0 = time.time()
    for i, (stem, cell, L, H, f) in enumerate(MODELS):
        make_model(os.path.join(workdir, stem + ".safetensors"), cell, L, H, f,
                   1000 + i)
    rng = random.Random(7)
    data = uniform(rng, INPUT_FRAMES * INPUT_STREAMS * F, 1.0)
    if sys.byteorder != "little":
        data.byteswap()
    with open(os.path.join(workdir, "input.f32"), "wb") as f:
        data.tofile(f)
    with open(stamp, "w") as f:
        f.write(want)
    log("generated models and input in %s (%.1f s)" % (workdir, time.time() - t0))


def write_plan(path, workdir, rows):
    with open(path, "w") as f:
        f.write("# name cell layers F H B n model\n")
        for name, cell, L, H, B, n, stem in rows:
            f.write("%s %s %d %d %d %d %d %s\n" % (
                name, cell, L, MODEL_F[stem], H, B, n,
                os.path.join(workdir, stem + ".safetensors")))


# ------------------------------------------------- precisions (issue 13)

# (config name, cell, H, F, model stem): batch 1, 160 frames per call, the
# weights in f32, bf16 and int8 (bench_core --precision), each against the
# floor of its own weight bytes.  lstm_h256 and gru_h256 are MODELS' files.
PRECISION_ROWS = [
    ("lstm_h1024_f256_b1_n160", "lstm", 1024, 256, "lstm_h1024_f256"),
    ("lstm_h256_b1_n160", "lstm", 256, F, "lstm_h256"),
    ("gru_h256_b1_n160", "gru", 256, F, "gru_h256"),
]
PRECISIONS = ("f32", "bf16", "int8")
# speed-up over f32 each precision must reach, per config
PRECISION_TARGETS = {"lstm_h1024_f256_b1_n160": {"bf16": 1.8, "int8": 3.0},
                     "lstm_h256_b1_n160": {"bf16": 1.4, "int8": 2.0},
                     "gru_h256_b1_n160": {"bf16": 1.4, "int8": 2.0}}


def precision_section(args, env, core_exe, workdir, inp, log):
    """Runs bench_core once per precision (per round, alternating order) on
    PRECISION_ROWS; returns (lines of the table, PASS count, MISS count,
    raw JSON lines)."""
    rows = [r for r in PRECISION_ROWS if not args.only or args.only in r[0]]
    if not rows:
        return [], 0, 0, []
    plan = os.path.join(workdir, "plan-precision.txt")
    with open(plan, "w") as f:
        f.write("# name cell layers F H B n model\n")
        for name, cell, H, Fin, stem in rows:
            f.write("%s %s 1 %d %d 1 160 %s\n" % (
                name, cell, Fin, H, os.path.join(workdir, stem + ".safetensors")))
    raw, res, floors = [], {}, {}
    for rnd in range(max(1, args.rounds)):
        order = PRECISIONS if rnd % 2 == 0 else PRECISIONS[::-1]
        for prec in order:
            lines, _ = run_json([core_exe, "--plan", plan, "--input", inp,
                                 "--reps", str(args.reps), "--target-ms",
                                 str(args.target_ms), "--precision", prec],
                                env, log, 900, "core %s (round %d)" % (prec, rnd + 1))
            raw += lines
            for l in lines:
                k = (prec, l.get("name"))
                if l.get("type") == "result":
                    res[k] = min(res.get(k, float("inf")), l["us_per_step"])
                elif l.get("type") == "floor":
                    if k not in floors or l["floor_us"] < floors[k]["floor_us"]:
                        floors[k] = l
    out = ["precision of the weights (issue 13): batch 1, 160 frames per call, us per "
           "step; floor = that precision's weight bytes per step / bw"]
    out.append("  %-24s %-5s %8s %8s %6s %6s %7s  %s" % (
        "config", "prec", "core", "floor", "GB/s", "c/fl", "x f32", "target"))
    n_pass = n_miss = 0
    for name, cell, H, Fin, stem in rows:
        base = res.get(("f32", name))
        for prec in PRECISIONS:
            us = res.get((prec, name))
            fl = floors.get((prec, name), {})
            sp = ratio(base, us)
            lim = PRECISION_TARGETS.get(name, {}).get(prec)
            verdict = ""
            if lim is not None and sp is not None:
                ok = sp >= lim
                verdict = "x f32>=%g %s" % (lim, "PASS" if ok else "MISS")
                n_pass, n_miss = n_pass + ok, n_miss + (not ok)
            out.append("  %-24s %-5s %8s %8s %6s %6s %7s  %s" % (
                "%s h%d F%d B1 n160" % (cell, H, Fin) if prec == "f32" else "",
                prec, fmt(us, 8),
                fmt(fl.get("floor_us"), 8, 2), fmt(fl.get("bw_gbs"), 6, 0),
                fmt(ratio(us, fl.get("floor_us")), 6, 2), fmt(sp, 7, 2), verdict))
    out.append("")
    return out, n_pass, n_miss, raw


# ------------------------------------------------------------- running

class Log:
    """The run's messages on stderr: with -v every command and its output
    (calling it), and without -v one progress line per benchmark step
    (step()), so that a 15-minute run is not silent.  stdout (the tables)
    is the same either way."""

    def __init__(self, verbose):
        self.verbose = verbose
        self.t0 = time.time()

    def __call__(self, msg):
        if self.verbose:
            print("# " + msg, file=sys.stderr, flush=True)

    def step(self, label):
        if not self.verbose:                 # -v prints "# running ..." instead
            t = int(time.time() - self.t0)
            print("bench: %d:%02d %s ..." % (t // 60, t % 60, label),
                  file=sys.stderr, flush=True)


def progress(log, label):
    """One progress line for the step @label, when @log has step()."""
    step = getattr(log, "step", None)
    if step is not None:
        step(label)


def run_json(cmd, env, log, timeout, label):
    """Runs @cmd, returns the JSON lines it printed (a list of dicts) and a
    note ("" if it ran, else why not)."""
    progress(log, label)
    log("running %s: %s" % (label, " ".join(cmd)))
    t0 = time.time()
    try:
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout, text=True)
    except FileNotFoundError:
        return [], "not found"
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        return parse_lines(out), "timed out after %d s" % timeout
    lines = parse_lines(p.stdout)
    log("  %s done in %.1f s (exit %d)" % (label, time.time() - t0, p.returncode))
    note = ""
    if p.returncode != 0:
        note = "exit %d: %s" % (p.returncode, p.stderr.strip().splitlines()[-1:] or "")
        log("  " + p.stderr.strip().replace("\n", "\n  "))
    return lines, note


def run_pair(cmd, env, log, timeout, label):
    """Two copies of @cmd at once, on CPUs 0 and 1 (taskset, when it is
    there): returns the JSON lines of each, and a note ("" if both ran)."""
    progress(log, label + " (two processes)")
    log("running %s (two processes): %s" % (label, " ".join(cmd)))
    pin = shutil.which("taskset")
    procs = []
    try:
        for cpu in (0, 1):
            c = ([pin, "-c", str(cpu)] if pin else []) + cmd
            procs.append(subprocess.Popen(c, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True))
    except OSError as e:
        for q in procs:
            q.kill()
        return [], str(e)
    outs, note = [], ""
    for q in procs:
        try:
            out, err = q.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            q.kill()
            out, err = q.communicate()
            note = "timed out after %d s" % timeout
        if q.returncode and not note:
            note = "exit %d: %s" % (q.returncode, err.strip().splitlines()[-1:] or "")
        outs.append(parse_lines(out))
    return outs, note


def parse_lines(text):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def find_torch_python(explicit):
    """A python that can import torch (the driver itself need not)."""
    cands = [explicit] if explicit else [sys.executable, "/usr/bin/python3"]
    for py in cands:
        if py and os.path.exists(py):
            r = subprocess.run([py, "-c", "import torch, numpy"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if r.returncode == 0:
                return py
    return cands[-1] if cands else None


def max_abs_diff(path_a, path_b):
    a, b = array.array("f"), array.array("f")
    try:
        with open(path_a, "rb") as f:
            a.frombytes(f.read())
        with open(path_b, "rb") as f:
            b.frombytes(f.read())
    except OSError:
        return None
    if len(a) != len(b) or not a:
        return float("inf")
    d = max(map(lambda x, y: abs(x - y), a, b))
    return float("inf") if d != d else d


# ------------------------------------------------------------- the run

@dataclass
class Run:
    """What the steps of one run share: the options, the paths and plans,
    the environment of every contender, and what the runs gave so far."""
    args: argparse.Namespace
    log: Callable[[str], None]
    bdir: str           # BUILD/tests/bench: the bench programs
    workdir: str        # models, input, plans
    dump: str           # outputs of the first round, for the checks
    inp: str
    rows: list          # the first table's rows (plan_rows)
    brows: list         # the batched table's rows
    allrows: list       # both, each once: plan
    half_rows: list     # brows with B >= 64, half their streams: hplan
    plan: str
    bplan: str
    hplan: str
    env: dict
    common: list        # bench_core/bench_dnnl/bench_torch.py options
    core_exe: str
    raw: list = field(default_factory=list)    # every JSON line, in order
    notes: dict = field(default_factory=dict)  # why a run is missing
    t_start: float = 0.0
    load_before: float | None = None
    coretype_note: str = ""


def parse_args():
    """The options, with --quick applied and --build found (an error
    without one)."""
    ap = argparse.ArgumentParser(
        description="gst-rnn speed benchmark (core vs oneDNN vs PyTorch vs floor)")
    ap.add_argument("--build", default=None,
                    help="meson build directory (default: ./build or ../../build)")
    ap.add_argument("--workdir", default=None,
                    help="models, input and dumps (default BUILD/tests/bench/data)")
    ap.add_argument("--only", default=None, help="configurations whose name contains this")
    ap.add_argument("--no-threads", action="store_true",
                    help="skip the two-threads runs")
    ap.add_argument("--no-batched", action="store_true",
                    help="skip the many-streams (batched) table")
    ap.add_argument("--no-gemm", action="store_true",
                    help="skip the products tables (core kernel vs OpenBLAS "
                         "SGEMM, and each batched step against its products)")
    ap.add_argument("--reps", type=int, default=7, help="timed repetitions (7)")
    ap.add_argument("--target-ms", type=float, default=60.0,
                    help="duration of one repetition (60 ms)")
    ap.add_argument("--min-steps", type=int, default=160,
                    help="time steps per repetition, at least (160: one call of "
                         "the batched rows, whose steps take milliseconds)")
    ap.add_argument("--rounds", type=int, default=2,
                    help="run every contender this many times, in alternating "
                         "order, and keep the best median (2)")
    ap.add_argument("--pair-rounds", type=int, default=11,
                    help="rounds of the core and oneDNN alternated in one process "
                         "(bench_dnnl --pair) on the batched rows (11; 0: skip)")
    ap.add_argument("--quick", action="store_true",
                    help="1 round of 3 repetitions of ~15 ms: a smoke run, noisy numbers")
    ap.add_argument("--no-dnnl", action="store_true")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--no-element", action="store_true")
    ap.add_argument("--no-precision", action="store_true",
                    help="skip the bf16/int8 table (issue 13)")
    ap.add_argument("--torch-python", default=None,
                    help="python that has torch (default: this one, else /usr/bin/python3)")
    ap.add_argument("--openblas-coretype", default="Haswell",
                    help="OPENBLAS_CORETYPE to set when OpenBLAS detects Prescott "
                         "(default Haswell)")
    ap.add_argument("--element-seconds", type=float, default=2.0,
                    help="seconds of 16 kHz audio for the element table (2)")
    ap.add_argument("--json", default=None, help="also write every raw line here")
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 when a target is missed or a check fails")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.reps, args.target_ms, args.rounds = 3, 15.0, 1
        args.pair_rounds = min(args.pair_rounds, 3)
    if args.build is None:
        for cand in ("build", os.path.join(SRC_ROOT, "build")):
            if os.path.exists(os.path.join(cand, "build.ninja")):
                args.build = cand
                break
        else:
            ap.error("no build directory: pass --build")
    args.build = os.path.abspath(args.build)
    return args


def select_rows(args):
    """The rows this run measures (--only, --no-batched): (rows, brows,
    allrows, half_rows), see Run."""
    rows = plan_rows()
    brows = [] if args.no_batched else batched_rows()
    if args.only:
        rows = [r for r in rows if args.only in r[0]]
        brows = [r for r in brows if args.only in r[0]]
    names = set(r[0] for r in rows)
    allrows = rows + [r for r in brows if r[0] not in names]
    # the B >= 64 rows with half their streams (same names): one process per
    # core, for what two cores give (see the thread rounds)
    half_rows = [(r[0], r[1], r[2], r[3], r[4] // 2) + r[5:] for r in brows
                 if r[4] >= 64]
    return rows, brows, allrows, half_rows


def setup(args, log):
    """The data, an empty dump directory, the plans, the contenders'
    environment (one thread each); reads the load before the run and asks
    bench_core which OpenBLAS core it got."""
    bdir = os.path.join(args.build, "tests", "bench")
    workdir = os.path.abspath(args.workdir or os.path.join(bdir, "data"))
    dump = os.path.join(workdir, "dump")
    if os.path.isdir(dump):
        shutil.rmtree(dump)
    os.makedirs(dump)
    progress(log, "generating the models and the input")
    make_data(workdir, log)
    rows, brows, allrows, half_rows = select_rows(args)
    plan = os.path.join(workdir, "plan.txt")
    write_plan(plan, workdir, allrows)
    bplan = os.path.join(workdir, "plan-batched.txt")
    write_plan(bplan, workdir, brows)
    hplan = os.path.join(workdir, "plan-half.txt")
    write_plan(hplan, workdir, half_rows)
    inp = os.path.join(workdir, "input.f32")

    env = dict(os.environ)
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               GOTO_NUM_THREADS="1")
    common = ["--plan", plan, "--input", inp, "--reps", str(args.reps),
              "--target-ms", str(args.target_ms), "--min-steps", str(args.min_steps)]
    run = Run(args, log, bdir, workdir, dump, inp, rows, brows, allrows, half_rows,
              plan, bplan, hplan, env, common, os.path.join(bdir, "bench_core"))
    run.t_start = time.time()
    try:
        run.load_before = float(open("/proc/loadavg").read().split()[0])
    except (OSError, ValueError, IndexError):
        run.load_before = None
    set_openblas_coretype(run)
    return run


def set_openblas_coretype(run):
    """When OpenBLAS detects Prescott (SSE3 kernels) and OPENBLAS_CORETYPE
    is not set, sets --openblas-coretype for every contender."""
    info, _ = run_json([run.core_exe, "--info"], run.env, run.log, 60, "core --info")
    core0 = next((l.get("openblas_core") for l in info if l.get("type") == "info"), None)
    if core0 and core0.lower().startswith("prescott") and "OPENBLAS_CORETYPE" not in os.environ:
        run.env["OPENBLAS_CORETYPE"] = run.args.openblas_coretype
        run.coretype_note = ("OpenBLAS detected %s (SSE3 kernels): set OPENBLAS_CORETYPE=%s "
                             "for every contender" % (core0, run.args.openblas_coretype))


def run_contenders(run):
    """The core, oneDNN and PyTorch on every row (first table, and the
    batched table's contender columns); their lines go to run.raw."""
    args, notes, common = run.args, run.notes, run.common
    # The contenders, run one after the other; with --rounds 2 (default) the
    # whole set runs twice in opposite orders and each number is the better
    # of its two medians, so that a change in the load of the machine does
    # not favour whoever ran first.
    def cmd_core(extra):
        return [run.core_exe] + common + extra

    dnnl_exe = os.path.join(run.bdir, "bench_dnnl")
    py = None if args.no_torch else find_torch_python(args.torch_python)
    contenders = [("core", cmd_core)]
    if args.no_dnnl:
        notes["dnnl"] = "skipped (--no-dnnl)"
    elif not os.path.exists(dnnl_exe):
        notes["dnnl"] = "not built (libdnnl-dev or g++ missing at configure time)"
    else:
        contenders.append(("dnnl", lambda extra: [dnnl_exe] + common + extra))
    if args.no_torch:
        notes["torch"] = "skipped (--no-torch)"
    else:
        contenders.append(("torch", lambda extra: [
            py, os.path.join(HERE, "bench_torch.py")] + common + extra))
    for rnd in range(max(1, args.rounds)):
        order = contenders if rnd % 2 == 0 else contenders[::-1]
        for who, cmd in order:
            if who != "core" and notes.get(who, "").startswith("torch not importable"):
                continue
            extra = ["--dump", run.dump] if rnd == 0 else []
            lines, note = run_json(cmd(extra), run.env, run.log, 900,
                                   "%s (round %d)" % (who, rnd + 1))
            notes[who] = notes.get(who) or note
            for l in lines:
                l["round"] = rnd + 1
                if l.get("type") == "unavailable":
                    notes[who] = "torch not importable (%s)" % l.get("message")
            run.raw += lines


def run_threads(run):
    """Two threads for one stream (third table): the batch-1 rows again
    with rnn_state_set_threads (state, 2); then the batched rows' thread
    rounds.  Returns (the 2-thread result lines, the batched table's
    thread dict: "one", "two", "pair", "fma")."""
    two = []
    thr = {"one": {}, "two": {},
           "pair": {},    # (name, process) -> us, B/2 streams in each process
           "fma": []}     # bench_core --two-cores lines, one per round
    if not run.args.no_threads:
        tenv = dict(run.env)
        tenv["RNN_BENCH_THREADS"] = "2"
        only = [a for a in run.common]
        if "--only" in only:
            i = only.index("--only")
            del only[i:i + 2]
        lines, run.notes["threads"] = run_json(
            [run.core_exe] + only + ["--only", "_b1_"], tenv, run.log, 900,
            "core, 2 threads")
        two = [l for l in lines if l.get("type") == "result"]
        if run.brows:
            run_threads_batched(run, only, tenv, thr)
    return two, thr


def run_threads_batched(run, only, tenv, thr):
    """The batched rows on one thread and two, and as two processes of
    half the streams; the FMA loop on one and two threads.  Fills @thr."""
    # one thread and two, back to back in alternating order per
    # round, so that their ratio comes from the same minutes (on a
    # shared machine the speed drifts by 10-25% over a run); each
    # is the better of its rounds
    bcommon = [a if a != run.plan else run.bplan for a in only]
    # what this machine's two cores give without any of the
    # element's threading: two processes, each with half the
    # streams of a B >= 64 row on one CPU, at the same time; and
    # the FMA loop on two threads at once
    hcommon = [a if a != run.plan else run.hplan for a in only]
    core_exe, env, log, notes = run.core_exe, run.env, run.log, run.notes
    runs = [("1", env), ("2", tenv), ("pair", env)]
    for rnd in range(max(1, run.args.rounds)):
        lines, _ = run_json([core_exe, "--two-cores"], env, log, 60,
                            "FMA loop, one and two threads")
        thr["fma"] += [l for l in lines if l.get("type") == "two_cores"]
        for label, e in (runs if rnd % 2 == 0 else runs[::-1]):
            what = "core batched, %s (round %d)" % (label, rnd + 1)
            if label == "pair":
                if not run.half_rows:
                    continue
                outs, note = run_pair([core_exe] + hcommon, e, log, 1800, what)
                notes.setdefault("pair", note)
                for i, lines in enumerate(outs):
                    for l in lines:
                        if l.get("type") == "result":
                            k_, v_ = (l["name"], i), l["us_per_step"]
                            thr["pair"][k_] = min(thr["pair"].get(k_, v_), v_)
                continue
            lines, note = run_json([core_exe] + bcommon, e, log, 1800, what)
            notes.setdefault("threads_batched", note)
            dst = thr["two"] if label == "2" else thr["one"]
            for l in lines:
                if l.get("type") == "result":
                    n_, v_ = l["name"], l["us_per_step"]
                    dst[n_] = min(dst.get(n_, v_), v_)


def run_gemm(run):
    """The products alone: core kernel vs OpenBLAS SGEMM (fifth table), with
    OpenBLAS as it detects the CPU and, if that is Prescott, corrected.
    Returns {"detected"|"corrected": bench_gemm's lines}."""
    gemm_lines = {}
    gemm_exe = os.path.join(run.bdir, "bench_gemm")
    if not run.args.no_gemm and os.path.exists(gemm_exe):
        genv = dict(run.env)
        genv.pop("OPENBLAS_CORETYPE", None)
        if "OPENBLAS_CORETYPE" in os.environ:
            genv["OPENBLAS_CORETYPE"] = os.environ["OPENBLAS_CORETYPE"]
        runs = [("detected", genv)]
        if run.coretype_note:
            runs.append(("corrected", run.env))
        for label, e in runs:
            lines, run.notes["gemm_" + label] = run_json(
                [gemm_exe, "--reps", str(run.args.reps)], e, run.log, 900,
                "bench_gemm (OpenBLAS %s)" % label)
            gemm_lines[label] = lines
            run.raw += lines
        # each batched row's step against its two products, alternated in
        # one process (bench_report.products_bound)
        steps = []
        for name, _cell, _L, _H, B, _n, stem in run.brows:
            steps += ["--step", "%s:%s:%d" % (
                name, os.path.join(run.workdir, stem + ".safetensors"), B)]
        if steps:
            lines, run.notes["step_products"] = run_json(
                [gemm_exe, "--reps", str(min(run.args.reps, 5))] + steps,
                run.env, run.log, 900, "bench_gemm --step")
            run.raw += lines
    else:
        run.notes["gemm"] = "skipped" if run.args.no_gemm else "not built"
    return gemm_lines


def run_element(run):
    """The element in a pipeline vs the core (second table): bench_element's
    lines, [] when it did not run (run.notes["element"] says why)."""
    args, notes = run.args, run.notes
    elem = []
    if not args.no_element:
        exe = os.path.join(run.bdir, "bench_element")
        if os.path.exists(exe):
            eenv = dict(run.env)
            eenv["GST_PLUGIN_PATH"] = os.path.join(args.build, "plugin")
            eenv.setdefault("GST_REGISTRY", os.path.join(run.workdir, "gst-registry.bin"))
            frames = int(args.element_seconds * 16000)
            frames = min(frames, INPUT_FRAMES * INPUT_STREAMS)
            lines, notes["element"] = run_json(
                [exe, "--model", os.path.join(run.workdir, "lstm_h256.safetensors"),
                 "--input", run.inp, "--frames", str(frames), "--channels", str(F),
                 "--reps", str(max(3, min(args.reps, 5)))], eenv, run.log, 600, "element")
            elem = lines
            run.raw += lines
        else:
            notes["element"] = "not built (GStreamer dev files missing at configure time)"
    else:
        notes["element"] = "skipped (--no-element)"
    return elem


def run_precision(run):
    """The bf16/int8 table unless --no-precision: (its lines, PASS count,
    MISS count); its raw lines go to run.raw, marked section=precision."""
    if run.args.no_precision:
        return [], 0, 0
    prec_out, prec_pass, prec_miss, prec_raw = precision_section(
        run.args, run.env, run.core_exe, run.workdir, run.inp, run.log)
    run.raw += [dict(l, section="precision") for l in prec_raw]
    return prec_out, prec_pass, prec_miss


def check_outputs(allrows, dump):
    """Verification against the core's outputs: (who, name) -> max abs
    difference of oneDNN's and PyTorch's dumps from the core's."""
    checks = {}
    for row in allrows:
        name = row[0]
        core_dump = os.path.join(dump, "core-%s.f32" % name)
        for who in ("dnnl", "torch"):
            other = os.path.join(dump, "%s-%s.f32" % (who, name))
            if os.path.exists(core_dump) and os.path.exists(other):
                checks[(who, name)] = max_abs_diff(core_dump, other)
    return checks


# ------------------------------------------------------------- main

def main():
    args = parse_args()

    log = Log(args.verbose)
    run = setup(args, log)
    run_contenders(run)
    alt_lines = run_alternated(run, args.pair_rounds, run_json)
    two, thr = run_threads(run)
    gemm_lines = run_gemm(run)
    elem = run_element(run)
    prec_out, prec_pass, prec_miss = run_precision(run)
    elapsed = time.time() - run.t_start

    if args.json:
        with open(args.json, "w") as f:
            for l in run.raw:
                f.write(json.dumps(l) + "\n")

    r = collect(run.raw)
    checks = check_outputs(run.allrows, run.dump)

    out = []
    p = out.append
    header(p, args, r, run.notes, run.coretype_note, run.load_before)
    (n_pass, n_miss, n_na), bad_checks = main_table(p, run.rows, r, checks, TOL)
    if run.brows:
        n_pass, n_miss, n_na = batched_table(
            p, run.brows, r.res, r.floors, checks, thr, r.peak,
            (n_pass, n_miss, n_na), MODEL_F, BATCHED_N, TOL)
        products_bound(p, run.brows, r.res, run.raw)
        alternated_table(p, run.brows, alt_lines, MODEL_F, GATES)
    if gemm_lines:
        gemm_table(p, gemm_lines)
    if two:
        threads_table(p, two, r.res, args.only)
    a, b = element_table(p, elem, r.mem, run.notes.get("element"), F, args.reps)
    n_pass, n_miss = n_pass + a, n_miss + b
    out += prec_out
    if prec_out:
        p("targets of issue 13: %d PASS, %d MISS" % (prec_pass, prec_miss))
        n_miss += prec_miss
    p("targets (issues 5 and 12): %d PASS, %d MISS, %d n/a; benchmark took %.0f s" % (
        n_pass, n_miss - prec_miss, n_na, elapsed))
    print("\n".join(out), flush=True)

    if not any(k[0] == "core" for k in r.res):
        print("bench: the core produced no result (%s)" % run.notes.get("core"),
              file=sys.stderr)
        return 1
    if args.strict and (n_miss or bad_checks):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
