/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ONNX ModelProto -> the tensors of the PyTorch state_dict; see onnx.h. */
#include "onnx-private.h"

#include <string.h>

gboolean
rnn_onnx_looks_like (const guint8 * data, gsize size, const char *name)
{
  if (name && g_str_has_suffix (name, ".onnx"))
    return TRUE;
  if (size >= 9 && data[8] == '{')
    return FALSE;               /* a safetensors header */
  return size >= 2 && data[0] == 0x08;  /* field 1 (ir_version), varint */
}

#ifndef RNN_HAVE_ONNX

RnnSafetensors *
rnn_onnx_parse (const guint8 * data, gsize size, const char *name,
    GError ** error)
{
  g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
      "%s: this build has no ONNX support: install libprotobuf-c-dev, "
      "protobuf-c-compiler and libonnx-dev and rebuild (meson -Donnx=enabled)",
      name ? name : "<memory>");
  return NULL;
}

#else

#define ONNX_MAX_DEPTH 32       /* nested messages (graphs in attributes) */
#define ONNX_MAX_PARTS 65536    /* messages and strings in the whole file */

/* protobuf-c unpacks nested messages recursively without a limit, and
 * allocates every message and string of a repeated field on its own: walk
 * the wire format first, with the schema's descriptors, and refuse nesting
 * deeper than ONNX_MAX_DEPTH (a hostile file of nested graphs would
 * otherwise overflow the stack) and more than ONNX_MAX_PARTS messages and
 * strings (a 2-byte empty NodeProto costs protobuf-c some 200 bytes: 20 MB
 * of them would take gigabytes; a graph torch writes has a few hundred). */
typedef enum {
  WIRE_OK,
  WIRE_BAD,                     /* truncated or not protobuf */
  WIRE_DEEP,                    /* nested past ONNX_MAX_DEPTH */
  WIRE_MANY                     /* more than ONNX_MAX_PARTS parts */
} WireCheck;

static gboolean
wire_varint (const guint8 ** p, const guint8 * end, guint64 * v)
{
  *v = 0;
  for (guint s = 0; s < 64 && *p < end; s += 7) {
    guint8 b = *(*p)++;
    *v |= (guint64) (b & 0x7f) << s;
    if (!(b & 0x80))
      return TRUE;
  }
  return FALSE;
}

/* @parts counts the messages and strings seen so far (the caller's). */
static WireCheck
wire_check (const guint8 * p, const guint8 * end,
    const ProtobufCMessageDescriptor * d, guint depth, guint * parts)
{
  while (p < end) {
    guint64 tag, len;
    if (!wire_varint (&p, end, &tag))
      return WIRE_BAD;
    switch (tag & 7) {
      case 0:
        if (!wire_varint (&p, end, &len))
          return WIRE_BAD;
        break;
      case 1:
        if (end - p < 8)
          return WIRE_BAD;
        p += 8;
        break;
      case 5:
        if (end - p < 4)
          return WIRE_BAD;
        p += 4;
        break;
      case 2:{
        if (!wire_varint (&p, end, &len) || len > (guint64) (end - p))
          return WIRE_BAD;
        const ProtobufCFieldDescriptor *f = tag >> 3 <= G_MAXUINT ?
            protobuf_c_message_descriptor_get_field (d, (unsigned) (tag >> 3))
            : NULL;
        if (f && (f->type == PROTOBUF_C_TYPE_MESSAGE ||
                f->type == PROTOBUF_C_TYPE_STRING ||
                f->type == PROTOBUF_C_TYPE_BYTES) && ++*parts > ONNX_MAX_PARTS)
          return WIRE_MANY;
        if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
          if (depth >= ONNX_MAX_DEPTH)
            return WIRE_DEEP;
          WireCheck w = wire_check (p, p + len, f->descriptor, depth + 1,
              parts);
          if (w != WIRE_OK)
            return w;
        }
        p += len;
        break;
      }
      default:
        return WIRE_BAD;        /* groups: not in ONNX */
    }
  }
  return WIRE_OK;
}

