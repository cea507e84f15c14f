# SPDX-License-Identifier: LGPL-2.1-or-later
"""The ONNX side of gst_rnn.exporter: a recurrent module (and its Linear
head and softmax / sigmoid) written with torch.onnx.export, its metadata
appended as ModelProto.metadata_props.

The graph is what the rnn element's ONNX reader takes (core/loader/onnx.c):
the module's RNN / LSTM / GRU nodes with torch's glue, then MatMul + Add
and Softmax / Sigmoid for the head; input "input" ((T, B, F), or (B, T, F)
for a batch_first module), first output "output" (the head's, else the
module's), with T and B dynamic so other runtimes take any length and
batch.  Metadata are the keys the safetensors file carries (rnn.cell,
rnn.labels, rnn.mode, rnn.frontend.*, ...) less rnn.head, which does not
apply to a graph (the head is its MatMul + Add).

Standard library and PyTorch only (no `onnx` package: metadata_props are
appended as protobuf fields, which a ModelProto allows).  Pure functions:
any thread; the module passed in is not changed.
"""

import io
import os
import warnings

import torch
from torch import nn

__all__ = ["save_onnx", "OPSETS", "DEFAULT_OPSET"]

# The opsets whose graphs the reader takes (core/loader/onnx-private.h:
# ONNX_OPSET_MIN..MAX); torch 1.13 writes 7 to 17.
OPSETS = tuple(range(9, 18))
DEFAULT_OPSET = 14


class _Graph(nn.Module):
    """module -> head -> activation on every frame, as the element runs it."""

    def __init__(self, rnn, head, activation):
        super().__init__()
        self.rnn, self.fc, self.activation = rnn, head, activation

    def forward(self, x):
        y, _ = self.rnn(x)
        if self.fc is not None:
            y = self.fc(y)
            if self.activation == "softmax":
                y = torch.softmax(y, dim=-1)
            elif self.activation == "sigmoid":
                y = torch.sigmoid(y)
        return y


def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)


def metadata_props(meta):
    """ModelProto field 14 (metadata_props, StringStringEntryProto {key = 1,
    value = 2}) once per item of @meta, in key order: bytes to append to a
    serialized ModelProto."""
    out = bytearray()
    for k, v in sorted(meta.items()):
        k, v = str(k).encode("utf-8"), str(v).encode("utf-8")
        entry = b"\x0a" + _varint(len(k)) + k + b"\x12" + _varint(len(v)) + v
        out += b"\x72" + _varint(len(entry)) + entry
    return bytes(out)


def _plain_copy(module, state):
    """A fresh module of @module's kind and sizes holding @state (the
    folded state_dict: it may add biases to a bias=False module)."""
    kw = dict(num_layers=module.num_layers, bidirectional=module.bidirectional,
              batch_first=module.batch_first,
              bias=any(k.startswith("bias_") for k in state))
    if isinstance(module, nn.RNN):
        kw["nonlinearity"] = module.nonlinearity
    m = type(module)(module.input_size, module.hidden_size, **kw)
    m.load_state_dict(state)
    return m.eval()


def save_onnx(path, module, state, head, head_activation, meta,
              opset=DEFAULT_OPSET):
    """Write @module (nn.RNN / nn.LSTM / nn.GRU; @state its float32
    state_dict as the file should hold it, normalisation folded) with
    @head (nn.Linear or None) and @head_activation to @path as ONNX at
    @opset, @meta (str -> str, rnn.head left out) as metadata_props.
    Raises ValueError for what the graph cannot carry (proj_size: torch
    1.13 cannot export an LSTM with projections; an opset the reader does
    not take).  The file is written whole or not at all (a temporary file
    renamed)."""
    if getattr(module, "proj_size", 0):
        raise ValueError("export: an nn.LSTM with proj_size=%d cannot be "
                         "written as ONNX (torch.onnx.export refuses LSTMs "
                         "with projections): export it as .safetensors, "
                         "which carries weight_hr" % module.proj_size)
    if isinstance(opset, bool) or opset not in OPSETS:
        raise ValueError("export: opset must be one of %d to %d (the ONNX "
                         "opsets the rnn element reads), not %r"
                         % (OPSETS[0], OPSETS[-1], opset))
    graph = _Graph(_plain_copy(module, state),
                   None if head is None else _head_copy(head),
                   head_activation).eval()
    T, B = 3, 2
    x = torch.zeros((B, T, module.input_size) if module.batch_first
                    else (T, B, module.input_size))
    t_axis, b_axis = (1, 0) if module.batch_first else (0, 1)
    axes = {t_axis: "frames", b_axis: "streams"}
    buf = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")     # torch's notes on RNN batch sizes
        torch.onnx.export(graph, (x,), buf, opset_version=opset,
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": axes, "output": axes})
    data = buf.getvalue() + metadata_props(
        {k: v for k, v in meta.items() if k != "rnn.head"})
    tmp = "%s.tmp-%d" % (path, os.getpid())
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _head_copy(head):
    fc = nn.Linear(head.in_features, head.out_features,
                   bias=head.bias is not None)
    fc.load_state_dict({k: v.detach().float().cpu()
                        for k, v in head.state_dict().items()})
    return fc.eval()
