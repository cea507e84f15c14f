/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Model loading, the tensor side: the recurrent module's layers and the
 * head from a safetensors file, each tensor checked and packed; see
 * model-loader.h.  model.c drives the load and reads the metadata. */
#include "model-loader.h"
#include "kernels_lowp.h"

#include <math.h>
#include <string.h>

/* Look up @name; check it is a float tensor of exactly the given shape
 * (n_dims 1 or 2; pass 0 for d1 with n_dims 1).  Returns a new float copy
 * or NULL with an error.  Marks the tensor used. */
static float *
take_tensor (Loader * ld, const char *name, guint n_dims, guint64 d0,
    guint64 d1, GError ** error)
{
  const RnnTensorInfo *t = rnn_safetensors_get (ld->st, name);
  guint64 want[2] = { d0, d1 };
  char sw[64], sf[256];
  if (!t) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: tensor '%s' is missing (expected shape %s)", ld->file, name,
        rnn_shape_to_string (want, n_dims, sw, sizeof sw));
    return NULL;
  }
  if (!rnn_dtype_is_float (t->dtype)) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: tensor '%s': dtype %s is not supported (expected F32, F16, "
        "BF16 or F64)", ld->file, name, t->dtype_name);
    return NULL;
  }
  if (t->n_dims != n_dims || t->shape[0] != d0 ||
      (n_dims == 2 && t->shape[1] != d1)) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: tensor '%s': expected shape %s, found %s", ld->file, name,
        rnn_shape_to_string (want, n_dims, sw, sizeof sw),
        rnn_shape_to_string (t->shape, t->n_dims, sf, sizeof sf));
    return NULL;
  }
  float *out = g_try_malloc (MAX (t->numel, 1) * sizeof (float));
  if (!out) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: tensor '%s': out of memory for %" G_GUINT64_FORMAT " floats",
        ld->file, name, t->numel);
    return NULL;
  }
  rnn_tensor_to_f32 (t, out);
  for (guint64 i = 0; i < t->numel; i++) {
    if (!isfinite (out[i])) {
      g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
          "%s: tensor '%s': element %" G_GUINT64_FORMAT " is %s (weights "
          "must be finite%s)", ld->file, name, i,
          isnan (out[i]) ? "NaN" : "infinite",
          t->dtype == RNN_DT_F64 ? ", and F64 values must fit in F32" : "");
      g_free (out);
      return NULL;
    }
  }
  g_hash_table_add (ld->used, (gpointer) t->name);
  ld->fingerprint = rnn_fnv1a (ld->fingerprint, (const guint8 *) t->name,
      strlen (t->name) + 1);
  ld->fingerprint = rnn_fnv1a (ld->fingerprint, t->data, t->end - t->begin);
  return out;
}

/* take_tensor() of a matrix, packed for the kernels. */
static gboolean
take_packed (Loader * ld, const char *name, guint64 rows, guint64 cols,
    RnnPacked * out, GError ** error)
{
  g_autofree float *w = take_tensor (ld, name, 2, rows, cols, error);
  if (!w)
    return FALSE;
  if (!rnn_pack_lowp (w, rows, cols, ld->format, ld->k, out)) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: tensor '%s': out of memory packing [%" G_GUINT64_FORMAT ", %"
        G_GUINT64_FORMAT "]", ld->file, name, rows, cols);
    return FALSE;
  }
  return TRUE;
}

/* Matrix shape of a tensor that must exist and be 2-D and float. */
static gboolean
matrix_shape (Loader * ld, const char *name, guint64 * rows, guint64 * cols,
    GError ** error)
{
  const RnnTensorInfo *t = rnn_safetensors_get (ld->st, name);
  char sf[256];
  if (!t) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: tensor '%s' is missing", ld->file, name);
    return FALSE;
  }
  if (t->n_dims != 2) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: tensor '%s': expected a matrix (2 dimensions), found shape %s",
        ld->file, name, rnn_shape_to_string (t->shape, t->n_dims, sf,
            sizeof sf));
    return FALSE;
  }
  *rows = t->shape[0];
  *cols = t->shape[1];
  return TRUE;
}

static gboolean
has_suffix_key (const char *name, const char *suffix)
{
  return g_str_has_suffix (name, suffix);
}

/* Is @rest (a key with the module prefix removed) one of a recurrent
 * module's parameter names, e.g. "weight_hh_l3_reverse"? */
static gboolean
is_rnn_param (const char *rest)
{
  static const char *const stems[] = {
    "weight_ih_l", "weight_hh_l", "bias_ih_l", "bias_hh_l", "weight_hr_l"
  };
  for (guint i = 0; i < G_N_ELEMENTS (stems); i++) {
    if (!g_str_has_prefix (rest, stems[i]))
      continue;
    const char *p = rest + strlen (stems[i]);
    if (!g_ascii_isdigit (*p))
      return FALSE;
    while (g_ascii_isdigit (*p))
      p++;
    return *p == '\0' || strcmp (p, "_reverse") == 0;
  }
  return FALSE;
}

