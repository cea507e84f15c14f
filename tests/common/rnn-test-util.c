/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helpers shared by the core and the element tests. */
#include "rnn-test-util.h"

#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>

static void
tensor_free (gpointer p)
{
  RnnTestTensor *t = p;

  g_free (t->name);
  g_free (t->data);
  g_free (t);
}

static float
half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16, e = (h >> 10) & 0x1f;
  guint32 m = h & 0x3ff, bits;
  float f;

  if (e == 0) {
    /* zero or subnormal: m * 2^-24 */
    f = ldexpf ((float) m, -24);
    return sign ? -f : f;
  }
  if (e == 31)
    bits = sign | 0x7f800000u | (m << 13);
  else
    bits = sign | ((e + 112) << 23) | (m << 13);
  memcpy (&f, &bits, 4);
  return f;
}

/* Bytes per element of the dtypes the reader converts, 0 for others. */
static gsize
dtype_size (const gchar * dtype)
{
  if (g_str_equal (dtype, "F32"))
    return 4;
  if (g_str_equal (dtype, "F64"))
    return 8;
  if (g_str_equal (dtype, "F16") || g_str_equal (dtype, "BF16"))
    return 2;
  return 0;
}

/* @n little-endian values of @dtype at @src as floats. */
static void
to_float (const gchar * dtype, const guint8 * src, gsize n, float *dst)
{
  gsize i;

  for (i = 0; i < n; i++) {
    if (g_str_equal (dtype, "F32")) {
      guint32 v;

      memcpy (&v, src + 4 * i, 4);      /* the data may be unaligned */
      v = GUINT32_FROM_LE (v);
      memcpy (dst + i, &v, 4);
    } else if (g_str_equal (dtype, "F64")) {
      guint64 v;
      double d;

      memcpy (&v, src + 8 * i, 8);
      v = GUINT64_FROM_LE (v);
      memcpy (&d, &v, 8);
      dst[i] = (float) d;
    } else {
      guint16 v = (guint16) (src[2 * i] | (src[2 * i + 1] << 8));

      if (g_str_equal (dtype, "BF16")) {
        guint32 bits = (guint32) v << 16;
        memcpy (dst + i, &bits, 4);
      } else {
        dst[i] = half_to_float (v);
      }
    }
  }
}

/* Minimal reader: 8-byte LE header length, JSON header, data.  Converts
 * the floating-point tensors to float, leaves the others out; checks
 * offsets lie inside the file. */
RnnTestFile *
rnn_test_file_load (const gchar * path, GError ** error)
{
  gchar *contents = NULL;
  gsize len = 0;
  guint64 n = 0;
  JsonParser *parser = NULL;
  JsonObject *root;
  GList *members, *l;
  RnnTestFile *f = NULL;
  const guint8 *base;
  gsize data_len;
  int i;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  if (len < 8)
    goto bad;
  for (i = 7; i >= 0; i--)
    n = (n << 8) | (guint8) contents[i];
  if (n > len - 8)
    goto bad;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, contents + 8, (gssize) n, error))
    goto fail;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto bad;
  root = json_node_get_object (json_parser_get_root (parser));

  base = (const guint8 *) contents + 8 + n;
  data_len = len - 8 - n;
  f = g_new0 (RnnTestFile, 1);
  f->tensors = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      tensor_free);
  f->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);

  members = json_object_get_members (root);
  for (l = members; l; l = l->next) {
    const gchar *key = l->data;
    JsonObject *o;
    JsonArray *shape, *offs;
    RnnTestTensor *t;
    guint64 b, e;
    guint d;
    const gchar *dtype;
    gsize esize;

    if (g_str_equal (key, "__metadata__")) {
      JsonObject *m = json_object_get_object_member (root, key);
      GList *mm = json_object_get_members (m), *k;

      for (k = mm; k; k = k->next)
        g_hash_table_insert (f->metadata, g_strdup (k->data),
            g_strdup (json_object_get_string_member (m, k->data)));
      g_list_free (mm);
      continue;
    }
    o = json_object_get_object_member (root, key);
    dtype = json_object_get_string_member (o, "dtype");
    if ((esize = dtype_size (dtype)) == 0)
      continue;
    shape = json_object_get_array_member (o, "shape");
    offs = json_object_get_array_member (o, "data_offsets");
    b = json_array_get_int_element (offs, 0);
    e = json_array_get_int_element (offs, 1);
    t = g_new0 (RnnTestTensor, 1);
    t->name = g_strdup (key);
    t->ndim = json_array_get_length (shape);
    g_assert (t->ndim <= G_N_ELEMENTS (t->shape));
    t->numel = 1;
    for (d = 0; d < t->ndim; d++) {
      t->shape[d] = json_array_get_int_element (shape, d);
      t->numel *= t->shape[d];
    }
    if (e < b || e > data_len || e - b != t->numel * esize) {
      tensor_free (t);
      g_list_free (members);
      goto bad;
    }
    t->data = g_new (float, MAX (t->numel, 1));
    to_float (dtype, base + b, t->numel, t->data);
    g_hash_table_insert (f->tensors, t->name, t);
  }
  g_list_free (members);

  g_object_unref (parser);
  g_free (contents);
  return f;

