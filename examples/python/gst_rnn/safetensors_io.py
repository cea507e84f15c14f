# SPDX-License-Identifier: LGPL-2.1-or-later
"""Minimal safetensors writer/reader (no dependency on the `safetensors` package).

Format: 8-byte little-endian u64 header length N, then N bytes of UTF-8 JSON
(starting with '{', padded with spaces to a multiple of 8), then the tensor
data, row-major little-endian, contiguous, in the order the tensors are listed.

    save_file(path, {name: tensor_or_ndarray}, metadata=None, dtype="F32")
    tensors, metadata = load_file(path)            # numpy arrays
    tensors, metadata, dtypes = load_file(path, with_dtypes=True)

`dtype` is "F32", "F16", "BF16" or "F64" (all floating tensors are converted
to it), or None to keep each tensor's own dtype.  BF16 is the top 16 bits of
the float32 value after round-to-nearest-even.  Use `round_to_dtype()` on a
float32 torch tensor / array first if the values in memory must equal what
is stored (e.g. to compute reference outputs from the stored weights).

Requires numpy (a dependency of python3-torch).  torch is optional.
"""

import json
import struct

import numpy as np

__all__ = ["save_file", "load_file", "round_to_dtype", "DTYPES"]

# safetensors dtype name -> (numpy dtype used for storage, itemsize)
DTYPES = {
    "F64": ("<f8", 8),
    "F32": ("<f4", 4),
    "F16": ("<f2", 2),
    "BF16": ("<u2", 2),  # raw bits
    "I64": ("<i8", 8),
    "I32": ("<i4", 4),
    "I16": ("<i2", 2),
    "I8": ("i1", 1),
    "U8": ("u1", 1),
    "BOOL": ("?", 1),
}

_NP_TO_ST = {
    np.dtype("float64"): "F64",
    np.dtype("float32"): "F32",
    np.dtype("float16"): "F16",
    np.dtype("int64"): "I64",
    np.dtype("int32"): "I32",
    np.dtype("int16"): "I16",
    np.dtype("int8"): "I8",
    np.dtype("uint8"): "U8",
    np.dtype("bool"): "BOOL",
}

MAX_HEADER = 100_000_000


def _is_torch(x):
    return type(x).__module__.startswith("torch")


def _to_numpy(x):
    """Return (ndarray, st_dtype_or_None).  bfloat16 torch tensors are
    returned as float32 (exact) with st dtype "BF16"."""
    if _is_torch(x):
        import torch

        t = x.detach().cpu().contiguous()
        if t.dtype == torch.bfloat16:
            return t.float().numpy(), "BF16"
        a = t.numpy()
    else:
        a = np.asarray(x)
    return np.ascontiguousarray(a), _NP_TO_ST.get(a.dtype)


def _f32_to_bf16_bits(a):
    """float32 ndarray -> uint16 bits, round to nearest even (NaN kept NaN)."""
    bits = np.ascontiguousarray(a, dtype="<f4").view("<u4").astype(np.uint64)
    lsb = (bits >> 16) & 1
    rounded = ((bits + 0x7FFF + lsb) >> 16).astype(np.uint16)
    nan = np.isnan(a)
    if nan.any():
        rounded[nan] = ((bits[nan] >> 16) | 0x40).astype(np.uint16)
    return rounded


def _bf16_bits_to_f32(u16):
    return (np.asarray(u16, dtype=np.uint32) << 16).view("<f4")


def round_to_dtype(x, dtype):
    """Round float values to the precision of `dtype` ("F32", "F16", "BF16",
    "F64"); returns the same kind of object (torch tensor or ndarray) in
    float32 (float64 input stays float64 for "F64")."""
    torch_in = _is_torch(x)
    if torch_in:
        import torch

        t = x.detach().cpu()
        a = t.float().numpy() if t.dtype == torch.bfloat16 else t.numpy()
    else:
        a = np.asarray(x)
    if dtype == "F64":
        r = a.copy()
    elif dtype == "F32":
        r = a.astype(np.float32)
    elif dtype == "F16":
        r = a.astype(np.float32).astype(np.float16).astype(np.float32)
    elif dtype == "BF16":
        r = _bf16_bits_to_f32(_f32_to_bf16_bits(a.astype(np.float32)))
    else:
        raise ValueError("unsupported dtype %r" % dtype)
    if torch_in:
        import torch

        return torch.from_numpy(np.ascontiguousarray(r)).to(x.device)
    return r


