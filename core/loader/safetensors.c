/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict safetensors reader; see safetensors.h. */
#include "safetensors.h"
#include "json_check.h"
#include "rnn.h"

#include <json-glib/json-glib.h>
#include <string.h>

static const struct {
  const char *name;
  RnnDtype dtype;
  guint itemsize;
} dtypes[] = {
  {"F64", RNN_DT_F64, 8}, {"F32", RNN_DT_F32, 4}, {"F16", RNN_DT_F16, 2},
  {"BF16", RNN_DT_BF16, 2}, {"I64", RNN_DT_I64, 8}, {"I32", RNN_DT_I32, 4},
  {"I16", RNN_DT_I16, 2}, {"I8", RNN_DT_I8, 1}, {"U64", RNN_DT_U64, 8},
  {"U32", RNN_DT_U32, 4}, {"U16", RNN_DT_U16, 2}, {"U8", RNN_DT_U8, 1},
  {"BOOL", RNN_DT_BOOL, 1}, {"F8_E4M3", RNN_DT_F8_E4M3, 1},
  {"F8_E5M2", RNN_DT_F8_E5M2, 1},
};

static void
tensor_info_free (gpointer p)
{
  RnnTensorInfo *t = p;
  g_free (t->name);
  g_free (t);
}

void
rnn_safetensors_free (RnnSafetensors * st)
{
  if (!st)
    return;
  g_free (st->name);
  if (st->tensors)
    g_ptr_array_unref (st->tensors);
  if (st->by_name)
    g_hash_table_unref (st->by_name);
  if (st->metadata)
    g_hash_table_unref (st->metadata);
  if (st->owned)
    g_ptr_array_unref (st->owned);
  g_free (st);
}

const char *
rnn_shape_to_string (const guint64 * shape, guint n_dims, char *buf,
    gsize buf_size)
{
  gsize pos = 0;
  pos += g_snprintf (buf + pos, buf_size - pos, "[");
  for (guint i = 0; i < n_dims && pos < buf_size; i++)
    pos += g_snprintf (buf + pos, buf_size - pos, "%s%" G_GUINT64_FORMAT,
        i ? ", " : "", shape[i]);
  if (pos < buf_size)
    g_snprintf (buf + pos, buf_size - pos, "]");
  return buf;
}

static gboolean
get_uint_array (JsonObject * obj, const char *member, guint64 * out,
    guint max, guint * n_out, const char *file, const char *tname,
    GError ** error)
{
  JsonNode *node = json_object_get_member (obj, member);
  if (!node || !JSON_NODE_HOLDS_ARRAY (node)) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s: tensor '%s': \"%s\" must be an array of integers", file, tname,
        member);
    return FALSE;
  }
  JsonArray *arr = json_node_get_array (node);
  guint n = json_array_get_length (arr);
  if (n > max) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s: tensor '%s': \"%s\" has %u entries, at most %u supported", file,
        tname, member, n, max);
    return FALSE;
  }
  for (guint i = 0; i < n; i++) {
    JsonNode *el = json_array_get_element (arr, i);
    if (!JSON_NODE_HOLDS_VALUE (el) ||
        json_node_get_value_type (el) != G_TYPE_INT64 ||
        json_node_get_int (el) < 0) {
      g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
          "%s: tensor '%s': \"%s\" entry %u is not a non-negative integer "
          "(or is larger than 2^63)", file, tname, member, i);
      return FALSE;
    }
    out[i] = (guint64) json_node_get_int (el);
  }
  *n_out = n;
  return TRUE;
}

static gint
compare_offsets (gconstpointer a, gconstpointer b)
{
  const RnnTensorInfo *ta = *(RnnTensorInfo * const *) a;
  const RnnTensorInfo *tb = *(RnnTensorInfo * const *) b;
  if (ta->begin != tb->begin)
    return ta->begin < tb->begin ? -1 : 1;
  if (ta->end != tb->end)
    return ta->end < tb->end ? -1 : 1;
  return 0;
}

static gboolean
parse_metadata (RnnSafetensors * st, JsonNode * node, GError ** error)
{
  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s: \"__metadata__\" must be an object of strings", st->name);
    return FALSE;
  }
  JsonObject *obj = json_node_get_object (node);
  JsonObjectIter iter;
  const char *key;
  JsonNode *val;
  json_object_iter_init (&iter, obj);
  while (json_object_iter_next (&iter, &key, &val)) {
    if (!JSON_NODE_HOLDS_VALUE (val) ||
        json_node_get_value_type (val) != G_TYPE_STRING) {
      g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
          "%s: metadata key '%s': value must be a string", st->name, key);
      return FALSE;
    }
    g_hash_table_insert (st->metadata, g_strdup (key),
        g_strdup (json_node_get_string (val)));
  }
  return TRUE;
}

