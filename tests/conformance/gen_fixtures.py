#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Generate the PyTorch conformance fixtures for gst-rnn.

Run from the repository root (needs PyTorch, e.g. Debian's python3-torch):

    /usr/bin/python3 tests/conformance/gen_fixtures.py          # rewrite fixtures/
    /usr/bin/python3 tests/conformance/gen_fixtures.py --list   # list the cases

Every case writes fixtures/NAME.model.safetensors (the state_dict, as a user
would save it) and fixtures/NAME.data.safetensors (input, expected output,
states).  See README.md for the format.  Output is deterministic: rerunning
reproduces byte-identical files.  The script checks its own work (re-reads
every file, reloads the model from the written file, checks that streaming
the input in the `splits` blocks gives the same result, and checks that the
float32 result is close to a float64 evaluation, i.e. the case is
well-conditioned for a 1e-5 tolerance).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import random
import sys
import zlib

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
from safetensors_io import load_file, round_to_dtype, save_file  # noqa: E402

FIXDIR = os.path.join(HERE, "fixtures")
GAIN = {"rnn": 1.3, "lstm": 2.0, "lstmp": 2.0, "gru": 1.5}

CELL_NAMES = {"rnn": "RNN tanh", "rnnrelu": "RNN relu", "lstm": "LSTM",
              "lstmp": "LSTM+proj", "gru": "GRU"}


def case(cell, L, bias, bi, B, bf, h0=False, head=None, dtype="F32",
         rnn_attr=None, head_attr="fc", meta_cell=False, labels=False,
         size=None):
    """size: (T, F, H) instead of the random small sizes (the batched
    cases: enough hidden units for several 16-row panels)."""
    """rnn_attr None: bare module (only allowed without head)."""
    if head is not None and rnn_attr is None:
        rnn_attr = "rnn"
    name = "%s_l%d_%s_%s_b%d_%s" % (cell, L, "bias" if bias else "nobias",
                                    "bi" if bi else "uni", B,
                                    "bf" if bf else "tm")
    if head is not None:
        name += "_head-" + head
    if h0:
        name += "_h0"
    if rnn_attr is not None and head is None and rnn_attr == "rnn":
        name += "_wrap"
    if rnn_attr not in (None, "rnn"):
        name += "_pfx-" + rnn_attr
    if head is not None and head_attr != "fc":
        name += "-" + head_attr
    if meta_cell or labels:
        name += "_meta"
    if dtype != "F32":
        name += "_" + dtype.lower()
    if size is not None:
        name += "_h%d" % size[2]
    return dict(name=name, cell=cell, L=L, bias=bias, bi=bi, B=B, bf=bf,
                h0=h0, head=head, dtype=dtype, rnn_attr=rnn_attr,
                head_attr=head_attr, meta_cell=meta_cell, labels=labels,
                size=size)


CASES = [
    # RNN tanh
    case("rnn", 1, True, False, 1, False),
    case("rnn", 2, True, False, 3, True, h0=True),
    case("rnn", 3, False, False, 3, False, h0=True),
    case("rnn", 1, True, True, 3, False),
    case("rnn", 2, False, True, 1, True, h0=True, rnn_attr="rnn"),
    case("rnn", 1, True, False, 3, False, head="sigmoid"),
    # RNN relu (metadata rnn.nonlinearity=relu is required)
    case("rnnrelu", 1, True, False, 1, False),
    case("rnnrelu", 2, False, False, 3, True, h0=True),
    case("rnnrelu", 2, True, True, 1, False, h0=True),
    case("rnnrelu", 1, True, False, 3, True, h0=True, head="softmax"),
    # LSTM
    case("lstm", 1, True, False, 1, False),
    case("lstm", 2, True, False, 3, False, h0=True),
    case("lstm", 3, False, False, 1, True),
    case("lstm", 1, True, True, 3, True, h0=True),
    case("lstm", 2, True, True, 1, False),
    case("lstm", 3, True, True, 1, True, h0=True),
    case("lstm", 1, True, False, 3, True, head="softmax", meta_cell=True,
         labels=True),
    case("lstm", 2, True, True, 3, False, head="sigmoid", h0=True),
    case("lstm", 1, True, False, 1, False, head="softmax", rnn_attr="lstm",
         head_attr="classifier"),
    # LSTM with projection
    case("lstmp", 1, True, False, 1, False),
    case("lstmp", 2, True, False, 3, True, h0=True),
    case("lstmp", 3, False, False, 1, False, h0=True),
    case("lstmp", 2, True, True, 3, False, h0=True),
    case("lstmp", 1, False, True, 1, True),
    case("lstmp", 1, False, False, 3, False, head="sigmoid"),
    # GRU
    case("gru", 1, True, False, 1, False),
    case("gru", 2, False, False, 3, False, h0=True),
    case("gru", 3, True, False, 3, True),
    case("gru", 1, False, True, 1, True, head="softmax"),
    case("gru", 2, True, True, 3, False, h0=True),
    case("gru", 2, True, False, 1, False, head="none", h0=True),
    case("gru", 1, True, False, 3, True, h0=True, rnn_attr="encoder_rnn"),
    # model file dtypes (weights rounded before computing the expected output)
    case("lstm", 2, True, False, 1, False, head="none", dtype="F16"),
    case("gru", 1, True, False, 3, True, h0=True, dtype="BF16",
         meta_cell=True),
    case("lstmp", 1, True, True, 1, False, head="sigmoid", dtype="F64"),
    # many streams (the batched kernels: row tiles of 6 and a remainder,
    # several 16-row panels and a partial one, threads split by streams)
    case("lstm", 2, True, False, 16, False, h0=True, size=(40, 5, 37)),
    case("lstm", 1, True, False, 64, True, head="softmax", size=(24, 7, 20)),
    case("gru", 1, True, False, 64, False, h0=True, size=(24, 6, 36)),
    case("gru", 2, False, True, 16, False, size=(30, 4, 21)),
    case("rnn", 2, True, False, 16, True, h0=True, size=(40, 5, 45)),
    case("lstmp", 1, True, False, 16, False, h0=True, size=(40, 4, 26)),
]


class Wrapper(nn.Module):
    def __init__(self, rnn_attr, rnn, head_attr=None, head=None):
        super().__init__()
        self.rnn_attr, self.head_attr = rnn_attr, head_attr
        setattr(self, rnn_attr, rnn)
        if head is not None:
            setattr(self, head_attr, head)


def make_splits(rng, T):
    """Uneven block sizes summing to T, with 1-frame blocks and a large one."""
    sizes = [1, 7, 13, 1, 64] if T >= 100 else [1, 7, 1, 9]
    rng.shuffle(sizes)
    choices = [1, 1, 2, 3, 5, 8, 11, 17, 23, 31, 40]
    while sum(sizes) < T:
        sizes.append(rng.choice(choices))
    extra = sum(sizes) - T
    sizes[-1] -= extra
    if sizes[-1] == 0:
        sizes.pop()
    assert sum(sizes) == T and all(s > 0 for s in sizes)
    return sizes


def build(c, seed):
    rng = random.Random(seed)
    torch.manual_seed(seed)
    cell = c["cell"]
    F = rng.randint(3, 6)
    H = rng.randint(4, 12) if not c["bi"] else rng.randint(4, 8)
    P = rng.randint(2, H - 1) if cell == "lstmp" else 0
    T = rng.randint(200, 260)
    if c["size"] is not None:
        T, F, H = c["size"]
        P = rng.randint(2, H - 1) if cell == "lstmp" else 0
    kw = dict(input_size=F, hidden_size=H, num_layers=c["L"], bias=c["bias"],
              batch_first=c["bf"], bidirectional=c["bi"])
    if cell in ("rnn", "rnnrelu"):
        rnn = nn.RNN(nonlinearity="relu" if cell == "rnnrelu" else "tanh", **kw)
    elif cell in ("lstm", "lstmp"):
        rnn = nn.LSTM(proj_size=P, **kw)
    else:
        rnn = nn.GRU(**kw)
    # PyTorch's default init (uniform +-1/sqrt(H)) makes deep / bias-free
    # stacks decay towards 0; a gain keeps the signals O(0.1..1) while the
    # dynamics stay contractive (checked below against float64).
    with torch.no_grad():
        for p in rnn.parameters():
            if cell == "rnnrelu":
                p.uniform_(-0.3, 0.3)
            else:
                p.mul_(GAIN[cell])
    D = 2 if c["bi"] else 1
    Hout = P if P else H
    head = None
    O = D * Hout
    if c["head"] is not None:
        O = rng.randint(2, 6)
        head = nn.Linear(D * Hout, O)
    if c["rnn_attr"] is None:
        model = rnn
    else:
        model = Wrapper(c["rnn_attr"], rnn, c["head_attr"], head)
    model.eval()
    # round the weights to the file dtype so that the reference uses exactly
    # the values stored
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(round_to_dtype(p.data, c["dtype"]))
    B = c["B"]
    shape = (B, T, F) if c["bf"] else (T, B, F)
    if rng.random() < 0.5:
        x = torch.rand(shape) * 2 - 1
        xkind = "uniform(-1,1)"
    else:
        x = torch.randn(shape)
        xkind = "randn"
    h0 = c0 = None
    if c["h0"]:
        h0 = torch.randn(c["L"] * D, B, Hout) * 0.5
        if cell in ("lstm", "lstmp"):
            c0 = torch.randn(c["L"] * D, B, H) * 0.5
    splits = [T] if c["bi"] else make_splits(rng, T)
    dims = dict(F=F, H=H, P=P, T=T, D=D, Hout=Hout, O=O, xkind=xkind)
    return model, rnn, head, x, h0, c0, splits, dims


def run_rnn(rnn, x, h0, c0, is_lstm):
    if is_lstm:
        st = None if h0 is None else (h0, c0)
        y, (hn, cn) = rnn(x, st)
        return y, hn, cn
    y, hn = rnn(x, h0)
    return y, hn, None


def apply_head(head, act, y):
    z = head(y)
    if act == "softmax":
        z = torch.softmax(z, dim=-1)
    elif act == "sigmoid":
        z = torch.sigmoid(z)
    return z


def describe(c, dims):
    parts = [CELL_NAMES[c["cell"]], "%d layer%s" % (c["L"], "s" if c["L"] > 1 else ""),
             "bias" if c["bias"] else "no bias",
             "input %d" % dims["F"], "hidden %d" % dims["H"]]
    if dims["P"]:
        parts.append("proj %d" % dims["P"])
    parts.append("bidirectional" if c["bi"] else "unidirectional")
    if c["head"] is not None:
        parts.append("head Linear(%d->%d)+%s" % (dims["D"] * dims["Hout"], dims["O"], c["head"]))
    parts.append("B=%d" % c["B"])
    parts.append("T=%d" % dims["T"])
    parts.append("batch_first" if c["bf"] else "time-major")
    parts.append("h0/c0 given" if c["h0"] else "zero initial state")
    parts.append("input " + dims["xkind"])
    if c["rnn_attr"] is None:
        parts.append("bare module")
    else:
        parts.append("wrapper prefix '%s.'" % c["rnn_attr"])
        if c["head"] is not None:
            parts.append("head prefix '%s.'" % c["head_attr"])
    parts.append("model file " + c["dtype"])
    return ", ".join(parts)


def maxdiff(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def gen_case(c, report):
    seed = zlib.crc32(c["name"].encode()) & 0x7FFFFFFF
    model, rnn, head, x, h0, c0, splits, dims = build(c, seed)
    is_lstm = c["cell"] in ("lstm", "lstmp")
    with torch.no_grad():
        raw, hn, cn = run_rnn(rnn, x, h0, c0, is_lstm)
        out = apply_head(head, c["head"], raw) if head is not None else raw

        # streaming sanity check (unidirectional only)
        stream_err = 0.0
        if not c["bi"]:
            tdim = 1 if c["bf"] else 0
            st_h, st_c = h0, c0
            if is_lstm and st_h is None:
                st_h = torch.zeros_like(hn)
                st_c = torch.zeros_like(cn)
            pieces = []
            t = 0
            for s in splits:
                xb = x.narrow(tdim, t, s)
                yb, st_h, st_c = run_rnn(rnn, xb, st_h, st_c, is_lstm)
                pieces.append(yb)
                t += s
            ys = torch.cat(pieces, dim=tdim)
            stream_err = max(maxdiff(ys, raw), maxdiff(st_h, hn))
            if is_lstm:
                stream_err = max(stream_err, maxdiff(st_c, cn))
            assert stream_err <= 1e-6, (c["name"], stream_err)

        # conditioning check: float64 evaluation of the same weights
        rnn64 = type(rnn)(**{k: getattr(rnn, k) for k in (
            "input_size", "hidden_size", "num_layers", "bias",
            "batch_first", "bidirectional")},
            **({"proj_size": rnn.proj_size} if is_lstm else {}),
            **({"nonlinearity": rnn.nonlinearity} if isinstance(rnn, nn.RNN) else {}))
        rnn64.load_state_dict(rnn.state_dict())
        rnn64 = rnn64.double().eval()
        raw64, hn64, cn64 = run_rnn(rnn64, x.double(),
                                    None if h0 is None else h0.double(),
                                    None if c0 is None else c0.double(), is_lstm)
        if head is not None:
            out64 = apply_head(head.double(), c["head"], raw64)
            head.float()
        else:
            out64 = raw64
        cond_err = max(maxdiff(out, out64), maxdiff(hn, hn64))
        if is_lstm:
            cond_err = max(cond_err, maxdiff(cn, cn64))
        assert cond_err < 1e-6, (c["name"], cond_err)

    # ---- model file
    sd = model.state_dict()
    mmeta = {}
    if c["cell"] == "rnnrelu":
        mmeta["rnn.nonlinearity"] = "relu"
    if c["head"] is not None:
        mmeta["rnn.head_activation"] = c["head"]
    if c["meta_cell"]:
        mmeta["rnn.cell"] = {"rnn": "rnn", "rnnrelu": "rnn", "lstm": "lstm",
                             "lstmp": "lstm", "gru": "gru"}[c["cell"]]
    if c["labels"]:
        mmeta["rnn.labels"] = ",".join("class%d" % i for i in range(dims["O"]))
    mpath = os.path.join(FIXDIR, c["name"] + ".model.safetensors")
    save_file(mpath, sd, metadata=mmeta or None, dtype=c["dtype"])

    # ---- data file
    data = {"input": x, "output": out}
    if head is not None:
        data["raw_output"] = raw
    if h0 is not None:
        data["h0"] = h0
        if is_lstm:
            data["c0"] = c0
    data["h_n"] = hn
    if is_lstm:
        data["c_n"] = cn
    desc = describe(c, dims)
    dmeta = {"batch_first": "1" if c["bf"] else "0",
             "splits": ",".join(str(s) for s in splits),
             "bidirectional": "1" if c["bi"] else "0",
             "description": desc}
    dpath = os.path.join(FIXDIR, c["name"] + ".data.safetensors")
    save_file(dpath, data, metadata=dmeta, dtype="F32")

    # ---- self-check: re-read both files
    t2, m2, dt2 = load_file(mpath, with_dtypes=True)
    assert list(t2) == list(sd), c["name"]
    assert m2 == mmeta, c["name"]
    for k, v in sd.items():
        assert dt2[k] == c["dtype"]
        a = np.asarray(t2[k], dtype=np.float32)
        assert a.shape == tuple(v.shape) and np.array_equal(a, v.numpy()), (c["name"], k)
    d2, dm2 = load_file(dpath)
    assert dm2 == dmeta and list(d2) == list(data), c["name"]
    for k, v in data.items():
        assert d2[k].dtype == np.float32 and np.array_equal(d2[k], v.numpy()), (c["name"], k)
    # rebuild the model from the written file and recompute: must be identical
    model.load_state_dict({k: torch.from_numpy(np.asarray(v, dtype=np.float32))
                           for k, v in t2.items()})
    with torch.no_grad():
        raw_b, hn_b, cn_b = run_rnn(rnn, torch.from_numpy(d2["input"]),
                                    None if h0 is None else torch.from_numpy(d2["h0"]),
                                    None if c0 is None else torch.from_numpy(d2["c0"]),
                                    is_lstm)
        out_b = apply_head(head, c["head"], raw_b) if head is not None else raw_b
    assert torch.equal(out_b, out) and torch.equal(hn_b, hn), c["name"]

    size = os.path.getsize(mpath) + os.path.getsize(dpath)
    report.append((c["name"], size, float(out.abs().max()), stream_err, cond_err,
                   desc))


def main():
    if "--list" in sys.argv:
        for c in CASES:
            print(c["name"])
        return
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names), "duplicate case names"
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(FIXDIR, exist_ok=True)
    for f in os.listdir(FIXDIR):
        if f.endswith(".safetensors"):
            os.remove(os.path.join(FIXDIR, f))
    report = []
    for c in CASES:
        gen_case(c, report)
    total = 0
    for name, size, amax, serr, cerr, desc in report:
        total += size
        print("%-50s %7d B  max|out|=%6.3f  stream=%.1e  f64=%.1e" %
              (name, size, amax, serr, cerr))
    print("%d cases, %d bytes total in %s" % (len(report), total,
                                              os.path.relpath(FIXDIR)))


if __name__ == "__main__":
    main()
