#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Generate the ONNX conformance fixtures for gst-rnn (tests/conformance/onnx).

Run from the repository root with PyTorch 1.13 (Debian's python3-torch;
torch.onnx.export works offline and needs no onnx package):

    /usr/bin/python3 tests/conformance/gen_onnx.py

Every case exports a small nn.RNN / nn.LSTM / nn.GRU (optionally inside a
module with an nn.Linear head and a softmax or sigmoid) with
torch.onnx.export(..., opset_version=14) to onnx/NAME.onnx (a few also at
opsets 9, 11 and 17, OPSET_CASES, as NAME_opN.onnx), and writes
PyTorch's own output for a fixed input to onnx/NAME.data.safetensors in the
format of fixtures/ (input, output, h_n, c_n; metadata batch_first,
bidirectional), zero initial state.  Cases named _meta get metadata_props
(rnn.labels) appended to the ModelProto, as an exporter writing ONNX would.
Deterministic: fixed seeds, one thread.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import io
import sys
import warnings

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
from safetensors_io import save_file  # noqa: E402

OUTDIR = os.path.join(HERE, "onnx")
torch.set_num_threads(1)
warnings.filterwarnings("ignore")


class Wrap(nn.Module):
    def __init__(self, rnn, head, act):
        super().__init__()
        self.rnn, self.fc, self.act = rnn, head, act

    def forward(self, x, *state):
        if isinstance(self.rnn, nn.LSTM) and state:
            y, hc = self.rnn(x, (state[0], state[1]))
        elif state:
            y, hc = self.rnn(x, state[0])
        else:
            y, hc = self.rnn(x)
        if self.fc is not None:
            y = self.fc(y)
            if self.act == "softmax":
                y = torch.softmax(y, -1)
            elif self.act == "sigmoid":
                y = torch.sigmoid(y)
        if isinstance(hc, tuple):
            return (y,) + hc
        return y, hc


# name, cell, layers, bias, bidirectional, batch_first, batch, head,
# state inputs (h0/c0 are graph inputs), metadata labels
CASES = [
    ("rnn_l1_bias_uni_tm", "rnn", 1, True, False, False, 1, None, False, None),
    ("rnnrelu_l2_nobias_bi_bf", "rnnrelu", 2, False, True, True, 2, None,
     False, None),
    ("lstm_l1_nobias_uni_bf", "lstm", 1, False, False, True, 2, None, False,
     None),
    ("lstm_l2_bias_bi_tm_head-softmax_h0", "lstm", 2, True, True, False, 1,
     "softmax", True, None),
    ("gru_l1_bias_uni_bf", "gru", 1, True, False, True, 2, None, False, None),
    ("gru_l2_bias_bi_tm_head-sigmoid", "gru", 2, True, True, False, 2,
     "sigmoid", False, None),
    ("gru_l2_nobias_uni_tm_h0", "gru", 2, False, False, False, 1, None, True,
     None),
    ("lstm_l1_bias_uni_tm_head-none_meta", "lstm", 1, True, False, False, 1,
     "none", False, "yes,no,maybe"),
]

# Other opsets than 14 (torch 1.13 writes 7 to 17; the reader takes 9 to
# 17): (case name, opset), written as NAME_opN.  Before 13 a Softmax's axis
# is 2 (its input flattened to 2-D) and Squeeze takes its axes as an
# attribute; from 13 on, as an input.
OPSET_CASES = [
    ("lstm_l2_bias_bi_tm_head-softmax_h0", 9),
    ("lstm_l2_bias_bi_tm_head-softmax_h0", 11),
    ("gru_l1_bias_uni_bf", 11),
    ("lstm_l2_bias_bi_tm_head-softmax_h0", 17),
    ("gru_l1_bias_uni_bf", 17),
]

T, F, H = 7, 3, 5


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def metadata_prop(key, value):
    """ModelProto field 14, metadata_props: StringStringEntryProto."""
    k, v = key.encode(), value.encode()
    entry = b"\x0a" + varint(len(k)) + k + b"\x12" + varint(len(v)) + v
    return b"\x72" + varint(len(entry)) + entry