static gboolean
parse_tensor (RnnSafetensors * st, const char *tname, JsonNode * node,
    const guint8 * data_start, GError ** error)
{
  const char *file = st->name;
  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s: tensor '%s': entry must be an object with dtype, shape and "
        "data_offsets", file, tname);
    return FALSE;
  }
  JsonObject *obj = json_node_get_object (node);
  JsonNode *dt = json_object_get_member (obj, "dtype");
  if (!dt || !JSON_NODE_HOLDS_VALUE (dt) ||
      json_node_get_value_type (dt) != G_TYPE_STRING) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s: tensor '%s': \"dtype\" missing or not a string", file, tname);
    return FALSE;
  }
  const char *dname = json_node_get_string (dt);
  RnnTensorInfo *t = g_new0 (RnnTensorInfo, 1);
  t->name = g_strdup (tname);
  /* Owned by the array from here on, freed on every error path. */
  g_ptr_array_add (st->tensors, t);

  gboolean found = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++) {
    if (strcmp (dtypes[i].name, dname) == 0) {
      t->dtype = dtypes[i].dtype;
      t->dtype_name = dtypes[i].name;
      t->itemsize = dtypes[i].itemsize;
      found = TRUE;
    }
  }
  if (!found) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s: tensor '%s': unknown dtype \"%s\"", file, tname, dname);
    return FALSE;
  }
  if (!get_uint_array (obj, "shape", t->shape, RNN_ST_MAX_DIMS, &t->n_dims,
          file, tname, error))
    return FALSE;
  guint64 offs[2];
  guint n_offs = 0;
  if (!get_uint_array (obj, "data_offsets", offs, 2, &n_offs, file, tname,
          error))
    return FALSE;
  if (n_offs != 2 || offs[1] < offs[0]) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s: tensor '%s': \"data_offsets\" must be [begin, end] with "
        "begin <= end", file, tname);
    return FALSE;
  }
  t->begin = offs[0];
  t->end = offs[1];

  guint64 numel = 1;
  for (guint i = 0; i < t->n_dims; i++) {
    if (!g_uint64_checked_mul (&numel, numel, t->shape[i])) {
      char sb[256];
      g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
          "%s: tensor '%s': shape %s has more elements than fit in 64 bits",
          file, tname, rnn_shape_to_string (t->shape, t->n_dims, sb,
              sizeof sb));
      return FALSE;
    }
  }
  t->numel = numel;
  guint64 nbytes;
  if (!g_uint64_checked_mul (&nbytes, numel, t->itemsize) ||
      nbytes != t->end - t->begin) {
    char sb[256];
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s: tensor '%s': shape %s of %s needs %" G_GUINT64_FORMAT
        " x %u bytes, but data_offsets [%" G_GUINT64_FORMAT ", %"
        G_GUINT64_FORMAT "] hold %" G_GUINT64_FORMAT " bytes", file, tname,
        rnn_shape_to_string (t->shape, t->n_dims, sb, sizeof sb),
        t->dtype_name, numel, t->itemsize, t->begin, t->end,
        t->end - t->begin);
    return FALSE;
  }
  t->data = data_start + t->begin;      /* checked against the size later */
  g_hash_table_insert (st->by_name, t->name, t);
  return TRUE;
}

/* torch.save(): a zip archive (PyTorch >= 1.6, "PK\x03\x04"), or the
 * legacy format, a pickle (protocol 2 to 5: 0x80 then the protocol). */
static gboolean
is_torch_save (const guint8 * data, gsize size)
{
  if (size >= 4 && memcmp (data, "PK\x03\x04", 4) == 0)
    return TRUE;
  return size >= 2 && data[0] == 0x80 && data[1] >= 2 && data[1] <= 5;
}

/* The 8-byte length and what it frames: within the limit and the file,
 * valid UTF-8, an object; a torch.save() file named as such.  The header's
 * length into *@n. */
static gboolean
check_frame (const guint8 * data, gsize size, const char *name, guint64 * n,
    GError ** error)
{
  if (size < 8) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s: file is %" G_GSIZE_FORMAT " bytes, too short for a safetensors "
        "header (8 bytes of length, then JSON)", name, size);
    return FALSE;
  }
  *n = 0;
  for (int i = 7; i >= 0; i--)
    *n = (*n << 8) | data[i];
  /* the commonest wrong file: what torch.save() writes.  Checked only
   * where the bytes cannot start a safetensors header (a length of 0x0280
   * is a fine header that happens to begin 0x80 0x02). */
  if ((*n > RNN_ST_MAX_HEADER || *n > size - 8 || (size > 8 && data[8] != '{'))
      && is_torch_save (data, size)) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s is a PyTorch torch.save() file, not safetensors: export it with "
        "examples/export.py", name);
    return FALSE;
  }
  if (*n > RNN_ST_MAX_HEADER) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s: header length %" G_GUINT64_FORMAT " exceeds the limit of %u "
        "bytes", name, *n, RNN_ST_MAX_HEADER);
    return FALSE;
  }
  if (*n > size - 8) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s: header length %" G_GUINT64_FORMAT " runs past the end of the "
        "file (%" G_GSIZE_FORMAT " bytes after the length)", name, *n,
        size - 8);
    return FALSE;
  }
  const char *json = (const char *) data + 8;
  const char *bad;
  if (!g_utf8_validate (json, (gssize) * n, &bad)) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s: header is not valid UTF-8 (at byte %" G_GSIZE_FORMAT ")", name,
        (gsize) (bad - json));
    return FALSE;
  }
  if (*n == 0 || json[0] != '{') {
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s: header must be a JSON object starting with '{'", name);
    return FALSE;
  }
  return TRUE;
}

