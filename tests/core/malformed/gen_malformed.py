#!/usr/bin/env python3
"""Write the malformed-model corpus: tests/core/malformed/*.safetensors and
expected.txt (what test_malformed.c checks each file against).

Every file is a small, otherwise valid model broken in exactly one way, so
that it must be refused for the reason its name says and not an earlier,
unrelated one.  A few valid files (expected OK) prove that the builder
writes correct models when it does not break them.

    python3 tests/core/malformed/gen_malformed.py          # (re)write
    python3 tests/core/malformed/gen_malformed.py --check  # compare only

Standard library only; the output is deterministic (byte for byte).
"""
import io
import json
import math
import os
import pickle
import struct
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import gen_malformed_onnx  # noqa: E402  (the ONNX cases)
MAX_SIZE = 4096

# ------------------------------------------------------------- builder


def pattern(i):
    """Deterministic values exact in F16, BF16, F32 and F64."""
    return (((i * 7) % 13) - 6) / 16.0


def encode(dtype, v):
    if dtype == "F32":
        return struct.pack("<f", v)
    if dtype == "F64":
        return struct.pack("<d", v)
    if dtype == "F16":
        return struct.pack("<e", v)
    if dtype == "BF16":
        bits = struct.unpack("<I", struct.pack("<f", v))[0]
        assert bits & 0xFFFF == 0 or math.isnan(v)
        return struct.pack("<H", bits >> 16)
    if dtype in ("I32",):
        return struct.pack("<i", int(v * 16))
    if dtype in ("U8", "BOOL", "F8_E4M3"):
        return struct.pack("<B", int(v * 16 + 6) & 0xFF if dtype != "BOOL" else 1)
    raise ValueError(dtype)


# Raw bit patterns for non-finite values in each float dtype.
NONFINITE = {
    ("F32", "nan"): struct.pack("<I", 0x7FC00000),
    ("F32", "inf"): struct.pack("<I", 0x7F800000),
    ("F32", "-inf"): struct.pack("<I", 0xFF800000),
    ("F16", "nan"): struct.pack("<H", 0x7E00),
    ("BF16", "inf"): struct.pack("<H", 0x7F80),
    ("F64", "nan"): struct.pack("<Q", 0x7FF8000000000000),
}


class Model:
    """A safetensors file under construction: tensors in data order."""

    def __init__(self):
        self.tensors = []       # [name, dtype, shape, bytes]
        self.meta = {}

    def t(self, name, shape, dtype="F32", special=None):
        """Add a tensor with the pattern values; @special maps element
        index -> value (a float, or 'nan'/'inf'/'-inf' as raw bits)."""
        n = 1
        for d in shape:
            n *= d
        out = bytearray()
        for i in range(n):
            s = (special or {}).get(i)
            if isinstance(s, str):
                out += NONFINITE[(dtype, s)]
            else:
                out += encode(dtype, pattern(i) if s is None else s)
        self.tensors.append([name, dtype, list(shape), bytes(out)])
        return self

    def rnn(self, pfx="rnn.", G=3, F=3, H=4, L=2, D=1, bias=True, P=0,
            skip=(), dtype="F32"):
        """The state_dict of an nn.RNN/GRU/LSTM (G = 1/3/4), PyTorch key
        order; names in @skip are left out."""
        hout = P or H
        for l in range(L):
            for d in range(D):
                s = "_reverse" if d else ""
                entries = [("weight_ih", [G * H, D * hout if l else F]),
                           ("weight_hh", [G * H, hout])]
                if bias:
                    entries += [("bias_ih", [G * H]), ("bias_hh", [G * H])]
                if P:
                    entries += [("weight_hr", [P, H])]
                for stem, shape in entries:
                    name = "%s%s_l%d%s" % (pfx, stem, l, s)
                    if name not in skip:
                        self.t(name, shape, dtype)
        return self

    def linear(self, pfx, out, inw, bias=True):
        self.t(pfx + "weight", [out, inw])
        if bias:
            self.t(pfx + "bias", [out])
        return self

    def get(self, name):
        for t in self.tensors:
            if t[0] == name:
                return t
        raise KeyError(name)

    def entries(self):
        """(name, entry) pairs with consecutive data_offsets."""
        pos = 0
        out = []
        for name, dtype, shape, data in self.tensors:
            out.append((name, {"dtype": dtype, "shape": shape,
                               "data_offsets": [pos, pos + len(data)]}))
            pos += len(data)
        return out

    def data(self):
        return b"".join(t[3] for t in self.tensors)

    def header(self, entries=None):
        obj = {}
        if self.meta:
            obj["__metadata__"] = self.meta
        for name, e in (entries if entries is not None else self.entries()):
            obj[name] = e
        return json.dumps(obj, separators=(",", ":"))

    def file(self):
        return assemble(self.header(), self.data())


def assemble(header, data, pad=True, length=None):
    """8-byte little-endian length, header (str or bytes, space-padded to
    a multiple of 8 as writers do), data."""
    h = header.encode("utf-8") if isinstance(header, str) else header
    if pad:
        h += b" " * (-len(h) % 8)
    n = len(h) if length is None else length
    return struct.pack("<Q", n) + h + data


def gru():
    """The base model: a 2-layer GRU, input 3, hidden 4, with bias."""
    return Model().rnn()


def gru_head(out=3):
    m = gru().linear("fc.", out, 4)
    m.meta = {"rnn.head_activation": "softmax"}
    return m


def shifted(m, k, delta):
    """Entries with every tensor from index @k on moved by @delta bytes."""
    es = m.entries()
    for name, e in es[k:]:
        e["data_offsets"] = [e["data_offsets"][0] + delta,
                             e["data_offsets"][1] + delta]
    return es


def with_entry(m, name, **changes):
    es = m.entries()
    for n, e in es:
        if n == name:
            e.update(changes)
    return es


# --------------------------------------------------------------- cases

