#include "fixture.h"

#include <math.h>
#include <string.h>

const char *
rnn_fixture_dir (void)
{
  const char *d = g_getenv ("RNN_FIXTURE_DIR");
#ifdef RNN_FIXTURE_DIR_DEFAULT
  if (!d)
    d = RNN_FIXTURE_DIR_DEFAULT;
#endif
  return d;
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

GPtrArray *
rnn_fixture_list (const char *dir)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  GDir *d = g_dir_open (dir, 0, NULL);
  if (!d)
    g_error ("cannot open fixture directory %s", dir);
  const char *f;
  while ((f = g_dir_read_name (d))) {
    if (g_str_has_suffix (f, ".data.safetensors"))
      g_ptr_array_add (names, g_strndup (f,
              strlen (f) - strlen (".data.safetensors")));
  }
  g_dir_close (d);
  g_ptr_array_sort (names, cmp_str);
  return names;
}

RnnFixture *
rnn_fixture_load (const char *dir, const char *name)
{
  RnnFixture *fx = g_new0 (RnnFixture, 1);
  GError *err = NULL;
  fx->name = g_strdup (name);
  g_autofree char *base = g_strconcat (name, ".data.safetensors", NULL);
  g_autofree char *path = g_build_filename (dir, base, NULL);
  g_autofree char *mbase = g_strconcat (name, ".model.safetensors", NULL);
  fx->model_path = g_build_filename (dir, mbase, NULL);
  if (!g_file_get_contents (path, (char **) &fx->bytes, &fx->size, &err))
    g_error ("fixture %s: %s", path, err->message);
  fx->st = rnn_safetensors_parse (fx->bytes, fx->size, path, &err);
  if (!fx->st)
    g_error ("fixture %s: %s", path, err->message);
  const char *v = g_hash_table_lookup (fx->st->metadata, "batch_first");
  fx->batch_first = v && strcmp (v, "1") == 0;
  v = g_hash_table_lookup (fx->st->metadata, "bidirectional");
  fx->bidirectional = v && strcmp (v, "1") == 0;
  const RnnTensorInfo *in = rnn_safetensors_get (fx->st, "input");
  if (!in || in->n_dims != 3)
    g_error ("fixture %s: no 3-D 'input'", path);
  fx->T = (guint) in->shape[fx->batch_first ? 1 : 0];
  fx->B = (guint) in->shape[fx->batch_first ? 0 : 1];
  fx->F = (guint) in->shape[2];
  v = g_hash_table_lookup (fx->st->metadata, "splits");
  g_auto (GStrv) parts = g_strsplit (v ? v : "", ",", -1);
  fx->n_splits = g_strv_length (parts);
  fx->splits = g_new0 (guint, MAX (fx->n_splits, 1));
  guint sum = 0;
  for (guint i = 0; i < fx->n_splits; i++)
    sum += fx->splits[i] = (guint) g_ascii_strtoull (parts[i], NULL, 10);
  if (sum != fx->T)
    g_error ("fixture %s: splits sum to %u, T is %u", path, sum, fx->T);
  return fx;
}

void
rnn_fixture_free (RnnFixture * fx)
{
  if (!fx)
    return;
  rnn_safetensors_free (fx->st);
  g_free (fx->bytes);
  g_free (fx->name);
  g_free (fx->model_path);
  g_free (fx->splits);
  g_free (fx);
}

float *
rnn_fixture_tensor (RnnFixture * fx, const char *tensor, gsize * numel)
{
  const RnnTensorInfo *t = rnn_safetensors_get (fx->st, tensor);
  if (!t)
    return NULL;
  float *out = g_new (float, MAX (t->numel, 1));
  rnn_tensor_to_f32 (t, out);
  if (numel)
    *numel = t->numel;
  return out;
}

double
rnn_max_abs_diff (const float *a, const float *b, gsize n)
{
  double mx = 0.0;
  for (gsize i = 0; i < n; i++) {
    if (isnan (a[i]) || isnan (b[i]))
      return INFINITY;
    double d = fabs ((double) a[i] - (double) b[i]);
    if (!(d <= mx))
      mx = d;
  }
  return mx;
}