def make(case, seed, opset=14, outdir=OUTDIR, suffix=""):
    """Export @case at @opset to outdir/NAME@suffix.onnx with its data."""
    name, cell, L, bias, bi, bf, B, head, state, labels = case
    name += suffix
    torch.manual_seed(seed)
    kw = dict(num_layers=L, bias=bias, bidirectional=bi, batch_first=bf)
    if cell == "lstm":
        rnn = nn.LSTM(F, H, **kw)
    elif cell == "gru":
        rnn = nn.GRU(F, H, **kw)
    else:
        rnn = nn.RNN(F, H, nonlinearity="relu" if cell == "rnnrelu"
                     else "tanh", **kw)
    D = 2 if bi else 1
    fc = nn.Linear(D * H, 3) if head else None
    model = Wrap(rnn, fc, head).eval()
    x = torch.randn((B, T, F) if bf else (T, B, F))
    args = (x,)
    names = ["input"]
    if state:
        args += (torch.zeros(L * D, B, H),)
        names.append("h0")
        if cell == "lstm":
            args += (torch.zeros(L * D, B, H),)
            names.append("c0")
    with torch.no_grad():
        outs = model(*args)
    buf = io.BytesIO()
    onames = ["output", "h_n"] + (["c_n"] if cell == "lstm" else [])
    torch.onnx.export(model, args, buf, opset_version=opset, input_names=names,
                      output_names=onames)
    data = buf.getvalue()
    if labels:
        data += metadata_prop("rnn.labels", labels)
    with open(os.path.join(outdir, name + ".onnx"), "wb") as f:
        f.write(data)
    tensors = {"input": x, "output": outs[0], "h_n": outs[1]}
    if cell == "lstm":
        tensors["c_n"] = outs[2]
    meta = {"batch_first": "1" if bf else "0",
            "bidirectional": "1" if bi else "0", "splits": str(T),
            "description": "%s exported with torch.onnx.export opset %d" %
            (name, opset)}
    save_file(os.path.join(outdir, name + ".data.safetensors"),
              {k: v.contiguous() for k, v in tensors.items()}, metadata=meta)


class TanhOut(nn.Module):
    """An op after the RNN that the reader does not run (Tanh)."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(F, H)

    def forward(self, x):
        return torch.tanh(self.rnn(x)[0])


class LastStep(nn.Module):
    """Only the last step of the sequence (a Gather/Slice on the output)."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(F, H)

    def forward(self, x):
        return self.rnn(x)[0][-1]


def refused():
    """Graphs torch writes that the reader must refuse, in onnx/refused/;
    test_onnx_refused.c checks the messages."""
    d = os.path.join(OUTDIR, "refused")
    os.makedirs(d, exist_ok=True)
    x = torch.randn(T, 1, F)
    for name, model in (("tanh-after-gru", TanhOut()),
                        ("last-step-only", LastStep())):
        torch.manual_seed(7)
        buf = io.BytesIO()
        torch.onnx.export(model.eval(), (x,), buf, opset_version=14)
        with open(os.path.join(d, name + ".onnx"), "wb") as f:
            f.write(buf.getvalue())
        print("refused/" + name)
    # metadata_props that contradict the graph: rnn.cell gru on an LSTM
    torch.manual_seed(8)
    buf = io.BytesIO()
    torch.onnx.export(nn.LSTM(F, H).eval(), (x,), buf, opset_version=14)
    with open(os.path.join(d, "meta-cell-contradicts.onnx"), "wb") as f:
        f.write(buf.getvalue() + metadata_prop("rnn.cell", "gru"))
    print("refused/meta-cell-contradicts")
    # opset 8: torch writes ConstantFill and computed weights
    torch.manual_seed(9)
    torch.onnx.export(nn.GRU(F, H).eval(), (x,), os.path.join(d, "opset-8.onnx"),
                      opset_version=8)
    print("refused/opset-8")


def main():
    os.makedirs(OUTDIR, exist_ok=True)
    for i, case in enumerate(CASES):
        make(case, 100 + i)
        print(case[0])
    refused()
    index = {c[0]: i for i, c in enumerate(CASES)}
    for name, opset in OPSET_CASES:
        make(CASES[index[name]], 100 + index[name], opset=opset,
             suffix="_op%d" % opset)
        print("%s_op%d" % (name, opset))


if __name__ == "__main__":
    main()
