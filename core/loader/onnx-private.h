/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal to the ONNX reader (onnx.c, onnx_graph.c): the parse state and
 * the helpers both files use.  Only built with protobuf-c (RNN_HAVE_ONNX).
 * Every function works on one P, which one thread owns during the parse;
 * nothing is global. */
#ifndef RNN_ONNX_PRIVATE_H
#define RNN_ONNX_PRIVATE_H

#include "onnx.h"
#include "rnn.h"

#ifdef RNN_HAVE_ONNX
#include "onnx.pb-c.h"

G_BEGIN_DECLS

/* What a value of the graph is, as far as this reader follows it. */
typedef enum {
  V_CONST,                      /* initializer or Constant (t set if a tensor) */
  V_SHAPE,                      /* computed from shapes and constants only */
  V_ZERO,                       /* zeros (an initial state torch makes) */
  V_STATE_IN,                   /* from a graph input other than the first */
  V_SEQ,                        /* the sequence after @level layers */
  V_LAYER_STATE,                /* a layer's final state (Y_h, Y_c) */
  V_HEAD                        /* the head's output */
} Tag;

typedef struct {
  Tag tag;
  guint level;                  /* V_SEQ: layers run */
  guint rank;                   /* V_SEQ, V_HEAD: dimensions, 0 = unknown */
  const Onnx__TensorProto *t;   /* V_CONST */
  gboolean head_bias;           /* V_HEAD: Add or Gemm's C applied */
  const char *head_act;         /* V_HEAD: "softmax", "sigmoid" or NULL */
} Val;

typedef struct {
  const char *file;
  Onnx__ModelProto *m;
  gint64 opset;
  GHashTable *vals;             /* name -> Val* (owned) */
  RnnSafetensors *st;
  /* the recurrent layers seen so far */
  guint L, H, D, F;
  const char *op;               /* "RNN", "LSTM", "GRU" */
  gboolean relu, bias;
  gboolean head_w, head_b;      /* fc.weight / fc.bias emitted */
  guint head_o;
} P;

/* "FILE: node 'NAME' (OP): reason" as an RNN_ERROR_MODEL error; FALSE. */
gboolean onnx_refuse (P * p, const Onnx__NodeProto * n, GError ** error,
    const char *fmt, ...) G_GNUC_PRINTF (4, 5);

/* Record value @name (borrowed from the ModelProto, which outlives @p);
 * returns it (owned by @p->vals) for the caller to complete. */
Val *onnx_add_val (P * p, const char *name, Tag tag, guint level,
    const Onnx__TensorProto * t);

/* The ai.onnx opsets whose graphs this reader takes: 7 and 8 (ConstantFill,
 * non-constant weights) are refused; 18 and later are untested. */
#define ONNX_OPSET_MIN 9
#define ONNX_OPSET_MAX 17

/* The value @name, or NULL (unknown, or "" = an omitted input). */
const Val *onnx_val (P * p, const char *name);

/* Hand @data (g_malloc'ed, d0 or d0 x d1 floats) to the result as F32
 * tensor @name; @p's result owns it from then on. */
void onnx_emit (P * p, const char *name, float *data, guint n_dims,
    guint64 d0, guint64 d1);

/* The floats of @t (FLOAT, @n_dims dimensions into @dims, raw_data or
 * float_data of exactly the shape's size): a new array (g_free()), or NULL
 * with an error naming node @n and @what. */
float *onnx_tensor_floats (P * p, const Onnx__NodeProto * n,
    const char *what, const Onnx__TensorProto * t, guint n_dims,
    guint64 * dims, GError ** error);

/* Attribute @name of @n (borrowed) or NULL; its int, or @dflt. */
const Onnx__AttributeProto *onnx_attr (const Onnx__NodeProto * n,
    const char *name);
gint64 onnx_attr_int (const Onnx__NodeProto * n, const char *name,
    gint64 dflt);

/* @v is a FLOAT constant of zeros only. */
gboolean onnx_all_zero (const Val * v);

/* Metadata @key := @value (what the graph says), FALSE with an error when
 * metadata_props gave another value. */
gboolean onnx_graph_says (P * p, const char *key, const char *value,
    GError ** error);

/* onnx_graph.c: every node in order, the layers' and the head's tensors
 * emitted; FALSE with an error naming the node that does not fit. */
gboolean onnx_walk_graph (P * p, GError ** error);

G_END_DECLS

#endif /* RNN_HAVE_ONNX */
#endif