static const char *
node_name (const Onnx__NodeProto * n)
{
  return n->name && *n->name ? n->name : "(unnamed)";
}

gboolean
onnx_refuse (P * p, const Onnx__NodeProto * n, GError ** error, const char *fmt,
    ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *why = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  /* names and reasons quote the file's strings: escaped, so no control
   * character reaches a log or a terminal raw */
  g_autofree char *ewhy = g_strescape (why, "\"'");
  g_autofree char *nm = g_strescape (node_name (n), NULL);
  g_autofree char *op = g_strescape (n->op_type ? n->op_type : "", NULL);
  g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL, "%s: node '%s' (%s): %s",
      p->file, nm, op, ewhy);
  return FALSE;
}

Val *
onnx_add_val (P * p, const char *name, Tag tag, guint level,
    const Onnx__TensorProto * t)
{
  Val *v = g_new0 (Val, 1);
  v->tag = tag;
  v->level = level;
  v->t = t;
  g_hash_table_replace (p->vals, (gpointer) name, v);
  return v;
}

static void
info_free (gpointer q)
{
  RnnTensorInfo *t = q;
  g_free (t->name);
  g_free (t);
}

/* Hand @data (numel floats, g_malloc'ed) to the result as tensor @name. */
void
onnx_emit (P * p, const char *name, float *data, guint n_dims, guint64 d0,
    guint64 d1)
{
  RnnTensorInfo *t = g_new0 (RnnTensorInfo, 1);
  t->name = g_strdup (name);
  t->dtype = RNN_DT_F32;
  t->dtype_name = "F32";
  t->itemsize = 4;
  t->n_dims = n_dims;
  t->shape[0] = d0;
  t->shape[1] = d1;
  t->numel = n_dims == 2 ? d0 * d1 : d0;
  t->begin = 0;
  t->end = t->numel * 4;
  t->data = (const guint8 *) data;
  g_ptr_array_add (p->st->owned, data);
  g_ptr_array_add (p->st->tensors, t);
  g_hash_table_replace (p->st->by_name, t->name, t);
}

/* The float elements of initializer/Constant @t, which must have @n_dims
 * dimensions (into @dims): a new array, or NULL with an error. */
float *
onnx_tensor_floats (P * p, const Onnx__NodeProto * n, const char *what,
    const Onnx__TensorProto * t, guint n_dims, guint64 * dims,
    GError ** error)
{
  guint64 numel = 1;
  if (t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
    onnx_refuse (p, n, error, "%s: data type %d is not FLOAT (export in float32)",
        what, t->data_type);
    return NULL;
  }
  if (t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL ||
      t->n_external_data || t->segment) {
    onnx_refuse (p, n, error, "%s: external or segmented data is not supported "
        "(export without external data)", what);
    return NULL;
  }
  if (t->n_dims != n_dims) {
    onnx_refuse (p, n, error, "%s: %zu dimension(s), expected %u", what,
        t->n_dims, n_dims);
    return NULL;
  }
  for (guint i = 0; i < n_dims; i++) {
    if (t->dims[i] < 0 || t->dims[i] > G_MAXINT / 8) {
      onnx_refuse (p, n, error, "%s: dimension %u is %" G_GINT64_FORMAT, what, i,
          t->dims[i]);
      return NULL;
    }
    dims[i] = (guint64) t->dims[i];
    numel *= dims[i];
    if (numel > G_MAXINT / 8) {
      onnx_refuse (p, n, error, "%s: too many elements", what);
      return NULL;
    }
  }
  gsize have = t->has_raw_data ? t->raw_data.len / 4 : t->n_float_data;
  if ((t->has_raw_data && t->raw_data.len % 4) || have != numel) {
    onnx_refuse (p, n, error, "%s: holds %zu %s, its shape needs %" G_GUINT64_FORMAT
        " floats", what, t->has_raw_data ? t->raw_data.len : t->n_float_data,
        t->has_raw_data ? "bytes of raw_data" : "float_data values", numel);
    return NULL;
  }
  float *out = g_try_new (float, MAX (numel, 1));
  if (!out) {
    onnx_refuse (p, n, error, "%s: out of memory", what);
    return NULL;
  }
  if (!t->has_raw_data) {
    memcpy (out, t->float_data, numel * sizeof (float));
  } else {
    for (guint64 i = 0; i < numel; i++) {
      guint32 u;
      memcpy (&u, t->raw_data.data + 4 * i, 4);
      u = GUINT32_FROM_LE (u);
      memcpy (&out[i], &u, 4);
    }
  }
  return out;
}