/* The tensors, sorted by offset, tile the @data_size data bytes exactly:
 * no hole, no overlap, nothing left over. */
static gboolean
check_tiling (RnnSafetensors * st, guint64 data_size, GError ** error)
{
  g_ptr_array_sort (st->tensors, compare_offsets);
  guint64 pos = 0;
  for (guint i = 0; i < st->tensors->len; i++) {
    RnnTensorInfo *t = g_ptr_array_index (st->tensors, i);
    if (t->begin != pos) {
      g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
          "%s: tensor '%s': data_offsets begin at %" G_GUINT64_FORMAT
          ", expected %" G_GUINT64_FORMAT " (%s)", st->name, t->name,
          t->begin, pos, t->begin > pos ? "a hole before it" :
          "it overlaps the previous tensor");
      return FALSE;
    }
    pos = t->end;
  }
  if (pos != data_size) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s: tensors end at data offset %" G_GUINT64_FORMAT ", but the file "
        "holds %" G_GUINT64_FORMAT " data bytes (%s)", st->name, pos,
        data_size, pos > data_size ? "file is truncated" : "bytes left over");
    return FALSE;
  }
  return TRUE;
}

RnnSafetensors *
rnn_safetensors_parse (const guint8 * data, gsize size, const char *name,
    GError ** error)
{
  guint64 n;
  if (!check_frame (data, size, name, &n, error))
    return NULL;
  const char *json = (const char *) data + 8;
  if (!rnn_json_check (json, n, name, error))
    return NULL;

  g_autoptr (JsonParser) parser = json_parser_new ();
  GError *jerr = NULL;
  if (!json_parser_load_from_data (parser, json, (gssize) n, &jerr)) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s: header is not valid JSON: %s", name, jerr->message);
    g_error_free (jerr);
    return NULL;
  }
  JsonNode *root = json_parser_get_root (parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_FORMAT,
        "%s: header must be a JSON object", name);
    return NULL;
  }

  RnnSafetensors *st = g_new0 (RnnSafetensors, 1);
  st->name = g_strdup (name);
  st->tensors = g_ptr_array_new_with_free_func (tensor_info_free);
  st->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  st->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);

  const guint8 *data_start = data + 8 + n;
  JsonObjectIter iter;
  const char *key;
  JsonNode *val;
  json_object_iter_init (&iter, json_node_get_object (root));
  while (json_object_iter_next (&iter, &key, &val)) {
    gboolean ok = strcmp (key, "__metadata__") == 0
        ? parse_metadata (st, val, error)
        : parse_tensor (st, key, val, data_start, error);
    if (!ok) {
      rnn_safetensors_free (st);
      return NULL;
    }
  }
  if (!check_tiling (st, size - 8 - n, error)) {
    rnn_safetensors_free (st);
    return NULL;
  }
  return st;
}

const RnnTensorInfo *
rnn_safetensors_get (const RnnSafetensors * st, const char *tensor_name)
{
  return g_hash_table_lookup (st->by_name, tensor_name);
}

gboolean
rnn_dtype_is_float (RnnDtype dtype)
{
  return dtype == RNN_DT_F32 || dtype == RNN_DT_F64 || dtype == RNN_DT_F16
      || dtype == RNN_DT_BF16;
}

float
rnn_half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16;
  guint32 exp = (h >> 10) & 0x1f;
  guint32 mant = h & 0x3ff;
  guint32 bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {                    /* subnormal: normalise */
      exp = 127 - 15 + 1;
      while (!(mant & 0x400)) {
        mant <<= 1;
        exp--;
      }
      mant &= 0x3ff;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  memcpy (&f, &bits, 4);
  return f;
}

void
rnn_tensor_to_f32 (const RnnTensorInfo * t, float *dst)
{
  const guint8 *p = t->data;
  for (guint64 i = 0; i < t->numel; i++) {
    switch (t->dtype) {
      case RNN_DT_F32:{
        guint32 u = (guint32) p[0] | (guint32) p[1] << 8 |
            (guint32) p[2] << 16 | (guint32) p[3] << 24;
        memcpy (&dst[i], &u, 4);
        p += 4;
        break;
      }
      case RNN_DT_F64:{
        guint64 u = 0;
        for (int k = 7; k >= 0; k--)
          u = (u << 8) | p[k];
        double d;
        memcpy (&d, &u, 8);
        dst[i] = (float) d;
        p += 8;
        break;
      }
      case RNN_DT_F16:
        dst[i] = rnn_half_to_float ((guint16) (p[0] | p[1] << 8));
        p += 2;
        break;
      case RNN_DT_BF16:{
        guint32 u = ((guint32) p[0] | (guint32) p[1] << 8) << 16;
        memcpy (&dst[i], &u, 4);
        p += 2;
        break;
      }
      default:
        g_return_if_reached ();
    }
  }
}