gboolean
rnn_loader_find_prefix (Loader * ld, const RnnLoadOptions * opt, char **prefix,
    GError ** error)
{
  if (opt && opt->prefix) {
    g_autofree char *k = g_strconcat (opt->prefix, "weight_ih_l0", NULL);
    if (!rnn_safetensors_get (ld->st, k)) {
      g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
          "%s: tensor '%s' is missing: no recurrent module with prefix "
          "'%s'", ld->file, k, opt->prefix);
      return FALSE;
    }
    *prefix = g_strdup (opt->prefix);
    return TRUE;
  }
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < ld->st->tensors->len; i++) {
    RnnTensorInfo *t = g_ptr_array_index (ld->st->tensors, i);
    if (has_suffix_key (t->name, "weight_ih_l0"))
      g_ptr_array_add (found, g_strndup (t->name,
              strlen (t->name) - strlen ("weight_ih_l0")));
  }
  if (found->len == 0) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: no recurrent layer found: expected a tensor named "
        "'weight_ih_l0' or '<prefix>.weight_ih_l0' (the state_dict of an "
        "nn.RNN, nn.LSTM or nn.GRU); the file has %u tensors", ld->file,
        ld->st->tensors->len);
    return FALSE;
  }
  if (found->len > 1) {
    g_ptr_array_add (found, NULL);
    g_autofree char *list = g_strjoinv ("', '", (char **) found->pdata);
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: %u recurrent modules found (prefixes '%s'); choose one with a "
        "prefix", ld->file, found->len - 1, list);
    return FALSE;
  }
  *prefix = g_strdup (g_ptr_array_index (found, 0));
  return TRUE;
}

/* The module's sizes from its layer-0 tensors (and how many layers and
 * directions it has), into @m, checked: hidden, projection, gates, input. */
static gboolean
layer_shapes (Loader * ld, RnnModel * m, const char *pfx, GError ** error)
{
  guint64 rows, cols;
  g_autofree char *k_hh = g_strconcat (pfx, "weight_hh_l0", NULL);
  g_autofree char *k_ih = g_strconcat (pfx, "weight_ih_l0", NULL);
  g_autofree char *k_hr = g_strconcat (pfx, "weight_hr_l0", NULL);
  g_autofree char *k_b = g_strconcat (pfx, "bias_ih_l0", NULL);
  g_autofree char *k_rev = g_strconcat (pfx, "weight_ih_l0_reverse", NULL);

  m->num_layers = 0;
  for (;;) {
    g_autofree char *k = g_strdup_printf ("%sweight_ih_l%u", pfx,
        m->num_layers);
    if (!rnn_safetensors_get (ld->st, k))
      break;
    m->num_layers++;
  }
  m->num_dirs = rnn_safetensors_get (ld->st, k_rev) ? 2 : 1;
  m->bias = rnn_safetensors_get (ld->st, k_b) != NULL;

  guint64 f_rows, f_cols;
  if (!matrix_shape (ld, k_ih, &f_rows, &f_cols, error))
    return FALSE;
  if (!matrix_shape (ld, k_hh, &rows, &cols, error))
    return FALSE;

  guint64 H, P = 0, G;
  if (rnn_safetensors_get (ld->st, k_hr)) {
    guint64 pr, pc;
    if (!matrix_shape (ld, k_hr, &pr, &pc, error))
      return FALSE;
    H = pc;
    P = pr;
    if (P == 0 || H == 0 || P >= H) {
      g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
          "%s: tensor '%s': shape [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
          "] is not (proj_size, hidden_size) with 0 < proj_size < "
          "hidden_size", ld->file, k_hr, P, H);
      return FALSE;
    }
    if (rows % H != 0 || rows / H != 4 || cols != P) {
      g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
          "%s: tensor '%s': an LSTM with projection (hidden %" G_GUINT64_FORMAT
          ", proj %" G_GUINT64_FORMAT ") needs shape [%" G_GUINT64_FORMAT ", %"
          G_GUINT64_FORMAT "], found [%" G_GUINT64_FORMAT ", %"
          G_GUINT64_FORMAT "]", ld->file, k_hh, H, P, 4 * H, P, rows, cols);
      return FALSE;
    }
    G = 4;
  } else {
    H = cols;
    if (H == 0 || rows % H != 0 || (rows / H != 1 && rows / H != 3
            && rows / H != 4)) {
      g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
          "%s: tensor '%s': shape [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
          "] is not (G * hidden, hidden) with G = 1 (RNN), 3 (GRU) or 4 "
          "(LSTM)", ld->file, k_hh, rows, cols);
      return FALSE;
    }
    G = rows / H;
  }
  if (f_cols == 0) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: tensor '%s': input size is 0", ld->file, k_ih);
    return FALSE;
  }
  /* Every size below came from a tensor with a non-zero element count held
   * in the file, so H, P, F and G*H are bounded by the file size; keep them
   * within guint and the products within what the state may allocate. */
  if (H > G_MAXINT / 8 || f_cols > G_MAXINT / 8) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: sizes too large (hidden %" G_GUINT64_FORMAT ", input %"
        G_GUINT64_FORMAT ")", ld->file, H, f_cols);
    return FALSE;
  }
  m->gates = (guint) G;
  m->hidden_size = (guint) H;
  m->proj_size = (guint) P;
  m->h_out = (guint) (P ? P : H);
  m->input_size = (guint) f_cols;
  m->cell = G == 4 ? RNN_CELL_LSTM : G == 3 ? RNN_CELL_GRU : RNN_CELL_RNN_TANH;
  return TRUE;
}