const Val *
onnx_val (P * p, const char *name)
{
  return name && *name ? g_hash_table_lookup (p->vals, name) : NULL;
}

const Onnx__AttributeProto *
onnx_attr (const Onnx__NodeProto * n, const char *name)
{
  for (size_t i = 0; i < n->n_attribute; i++)
    if (n->attribute[i]->name && strcmp (n->attribute[i]->name, name) == 0)
      return n->attribute[i];
  return NULL;
}

gint64
onnx_attr_int (const Onnx__NodeProto * n, const char *name, gint64 dflt)
{
  const Onnx__AttributeProto *a = onnx_attr (n, name);
  return a && a->has_i ? a->i : dflt;
}

/* A constant every element of which is zero (an initial state). */
gboolean
onnx_all_zero (const Val * v)
{
  if (v->tag != V_CONST || !v->t ||
      v->t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
    return FALSE;
  const Onnx__TensorProto *t = v->t;
  if (t->has_raw_data) {
    for (size_t i = 0; i < t->raw_data.len; i++)
      if (t->raw_data.data[i] & 0x7f)   /* -0.0 counts as zero */
        return FALSE;
    return TRUE;
  }
  for (size_t i = 0; i < t->n_float_data; i++)
    if (t->float_data[i] != 0.0f)
      return FALSE;
  return TRUE;
}

static gboolean
take_metadata (P * p, GError ** error)
{
  for (size_t i = 0; i < p->m->n_metadata_props; i++) {
    const char *k = p->m->metadata_props[i]->key;
    const char *v = p->m->metadata_props[i]->value;
    if (!k || !v || g_hash_table_contains (p->st->metadata, k)) {
      g_autofree char *ek = g_strescape (k ? k : "", NULL);
      g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
          "%s: metadata_props: key '%s' is %s", p->file, ek,
          k && v ? "given twice" : "incomplete");
      return FALSE;
    }
    if (!g_utf8_validate (k, -1, NULL) || !g_utf8_validate (v, -1, NULL)) {
      g_autofree char *ek = g_strescape (k, NULL);
      g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
          "%s: metadata_props: key '%s' or its value is not UTF-8", p->file,
          ek);
      return FALSE;
    }
    if (strcmp (k, "rnn.head") == 0) {
      g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
          "%s: metadata_props: rnn.head does not apply to an ONNX graph "
          "(the head is the graph's Gemm or MatMul + Add)", p->file);
      return FALSE;
    }
    g_hash_table_insert (p->st->metadata, g_strdup (k), g_strdup (v));
  }
  return TRUE;
}

/* Set metadata @key to what the graph says, unless metadata_props says
 * otherwise. */
gboolean
onnx_graph_says (P * p, const char *key, const char *value, GError ** error)
{
  const char *given = g_hash_table_lookup (p->st->metadata, key);
  if (given && strcmp (given, value) != 0) {
    g_autofree char *eg = g_strescape (given, NULL);
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: metadata_props %s is \"%s\" but the graph says \"%s\"",
        p->file, key, eg, value);
    return FALSE;
  }
  g_hash_table_insert (p->st->metadata, g_strdup (key), g_strdup (value));
  return TRUE;
}