bad:
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
      "%s: not a safetensors file", path);
fail:
  if (f)
    rnn_test_file_free (f);
  if (parser)
    g_object_unref (parser);
  g_free (contents);
  return NULL;
}

void
rnn_test_file_free (RnnTestFile * f)
{
  g_hash_table_unref (f->tensors);
  g_hash_table_unref (f->metadata);
  g_free (f);
}

const RnnTestTensor *
rnn_test_file_get (const RnnTestFile * f, const gchar * name)
{
  return g_hash_table_lookup (f->tensors, name);
}

const gchar *
rnn_test_file_meta (const RnnTestFile * f, const gchar * key)
{
  return g_hash_table_lookup (f->metadata, key);
}

void
rnn_test_write_safetensors (const gchar * path, const gchar ** names,
    const gsize * const *shapes, const guint * ndims,
    const float *const *data, const gchar ** metadata)
{
  GString *hdr = g_string_new ("{");
  GByteArray *body = g_byte_array_new ();
  gsize off = 0;
  guint i, d;
  guint8 len8[8];
  guint64 n;
  GByteArray *file;

  if (metadata && metadata[0]) {
    g_string_append (hdr, "\"__metadata__\":{");
    for (i = 0; metadata[i]; i += 2)
      g_string_append_printf (hdr, "%s\"%s\":\"%s\"", i ? "," : "",
          metadata[i], metadata[i + 1]);
    g_string_append (hdr, "},");
  }
  for (i = 0; names[i]; i++) {
    gsize numel = 1;

    g_string_append_printf (hdr, "%s\"%s\":{\"dtype\":\"F32\",\"shape\":[",
        i ? "," : "", names[i]);
    for (d = 0; d < ndims[i]; d++) {
      g_string_append_printf (hdr, "%s%" G_GSIZE_FORMAT, d ? "," : "",
          shapes[i][d]);
      numel *= shapes[i][d];
    }
    g_string_append_printf (hdr, "],\"data_offsets\":[%" G_GSIZE_FORMAT
        ",%" G_GSIZE_FORMAT "]}", off, off + numel * sizeof (float));
    g_byte_array_append (body, (const guint8 *) data[i],
        numel * sizeof (float));
    off += numel * sizeof (float);
  }
  g_string_append (hdr, "}");
  while (hdr->len % 8)
    g_string_append_c (hdr, ' ');

  n = hdr->len;
  for (i = 0; i < 8; i++)
    len8[i] = (n >> (8 * i)) & 0xff;
  file = g_byte_array_new ();
  g_byte_array_append (file, len8, 8);
  g_byte_array_append (file, (const guint8 *) hdr->str, hdr->len);
  g_byte_array_append (file, body->data, body->len);
  g_assert_true (g_file_set_contents (path, (const gchar *) file->data,
          file->len, NULL));
  g_byte_array_unref (file);
  g_byte_array_unref (body);
  g_string_free (hdr, TRUE);
}