/* Layer @l, direction @d: its matrices packed, its biases folded (b_ih +
 * b_hh, but for the GRU's n gate, whose b_hn stays apart). */
static gboolean
load_layer_dir (Loader * ld, RnnModel * m, const char *pfx, guint l,
    guint d, GError ** error)
{
  guint GH = m->gates * m->hidden_size;
  RnnLayerDir *lay = &m->ld[l * m->num_dirs + d];
  const char *sfx = d ? "_reverse" : "";
  lay->in_size = l == 0 ? m->input_size : m->num_dirs * m->h_out;
  g_autofree char *kih = g_strdup_printf ("%sweight_ih_l%u%s", pfx, l, sfx);
  g_autofree char *khh = g_strdup_printf ("%sweight_hh_l%u%s", pfx, l, sfx);
  g_autofree char *kbi = g_strdup_printf ("%sbias_ih_l%u%s", pfx, l, sfx);
  g_autofree char *kbh = g_strdup_printf ("%sbias_hh_l%u%s", pfx, l, sfx);
  g_autofree char *khr = g_strdup_printf ("%sweight_hr_l%u%s", pfx, l, sfx);
  if (!take_packed (ld, kih, GH, lay->in_size, &lay->w_ih, error) ||
      !take_packed (ld, khh, GH, m->h_out, &lay->w_hh, error))
    return FALSE;
  if (m->proj_size && !take_packed (ld, khr, m->proj_size,
          m->hidden_size, &lay->w_hr, error))
    return FALSE;
  lay->bias_x = g_new0 (float, GH);
  if (m->gates == 3)
    lay->b_hn = g_new0 (float, m->hidden_size);
  if (!m->bias)
    return TRUE;
  g_autofree float *bi = take_tensor (ld, kbi, 1, GH, 0, error);
  if (!bi)
    return FALSE;
  g_autofree float *bh = take_tensor (ld, kbh, 1, GH, 0, error);
  if (!bh)
    return FALSE;
  for (guint j = 0; j < GH; j++) {
    gboolean gru_n = m->gates == 3 && j >= 2 * m->hidden_size;
    lay->bias_x[j] = gru_n ? bi[j] : bi[j] + bh[j];
  }
  if (m->gates == 3)
    memcpy (lay->b_hn, bh + 2 * m->hidden_size,
        m->hidden_size * sizeof (float));
  return TRUE;
}

gboolean
rnn_loader_load_layers (Loader * ld, RnnModel * m, const char *pfx, GError ** error)
{
  if (!layer_shapes (ld, m, pfx, error))
    return FALSE;
  m->ld = g_new0 (RnnLayerDir, m->num_layers * m->num_dirs);
  for (guint l = 0; l < m->num_layers; l++)
    for (guint d = 0; d < m->num_dirs; d++)
      if (!load_layer_dir (ld, m, pfx, l, d, error))
        return FALSE;
  /* Whatever else looks like a parameter of this module is an extra layer,
   * direction, bias or projection that the shapes above do not explain. */
  for (guint i = 0; i < ld->st->tensors->len; i++) {
    RnnTensorInfo *t = g_ptr_array_index (ld->st->tensors, i);
    if (g_hash_table_contains (ld->used, t->name) ||
        !g_str_has_prefix (t->name, pfx) ||
        !is_rnn_param (t->name + strlen (pfx)))
      continue;
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: unexpected tensor '%s': the model read from '%sweight_ih_l0' "
        "onwards has %u layer(s), %s, %s%s", ld->file, t->name, pfx,
        m->num_layers, m->num_dirs == 2 ? "bidirectional" :
        "unidirectional", m->bias ? "with bias" : "no bias (no bias_ih_l0)",
        m->proj_size ? ", with projection" : ", no projection");
    return FALSE;
  }
  return TRUE;
}

