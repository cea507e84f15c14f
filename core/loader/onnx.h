/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: ONNX models (torch.onnx.export) read into the tensors of the
 * equivalent PyTorch state_dict, so that model.c builds the same RnnModel
 * a safetensors file gives.  Not part of the public API.
 *
 * Accepted graphs: ONNX RNN / LSTM / GRU nodes, one per layer, chained
 * through the glue torch writes (Transpose, Squeeze, Reshape, Slice,
 * Concat, Constant, Shape, Gather, Unsqueeze, Expand...), an optional head
 * (Gemm, or MatMul + Add) and an optional Softmax / Sigmoid after it.
 * Anything else is refused naming the file, the node, its op and the
 * reason.  Pure functions of their arguments: no global state, safe from
 * any thread. */
#ifndef RNN_ONNX_H
#define RNN_ONNX_H

#include "safetensors.h"

G_BEGIN_DECLS

/* Whether @data (@size bytes, file @name or NULL) is to be read as ONNX:
 * the name ends in ".onnx", or the bytes are not a safetensors header and
 * start as a ModelProto does (ir_version, field 1). */
gboolean rnn_onnx_looks_like (const guint8 * data, gsize size,
    const char *name);

/* Parse the ModelProto of @size bytes at @data into a new RnnSafetensors
 * (rnn_safetensors_free()) that owns its tensor data and does not keep
 * @data: F32 tensors named as PyTorch's state_dict of the recurrent module
 * (weight_ih_l0, bias_hh_l1_reverse, ...; gate blocks in PyTorch's order)
 * and of the head (fc.weight, fc.bias), and metadata: the model's
 * metadata_props plus rnn.cell, rnn.nonlinearity, rnn.head and
 * rnn.head_activation as the graph says.  NULL with an RNN_ERROR_FORMAT
 * error (not a ModelProto) or RNN_ERROR_MODEL (a graph this reader does
 * not run), or when the build has no ONNX support. */
RnnSafetensors *rnn_onnx_parse (const guint8 * data, gsize size,
    const char *name, GError ** error);

G_END_DECLS

#endif