void
rnn_test_write_tiny_gru (const gchar * path, guint F, guint H)
{
  gsize s_ih[2] = { 3 * H, F }, s_hh[2] = { 3 * H, H }, s_b[1] = { 3 * H };
  const gsize *shapes[] = { s_ih, s_hh, s_b, s_b };
  guint ndims[] = { 2, 2, 1, 1 };
  const gchar *names[] = { "weight_ih_l0", "weight_hh_l0", "bias_ih_l0",
    "bias_hh_l0", NULL
  };
  float *w_ih = g_new (float, 3 * H * F);
  float *w_hh = g_new (float, 3 * H * H);
  float *b_ih = g_new (float, 3 * H);
  float *b_hh = g_new (float, 3 * H);
  const float *data[] = { w_ih, w_hh, b_ih, b_hh };
  guint i;

  for (i = 0; i < 3 * H * F; i++)
    w_ih[i] = 0.5f * sinf (1.0f + i);
  for (i = 0; i < 3 * H * H; i++)
    w_hh[i] = 0.4f * cosf (2.0f + 0.7f * i);
  for (i = 0; i < 3 * H; i++) {
    b_ih[i] = 0.1f * sinf (3.0f + i);
    b_hh[i] = 0.1f * cosf (5.0f + i);
  }
  rnn_test_write_safetensors (path, names, shapes, ndims, data, NULL);
  g_free (w_ih);
  g_free (w_hh);
  g_free (b_ih);
  g_free (b_hh);
}

void
rnn_test_write_gru_phase (const gchar * path, guint F, guint H, float phase)
{
  gsize s_ih[2] = { 3 * H, F }, s_hh[2] = { 3 * H, H }, s_b[1] = { 3 * H };
  const gsize *shapes[] = { s_ih, s_hh, s_b, s_b };
  guint ndims[] = { 2, 2, 1, 1 };
  const gchar *names[] = { "weight_ih_l0", "weight_hh_l0", "bias_ih_l0",
    "bias_hh_l0", NULL
  };
  float *w_ih = g_new (float, 3 * H * F);
  float *w_hh = g_new (float, 3 * H * H);
  float *b_ih = g_new (float, 3 * H);
  float *b_hh = g_new (float, 3 * H);
  const float *data[] = { w_ih, w_hh, b_ih, b_hh };
  guint i;

  for (i = 0; i < 3 * H * F; i++)
    w_ih[i] = 0.6f * sinf (phase + 1.3f * i);
  for (i = 0; i < 3 * H * H; i++)
    w_hh[i] = 0.5f * cosf (phase + 0.9f * i);
  for (i = 0; i < 3 * H; i++) {
    b_ih[i] = 0.2f * sinf (2.0f * phase + i);
    b_hh[i] = 0.2f * cosf (3.0f * phase + i);
  }
  rnn_test_write_safetensors (path, names, shapes, ndims, data, NULL);
  g_free (w_ih);
  g_free (w_hh);
  g_free (b_ih);
  g_free (b_hh);
}

/* ---------------------------------------------------------- fixtures */

const gchar *
rnn_test_fixture_dir (void)
{
  const gchar *d = g_getenv ("RNN_FIXTURE_DIR");

#ifdef RNN_FIXTURE_DIR_DEFAULT
  if (d == NULL || *d == '\0')
    d = RNN_FIXTURE_DIR_DEFAULT;
#endif
  return d;
}

const gchar *
rnn_test_modes_dir (void)
{
  const gchar *d = g_getenv ("RNN_MODES_DIR");

#ifdef RNN_MODES_DIR_DEFAULT
  if (d == NULL || *d == '\0')
    d = RNN_MODES_DIR_DEFAULT;
#endif
  return d;
}

void
rnn_test_case_free (RnnTestCase * c)
{
  if (c == NULL)
    return;
  g_free (c->name);
  g_free (c->model_path);
  if (c->data)
    rnn_test_file_free (c->data);
  g_free (c->splits);
  g_free (c);
}

static gint
case_cmp (gconstpointer a, gconstpointer b)
{
  const RnnTestCase *x = *(RnnTestCase * const *) a;
  const RnnTestCase *y = *(RnnTestCase * const *) b;

  return strcmp (x->name, y->name);
}

static gboolean
meta_true (const RnnTestFile * f, const gchar * key)
{
  const gchar *v = rnn_test_file_meta (f, key);

  return v && (g_str_equal (v, "1") || g_ascii_strcasecmp (v, "true") == 0);
}

