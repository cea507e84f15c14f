# SPDX-License-Identifier: LGPL-2.1-or-later
"""The ONNX part of the malformed-model corpus (see gen_malformed.py, which
calls build() here): small ModelProto files, each a valid one-layer GRU
graph (as torch.onnx.export writes it: GRU node, Squeeze, initializers)
broken in exactly one way, written with a protobuf encoder of a few lines
(standard library only; field numbers from onnx.proto).
"""
import struct

# ------------------------------------------------------------- encoder


def varint(n):
    n &= (1 << 64) - 1                  # negative int64: ten bytes
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)


def vint(field, v):
    """Field @field, wire type 0 (varint)."""
    return varint(field << 3) + varint(v)


def ld(field, payload):
    """Field @field, wire type 2 (length-delimited: bytes, string, message)."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def floats(n, start=0):
    """@n deterministic float32 values, little-endian (exact in F32)."""
    return b"".join(struct.pack("<f", (((i * 7) % 13) - 6) / 16.0)
                    for i in range(start, start + n))


# TensorProto: dims 1, data_type 2, name 8, raw_data 9, external_data 13,
# data_location 14.  FLOAT = 1, INT64 = 7, DOUBLE = 11.
def tensor(name, dims, raw, data_type=1, extra=b""):
    return (b"".join(vint(1, d) for d in dims) + vint(2, data_type) +
            ld(8, name) + ld(9, raw) + extra)


# AttributeProto: name 1, i 3, s 4, g 6, type 20 (INT = 2, STRING = 3,
# GRAPH = 5).
def attr_int(name, i):
    return ld(1, name) + vint(3, i) + vint(20, 2)


# NodeProto: input 1, output 2, name 3, op_type 4, attribute 5.
def node(name, op, inputs, outputs, attrs=()):
    return (b"".join(ld(1, s) for s in inputs) +
            b"".join(ld(2, s) for s in outputs) + ld(3, name) + ld(4, op) +
            b"".join(ld(5, a) for a in attrs))


F, H = 3, 4                             # GRU(3, 4): 3 gate blocks


def gru_parts():
    """The pieces of the valid graph, to be changed one at a time."""
    return {
        "W": tensor("W", [1, 3 * H, F], floats(3 * H * F)),
        "R": tensor("R", [1, 3 * H, H], floats(3 * H * H, 1)),
        "B": tensor("B", [1, 6 * H], floats(6 * H, 2)),
        "axes": tensor("axes", [1], struct.pack("<q", 1), data_type=7),
        "gru": node("/rnn/GRU", "GRU", ["input", "W", "R", "B"], ["Y", "Y_h"],
                    [ld(1, "hidden_size") + vint(3, H) + vint(20, 2),
                     attr_int("linear_before_reset", 1)]),
        "squeeze": node("/rnn/Squeeze", "Squeeze", ["Y", "axes"], ["output"]),
        "extra_nodes": b"",
        "opset": 14,
    }


def model(parts):
    """ModelProto: ir_version 1, producer_name 2, graph 7 (GraphProto: node
    1, name 2, initializer 5, input 11, output 12), opset_import 8."""
    g = (ld(1, parts["gru"]) + ld(1, parts["squeeze"]) + parts["extra_nodes"] +
         ld(2, "malformed") +
         b"".join(ld(5, parts[k]) for k in ("W", "R", "B", "axes")) +
         ld(11, ld(1, "input")) + ld(12, ld(1, "output")))
    return (vint(1, 8) + ld(2, "gen_malformed_onnx") + ld(7, g) +
            ld(8, vint(2, parts["opset"])))


def changed(**kw):
    p = gru_parts()
    p.update(kw)
    return model(p)


# --------------------------------------------------------------- cases


def build(case):
    """Register each ONNX case with gen_malformed.case(..., ext=".onnx")."""
    def onnx(name, code, subs, about, data):
        case("onnx-" + name, code, subs, "ONNX: " + about, data, ext=".onnx")

    valid = model(gru_parts())
    onnx("valid-gru", "OK", ["cell=gru", "input=3", "hidden=4", "layers=1",
                             "dirs=1", "bias=1", "out=4"],
         "valid: the graph every broken ONNX file starts from (GRU 3 -> 4)",
         valid)
    onnx("empty", "FORMAT", ["not an ONNX model", "has no graph"],
         "a 0-byte file named .onnx", b"")
    onnx("truncated", "FORMAT", ["not an ONNX model", "truncated or invalid"],
         "cut in the middle of an initializer", valid[:len(valid) // 2])
    onnx("no-graph", "FORMAT", ["not an ONNX model", "has no graph"],
         "ir_version and opset_import only", vint(1, 8) + ld(8, vint(2, 14)))
    onnx("huge-dims", "MODEL", ["node '/rnn/GRU' (GRU)",
                                "W: dimension 2 is 1099511627776"],
         "W claims 2^40 columns over 144 bytes of raw_data",
         changed(W=tensor("W", [1, 3 * H, 1 << 40], floats(3 * H * F))))
    onnx("negative-dims", "MODEL", ["node '/rnn/GRU' (GRU)",
                                    "R: dimension 1 is -12"],
         "R with a negative dimension",
         changed(R=tensor("R", [1, -3 * H, H], floats(3 * H * H))))
    onnx("raw-data-short", "MODEL", ["node '/rnn/GRU' (GRU)",
                                     "B: holds 92 bytes of raw_data",
                                     "its shape needs 24 floats"],
         "B's raw_data one float short (and not a whole float)",
         changed(B=tensor("B", [1, 6 * H], floats(6 * H)[:-4])))
    onnx("wrong-data-type", "MODEL", ["node '/rnn/GRU' (GRU)",
                                      "W: data type 11 is not FLOAT"],
         "W stored as DOUBLE",
         changed(W=tensor("W", [1, 3 * H, F], floats(6 * H * F),
                          data_type=11)))
    onnx("missing-input", "MODEL", ["node '/rnn/Squeeze' (Squeeze)",
                                    "input 'Y_missing' is not produced before it"],
         "the Squeeze reads a value no node or initializer makes",
         changed(squeeze=node("/rnn/Squeeze", "Squeeze", ["Y_missing", "axes"],
                              ["output"])))
    onnx("cycle", "MODEL", ["node '/a' (Identity)",
                            "input 'b_out' is not produced before it"],
         "two Identity nodes reading each other's output (a cycle)",
         changed(extra_nodes=ld(1, node("/a", "Identity", ["b_out"], ["a_out"])) +
                 ld(1, node("/b", "Identity", ["a_out"], ["b_out"]))))
    ext = (ld(13, ld(1, "location") + ld(2, "weights.bin")) + vint(14, 1))
    onnx("external-data", "MODEL", ["node '/rnn/GRU' (GRU)",
                                    "W: external or segmented data is not supported"],
         "W's data in an external file (data_location EXTERNAL)",
         changed(W=tensor("W", [1, 3 * H, F], b"", extra=ext)))
    nested = b""
    for _ in range(40):                 # Attribute.g in Node.attribute in Graph.node
        nested = ld(1, ld(5, ld(1, "g") + ld(6, nested) + vint(20, 5)))
    onnx("nested-graphs", "FORMAT", ["not an ONNX model", "nested more than 32 deep"],
         "an attribute's graph nesting graphs 40 deep",
         vint(1, 8) + ld(7, nested) + ld(8, vint(2, 14)))
    onnx("node-without-op", "MODEL", ["node '(unnamed)'", "has no op_type"],
         "1000 empty NodeProtos after the valid nodes (a repeated field, "
         "2 bytes each)", changed(extra_nodes=ld(1, b"") * 1000))
    onnx("head-without-input", "MODEL", ["node '/Softmax' (Softmax)",
                                         "has no input"],
         "a Softmax node with no input after the graph (found by the fuzzer)",
         changed(extra_nodes=ld(1, node("/Softmax", "Softmax", [], ["sm"]))))
    onnx("opset-8", "MODEL", ["opset_import: ai.onnx opset 8 is not supported",
                              "opsets 9 to 17"],
         "the valid graph declared as opset 8", changed(opset=8))
    onnx("opset-18", "MODEL", ["opset_import: ai.onnx opset 18 is not supported"],
         "the valid graph declared as opset 18 (past what was checked)",
         changed(opset=18))
    dup = ld(14, ld(1, "rnn.labels") + ld(2, "a,b,c,d")) * 2
    onnx("metadata-twice", "FORMAT", ["metadata_props: key 'rnn.labels' is "
                                      "given twice"],
         "rnn.labels in metadata_props twice", valid + dup)
    onnx("hidden-size-clash", "MODEL", ["node '/rnn/GRU' (GRU)",
                                        "input W: shape [1, 12, 3] does not fit "
                                        "1 direction(s) x 15 rows"],
         "hidden_size 5 on weights of hidden size 4",
         changed(gru=node("/rnn/GRU", "GRU", ["input", "W", "R", "B"],
                          ["Y", "Y_h"],
                          [ld(1, "hidden_size") + vint(3, 5) + vint(20, 2),
                           attr_int("linear_before_reset", 1)])))
