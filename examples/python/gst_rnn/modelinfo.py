# SPDX-License-Identifier: LGPL-2.1-or-later
"""What a gst-rnn model file holds, read from its safetensors header alone.

    from gst_rnn.modelinfo import read_model
    info = read_model("model.safetensors")
    info.cell              "gru" | "lstm" | "rnn" (nn.RNN, see nonlinearity)
    info.input_size, info.hidden_size, info.proj_size, info.num_layers,
    info.bidirectional, info.bias, info.output_size
    info.head              None or (in, out): the Linear head's shape
    info.head_activation   "none" | "softmax" | "sigmoid"
    info.labels            list of str, or None
    info.pooling           "last" | "final-state" | "mean" (n-to-1 windows)
    info.precision         "f32" | "bf16" | "int8": what the element runs at
    info.dtypes            the tensors' stored dtypes, e.g. ["F32"]
    info.settings          the run settings the file carries, e.g.
                           {"mode": "n-to-1", "window": 100, "hop": 10,
                            "carry-state": True} (the rnn element's property
                           names; only the keys the file sets)
    info.frontend          {"rnn.frontend": "melspec", "rnn.frontend.n-mels":
                           "40", ...} (read by `melspec model=FILE`)
    info.metadata          the other (non rnn.*) metadata
    info.ignored_keys      rnn.* keys this version does not know
    info.decoder           an encoder-decoder (mode n-to-m) file: info
                           describes the encoder, info.decoder the decoder
    print(info.format())   the report as rnn-inspect prints it (less the
                           fingerprint, which needs the weights)

    /usr/bin/python3 -m gst_rnn.modelinfo FILE...

Standard library only (no numpy, torch or GStreamer): it reads the 8-byte
length and the JSON header, never the weights, so it is quick on any
file and fits a training machine.  It recognises the network as the
library's loader does (core/loader/model.c: the one `weight_ih_l0` prefix, the gate
count, the head named by rnn.head or the one Linear layer that fits) but
does not re-check every value: `rnn-inspect` (core/tools) and the element
are the authority on whether a file loads.  Raises ModelFileError (a
ValueError) naming the file and what is wrong.  No state: any thread.
"""

import json
import os
import struct
import sys

__all__ = ["read_model", "ModelInfo", "ModelFileError", "KNOWN_KEYS"]

MAX_HEADER = 100_000_000
# the rnn.* keys the loader knows (core/loader/model_settings.c), and rnn.frontend*
KNOWN_KEYS = ("rnn.nonlinearity", "rnn.cell", "rnn.head", "rnn.head_activation",
              "rnn.labels", "rnn.pooling", "rnn.precision",
              "rnn.mode", "rnn.window", "rnn.hop", "rnn.steps", "rnn.feed",
              "rnn.carry_state")
# (element property, metadata key), in rnn-inspect's order
SETTINGS = (("mode", "rnn.mode"), ("window", "rnn.window"), ("hop", "rnn.hop"),
            ("steps", "rnn.steps"), ("feed", "rnn.feed"),
            ("carry-state", "rnn.carry_state"))
_CELLS = {1: "rnn", 3: "gru", 4: "lstm"}


class ModelFileError(ValueError):
    """The file is not a model file this reader understands."""


class ModelInfo:
    """One network of a model file (see the module docstring).  Plain
    attributes; the caller owns it."""

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def __repr__(self):
        return "ModelInfo(%s)" % ", ".join(
            "%s=%r" % kv for kv in sorted(self.__dict__.items())
            if kv[0] not in ("decoder", "frontend", "metadata"))

    def network_lines(self, indent=""):
        """The network part of format(): a list of lines."""
        cell = self.cell if self.cell != "rnn" else "rnn_" + self.nonlinearity
        out = [("Cell:", cell),
               ("Input size:", "%d values per frame" % self.input_size),
               ("Hidden size:", "%d" % self.hidden_size)]
        if self.proj_size:
            out.append(("Projection:", "%d (LSTM proj_size)" % self.proj_size))
        out += [("Layers:", "%d" % self.num_layers),
                ("Directions:", "2 (bidirectional: runs on whole windows)"
                 if self.bidirectional else "1"),
                ("Bias:", "yes" if self.bias else "no"),
                ("Head:", "Linear %d -> %d, activation %s"
                 % (self.head[0], self.head[1], self.head_activation)
                 if self.head else "none"),
                ("Output size:", "%d values per frame" % self.output_size)]
        if self.labels:
            out.append(("Labels:", ", ".join(self.labels)))
        out += [("Pooling:", "%s (n-to-1)" % self.pooling),
                ("Precision:", self.precision)]
        return ["%s%-16s %s" % (indent, k, v) for k, v in out]

    def format(self):
        """The report rnn-inspect prints for the file, as one str (no
        Fingerprint line)."""
        lines = ["%-16s %s" % ("File:", self.path)]
        if self.decoder is not None:
            lines.append("Networks:        encoder-decoder (keys encoder.*, "
                         "decoder.*; mode n-to-m)")
            lines.append("Encoder:")
            lines += self.network_lines("  ")
            lines.append("Decoder:")
            lines += self.decoder.network_lines("  ")
        else:
            lines += self.network_lines()
        lines.append("Run settings (defaults of the rnn element's properties):")
        for prop, key in SETTINGS:
            if prop in self.settings:
                v = self.settings[prop]
                v = ("true" if v else "false") if isinstance(v, bool) else str(v)
                lines.append("  %-12s %-10s (%s)" % (prop, v, key))
            else:
                lines.append("  %-12s %-10s (%s not set: the property's "
                             "default)" % (prop, "-", key))
        if self.frontend:
            lines.append("Front end (melspec model=FILE):")
            lines += ["  %-32s %s" % (k, _escape(v)) for k, v in self.frontend.items()]
        else:
            lines.append("Front end:       none (no rnn.frontend metadata)")
        if self.metadata:
            lines.append("Other metadata:")
            lines += ["  %-32s %s" % (k, _escape(v)) for k, v in self.metadata.items()]
        if self.ignored_keys:
            lines.append("Ignored keys:    %s (unknown rnn.* keys: a typo, or a "
                         "later version's)" % ", ".join(self.ignored_keys))
        return "\n".join(lines)