/* The graph's ai.onnx opset is one this reader was checked on: RNN, LSTM
 * and GRU mean the same from opset 7 to 17 (14 added `layout`, whose
 * default is the older layout), but torch writes opsets 7 and 8 with the
 * experimental ConstantFill and computed weights, which are refused here by
 * opset, not by the first node that does not fit. */
static gboolean
check_opset (P * p, GError ** error)
{
  if (p->opset >= ONNX_OPSET_MIN && p->opset <= ONNX_OPSET_MAX)
    return TRUE;
  if (p->opset == 0)
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL, "%s: opset_import: the "
        "model imports no ai.onnx opset (opsets %d to %d are supported)",
        p->file, ONNX_OPSET_MIN, ONNX_OPSET_MAX);
  else
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL, "%s: opset_import: "
        "ai.onnx opset %" G_GINT64_FORMAT " is not supported (opsets %d to %d "
        "are: export with torch.onnx.export(..., opset_version=14))", p->file,
        p->opset, ONNX_OPSET_MIN, ONNX_OPSET_MAX);
  return FALSE;
}

RnnSafetensors *
rnn_onnx_parse (const guint8 * data, gsize size, const char *name,
    GError ** error)
{
  if (!name)
    name = "<memory>";
  guint parts = 0;
  switch (wire_check (data, data + size, &onnx__model_proto__descriptor, 0,
          &parts)) {
    case WIRE_OK:
      break;
    case WIRE_BAD:
      g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
          "%s: not an ONNX model: the protobuf encoding is truncated or "
          "invalid", name);
      return NULL;
    case WIRE_DEEP:
      g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
          "%s: not an ONNX model: messages nested more than %u deep", name,
          ONNX_MAX_DEPTH);
      return NULL;
    case WIRE_MANY:
      g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
          "%s: not an ONNX model: more than %u messages and strings (a graph "
          "torch.onnx.export writes holds a few hundred)", name,
          ONNX_MAX_PARTS);
      return NULL;
  }
  Onnx__ModelProto *m = onnx__model_proto__unpack (NULL, size, data);
  if (!m || !m->graph) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s: not an ONNX model: %s", name, m ? "the ModelProto has no graph"
        : "the protobuf does not decode as a ModelProto");
    if (m)
      onnx__model_proto__free_unpacked (m, NULL);
    return NULL;
  }
  P p = { name, m, 0 };
  p.vals = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  p.st = g_new0 (RnnSafetensors, 1);
  p.st->name = g_strdup (name);
  p.st->tensors = g_ptr_array_new_with_free_func (info_free);
  p.st->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  p.st->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  p.st->owned = g_ptr_array_new_with_free_func (g_free);
  for (size_t i = 0; i < m->n_opset_import; i++) {
    const Onnx__OperatorSetIdProto *o = m->opset_import[i];
    if (!o->domain || !*o->domain || strcmp (o->domain, "ai.onnx") == 0)
      p.opset = o->version;
  }

  static const char *const cells[] = { "RNN", "rnn", "LSTM", "lstm", "GRU",
    "gru"
  };
  gboolean ok = check_opset (&p, error) && take_metadata (&p, error) &&
      onnx_walk_graph (&p, error);
  for (guint i = 0; ok && i < G_N_ELEMENTS (cells); i += 2)
    if (strcmp (p.op, cells[i]) == 0)
      ok = onnx_graph_says (&p, "rnn.cell", cells[i + 1], error);
  if (ok && strcmp (p.op, "RNN") == 0)
    ok = onnx_graph_says (&p, "rnn.nonlinearity", p.relu ? "relu" : "tanh",
        error);
  g_hash_table_unref (p.vals);
  onnx__model_proto__free_unpacked (m, NULL);
  if (!ok) {
    rnn_safetensors_free (p.st);
    return NULL;
  }
  return p.st;
}

#endif /* RNN_HAVE_ONNX */