CASES = []   # (file name, code, [substrings], description, bytes)


def case(name, code, subs, about, data, ext=".safetensors"):
    for s in subs:
        assert " | " not in s and "\n" not in s, s
    CASES.append((name + ext, code, subs, about, data))


def build():
    base = gru().file()
    hdr = gru().header()
    hlen = len(hdr) + (-len(hdr) % 8)
    data = gru().data()

    # -- valid files -------------------------------------------------
    case("valid-gru", "OK",
         ["cell=gru", "input=3", "hidden=4", "layers=2", "dirs=1", "bias=1",
          "out=4"],
         "valid: the base model every broken file starts from (2-layer GRU)",
         base)
    m = Model().rnn("lstm.", G=4, F=2, H=3, L=2, D=2, P=2)
    m.linear("fc.", 3, 4)
    m.meta = {"format": "pt", "rnn.cell": "lstm", "rnn.head": "fc.",
              "rnn.head_activation": "softmax", "rnn.pooling": "mean",
              "rnn.labels": "yes,no,maybe"}
    case("valid-lstm-proj-bi-head", "OK",
         ["cell=lstm", "input=2", "hidden=3", "proj=2", "layers=2", "dirs=2",
          "head=1", "out=3", "labels=3"],
         "valid: bidirectional 2-layer LSTM with projection, Linear head, "
         "labels, pooling", m.file())
    m = Model().rnn("", G=1, F=2, H=3, L=1, bias=False, dtype="F16")
    m.meta = {"rnn.nonlinearity": "relu", "rnn.cell": "rnn"}
    case("valid-rnn-relu-f16-nobias", "OK",
         ["cell=rnn_relu", "input=2", "hidden=3", "layers=1", "bias=0",
          "out=3"],
         "valid: nn.RNN(relu) without bias, F16 weights, no prefix", m.file())
    m = Model()
    m.rnn("encoder.rnn.", G=3, F=2, H=2, L=1, D=2, dtype="BF16")
    m.t("decoder.fc.weight", [2, 4], "F64").t("decoder.fc.bias", [2], "F64")
    m.t("other.weight", [5, 7]).t("other.bias", [5])
    m.meta = {"rnn.head": "decoder.fc.", "rnn.head_activation": "sigmoid"}
    case("valid-gru-bf16-f64-head", "OK",
         ["cell=gru", "input=2", "hidden=2", "dirs=2", "head=1", "out=2"],
         "valid: bidirectional BF16 GRU, F64 head named by rnn.head, an "
         "unrelated Linear layer", m.file())

    # -- truncated anywhere ------------------------------------------
    case("truncated-empty", "FORMAT", ["file is 0 bytes", "too short"],
         "an empty file", b"")
    case("truncated-in-length", "FORMAT", ["file is 5 bytes", "too short"],
         "cut inside the 8-byte header length", base[:5])
    case("truncated-in-header", "FORMAT",
         ["header length %d runs past the end of the file" % hlen,
          "(100 bytes after the length)"],
         "cut in the middle of the JSON header", base[:108])
    case("truncated-after-header", "FORMAT",
         ["but the file holds 0 data bytes", "file is truncated"],
         "cut right after the header: no tensor data at all",
         base[:8 + hlen])
    case("truncated-in-data", "FORMAT",
         ["tensors end at data offset %d" % len(data),
          "holds 500 data bytes", "file is truncated"],
         "cut in the middle of the tensor data", base[:8 + hlen + 500])
    case("truncated-last-byte", "FORMAT",
         ["holds %d data bytes" % (len(data) - 1), "file is truncated"],
         "the last byte of the data is missing", base[:-1])

    # -- header length -----------------------------------------------
    case("header-len-huge", "FORMAT",
         ["header length 18446744073709551615 exceeds the limit"],
         "header length 2^64-1", assemble(hdr, data, length=2**64 - 1))
    case("header-len-over-limit", "FORMAT",
         ["header length 100000001 exceeds the limit of 100000000 bytes"],
         "header length one past the 100 MB limit",
         assemble(hdr, data, length=100000001))
    case("header-len-past-eof", "FORMAT",
         ["header length 4000 runs past the end of the file"],
         "header length within the limit but longer than the file",
         assemble(hdr, data, length=4000))
    case("header-len-zero", "FORMAT", ["JSON object starting with '{'"],
         "header length 0", assemble(hdr, data, length=0))
    case("header-len-short", "FORMAT",
         ["header is not valid JSON: expected ':' at byte 64"],
         "header length 64: the JSON is cut and the rest counted as data",
         assemble(hdr, data, length=64))

    # -- invalid UTF-8 -----------------------------------------------
    def bad_bytes(raw, pos_name="rnn.weight_hh_l0"):
        h = hdr.encode().replace(pos_name.encode(), raw, 1)
        return assemble(h, data)
    at = hdr.index("rnn.weight_hh_l0")
    case("bad-utf8", "FORMAT",
         ["header is not valid UTF-8 (at byte %d)" % (at + 4)],
         "a 0xFF byte in a tensor name",
         bad_bytes(b"rnn.\xffeight_hh_l0"))
    case("bad-utf8-overlong", "FORMAT",
         ["header is not valid UTF-8 (at byte %d)" % (at + 4)],
         "an overlong encoding of '/' (C0 AF) in a tensor name",
         bad_bytes(b"rnn.\xc0\xafight_hh_l0"))
    case("bad-utf8-surrogate", "FORMAT",
         ["header is not valid UTF-8 (at byte %d)" % (at + 4)],
         "an encoded UTF-16 surrogate (ED A0 80) in a tensor name",
         bad_bytes(b"rnn.\xed\xa0\x80ht_hh_l0"))
    case("bad-utf8-cut-sequence", "FORMAT",
         ["header is not valid UTF-8 (at byte %d)" % (at + 4)],
         "a 3-byte sequence missing its last byte (E2 82) in a tensor name",
         bad_bytes(b"rnn.\xe2\x82eight_hh_l0"))
    case("nul-in-header", "FORMAT",
         ["header is not valid UTF-8 (at byte %d)" % (at + 4)],
         "a raw NUL byte in a tensor name",
         bad_bytes(b"rnn.\x00eight_hh_l0"))

    # -- invalid JSON ------------------------------------------------
    def bad_json(h):
        return assemble(h, data)
    case("bad-json-unclosed", "FORMAT",
         ["header is not valid JSON: expected ',' or '}' at byte %d"
          % ((len(hdr) - 1 + 7) // 8 * 8)],
         "the final '}' of the header is missing", bad_json(hdr[:-1]))
    case("bad-json-trailing-comma", "FORMAT",
         ["header is not valid JSON: expected a key string at byte %d"
          % len(hdr)],
         "a comma before the final '}'", bad_json(hdr[:-1] + ",}"))
    case("bad-json-comment", "FORMAT",
         ["header is not valid JSON: expected a key string at byte 1"],
         "a /* comment */ (json-glib would accept it)",
         bad_json("{/* GRU */" + hdr[1:]))
    case("bad-json-single-quotes", "FORMAT",
         ["header is not valid JSON: expected a key string at byte 1"],
         "a key in single quotes (json-glib would accept it)",
         bad_json("{'rnn.weight_ih_l0'" + hdr[len('{"rnn.weight_ih_l0"'):]))
    case("bad-json-leading-zero", "FORMAT",
         ["header is not valid JSON: expected ',' or ']'"],
         "a number with a leading zero in data_offsets",
         bad_json(hdr.replace('"data_offsets":[0,', '"data_offsets":[00,', 1)))
    case("bad-json-hex-number", "FORMAT",
         ["header is not valid JSON: expected ',' or ']'"],
         "a hexadecimal number in a shape",
         bad_json(hdr.replace('"shape":[12,3]', '"shape":[0xc,3]', 1)))
    case("bad-json-control-char", "FORMAT",
         ["header is not valid JSON: control character in a string"],
         "a raw newline inside a tensor name",
         bad_json(hdr.replace("rnn.weight_hh_l0", "rnn.weight\nhh_l0", 1)))
    case("bad-json-bad-escape", "FORMAT",
         ["header is not valid JSON: bad escape in a string"],
         "a \\x escape in a tensor name",
         bad_json(hdr.replace("rnn.weight_hh_l0", "rnn.weight\\x5fhh_l0", 1)))
    case("bad-json-nul-escape", "FORMAT",
         ["header is not valid JSON: \\u0000 in a string"],
         "a \\u0000 escape in a tensor name",
         bad_json(hdr.replace("rnn.weight_hh_l0", "rnn.weight\\u0000hh_l0", 1)))
    case("bad-json-lone-surrogate", "FORMAT",
         ["header is not valid JSON: lone surrogate in a string"],
         "a \\ud800 escape not followed by a low surrogate",
         bad_json(hdr.replace("rnn.weight_hh_l0", "rnn.weight\\ud800hh_l0", 1)))
    case("trailing-garbage-after-json", "FORMAT",
         ["header is not valid JSON: text after the header object at byte %d"
          % len(hdr)],
         "text after the closing '}' of the header", bad_json(hdr + "xyz"))
    case("two-json-objects", "FORMAT",
         ["text after the header object at byte %d" % len(hdr)],
         "a second JSON object after the header", bad_json(hdr + "{}"))
    case("header-not-object", "FORMAT", ["JSON object starting with '{'"],
         "the header is a JSON array", bad_json("[" + hdr + "]"))
    deep = "[" * 40 + "]" * 40
    case("nested-too-deep", "FORMAT",
         ["header is not valid JSON: nested more than 32 levels deep"],
         "an extra key whose value is 40 nested arrays",
         bad_json(hdr[:-1] + ',"deep":' + deep + "}"))

    # -- duplicate keys ----------------------------------------------
    e = json.dumps(dict(gru().entries())["rnn.weight_hh_l0"],
                   separators=(",", ":"))
    case("duplicate-key", "FORMAT",
         ['header has the key "rnn.weight_hh_l0" twice'],
         "the same tensor name twice (json-glib would keep the last)",
         bad_json(hdr[:-1] + ',"rnn.weight_hh_l0":' + e + "}"))
    case("duplicate-key-escaped", "FORMAT",
         ['header has the key "rnn.weight_hh_l0" twice'],
         "the same tensor name twice, once spelled with a \\u005f escape",
         bad_json(hdr[:-1] + ',"rnn.weight\\u005fhh_l0":' + e + "}"))
    case("duplicate-key-in-entry", "FORMAT",
         ['header has the key "dtype" twice'],
         "a tensor entry with \"dtype\" twice",
         bad_json(hdr.replace('{"dtype":"F32",', '{"dtype":"F32","dtype":"F16",', 1)))
    m = gru()
    m.meta = {"rnn.pooling": "last"}
    mh = m.header().replace('"rnn.pooling":"last"',
                            '"rnn.pooling":"last","rnn.pooling":"mean"')
    case("duplicate-metadata-key", "FORMAT",
         ['header has the key "rnn.pooling" twice'],
         "a metadata key given twice with different values",
         assemble(mh, data))

    # -- offsets -----------------------------------------------------
    m = gru()
    case("overlap", "FORMAT",
         ["tensor 'rnn.weight_hh_l0': data_offsets begin at 140, expected 144",
          "it overlaps the previous tensor"],
         "the second tensor starts 4 bytes inside the first (sizes right, "
         "file 4 bytes shorter)",
         assemble(m.header(shifted(m, 1, -4)), data[:-4]))
    case("gap", "FORMAT",
         ["tensor 'rnn.bias_ih_l0': data_offsets begin at 340, expected 336",
          "a hole before it"],
         "4 unused bytes between two tensors",
         assemble(m.header(shifted(m, 2, 4)), data[:336] + b"\0" * 4 + data[336:]))
    case("first-offset-not-zero", "FORMAT",
         ["tensor 'rnn.weight_ih_l0': data_offsets begin at 4, expected 0",
          "a hole before it"],
         "the data starts with 4 unused bytes",
         assemble(m.header(shifted(m, 0, 4)), b"\0" * 4 + data))
    case("bytes-after-data", "FORMAT",
         ["tensors end at data offset %d" % len(data),
          "holds %d data bytes (bytes left over)" % (len(data) + 3)],
         "3 bytes after the last tensor", base + b"abc")
    case("offsets-reversed", "FORMAT",
         ["tensor 'rnn.weight_hh_l0'", "must be [begin, end] with begin <= end"],
         "data_offsets [end, begin]",
         assemble(m.header(with_entry(m, "rnn.weight_hh_l0",
                                      data_offsets=[336, 144])), data))
    case("offsets-three-entries", "FORMAT",
         ["tensor 'rnn.weight_hh_l0'", '"data_offsets" has 3 entries, at most 2'],
         "data_offsets with three numbers",
         assemble(m.header(with_entry(m, "rnn.weight_hh_l0",
                                      data_offsets=[144, 336, 336])), data))
    case("offsets-negative", "FORMAT",
         ["tensor 'rnn.weight_ih_l0'",
          '"data_offsets" entry 0 is not a non-negative integer'],
         "a negative data offset",
         assemble(m.header(with_entry(m, "rnn.weight_ih_l0",
                                      data_offsets=[-4, 144])), data))

    # -- tensor entries ----------------------------------------------
    case("tensor-entry-not-object", "FORMAT",
         ["tensor 'extra': entry must be an object"],
         "a top-level key whose value is a number",
         bad_json(hdr[:-1] + ',"extra":5}'))
    case("dtype-missing", "FORMAT",
         ["tensor 'rnn.bias_hh_l1'", '"dtype" missing or not a string'],
         "a tensor entry without dtype",
         bad_json(hdr.replace('"rnn.bias_hh_l1":{"dtype":"F32",',
                              '"rnn.bias_hh_l1":{', 1)))
    case("unknown-dtype", "FORMAT",
         ["tensor 'rnn.weight_hh_l0': unknown dtype \"F31\""],
         "dtype F31", assemble(m.header(with_entry(m, "rnn.weight_hh_l0",
                                                   dtype="F31")), data))
    case("unknown-dtype-lowercase", "FORMAT",
         ["tensor 'rnn.weight_ih_l0': unknown dtype \"f32\""],
         "dtype f32 (names are case-sensitive)",
         assemble(m.header(with_entry(m, "rnn.weight_ih_l0", dtype="f32")),
                  data))

    # -- shapes and sizes --------------------------------------------
    case("shape-size-mismatch", "FORMAT",
         ["tensor 'rnn.weight_hh_l0': shape [12, 5] of F32 needs 60 x 4 bytes",
          "data_offsets [144, 336] hold 192 bytes"],
         "shape [12, 5] but data for [12, 4]",
         assemble(m.header(with_entry(m, "rnn.weight_hh_l0", shape=[12, 5])),
                  data))
    case("shape-dtype-mismatch", "FORMAT",
         ["tensor 'rnn.bias_ih_l0': shape [12] of F64 needs 12 x 8 bytes",
          "hold 48 bytes"],
         "dtype F64 but data sized for F32",
         assemble(m.header(with_entry(m, "rnn.bias_ih_l0", dtype="F64")), data))
    case("shape-not-integer", "FORMAT",
         ["tensor 'rnn.weight_ih_l0'", '"shape" entry 1 is not a non-negative integer'],
         "a shape entry 3.0 (a float)",
         bad_json(hdr.replace('"shape":[12,3]', '"shape":[12,3.0]', 1)))
    case("shape-too-many-dims", "FORMAT",
         ["tensor 'rnn.weight_ih_l0'", '"shape" has 9 entries, at most 8 supported'],
         "a 9-dimensional shape",
         assemble(m.header(with_entry(m, "rnn.weight_ih_l0",
                                      shape=[12, 3, 1, 1, 1, 1, 1, 1, 1])), data))
    case("overflow-dims", "FORMAT",
         ["tensor 'rnn.weight_hh_l0'",
          "shape [4294967296, 4294967296, 12] has more elements than fit in 64 bits"],
         "dimensions whose product overflows 64 bits",
         assemble(m.header(with_entry(m, "rnn.weight_hh_l0",
                                      shape=[2**32, 2**32, 12])), data))
    case("overflow-bytes", "FORMAT",
         ["tensor 'rnn.weight_hh_l0'",
          "shape [4611686018427387904] of F32 needs 4611686018427387904 x 4 bytes"],
         "an element count that fits 64 bits but whose byte size does not",
         assemble(m.header(with_entry(m, "rnn.weight_hh_l0", shape=[2**62])),
                  data))
    case("huge-dims-tiny-data", "FORMAT",
         ["shape [1000000000, 1000000000] of F32 needs 1000000000000000000 x 4 bytes"],
         "gigantic dimensions (10^18 elements) over 192 bytes of data",
         assemble(m.header(with_entry(m, "rnn.weight_hh_l0",
                                      shape=[10**9, 10**9])), data))

    # -- model structure ---------------------------------------------
    case("no-recurrent-layer", "MODEL",
         ["no recurrent layer found", "the file has 2 tensors"],
         "only a Linear layer", Model().linear("fc.", 3, 4).file())
    m = gru()
    m.tensors += Model().rnn("rnn2.", L=1).tensors
    case("two-recurrent-modules", "MODEL",
         ["2 recurrent modules found", "choose one with a prefix"],
         "two complete GRUs under different prefixes", m.file())
    case("missing-layer-tensor", "MODEL",
         ["tensor 'rnn.weight_hh_l1' is missing (expected shape [12, 4])"],
         "layer 1 without weight_hh", Model().rnn(skip=["rnn.weight_hh_l1"]).file())
    case("missing-bias-hh", "MODEL",
         ["tensor 'rnn.bias_hh_l0' is missing (expected shape [12])"],
         "bias_ih_l0 without bias_hh_l0", Model().rnn(skip=["rnn.bias_hh_l0"]).file())
    case("missing-reverse-tensor", "MODEL",
         ["tensor 'rnn.weight_hh_l0_reverse' is missing (expected shape [12, 4])"],
         "bidirectional, weight_hh_l0_reverse missing",
         Model().rnn(D=2, skip=["rnn.weight_hh_l0_reverse"]).file())
    case("missing-middle-layer", "MODEL",
         ["unexpected tensor 'rnn.weight_ih_l2'", "has 1 layer(s)"],
         "layers 0 and 2 but no layer 1",
         Model().rnn(L=3, skip=["rnn.%s_l1" % s for s in
                                ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]).file())
    m = gru().t("rnn.weight_hh_l2", [12, 4])
    case("extra-layer", "MODEL",
         ["unexpected tensor 'rnn.weight_hh_l2'", "has 2 layer(s)"],
         "a weight_hh_l2 after a complete 2-layer GRU (no weight_ih_l2)",
         m.file())
    m = Model().rnn(bias=False)
    m.t("rnn.bias_ih_l1", [12]).t("rnn.bias_hh_l1", [12])
    case("bias-in-one-layer-only", "MODEL",
         ["unexpected tensor 'rnn.bias_ih_l1'", "no bias (no bias_ih_l0)"],
         "layer 1 has biases, layer 0 has none", m.file())
    case("bias-missing-in-layer1", "MODEL",
         ["tensor 'rnn.bias_ih_l1' is missing (expected shape [12])"],
         "layer 0 has biases, layer 1 has none",
         Model().rnn(skip=["rnn.bias_ih_l1", "rnn.bias_hh_l1"]).file())
    m = gru()
    m.t("rnn.weight_ih_l1_reverse", [12, 4]).t("rnn.weight_hh_l1_reverse", [12, 4])
    m.t("rnn.bias_ih_l1_reverse", [12]).t("rnn.bias_hh_l1_reverse", [12])
    case("reverse-in-one-layer", "MODEL",
         ["unexpected tensor 'rnn.weight_ih_l1_reverse'", "unidirectional"],
         "only layer 1 has a reverse direction", m.file())
    case("reverse-missing-in-layer1", "MODEL",
         ["tensor 'rnn.weight_ih_l1_reverse' is missing (expected shape [12, 8])"],
         "bidirectional, but layer 1 has no reverse direction",
         Model().rnn(D=2, skip=["rnn.%s_l1_reverse" % s for s in
                                ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]).file())
    m = Model().rnn(L=1)
    m.t("rnn.weight_ih_l1", [15, 4]).t("rnn.weight_hh_l1", [15, 5])
    m.t("rnn.bias_ih_l1", [15]).t("rnn.bias_hh_l1", [15])
    case("layers-disagree", "MODEL",
         ["tensor 'rnn.weight_ih_l1': expected shape [12, 4], found [15, 4]"],
         "layer 1 has hidden size 5, layer 0 has 4", m.file())
    m = Model().rnn(L=1)
    m.tensors += Model().rnn("rnn.", G=4, L=2).tensors[4:]
    case("layers-disagree-cell", "MODEL",
         ["tensor 'rnn.weight_ih_l1': expected shape [12, 4], found [16, 4]"],
         "layer 0 is a GRU, layer 1 an LSTM", m.file())
    m = Model().rnn(L=1)
    m.t("rnn.weight_ih_l1", [12, 3]).t("rnn.weight_hh_l1", [12, 4])
    m.t("rnn.bias_ih_l1", [12]).t("rnn.bias_hh_l1", [12])
    case("layer-input-width", "MODEL",
         ["tensor 'rnn.weight_ih_l1': expected shape [12, 4], found [12, 3]"],
         "layer 1 takes the model input width (3), not layer 0's output (4)",
         m.file())
    m = Model().rnn(G=4, L=1)
    m.t("rnn.weight_ih_l1", [16, 4]).t("rnn.weight_hh_l1", [16, 4])
    m.t("rnn.bias_ih_l1", [16]).t("rnn.bias_hh_l1", [16])
    m.t("rnn.weight_hr_l1", [2, 4])
    case("proj-in-one-layer", "MODEL",
         ["unexpected tensor 'rnn.weight_hr_l1'", "no projection"],
         "an LSTM where only layer 1 has weight_hr", m.file())
    m = Model().rnn(G=4, L=1, P=2)
    m.get("rnn.weight_hr_l0")[2] = [4, 4]
    m.get("rnn.weight_hr_l0")[3] = b"\0" * 64
    m.get("rnn.weight_hh_l0")[2] = [16, 4]
    m.get("rnn.weight_hh_l0")[3] = b"\0" * 256
    case("proj-not-smaller", "MODEL",
         ["tensor 'rnn.weight_hr_l0': shape [4, 4] is not (proj_size, hidden_size)"],
         "weight_hr [4, 4]: proj_size equal to hidden_size", m.file())
    m = Model().rnn(G=3, L=1, P=2)
    case("proj-on-gru", "MODEL",
         ["tensor 'rnn.weight_hh_l0': an LSTM with projection (hidden 4, proj 2) "
          "needs shape [16, 2], found [12, 2]"],
         "a GRU with a weight_hr_l0", m.file())
    m = Model().rnn(G=2, L=1)
    case("bad-gate-count", "MODEL",
         ["tensor 'rnn.weight_hh_l0': shape [8, 4] is not (G * hidden, hidden)"],
         "weight_hh [8, 4]: 2 gate blocks, no such cell", m.file())
    m = gru()
    m.get("rnn.weight_hh_l0")[2] = [48]
    case("weight-not-matrix", "MODEL",
         ["tensor 'rnn.weight_hh_l0': expected a matrix (2 dimensions), found shape [48]"],
         "weight_hh_l0 stored flat, 1-D", m.file())
    case("zero-hidden", "MODEL",
         ["tensor 'rnn.weight_hh_l0': shape [0, 0] is not (G * hidden, hidden)"],
         "hidden size 0: every tensor has a zero dimension",
         Model().rnn(H=0, L=1).file())
    m = gru()
    m.get("rnn.weight_ih_l0")[2] = [12, 0]
    m.get("rnn.weight_ih_l0")[3] = b""
    case("zero-input", "MODEL",
         ["tensor 'rnn.weight_ih_l0': input size is 0"],
         "weight_ih_l0 [12, 0]: input size 0", m.file())
    m = gru()
    m.get("rnn.weight_ih_l0")[2] = [0, 2**30]
    m.get("rnn.weight_ih_l0")[3] = b""
    case("huge-input-size", "MODEL",
         ["sizes too large (hidden 4, input 1073741824)"],
         "weight_ih_l0 [0, 2^30]: a gigantic dimension with no data", m.file())

    # -- dtypes ------------------------------------------------------
    m = gru()
    m.tensors[0] = Model().t("rnn.weight_ih_l0", [12, 3], "I32").tensors[0]
    case("int-dtype-weight", "MODEL",
         ["tensor 'rnn.weight_ih_l0': dtype I32 is not supported"],
         "integer (I32) weights", m.file())
    m = gru()
    m.tensors[3] = Model().t("rnn.bias_hh_l0", [12], "BOOL").tensors[0]
    case("bool-dtype-bias", "MODEL",
         ["tensor 'rnn.bias_hh_l0': dtype BOOL is not supported"],
         "a BOOL bias", m.file())
    m = gru()
    m.tensors[5] = Model().t("rnn.weight_hh_l1", [12, 4], "F8_E4M3").tensors[0]
    case("f8-dtype-weight", "MODEL",
         ["tensor 'rnn.weight_hh_l1': dtype F8_E4M3 is not supported"],
         "F8_E4M3 weights (a known dtype the loader cannot convert)", m.file())

    # -- the head ----------------------------------------------------
    m = gru().linear("fc.", 3, 5)
    case("head-wrong-width", "MODEL",
         ["head tensor 'fc.weight' (the only Linear layer in the file)",
          "expected shape [out, 4]", "found [3, 5]"],
         "the only Linear layer takes 5 inputs, the GRU outputs 4", m.file())
    m = gru().linear("fc.", 3, 8)
    m.meta = {"rnn.head": "fc."}
    case("head-wrong-width-named", "MODEL",
         ["head tensor 'fc.weight' (metadata rnn.head)",
          "expected shape [out, 4]", "found [3, 8]"],
         "rnn.head names a Linear layer of input width 8, the GRU outputs 4",
         m.file())
    m = gru().linear("fc.", 3, 4)
    m.meta = {"rnn.head": "decoder."}
    case("head-named-missing", "MODEL",
         ["head from metadata rnn.head", "tensor 'decoder.weight' is missing"],
         "rnn.head names a layer that is not in the file", m.file())
    m = gru()
    m.t("fc.weight", [3, 4]).t("fc.bias", [4])
    case("head-bias-wrong", "MODEL",
         ["tensor 'fc.bias': expected shape [3], found [4]"],
         "head weight [3, 4] but bias [4]", m.file())
    m = gru()
    m.t("fc.weight", [3, 4]).t("fc.bias", [3, 1])
    m.meta = {"rnn.head": "fc."}
    case("head-bias-not-vector", "MODEL",
         ["tensor 'fc.bias': expected shape [3], found [3, 1]"],
         "rnn.head names a Linear layer whose bias is 2-D", m.file())
    m = gru()
    m.t("fc.weight", [3, 4]).t("fc.bias", [3, 1])
    case("head-bias-not-vector-unnamed", "MODEL",
         ["tensor 'fc.bias': expected shape [3], found [3, 1]",
          "bias of the head 'fc.'"],
         "the only Linear layer fits the RNN but its bias is 2-D (no rnn.head)",
         m.file())
    m = gru()
    m.t("fc.weight", [0, 4]).t("fc.bias", [0])
    case("head-zero-rows", "MODEL",
         ["head tensor 'fc.weight'", "found [0, 4]"],
         "a head with 0 outputs", m.file())
    m = gru().linear("fc1.", 3, 4).linear("fc2.", 2, 4)
    case("two-heads", "MODEL",
         ["2 Linear layers", "fit the RNN output width 4", "metadata rnn.head"],
         "two Linear layers that both fit the GRU output", m.file())
    m = gru()
    m.t("fc.weight", [12]).t("fc.bias", [3])
    m.meta = {"rnn.head": "fc."}
    case("head-not-matrix", "MODEL",
         ["head from metadata rnn.head",
          "tensor 'fc.weight': expected a matrix (2 dimensions), found shape [12]"],
         "rnn.head names a 1-D weight", m.file())

    # -- non-finite weights ------------------------------------------
    def one_special(name, idx, val, dtype="F32", head=False):
        m = gru_head() if head else gru()
        t = m.get(name)
        repl = Model().t(name, t[2], dtype, {idx: val}).tensors[0]
        t[1], t[3] = repl[1], repl[3]
        return m.file()
    case("nan-weight", "MODEL",
         ["tensor 'rnn.weight_hh_l1': element 5 is NaN (weights must be finite)"],
         "one NaN in layer 1's weight_hh",
         one_special("rnn.weight_hh_l1", 5, "nan"))
    case("inf-weight", "MODEL",
         ["tensor 'rnn.weight_ih_l0': element 0 is infinite"],
         "+Inf as the first input weight",
         one_special("rnn.weight_ih_l0", 0, "inf"))
    case("neg-inf-bias", "MODEL",
         ["tensor 'rnn.bias_hh_l0': element 11 is infinite"],
         "-Inf as the last element of a bias",
         one_special("rnn.bias_hh_l0", 11, "-inf"))
    case("nan-head", "MODEL",
         ["tensor 'fc.bias': element 2 is NaN"],
         "a NaN in the head's bias (the GRU itself is finite)",
         one_special("fc.bias", 2, "nan", head=True))
    case("nan-f16", "MODEL",
         ["tensor 'rnn.weight_hh_l0': element 7 is NaN"],
         "an F16 NaN in weight_hh_l0",
         one_special("rnn.weight_hh_l0", 7, "nan", "F16"))
    case("inf-bf16", "MODEL",
         ["tensor 'rnn.bias_ih_l1': element 3 is infinite"],
         "a BF16 +Inf in bias_ih_l1",
         one_special("rnn.bias_ih_l1", 3, "inf", "BF16"))
    case("f64-too-large", "MODEL",
         ["tensor 'rnn.weight_ih_l1': element 9 is infinite",
          "F64 values must fit in F32"],
         "an F64 weight of 1e300: finite in F64, infinite in F32",
         one_special("rnn.weight_ih_l1", 9, 1e300, "F64"))

    # -- metadata ----------------------------------------------------
    def meta_file(value_json, m=None):
        m = m or gru()
        h = m.header()
        h = '{"__metadata__":' + value_json + "," + h[1:]
        return assemble(h, m.data())
    # what torch.save() writes, the commonest wrong file: the legacy
    # format (a pickle, protocol 2, starting with torch's magic number,
    # as torch/serialization.py _legacy_save) and the zip archive of
    # PyTorch >= 1.6 (archive/data.pkl first)
    legacy = pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2)
    legacy += pickle.dumps(1001, protocol=2)
    pt_msg = ["is a PyTorch torch.save() file, not safetensors: export it "
              "with examples/export.py"]
    case("torch-save-legacy", "FORMAT", pt_msg,
         "torch.save(..., _use_new_zipfile_serialization=False)", legacy)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        info = zipfile.ZipInfo("archive/data.pkl", (1980, 1, 1, 0, 0, 0))
        z.writestr(info, pickle.dumps({"weight": 1}, protocol=2))
    case("torch-save-zip", "FORMAT", pt_msg, "torch.save() of PyTorch "
         ">= 1.6: a zip archive", buf.getvalue())
    case("metadata-not-object", "FORMAT",
         ['"__metadata__" must be an object of strings'],
         "__metadata__ is a string", meta_file('"rnn.cell=gru"'))
    case("metadata-value-number", "FORMAT",
         ["metadata key 'rnn.labels': value must be a string"],
         "a metadata value that is a number", meta_file('{"rnn.labels":3}'))
    case("metadata-value-array", "FORMAT",
         ["metadata key 'rnn.labels': value must be a string"],
         "a metadata value that is an array of strings",
         meta_file('{"rnn.labels":["a","b","c","d"]}'))
    case("metadata-value-null", "FORMAT",
         ["metadata key 'format': value must be a string"],
         "a metadata value that is null", meta_file('{"format":null}'))

    def meta_case(name, meta, subs, about, m=None):
        m = m or gru()
        m.meta = meta
        case(name, "MODEL", subs, about, m.file())
    # an rnn.* key this version does not know loads (a file of a later
    # version must), listed as ignored for the caller to warn about
    m = gru()
    m.meta = {"rnn.poolin": "mean", "rnn.frontend": "melspec",
              "description": "x"}
    case("metadata-unknown-key", "OK", ["ignored=rnn.poolin", "out=4"],
         "valid: a misspelt rnn.* key is ignored, and listed as such",
         m.file())

    # the run settings (rnn.mode, rnn.window, ...): how the model was
    # trained to be run
    m = gru()
    m.meta = {"rnn.mode": "n-to-1", "rnn.window": "100", "rnn.hop": "10",
              "rnn.carry_state": "true"}
    case("valid-run-settings", "OK",
         ["mode=n-to-1", "window=100", "hop=10", "steps=-", "feed=-",
          "carry=true", "ignored="],
         "valid: run settings n-to-1, window 100, hop 10, carried state",
         m.file())
    m = gru()
    m.meta = {"rnn.mode": "n-to-m", "rnn.window": "1048576",
              "rnn.steps": "65536", "rnn.feed": "feedback",
              "rnn.carry_state": "false"}
    case("valid-run-settings-limits", "OK",
         ["mode=n-to-m", "window=1048576", "hop=-", "steps=65536",
          "feed=feedback", "carry=false"],
         "valid: run settings at their limits", m.file())
    m = Model().rnn(L=1, D=2)
    m.meta = {"rnn.window": "20"}
    case("run-settings-bidirectional-window", "OK",
         ["dirs=2", "mode=-", "window=20"],
         "valid: a bidirectional GRU made for windows of 20 frames (n-to-n)",
         m.file())
    m = gru()
    m.meta = {"rnn.mode": "n-to-1"}
    case("run-settings-mode-only", "OK", ["mode=n-to-1", "window=-"],
         "valid for the loader: rnn.mode n-to-1 without rnn.window (the "
         "element then needs the window property)", m.file())
    meta_case("bad-mode", {"rnn.mode": "n-to-2"},
              ['metadata rnn.mode: "n-to-2" is not one of n-to-n, n-to-1, '
               "1-to-n, n-to-m"],
              "rnn.mode n-to-2")
    for name, key, value, about in [
            ("window-zero", "rnn.window", "0", "rnn.window 0"),
            ("window-exponent", "rnn.window", "1e2", "rnn.window in "
             "exponent notation"),
            ("window-too-large", "rnn.window", "1048577",
             "rnn.window one past the limit"),
            ("window-space", "rnn.window", " 100", "rnn.window with a "
             "leading space"),
            ("hop-negative", "rnn.hop", "-5", "rnn.hop negative"),
            ("hop-huge", "rnn.hop", "99999999999999999999", "rnn.hop past "
             "64 bits")]:
        meta_case(name, {key: value},
                  ['metadata %s: "%s" is not a whole number from 1 to '
                   "1048576" % (key, value)], about)
    meta_case("steps-too-large", {"rnn.steps": "65537"},
              ['metadata rnn.steps: "65537" is not a whole number from 1 to '
               "65536"], "rnn.steps one past the limit")
    meta_case("bad-feed", {"rnn.feed": "auto"},
              ['metadata rnn.feed: "auto" is not one of repeat, first, '
               "feedback, context"],
              "rnn.feed auto (a file names the feed it was trained with)")
    meta_case("bad-carry-state", {"rnn.carry_state": "yes"},
              ['metadata rnn.carry_state: "yes" is not true or false'],
              "rnn.carry_state yes")
    meta_case("hop-in-n-to-n", {"rnn.mode": "n-to-n", "rnn.hop": "5"},
              ['metadata rnn.hop applies to the windowed or generating '
               'modes, but rnn.mode is "n-to-n"'], "rnn.hop with n-to-n")
    meta_case("feed-wrong-mode", {"rnn.mode": "1-to-n",
                                  "rnn.feed": "context"},
              ['metadata rnn.feed "context" does not apply to rnn.mode '
               '"1-to-n"'], "rnn.feed context with 1-to-n")
    meta_case("bad-cell", {"rnn.cell": "GRU"},
              ['metadata rnn.cell: unknown value "GRU" (expected rnn, lstm or gru)'],
              "rnn.cell in upper case")
    meta_case("cell-mismatch", {"rnn.cell": "lstm"},
              ['metadata rnn.cell says "lstm" but the weights are an nn.GRU',
               "3 gate blocks"],
              "rnn.cell says lstm on GRU weights")
    meta_case("bad-nonlinearity", {"rnn.nonlinearity": "sigmoid"},
              ['metadata rnn.nonlinearity: unknown value "sigmoid" '
               "(expected tanh or relu)"],
              "rnn.nonlinearity sigmoid", Model().rnn(G=1))
    meta_case("relu-on-lstm", {"rnn.nonlinearity": "relu"},
              ['rnn.nonlinearity "relu" applies to nn.RNN only',
               "the weights are an nn.LSTM"],
              "relu asked of an LSTM", Model().rnn(G=4, L=1))
    meta_case("bad-activation", {"rnn.head_activation": "relu"},
              ['metadata rnn.head_activation: unknown value "relu" '
               "(expected none, softmax or sigmoid)"],
              "rnn.head_activation relu", gru().linear("fc.", 3, 4))
    meta_case("activation-without-head", {"rnn.head_activation": "softmax"},
              ['rnn.head_activation is "softmax" but the model has no head'],
              "softmax asked of a model without a Linear layer")
    meta_case("bad-pooling", {"rnn.pooling": "max"},
              ['metadata rnn.pooling: unknown value "max" '
               "(expected last, final-state or mean)"],
              "rnn.pooling max")
    meta_case("labels-count", {"rnn.labels": "cat,dog,bird"},
              ["rnn.labels has 3 label(s), but the model outputs 4 value(s)"],
              "3 labels for a model with 4 outputs (no head)")
    m = gru().linear("fc.", 3, 4)
    meta_case("empty-label", {"rnn.labels": "cat,,bird"},
              ["metadata rnn.labels: label 2 of 3 is empty"],
              "an empty label between two commas", m)
    m = gru().linear("fc.", 3, 4)
    meta_case("blank-label", {"rnn.labels": "cat,dog,  "},
              ["metadata rnn.labels: label 3 of 3 is empty"],
              "a label of spaces only", m)

    # -- ONNX files (gen_malformed_onnx.py) -----------------------------
    gen_malformed_onnx.build(case)


def expected_text():
    out = ["# Expected outcome of loading each file of the malformed corpus",
           "# with rnn_model_load().  Written by gen_malformed.py: do not edit.",
           "#",
           "# FILE | CODE | SUBSTRING | ...",
           "#   CODE: FORMAT or MODEL (RNN_ERROR_*), or OK for a valid model.",
           "#   Refused: the message must contain the file's path and every",
           "#   SUBSTRING.  OK: each SUBSTRING is key=value, a property the",
           "#   loaded model must have.  The comment above each entry says",
           "#   what the file breaks.", ""]
    for name, code, subs, about, _ in CASES:
        out.append("# " + about)
        out.append(" | ".join([name, code] + subs))
    return "\n".join(out) + "\n"


def main():
    check = "--check" in sys.argv[1:]
    build()
    names = [c[0] for c in CASES]
    assert len(set(names)) == len(names), "duplicate file names"
    files = {c[0]: c[4] for c in CASES}
    files["expected.txt"] = expected_text().encode()
    bad = []
    for name, blob in files.items():
        assert name == "expected.txt" or len(blob) < MAX_SIZE, (name, len(blob))
        path = os.path.join(HERE, name)
        if check:
            try:
                with open(path, "rb") as f:
                    if f.read() != blob:
                        bad.append(name + " differs")
            except OSError:
                bad.append(name + " missing")
        else:
            with open(path, "wb") as f:
                f.write(blob)
    stale = [f for f in os.listdir(HERE)
             if f.endswith((".safetensors", ".onnx")) and f not in files]
    if check:
        bad += [f + " is not generated" for f in stale]
        for b in bad:
            print(b, file=sys.stderr)
        sys.exit(1 if bad else 0)
    for f in stale:
        os.remove(os.path.join(HERE, f))
    print("%d files written to %s" % (len(CASES), HERE))


if __name__ == "__main__":
    main()