/* The data file @dir/@name.data.safetensors; aborts if unreadable. */
static RnnTestFile *
load_data (const gchar * dir, const gchar * name, gchar ** model_path)
{
  gchar *base = g_strconcat (name, ".data.safetensors", NULL);
  gchar *path = g_build_filename (dir, base, NULL);
  GError *err = NULL;
  RnnTestFile *f = rnn_test_file_load (path, &err);

  if (f == NULL)
    g_error ("fixture %s: %s", path, err->message);
  g_free (base);
  g_free (path);
  base = g_strconcat (name, ".model.safetensors", NULL);
  *model_path = g_build_filename (dir, base, NULL);
  g_free (base);
  if (!g_file_test (*model_path, G_FILE_TEST_EXISTS))
    g_error ("fixture %s: no %s", name, *model_path);
  return f;
}

static RnnTestCase *
case_load (const gchar * dir, const gchar * name)
{
  RnnTestCase *c = g_new0 (RnnTestCase, 1);
  const RnnTestTensor *in, *out;
  const gchar *splits;

  c->name = g_strdup (name);
  c->data = load_data (dir, name, &c->model_path);
  in = rnn_test_file_get (c->data, "input");
  out = rnn_test_file_get (c->data, "output");
  if (!in || !out || in->ndim != 3 || out->ndim != 3)
    g_error ("fixture %s: no 3-d input and output", name);
  c->batch_first = meta_true (c->data, "batch_first");
  c->bidirectional = meta_true (c->data, "bidirectional");
  c->has_h0 = rnn_test_file_get (c->data, "h0") != NULL
      || rnn_test_file_get (c->data, "c0") != NULL;
  c->input = in->data;
  c->output = out->data;
  c->T = c->batch_first ? in->shape[1] : in->shape[0];
  c->B = c->batch_first ? in->shape[0] : in->shape[1];
  c->F = in->shape[2];
  c->O = out->shape[2];

  splits = rnn_test_file_meta (c->data, "splits");
  if (splits && *splits) {
    gchar **parts = g_strsplit (splits, ",", -1);
    guint i, sum = 0;

    c->n_splits = g_strv_length (parts);
    c->splits = g_new (guint, c->n_splits);
    for (i = 0; i < c->n_splits; i++) {
      c->splits[i] = (guint) g_ascii_strtoull (parts[i], NULL, 10);
      sum += c->splits[i];
    }
    g_strfreev (parts);
    if (sum != c->T)
      g_error ("fixture %s: splits sum to %u, T is %u", name, sum, c->T);
  } else {
    /* no splits given: uneven blocks 1, 2, 3, ... */
    guint left = c->T, k = 1;

    c->splits = g_new (guint, MAX (c->T, 1));
    while (left > 0) {
      guint s = MIN (k, left);
      c->splits[c->n_splits++] = s;
      left -= s;
      k++;
    }
  }
  return c;
}

/* Sorted names of the cases in @dir (from *.data.safetensors). */
static GPtrArray *
case_names (const gchar * dir)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const gchar *entry;
  GDir *d;

  if (dir == NULL || (d = g_dir_open (dir, 0, NULL)) == NULL)
    return names;
  while ((entry = g_dir_read_name (d)))
    if (g_str_has_suffix (entry, ".data.safetensors"))
      g_ptr_array_add (names, g_strndup (entry,
              strlen (entry) - strlen (".data.safetensors")));
  g_dir_close (d);
  return names;
}

GPtrArray *
rnn_test_cases_load (void)
{
  const gchar *dir = rnn_test_fixture_dir ();
  GPtrArray *names = case_names (dir);
  GPtrArray *cases = g_ptr_array_new_with_free_func ((GDestroyNotify)
      rnn_test_case_free);
  guint i;

  for (i = 0; i < names->len; i++)
    g_ptr_array_add (cases, case_load (dir, g_ptr_array_index (names, i)));
  g_ptr_array_unref (names);
  g_ptr_array_sort (cases, case_cmp);
  return cases;
}

RnnTestCase *
rnn_test_case_load (const gchar * name)
{
  return case_load (rnn_test_fixture_dir (), name);
}

const float *
rnn_test_case_tensor (const RnnTestCase * c, const gchar * name,
    gsize * numel)
{
  const RnnTestTensor *t = rnn_test_file_get (c->data, name);

  if (numel)
    *numel = t ? t->numel : 0;
  return t ? t->data : NULL;
}