def _escape(v):
    """g_strescape's look for the few characters metadata may hold."""
    out = []
    for c in v:
        if c in '"\\':
            out.append("\\" + c)
        elif c in "\b\f\n\r\t":
            out.append("\\" + "bfnrt"["\b\f\n\r\t".index(c)])
        elif ord(c) < 0x20 or ord(c) == 0x7f:
            out.append("\\%03o" % ord(c))
        else:
            out.append(c)
    return "".join(out)


def read_header(path):
    """(tensors, metadata) of a safetensors file: {name: (dtype, shape)}
    in header order and {str: str}.  Reads the header only."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(8)
            if len(head) < 8:
                raise ModelFileError("%s: %d bytes: too short for a safetensors "
                                     "file (8-byte header length first)"
                                     % (path, len(head)))
            (n,) = struct.unpack("<Q", head)
            if str(path).lower().endswith(".onnx") or (
                    head[0] == 0x08 and (n > MAX_HEADER or 8 + n > size)):
                # as the loader tells them apart (core/loader/onnx.c)
                raise ModelFileError("%s: an ONNX model: this reader takes "
                                     "safetensors files only; `rnn-inspect "
                                     "FILE` prints what an ONNX file holds"
                                     % path)
            if n > MAX_HEADER or 8 + n > size:
                raise ModelFileError("%s: header length %d does not fit the "
                                     "file's %d bytes (not a safetensors file?)"
                                     % (path, n, size))
            text = f.read(n)
    except OSError as e:
        raise ModelFileError("%s: %s" % (path, e.strerror or e)) from e

    def no_dups(pairs):
        d = {}
        for k, v in pairs:
            if k in d:
                raise ModelFileError("%s: header: key %r twice" % (path, k))
            d[k] = v
        return d
    try:
        header = json.loads(text.decode("utf-8"), object_pairs_hook=no_dups)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelFileError("%s: header is not UTF-8 JSON: %s" % (path, e)) from e
    if not isinstance(header, dict):
        raise ModelFileError("%s: header is not a JSON object" % path)
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(
            isinstance(v, str) for v in metadata.values()):
        raise ModelFileError("%s: __metadata__ must map strings to strings" % path)
    tensors = {}
    for name, t in header.items():
        if (not isinstance(t, dict) or not isinstance(t.get("dtype"), str)
                or not isinstance(t.get("shape"), list)
                or not all(isinstance(s, int) and s >= 0 for s in t["shape"])):
            raise ModelFileError("%s: tensor %r: needs a dtype and a shape of "
                                 "whole numbers" % (path, name))
        tensors[name] = (t["dtype"], tuple(t["shape"]))
    return tensors, metadata


def _matrix(path, tensors, key):
    t = tensors.get(key)
    if t is None:
        raise ModelFileError("%s: tensor '%s' is missing" % (path, key))
    if len(t[1]) != 2:
        raise ModelFileError("%s: tensor '%s': expected 2 dimensions, found %s"
                             % (path, key, list(t[1])))
    return t[1]


def _find_prefix(path, tensors):
    found = [k[:-len("weight_ih_l0")] for k in tensors if k.endswith("weight_ih_l0")]
    if not found:
        raise ModelFileError("%s: no recurrent layer found: expected a tensor "
                             "named 'weight_ih_l0' or '<prefix>.weight_ih_l0' "
                             "(the state_dict of an nn.RNN, nn.LSTM or nn.GRU); "
                             "the file has %d tensors" % (path, len(tensors)))
    if len(found) > 1:
        raise ModelFileError("%s: %d recurrent modules found (prefixes '%s')"
                             % (path, len(found), "', '".join(found)))
    return found[0]


def _find_head(path, tensors, metadata, in_w):
    """(prefix, out) of the head, or None: rnn.head, else the one
    X.weight/X.bias pair that takes in_w inputs."""
    pfx = metadata.get("rnn.head")
    if pfx is None:
        fits = []
        for k, (_, shape) in tensors.items():
            if not k.endswith("weight") or len(shape) != 2:
                continue
            b = tensors.get(k[:-6] + "bias")
            if b is not None and len(b[1]) == 1 and shape[1] == in_w:
                fits.append(k[:-6])
        if not fits:
            return None
        if len(fits) > 1:
            raise ModelFileError("%s: %d Linear layers ('%s') fit the RNN output "
                                 "width %d; say which is the head with metadata "
                                 "rnn.head" % (path, len(fits), "', '".join(fits), in_w))
        pfx = fits[0]
    rows, cols = _matrix(path, tensors, pfx + "weight")
    if cols != in_w:
        raise ModelFileError("%s: head tensor '%sweight': expected shape [out, %d], "
                             "found [%d, %d]" % (path, pfx, in_w, rows, cols))
    return rows


def _network(path, tensors, metadata, pfx, no_head):
    rows_hh, cols_hh = _matrix(path, tensors, pfx + "weight_hh_l0")
    rows_ih, input_size = _matrix(path, tensors, pfx + "weight_ih_l0")
    proj = 0
    if pfx + "weight_hr_l0" in tensors:
        proj, hidden = _matrix(path, tensors, pfx + "weight_hr_l0")
    else:
        hidden = cols_hh
    gates = rows_hh // hidden if hidden else 0
    if not hidden or rows_hh % hidden or gates not in _CELLS or rows_ih != rows_hh:
        raise ModelFileError("%s: tensor '%sweight_hh_l0' %s: not the %s-gate "
                             "blocks of an nn.RNN (1), nn.GRU (3) or nn.LSTM (4) "
                             "of hidden size %d"
                             % (path, pfx, [rows_hh, cols_hh], "1/3/4", hidden))
    cell = _CELLS[gates]
    layers = 0
    while pfx + "weight_ih_l%d" % layers in tensors:
        layers += 1
    bi = pfx + "weight_ih_l0_reverse" in tensors
    rnn_out = (2 if bi else 1) * (proj or hidden)
    head = None if no_head else _find_head(path, tensors, metadata, rnn_out)
    out = head if head is not None else rnn_out
    labels = None
    if not no_head and "rnn.labels" in metadata:
        labels = [s.strip() for s in metadata["rnn.labels"].split(",")]
    dtypes = sorted({tensors[k][0] for k in tensors if k.startswith(pfx)})
    return ModelInfo(
        path=path, prefix=pfx, cell=cell,
        nonlinearity=metadata.get("rnn.nonlinearity", "tanh") if cell == "rnn" else None,
        input_size=input_size, hidden_size=hidden, proj_size=proj,
        num_layers=layers, bidirectional=bi, bias=pfx + "bias_ih_l0" in tensors,
        head=(rnn_out, head) if head is not None else None,
        head_activation="none" if head is None or no_head
        else metadata.get("rnn.head_activation", "none"),
        output_size=out, labels=labels,
        pooling=metadata.get("rnn.pooling", "last"),
        precision=metadata.get("rnn.precision", "f32"), dtypes=dtypes,
        decoder=None)


def _settings(metadata):
    s = {}
    for prop, key in SETTINGS:
        if key not in metadata:
            continue
        v = metadata[key]
        if prop in ("window", "hop", "steps"):
            v = int(v) if v.isdigit() else v
        elif prop == "carry-state":
            v = {"true": True, "false": False}.get(v, v)
        s[prop] = v
    return s


def read_model(path):
    """A ModelInfo for the model file at `path` (the caller owns it);
    raises ModelFileError."""
    tensors, metadata = read_header(path)
    enc_dec = (metadata.get("rnn.mode") == "n-to-m"
               or ("encoder.weight_ih_l0" in tensors
                   and "decoder.weight_ih_l0" in tensors
                   and "rnn.mode" not in metadata))
    if enc_dec:
        info = _network(path, tensors, metadata, "encoder.", no_head=True)
        info.decoder = _network(path, tensors, metadata, "decoder.", no_head=False)
    else:
        info = _network(path, tensors, metadata, _find_prefix(path, tensors), False)
    info.settings = _settings(metadata)
    info.frontend = {k: v for k, v in metadata.items()
                     if k == "rnn.frontend" or k.startswith("rnn.frontend.")}
    info.metadata = {k: v for k, v in metadata.items() if not k.startswith("rnn.")}
    info.ignored_keys = [k for k in metadata if k.startswith("rnn.")
                         and k not in KNOWN_KEYS and k not in info.frontend]
    return info


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print("usage: python3 -m gst_rnn.modelinfo FILE...\n"
              "Print what a gst-rnn model file holds (network, run settings, "
              "front end, metadata), from its header alone.")
        return 0 if args else 2
    status = 0
    for i, p in enumerate(args):
        if i:
            print()
        try:
            print(read_model(p).format())
        except ModelFileError as e:
            print("modelinfo: %s" % e, file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