def _encode(a, src_st, dtype):
    """Return (st_dtype, bytes)."""
    st = dtype if dtype is not None else src_st
    if st is None:
        raise ValueError("unsupported array dtype %s" % a.dtype)
    if st not in DTYPES:
        raise ValueError("unsupported safetensors dtype %r" % st)
    floating = a.dtype.kind == "f"
    if dtype is not None and not floating and st != src_st:
        # only floating tensors are converted; keep integer tensors as they are
        st = src_st
    if st == "BF16":
        return st, _f32_to_bf16_bits(a.astype(np.float32)).astype("<u2").tobytes()
    if st == "F16":
        # via float32 so that float64 input is rounded the same way as float32
        return st, a.astype(np.float32).astype("<f2").tobytes()
    return st, a.astype(DTYPES[st][0]).tobytes()


def save_file(path, tensors, metadata=None, dtype="F32"):
    """Write `tensors` (dict name -> torch tensor or ndarray, in order) to
    `path`.  `metadata`: dict of str -> str (omitted when empty/None)."""
    header = {}
    chunks = []
    offset = 0
    for name, x in tensors.items():
        if not isinstance(name, str) or name == "__metadata__":
            raise ValueError("bad tensor name %r" % (name,))
        a, src_st = _to_numpy(x)
        st, data = _encode(a, src_st, dtype)
        header[name] = {
            "dtype": st,
            "shape": [int(s) for s in a.shape],
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    if metadata:
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise ValueError("metadata must map str to str: %r=%r" % (k, v))
        header["__metadata__"] = dict(metadata)
    hb = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hb += b" " * ((-len(hb)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for c in chunks:
            f.write(c)


def load_file(path, with_dtypes=False):
    """Read and validate a safetensors file.  Returns (tensors, metadata)
    or (tensors, metadata, dtypes): tensors are numpy arrays in file order;
    BF16 tensors are returned as float32 (exact)."""
    with open(path, "rb") as f:
        buf = f.read()
    if len(buf) < 8:
        raise ValueError("file too short")
    (n,) = struct.unpack("<Q", buf[:8])
    if n > MAX_HEADER or 8 + n > len(buf):
        raise ValueError("bad header length %d" % n)
    text = buf[8 : 8 + n].decode("utf-8")

    def no_dups(pairs):
        d = {}
        for k, v in pairs:
            if k in d:
                raise ValueError("duplicate key %r" % k)
            d[k] = v
        return d

    header = json.loads(text, object_pairs_hook=no_dups)
    if not isinstance(header, dict):
        raise ValueError("header is not an object")
    metadata = header.pop("__metadata__", None) or {}
    for k, v in metadata.items():
        if not isinstance(v, str):
            raise ValueError("metadata value for %r is not a string" % k)
    data = buf[8 + n :]
    entries = sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0])
    pos = 0
    tensors, dtypes = {}, {}
    for name, info in entries:
        st = info["dtype"]
        shape = [int(s) for s in info["shape"]]
        b, e = info["data_offsets"]
        if b != pos or e < b:
            raise ValueError("tensor %r: offsets not contiguous" % name)
        npdt, size = DTYPES[st]
        numel = 1
        for s in shape:
            if s < 0:
                raise ValueError("negative dim")
            numel *= s
        if e - b != numel * size:
            raise ValueError("tensor %r: size mismatch" % name)
        if e > len(data):
            raise ValueError("tensor %r: past end of file" % name)
        a = np.frombuffer(data[b:e], dtype=npdt).reshape(shape).copy()
        if st == "BF16":
            a = _bf16_bits_to_f32(a).reshape(shape)
        tensors[name] = a
        dtypes[name] = st
        pos = e
    if pos != len(data):
        raise ValueError("%d trailing bytes after last tensor" % (len(data) - pos))
    # return in header (written) order
    order = [k for k in header.keys()]
    tensors = {k: tensors[k] for k in order}
    if with_dtypes:
        return tensors, metadata, {k: dtypes[k] for k in order}
    return tensors, metadata
