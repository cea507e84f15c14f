/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Model loading: safetensors -> RnnModel, with every structural check. */
#include "rnn-private.h"
#include "model-loader.h"
#include "safetensors.h"
#include "onnx.h"
#include "kernels_lowp.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (rnn-error-quark, rnn_error);

static void
free_layers (RnnModel * m)
{
  if (!m->ld)
    return;
  for (guint i = 0; i < m->num_layers * m->num_dirs; i++) {
    RnnLayerDir *ld = &m->ld[i];
    rnn_packed_clear (&ld->w_ih);
    rnn_packed_clear (&ld->w_hh);
    rnn_packed_clear (&ld->w_hr);
    g_free (ld->bias_x);
    g_free (ld->b_hn);
  }
  g_free (m->ld);
  m->ld = NULL;
}

static void
model_free (RnnModel * m)
{
  free_layers (m);
  g_mutex_clear (&m->slices_lock);
  g_free (m->name);
  rnn_packed_clear (&m->head_w);
  g_free (m->head_b);
  g_strfreev (m->labels);
  g_strfreev (m->ignored_keys);
  if (m->metadata)
    g_hash_table_unref (m->metadata);
  g_free (m);
}

static void
pack_slices (RnnPacked * p, guint slice_panels)
{
  if (p->data && p->format == RNN_FORMAT_F32 && !p->many)
    rnn_pack_slices (p, slice_panels);
}

void
rnn_model_pack_slices (RnnModel * m)
{
  g_mutex_lock (&m->slices_lock);
  if (!m->slices) {
    const guint S = m->k->slice_panels;
    for (guint i = 0; i < m->num_layers * m->num_dirs; i++) {
      pack_slices (&m->ld[i].w_ih, S);
      pack_slices (&m->ld[i].w_hh, S);
      pack_slices (&m->ld[i].w_hr, S);
    }
    if (m->has_head)
      pack_slices (&m->head_w, S);
    m->slices = TRUE;
  }
  g_mutex_unlock (&m->slices_lock);
}

RnnModel *
rnn_model_ref (RnnModel * model)
{
  g_return_val_if_fail (model != NULL, NULL);
  g_atomic_int_inc (&model->ref_count);
  return model;
}

void
rnn_model_unref (RnnModel * model)
{
  if (model && g_atomic_int_dec_and_test (&model->ref_count))
    model_free (model);
}

static gboolean
bad_value (GError ** error, const char *file, const char *key,
    const char *value, const char *allowed)
{
  /* the value is anyone's text: escaped, so no control character reaches
   * a log or a terminal raw */
  g_autofree char *v = g_strescape (value, NULL);
  g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
      "%s: metadata %s: unknown value \"%s\" (expected %s)", file, key, v,
      allowed);
  return FALSE;
}

static gboolean
apply_metadata (Loader * ld, RnnModel * m, const RnnLoadOptions * opt,
    GError ** error)
{
  /* no_head: the head's activation and labels do not apply, but their
   * values are still checked. */
  gboolean no_head = opt && opt->no_head;
  /* unknown rnn.* keys: kept aside for the caller to warn about (a file
   * of a later version still loads) */
  m->ignored_keys = rnn_metadata_ignored_keys (m->metadata);
  if (!rnn_settings_parse (m->metadata, ld->file, &m->settings, error))
    return FALSE;
  const char *s;
  static const char *const cell_names[] = { "rnn", "rnn", "lstm", "gru" };
  static const char *const modules[] = { "nn.RNN", "nn.RNN", "nn.LSTM",
    "nn.GRU"
  };
  if ((s = g_hash_table_lookup (m->metadata, "rnn.cell"))) {
    if (strcmp (s, "rnn") && strcmp (s, "lstm") && strcmp (s, "gru"))
      return bad_value (error, ld->file, "rnn.cell", s, "rnn, lstm or gru");
    if (strcmp (s, cell_names[m->cell]) != 0) {
      g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
          "%s: metadata rnn.cell says \"%s\" but the weights are an %s "
          "(weight_hh has %u gate blocks)", ld->file, s, modules[m->cell],
          m->gates);
      return FALSE;
    }
  }
  if ((s = g_hash_table_lookup (m->metadata, "rnn.nonlinearity"))) {
    if (strcmp (s, "relu") == 0) {
      if (m->cell != RNN_CELL_RNN_TANH) {
        g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
            "%s: metadata rnn.nonlinearity \"relu\" applies to nn.RNN only, "
            "but the weights are an %s", ld->file, modules[m->cell]);
        return FALSE;
      }
      m->cell = RNN_CELL_RNN_RELU;
    } else if (strcmp (s, "tanh") != 0) {
      return bad_value (error, ld->file, "rnn.nonlinearity", s,
          "tanh or relu");
    }
  }
  if ((s = g_hash_table_lookup (m->metadata, "rnn.head_activation"))) {
    if (strcmp (s, "none") == 0)
      m->head_act = RNN_ACTIVATION_NONE;
    else if (strcmp (s, "softmax") == 0)
      m->head_act = RNN_ACTIVATION_SOFTMAX;
    else if (strcmp (s, "sigmoid") == 0)
      m->head_act = RNN_ACTIVATION_SIGMOID;
    else
      return bad_value (error, ld->file, "rnn.head_activation", s,
          "none, softmax or sigmoid");
    if (no_head)
      m->head_act = RNN_ACTIVATION_NONE;
    else if (!m->has_head && m->head_act != RNN_ACTIVATION_NONE) {
      g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
          "%s: metadata rnn.head_activation is \"%s\" but the model has no "
          "head (no Linear layer found; name it with rnn.head)", ld->file, s);
      return FALSE;
    }
  }
  if ((s = g_hash_table_lookup (m->metadata, "rnn.pooling"))) {
    if (strcmp (s, "last") == 0)
      m->pooling = RNN_POOLING_LAST;
    else if (strcmp (s, "final-state") == 0)
      m->pooling = RNN_POOLING_FINAL_STATE;
    else if (strcmp (s, "mean") == 0)
      m->pooling = RNN_POOLING_MEAN;
    else
      return bad_value (error, ld->file, "rnn.pooling", s,
          "last, final-state or mean");
  }
  if (!no_head && (s = g_hash_table_lookup (m->metadata, "rnn.labels"))) {
    m->labels = g_strsplit (s, ",", -1);
    guint n = g_strv_length (m->labels);
    for (guint i = 0; i < n; i++) {
      if (!*g_strstrip (m->labels[i])) {
        g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
            "%s: metadata rnn.labels: label %u of %u is empty", ld->file,
            i + 1, n);
        return FALSE;
      }
    }
    guint want = rnn_model_get_output_size (m);
    if (n != want) {
      g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
          "%s: metadata rnn.labels has %u label(s), but the model outputs %u "
          "value(s) per frame", ld->file, n, want);
      return FALSE;
    }
  }
  return TRUE;
}

