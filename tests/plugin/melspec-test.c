/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers of the melspec element tests (see melspec-test.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "melspec-test.h"

const gchar *const mel_split_names[4] = { "whole", "one sample",
  "uneven", "random"
};

const gchar *
mel_fixture_dir (void)
{
  const gchar *d = g_getenv ("RNN_FEATURES_DIR");

  fail_unless (d != NULL, "set RNN_FEATURES_DIR to tests/features/fixtures "
      "(meson test does)");
  return d;
}

const gchar *
mel_case_prop (const MelCase * c, const gchar * name)
{
  g_autofree gchar *key = g_strconcat ("prop.", name, NULL);

  return rnn_test_file_meta (c->file, key);
}

MelCase *
mel_case_load (const gchar * name)
{
  g_autofree gchar *base = g_strconcat (name, ".safetensors", NULL);
  g_autofree gchar *path = g_build_filename (mel_fixture_dir (), base, NULL);
  GError *err = NULL;
  MelCase *c = g_new0 (MelCase, 1);
  const RnnTestTensor *in, *exp;

  c->file = rnn_test_file_load (path, &err);
  fail_unless (c->file != NULL, "%s: %s", path, err ? err->message : "");
  c->name = g_strdup (name);
  c->rate = atoi (rnn_test_file_meta (c->file, "rate"));
  c->s16 = g_str_equal (rnn_test_file_meta (c->file, "format"), "S16LE");
  c->rel = g_str_equal (rnn_test_file_meta (c->file, "compare"), "rel");
  /* the kaldi_default_* cases set no hop-length: they say it in "hop" */
  c->hop = atoi (mel_case_prop (c, "hop-length") ? mel_case_prop (c,
          "hop-length") : rnn_test_file_meta (c->file, "hop"));
  in = rnn_test_file_get (c->file, "input");
  exp = rnn_test_file_get (c->file, "expected");
  fail_unless (in && exp && in->ndim == 2 && exp->ndim == 3);
  c->B = in->shape[0];
  c->N = in->shape[1];
  c->T = exp->shape[0];
  c->F = exp->shape[2];
  fail_unless_equals_int (exp->shape[1], c->B);
  c->input = in->data;
  c->expected = exp->data;
  return c;
}

void
mel_case_free (MelCase * c)
{
  rnn_test_file_free (c->file);
  g_free (c->name);
  g_free (c);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

GPtrArray *
mel_cases_load (void)
{
  GDir *dir = g_dir_open (mel_fixture_dir (), 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *all =
      g_ptr_array_new_with_free_func ((GDestroyNotify) mel_case_free);
  const gchar *f;

  fail_unless (dir != NULL, "no fixture directory %s", mel_fixture_dir ());
  while ((f = g_dir_read_name (dir)))
    if (g_str_has_suffix (f, ".safetensors"))
      g_ptr_array_add (names, g_strndup (f, strlen (f) - 12));
  g_dir_close (dir);
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (all, mel_case_load (g_ptr_array_index (names, i)));
  g_ptr_array_unref (names);
  fail_unless (all->len > 0);
  return all;
}

GstElement *
make_melspec (void)
{
  GstElement *e = gst_element_factory_make ("melspec", NULL);

  fail_unless (e != NULL, "melspec element not found (GST_PLUGIN_PATH?)");
  return e;
}

GstElement *
make_case_melspec (const MelCase * c)
{
  GstElement *e = make_melspec ();
  GHashTableIter it;
  gpointer k, v;

  g_hash_table_iter_init (&it, c->file->metadata);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (g_str_has_prefix (k, "prop."))
      gst_util_set_object_arg (G_OBJECT (e), (gchar *) k + 5, v);
  return e;
}

gchar *
mel_case_caps (const MelCase * c)
{
  return g_strdup_printf ("audio/x-raw, format=%s, layout=interleaved, "
      "rate=%d, channels=%u", c->s16 ? "S16LE" : "F32LE", c->rate, c->B);
}

GstHarness *
mel_harness (GstElement * e, const MelCase * c)
{
  g_autofree gchar *caps = mel_case_caps (c);

  return harness_new (e, caps);
}

GstBuffer *
mel_case_samples (const MelCase * c, guint s0, guint n)
{
  gsize size = (gsize) n * c->B * (c->s16 ? 2 : 4);
  GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);
  GstMapInfo map;

  fail_unless (s0 + n <= c->N);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (guint i = 0; i < n; i++)
    for (guint b = 0; b < c->B; b++) {
      float v = c->input[(gsize) b * c->N + s0 + i];

      if (c->s16)
        ((gint16 *) map.data)[(gsize) i * c->B + b] =
            GINT16_TO_LE ((gint16) v);
      else
        ((float *) map.data)[(gsize) i * c->B + b] = v;
    }
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = SAMPLE_TIME (c, s0);
  GST_BUFFER_DURATION (buf) = SAMPLE_TIME (c, s0 + n) - SAMPLE_TIME (c, s0);
  return buf;
}

guint
mel_split (guint kind, guint i, guint * seed, guint hop)
{
  switch (kind) {
    case 0:
      return G_MAXUINT;
    case 1:
      return 1;
    case 2:
      return split_size (i) * 7 + 3;
    default:
      *seed = *seed * 1103515245u + 12345u;
      return 1 + (*seed >> 8) % (3 * hop);
  }
}

float *
mel_pull_all (GstHarness * h, guint W, guint * frames, GstBuffer ** first_buf)
{
  GByteArray *all = g_byte_array_new ();
  GstBuffer *buf;
  guint64 next = GST_BUFFER_OFFSET_NONE;

  if (first_buf)
    *first_buf = NULL;
  while ((buf = gst_harness_try_pull (h))) {
    GstMapInfo map;

    if (first_buf && !*first_buf)
      *first_buf = gst_buffer_ref (buf);
    gst_buffer_map (buf, &map, GST_MAP_READ);
    fail_unless (map.size % (W * sizeof (float)) == 0);
    if (next != GST_BUFFER_OFFSET_NONE)
      fail_unless_equals_uint64 (GST_BUFFER_OFFSET (buf), next);
    next = GST_BUFFER_OFFSET_END (buf);
    fail_unless_equals_uint64 (next - GST_BUFFER_OFFSET (buf),
        map.size / (W * sizeof (float)));
    g_byte_array_append (all, map.data, map.size);
    gst_buffer_unmap (buf, &map);
    gst_buffer_unref (buf);
  }
  *frames = all->len / (W * sizeof (float));
  return (float *) g_byte_array_free (all, FALSE);
}

float *
mel_run (GstHarness * h, const MelCase * c, guint kind, guint * T)
{
  guint seed = 12345 + kind, i = 0;

  for (guint s0 = 0; s0 < c->N; i++) {
    /* not inside MIN (), which would draw two sizes from the seed */
    guint n = mel_split (kind, i, &seed, c->hop);

    n = MIN (n, c->N - s0);

    fail_unless_equals_int (gst_harness_push (h, mel_case_samples (c, s0,
                n)), GST_FLOW_OK);
    s0 += n;
  }
  return mel_pull_all (h, c->B * c->F, T, NULL);
}

double
mel_error_at (const MelCase * c, const float *got, guint t0, guint T)
{
  gsize n = (gsize) T * c->B * c->F;
  const float *exp = c->expected + (gsize) t0 * c->B * c->F;
  double worst = 0;

  fail_unless (t0 + T <= c->T);
  if (!c->rel)
    return rnn_test_max_err (got, exp, n);
  for (gsize i = 0; i < n; i++) {
    double a = got[i], b = exp[i];
    double e = a == b ? 0 : b == 0 ? INFINITY : fabs (a - b) / fabs (b);

    if (!(e <= worst))
      worst = isnan (e) ? INFINITY : e;
  }
  return worst;
}

double
mel_error (const MelCase * c, const float *got)
{
  return mel_error_at (c, got, 0, c->T);
}

gchar *
mel_model (const gchar * name, guint F, const gchar ** metadata)
{
  const guint H = 4;
  gsize s_ih[2] = { 3 * H, F }, s_hh[2] = { 3 * H, H }, s_b[1] = { 3 * H };
  const gsize *shapes[] = { s_ih, s_hh, s_b, s_b };
  guint ndims[] = { 2, 2, 1, 1 };
  const gchar *names[] = { "weight_ih_l0", "weight_hh_l0", "bias_ih_l0",
    "bias_hh_l0", NULL
  };
  float *w_ih = g_new (float, 3 * H * F), w_hh[3 * 4 * 4], b[3 * 4];
  const float *data[] = { w_ih, w_hh, b, b };
  g_autofree gchar *base = g_strconcat (name, ".safetensors", NULL);
  gchar *path = g_build_filename (rnn_test_tmpdir (), base, NULL);

  for (guint i = 0; i < 3 * H * F; i++)
    w_ih[i] = 0.1f * sinf (1.0f + i);
  for (guint i = 0; i < 3 * H * H; i++)
    w_hh[i] = 0.1f * cosf (2.0f + i);
  for (guint i = 0; i < 3 * H; i++)
    b[i] = 0.01f * i;
  rnn_test_write_safetensors (path, names, shapes, ndims, data, metadata);
  g_free (w_ih);
  return path;
}

gchar *
mel_case_model (const MelCase * c, const gchar * name)
{
  GPtrArray *meta = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter it;
  gpointer k, v;
  gchar *path;

  g_ptr_array_add (meta, g_strdup ("rnn.frontend"));
  g_ptr_array_add (meta, g_strdup ("melspec"));
  g_ptr_array_add (meta, g_strdup ("rnn.frontend.sample-rate"));
  g_ptr_array_add (meta, g_strdup_printf ("%d", c->rate));
  g_hash_table_iter_init (&it, c->file->metadata);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (g_str_has_prefix (k, "prop.")) {
      g_ptr_array_add (meta, g_strconcat ("rnn.frontend.", (gchar *) k + 5,
              NULL));
      g_ptr_array_add (meta, g_strdup (v));
    }
  g_ptr_array_add (meta, NULL);
  path = mel_model (name, c->F, (const gchar **) meta->pdata);
  g_ptr_array_unref (meta);
  return path;
}
