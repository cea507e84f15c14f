/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a loaded model is: the read-only accessors of core/rnn.h (cell,
 * sizes, head, labels, metadata, precision) and the names of its enums.
 * A model is immutable once loaded (model.c), so any thread may call
 * these. */
#include "rnn-private.h"

#include <string.h>

/* ---------------------------------------------------------- accessors */

const char *
rnn_cell_name (RnnCell cell)
{
  switch (cell) {
    case RNN_CELL_RNN_TANH:
      return "rnn_tanh";
    case RNN_CELL_RNN_RELU:
      return "rnn_relu";
    case RNN_CELL_LSTM:
      return "lstm";
    case RNN_CELL_GRU:
      return "gru";
  }
  return "unknown";
}

static const char *const precision_names[] = { "auto", "f32", "bf16", "int8" };

const char *
rnn_precision_name (RnnPrecision p)
{
  return (guint) p < G_N_ELEMENTS (precision_names) ? precision_names[p] :
      NULL;
}

gboolean
rnn_precision_from_name (const char *name, RnnPrecision * p)
{
  for (guint i = 0; name && i < G_N_ELEMENTS (precision_names); i++) {
    if (strcmp (name, precision_names[i]) == 0) {
      *p = (RnnPrecision) i;
      return TRUE;
    }
  }
  return FALSE;
}

RnnPrecision
rnn_model_get_precision (const RnnModel * m)
{
  return m->precision;
}

const char *
rnn_model_get_name (const RnnModel * m)
{
  return m->name;
}

RnnCell
rnn_model_get_cell (const RnnModel * m)
{
  return m->cell;
}

guint
rnn_model_get_input_size (const RnnModel * m)
{
  return m->input_size;
}

guint
rnn_model_get_hidden_size (const RnnModel * m)
{
  return m->hidden_size;
}

guint
rnn_model_get_proj_size (const RnnModel * m)
{
  return m->proj_size;
}

guint
rnn_model_get_num_layers (const RnnModel * m)
{
  return m->num_layers;
}

gboolean
rnn_model_is_bidirectional (const RnnModel * m)
{
  return m->num_dirs == 2;
}

gboolean
rnn_model_has_bias (const RnnModel * m)
{
  return m->bias;
}

guint
rnn_model_get_rnn_output_size (const RnnModel * m)
{
  return m->num_dirs * m->h_out;
}

guint
rnn_model_get_output_size (const RnnModel * m)
{
  return m->has_head ? m->head_out : m->num_dirs * m->h_out;
}

gboolean
rnn_model_has_head (const RnnModel * m)
{
  return m->has_head;
}

RnnActivation
rnn_model_get_head_activation (const RnnModel * m)
{
  return m->head_act;
}

RnnPooling
rnn_model_get_pooling (const RnnModel * m)
{
  return m->pooling;
}

const char *const *
rnn_model_get_labels (const RnnModel * m)
{
  return (const char *const *) m->labels;
}

guint64
rnn_model_get_fingerprint (const RnnModel * m)
{
  return m->fingerprint;
}

const char *
rnn_model_get_metadata (const RnnModel * m, const char *key)
{
  return g_hash_table_lookup (m->metadata, key);
}

static gint
compare_keys (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

char **
rnn_model_get_metadata_keys (const RnnModel * m)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter it;
  gpointer k;

  g_hash_table_iter_init (&it, m->metadata);
  while (g_hash_table_iter_next (&it, &k, NULL))
    g_ptr_array_add (keys, g_strdup (k));
  g_ptr_array_sort (keys, compare_keys);
  g_ptr_array_add (keys, NULL);
  return (char **) g_ptr_array_free (keys, FALSE);
}

gsize
rnn_model_get_h_size (const RnnModel * m, guint batch)
{
  return (gsize) m->num_layers * m->num_dirs * batch * m->h_out;
}

gsize
rnn_model_get_c_size (const RnnModel * m, guint batch)
{
  return m->cell == RNN_CELL_LSTM ?
      (gsize) m->num_layers * m->num_dirs * batch * m->hidden_size : 0;
}

const char *
rnn_model_get_kernel_set (const RnnModel * m)
{
  return m ? m->k->name : rnn_kernels_select ()->name;
}