gboolean
rnn_test_case_streamable (const RnnTestCase * c)
{
  return !c->bidirectional && !c->has_h0;
}

float *
rnn_test_slice (const float *data, guint T, guint B, guint W,
    gboolean batch_first, guint t0, guint k)
{
  float *out = g_new (float, (gsize) k * B * W + 1);
  guint b;

  g_assert (t0 + k <= T);
  if (!batch_first) {
    memcpy (out, data + (gsize) t0 * B * W, (gsize) k * B * W * sizeof (float));
  } else {
    for (b = 0; b < B; b++)
      memcpy (out + (gsize) b * k * W, data + ((gsize) b * T + t0) * W,
          (gsize) k * W * sizeof (float));
  }
  return out;
}

double
rnn_test_max_err (const float *a, const float *b, gsize n)
{
  double m = 0.0;
  gsize i;

  for (i = 0; i < n; i++) {
    if (isnan (a[i]) || isnan (b[i])) {
      if (isnan (a[i]) != isnan (b[i]))
        return INFINITY;
      continue;
    }
    if (isinf (a[i]) || isinf (b[i])) {
      if (a[i] != b[i])
        return INFINITY;
      continue;
    }
    m = MAX (m, fabs ((double) a[i] - (double) b[i]));
  }
  return m;
}

float *
rnn_test_to_batch_first (const float *x, guint T, guint B, guint W)
{
  float *y = g_new (float, MAX ((gsize) T * B * W, 1));
  guint t, b;

  for (t = 0; t < T; t++)
    for (b = 0; b < B; b++)
      memcpy (y + ((gsize) b * T + t) * W, x + ((gsize) t * B + b) * W,
          W * sizeof (float));
  return y;
}

float *
rnn_test_make_input (guint T, guint B, guint F, float seed)
{
  float *x = g_new (float, MAX ((gsize) T * B * F, 1));
  guint t, b, f;

  for (t = 0; t < T; t++)
    for (b = 0; b < B; b++)
      for (f = 0; f < F; f++)
        x[((gsize) t * B + b) * F + f] = sinf (seed + 0.13f * t * (f + 1) +
            1.7f * b) + 0.3f * cosf (0.05f * t + f);
  return x;
}

const gchar *
rnn_test_tmpdir (void)
{
  static gchar *dir = NULL;

  if (dir == NULL) {
    GError *err = NULL;

    dir = g_dir_make_tmp ("gst-rnn-test-XXXXXX", &err);
    g_assert_no_error (err);
  }
  return dir;
}

static void
mode_case_free (gpointer p)
{
  RnnModeCase *c = p;

  g_free (c->name);
  g_free (c->model_path);
  if (c->data)
    rnn_test_file_free (c->data);
  g_free (c);
}

static gint
mode_case_cmp (gconstpointer a, gconstpointer b)
{
  const RnnModeCase *x = *(RnnModeCase * const *) a;
  const RnnModeCase *y = *(RnnModeCase * const *) b;

  return strcmp (x->name, y->name);
}

static guint
meta_uint (const RnnTestFile * f, const gchar * key)
{
  const gchar *v = rnn_test_file_meta (f, key);

  return v ? (guint) g_ascii_strtoull (v, NULL, 10) : 0;
}