/* The precision asked for: the load option, else the metadata, else f32. */
static gboolean
choose_precision (Loader * ld, RnnModel * m, const RnnLoadOptions * opt,
    GError ** error)
{
  const char *s = g_hash_table_lookup (m->metadata, "rnn.precision");
  RnnPrecision p = opt ? opt->precision : RNN_PRECISION_AUTO;
  RnnPrecision meta = RNN_PRECISION_F32;
  if (s && (!rnn_precision_from_name (s, &meta) ||
          meta == RNN_PRECISION_AUTO))
    return bad_value (error, ld->file, "rnn.precision", s,
        "f32, bf16 or int8");
  if (p == RNN_PRECISION_AUTO)
    p = meta;
  if (!rnn_precision_name (p)) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: load option precision %d is not an RnnPrecision", ld->file,
        (int) p);
    return FALSE;
  }
  m->precision = p;
  ld->format = p == RNN_PRECISION_BF16 ? RNN_FORMAT_BF16 :
      p == RNN_PRECISION_INT8 ? RNN_FORMAT_I8 : RNN_FORMAT_F32;
  return TRUE;
}

RnnModel *
rnn_model_load_from_data (const guint8 * data, gsize size, const char *name,
    const RnnLoadOptions * options, GError ** error)
{
  g_return_val_if_fail (data != NULL || size == 0, NULL);
  if (!name)
    name = "<memory>";
  /* an ONNX graph becomes the tensors of the same state_dict (onnx.h) */
  RnnSafetensors *st = rnn_onnx_looks_like (data, size, name) ?
      rnn_onnx_parse (data, size, name, error) :
      rnn_safetensors_parse (data, size, name, error);
  if (!st)
    return NULL;
  Loader ld = { name, st, g_hash_table_new (g_str_hash, g_str_equal),
    0xcbf29ce484222325ull
  };
  RnnModel *m = g_new0 (RnnModel, 1);
  m->ref_count = 1;
  g_mutex_init (&m->slices_lock);
  m->name = g_strdup (name);
  m->metadata = g_hash_table_ref (st->metadata);
  m->k = rnn_kernels_select ();
  ld.k = m->k;
  g_autofree char *pfx = NULL;

  gboolean ok = choose_precision (&ld, m, options, error)
      && rnn_loader_find_prefix (&ld, options, &pfx, error)
      && rnn_loader_load_layers (&ld, m, pfx, error)
      && rnn_loader_load_head (&ld, m, options, error)
      && apply_metadata (&ld, m, options, error);

  m->fingerprint = rnn_fnv1a (ld.fingerprint, (const guint8 *) &m->cell,
      sizeof m->cell);
  g_hash_table_unref (ld.used);
  rnn_safetensors_free (st);
  if (!ok) {
    model_free (m);
    return NULL;
  }
  return m;
}

RnnModel *
rnn_model_load (const char *path, const RnnLoadOptions * options,
    GError ** error)
{
  g_return_val_if_fail (path != NULL, NULL);
  gsize size = 0;
  g_autofree guint8 *data = rnn_file_read (path, &size, error);
  if (!data)
    return NULL;
  RnnModel *m = rnn_model_load_from_data (data, size, path, options, error);
  return m;
}
