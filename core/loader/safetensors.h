/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: a strict safetensors reader.  Not part of the public API (tests
 * link the static archive to use it).
 *
 * The reader validates the container exactly as the reference
 * implementation does (see shared FACTS.md): header length, UTF-8, JSON,
 * duplicate keys, dtype, shape versus byte size, contiguous offsets with no
 * hole, overlap or trailing bytes.  It does not copy tensor data: an
 * RnnSafetensors points into the caller's buffer, which must outlive it.
 * Not thread-safe per object; separate objects are independent. */
#ifndef RNN_SAFETENSORS_H
#define RNN_SAFETENSORS_H

#include <glib.h>

G_BEGIN_DECLS

#define RNN_ST_MAX_HEADER 100000000u
#define RNN_ST_MAX_DIMS 8

typedef enum {
  RNN_DT_F64, RNN_DT_F32, RNN_DT_F16, RNN_DT_BF16,
  RNN_DT_I64, RNN_DT_I32, RNN_DT_I16, RNN_DT_I8,
  RNN_DT_U64, RNN_DT_U32, RNN_DT_U16, RNN_DT_U8,
  RNN_DT_BOOL, RNN_DT_F8_E4M3, RNN_DT_F8_E5M2
} RnnDtype;

typedef struct {
  char *name;
  RnnDtype dtype;
  const char *dtype_name;       /* static string, e.g. "F32" */
  guint itemsize;
  guint n_dims;
  guint64 shape[RNN_ST_MAX_DIMS];
  guint64 numel;
  guint64 begin, end;           /* relative to the start of the data */
  const guint8 *data;           /* begin .. end, unaligned */
} RnnTensorInfo;

typedef struct {
  char *name;                   /* file name used in messages */
  GPtrArray *tensors;           /* RnnTensorInfo*, sorted by begin */
  GHashTable *by_name;          /* name -> RnnTensorInfo* */
  GHashTable *metadata;         /* char* -> char* */
  GPtrArray *owned;             /* buffers the tensors point into when
                                 * they are not the caller's (onnx.c), or
                                 * NULL; freed with the object */
} RnnSafetensors;

/* Parse @size bytes at @data (kept by reference).  @name appears in every
 * error message.  Returns NULL with an RNN_ERROR_FORMAT error. */
RnnSafetensors *rnn_safetensors_parse (const guint8 * data, gsize size,
    const char *name, GError ** error);
void rnn_safetensors_free (RnnSafetensors * st);

/* The whole of the regular file @path in new memory (g_free()), or NULL
 * with an RNN_ERROR_IO error: not a regular file (never blocks on a FIFO),
 * unreadable, or changed while it was read (file.c). */
guint8 *rnn_file_read (const char *path, gsize * size, GError ** error);

const RnnTensorInfo *rnn_safetensors_get (const RnnSafetensors * st,
    const char *tensor_name);

/* TRUE for F64, F32, F16 and BF16. */
gboolean rnn_dtype_is_float (RnnDtype dtype);

/* Convert a float tensor (F64/F32/F16/BF16) to @dst (numel floats). */
void rnn_tensor_to_f32 (const RnnTensorInfo * t, float *dst);

/* "[3, 4]" into @buf (for messages). */
const char *rnn_shape_to_string (const guint64 * shape, guint n_dims,
    char *buf, gsize buf_size);

float rnn_half_to_float (guint16 h);

G_END_DECLS

#endif