GPtrArray *
rnn_test_mode_cases_load (void)
{
  const gchar *dir = rnn_test_modes_dir ();
  GPtrArray *names = case_names (dir);
  GPtrArray *cases = g_ptr_array_new_with_free_func (mode_case_free);
  guint i;

  for (i = 0; i < names->len; i++) {
    RnnModeCase *c = g_new0 (RnnModeCase, 1);
    const RnnTestTensor *in, *out;

    c->name = g_strdup (g_ptr_array_index (names, i));
    c->data = load_data (dir, c->name, &c->model_path);
    c->mode = rnn_test_file_meta (c->data, "mode");
    c->batch_first = meta_true (c->data, "batch_first");
    c->carry = meta_true (c->data, "carry");
    c->window = meta_uint (c->data, "window");
    c->hop = meta_uint (c->data, "hop");
    c->steps = meta_uint (c->data, "steps");
    c->feed = rnn_test_file_meta (c->data, "feed");
    c->pooling = rnn_test_file_meta (c->data, "pooling");
    c->tail_start = meta_uint (c->data, "tail_start");
    c->tail_frames = meta_uint (c->data, "tail_frames");
    in = rnn_test_file_get (c->data, "input");
    if (!in || in->ndim != 3 || !c->mode)
      g_error ("fixture %s: no 3-d input or no mode", c->name);
    c->input = in->data;
    c->T = c->batch_first ? in->shape[1] : in->shape[0];
    c->B = c->batch_first ? in->shape[0] : in->shape[1];
    c->F = in->shape[2];
    if (g_str_equal (c->mode, "n-to-1")) {
      out = rnn_test_file_get (c->data, "scores");
      if (!out || out->ndim != 3)
        g_error ("fixture %s: no 3-d scores", c->name);
      c->scores = out->data;
      c->n_windows = out->shape[0];
      c->O = out->shape[2];
      if ((out = rnn_test_file_get (c->data, "tail_scores")))
        c->tail = out->data;
    } else {
      out = rnn_test_file_get (c->data, "output");
      if (!out)
        g_error ("fixture %s: no output", c->name);
      c->output = out->data;
      c->O = out->shape[out->ndim - 1];
      if (out->ndim == 4)
        c->n_windows = out->shape[0];
      if ((out = rnn_test_file_get (c->data, "tail_output")))
        c->tail = out->data;
    }
    if ((out = rnn_test_file_get (c->data, "starts")))
      c->starts = out->data;
    g_ptr_array_add (cases, c);
  }
  g_ptr_array_unref (names);
  g_ptr_array_sort (cases, mode_case_cmp);
  return cases;
}

static void
fill_weights (float *w, gsize n, float scale, float phase)
{
  gsize i;

  for (i = 0; i < n; i++)
    w[i] = scale * sinf (phase + 0.37f * i);
}

void
rnn_test_write_gru_seq2seq (const gchar * path, guint enc_F, guint enc_H,
    guint dec_F, guint dec_H)
{
  gsize s_eih[2] = { 3 * enc_H, enc_F }, s_ehh[2] = { 3 * enc_H, enc_H };
  gsize s_dih[2] = { 3 * dec_H, dec_F }, s_dhh[2] = { 3 * dec_H, dec_H };
  const gsize *shapes[] = { s_eih, s_ehh, s_dih, s_dhh };
  guint ndims[] = { 2, 2, 2, 2 };
  const gchar *names[] = { "encoder.weight_ih_l0", "encoder.weight_hh_l0",
    "decoder.weight_ih_l0", "decoder.weight_hh_l0", NULL
  };
  float *w[4];
  guint i;

  guint n_tensors = dec_F > 0 ? 4 : 2;

  for (i = 0; i < n_tensors; i++) {
    gsize n = shapes[i][0] * shapes[i][1];
    w[i] = g_new (float, n);
    fill_weights (w[i], n, 0.4f, 1.0f + i);
  }
  if (dec_F == 0)
    names[2] = NULL;
  rnn_test_write_safetensors (path, names, shapes, ndims,
      (const float *const *) w, NULL);
  for (i = 0; i < n_tensors; i++)
    g_free (w[i]);
}

void
rnn_test_write_bigru (const gchar * path, guint F, guint H)
{
  gsize s_ih[2] = { 3 * H, F }, s_hh[2] = { 3 * H, H };
  const gsize *shapes[] = { s_ih, s_hh, s_ih, s_hh };
  guint ndims[] = { 2, 2, 2, 2 };
  const gchar *names[] = { "weight_ih_l0", "weight_hh_l0",
    "weight_ih_l0_reverse", "weight_hh_l0_reverse", NULL
  };
  float *w[4];
  guint i, j;

  for (i = 0; i < 4; i++) {
    gsize n = shapes[i][0] * shapes[i][1];

    w[i] = g_new (float, n);
    for (j = 0; j < n; j++)
      w[i][j] = 0.5f * sinf (0.3f + i + 0.71f * j);
  }
  rnn_test_write_safetensors (path, names, shapes, ndims,
      (const float *const *) w, NULL);
  for (i = 0; i < 4; i++)
    g_free (w[i]);
}