/* The head no option or metadata names: the one X.weight / X.bias pair
 * (a Linear layer) outside the recurrent module that fits its output
 * width @in_w, or the only pair in the file.  TRUE with *@found NULL when
 * there is none; FALSE with @error when the pairs are ambiguous or the
 * fitting layer's bias does not fit. */
static gboolean
find_head (Loader * ld, guint in_w, char **found, GError ** error)
{
  /* The X.weight / X.bias pairs outside the recurrent module. */
  g_autoptr (GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
  guint n_fit = 0;
  *found = NULL;
  for (guint i = 0; i < ld->st->tensors->len; i++) {
    RnnTensorInfo *t = g_ptr_array_index (ld->st->tensors, i);
    if (!g_str_has_suffix (t->name, "weight") ||
        g_hash_table_contains (ld->used, t->name))
      continue;
    g_autofree char *x = g_strndup (t->name, strlen (t->name) - 6);
    g_autofree char *kb = g_strconcat (x, "bias", NULL);
    const RnnTensorInfo *b = rnn_safetensors_get (ld->st, kb);
    if (!b || t->n_dims != 2)
      continue;
    if (t->shape[1] == in_w && (b->n_dims != 1 || b->shape[0] != t->shape[0])) {
      /* it fits the RNN's output, so it is meant as the head: its bias
       * must fit too, rather than the layer being silently skipped */
      char sf[256];
      g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
          "%s: tensor '%s': expected shape [%" G_GUINT64_FORMAT
          "], found %s (the bias of the head '%s', which fits the RNN's "
          "output)", ld->file, kb, t->shape[0],
          rnn_shape_to_string (b->shape, b->n_dims, sf, sizeof sf), x);
      return FALSE;
    }
    if (b->n_dims != 1)
      continue;
    if (t->shape[1] == in_w) {
      n_fit++;
      g_ptr_array_insert (pairs, 0, g_steal_pointer (&x));
    } else {
      g_ptr_array_add (pairs, g_steal_pointer (&x));
    }
  }
  if (pairs->len == 0)
    return TRUE;
  if (n_fit > 1) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: %u Linear layers ('%s', '%s', ...) fit the RNN output width "
        "%u; say which is the head with metadata rnn.head", ld->file,
        n_fit, (char *) g_ptr_array_index (pairs, 0),
        (char *) g_ptr_array_index (pairs, 1), in_w);
    return FALSE;
  }
  if (n_fit == 0 && pairs->len > 1)
    return TRUE;                /* unrelated layers; none is a head */
  *found = g_strdup (g_ptr_array_index (pairs, 0));
  return TRUE;
}

gboolean
rnn_loader_load_head (Loader * ld, RnnModel * m, const RnnLoadOptions * opt,
    GError ** error)
{
  guint in_w = m->num_dirs * m->h_out;
  const char *hp = opt ? opt->head_prefix : NULL;
  const char *source = "load option head_prefix";
  g_autofree char *auto_pfx = NULL;

  if (opt && opt->no_head)
    return TRUE;
  if (!hp && (hp = g_hash_table_lookup (m->metadata, "rnn.head")))
    source = "metadata rnn.head";
  if (!hp) {
    if (!find_head (ld, in_w, &auto_pfx, error))
      return FALSE;
    if (!auto_pfx)
      return TRUE;
    hp = auto_pfx;
    source = "the only Linear layer in the file";
  }

  g_autofree char *kw = g_strconcat (hp, "weight", NULL);
  g_autofree char *kb = g_strconcat (hp, "bias", NULL);
  guint64 rows, cols;
  if (!matrix_shape (ld, kw, &rows, &cols, error)) {
    g_prefix_error (error, "head from %s: ", source);
    return FALSE;
  }
  if (cols != in_w || rows == 0 || rows > G_MAXINT / 8) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: head tensor '%s' (%s): expected shape [out, %u] (the RNN "
        "outputs %u = %u direction(s) x %u), found [%" G_GUINT64_FORMAT ", %"
        G_GUINT64_FORMAT "]", ld->file, kw, source, in_w, in_w, m->num_dirs,
        m->h_out, rows, cols);
    return FALSE;
  }
  m->head_out = (guint) rows;
  if (!take_packed (ld, kw, rows, cols, &m->head_w, error))
    return FALSE;
  if (rnn_safetensors_get (ld->st, kb)) {
    if (!(m->head_b = take_tensor (ld, kb, 1, rows, 0, error)))
      return FALSE;
  } else {
    m->head_b = g_new0 (float, rows);
  }
  m->has_head = TRUE;
  return TRUE;
}
