/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The per-stream state's lifecycle: its memory (one block, carved once),
 * its values (reset, set, get) and its threads.  The forward pass that
 * runs it is forward.c. */
#include "state-private.h"

#include <string.h>

/* Sum of n products a*b into *total, overflow-checked. */
static gboolean
add_size (gsize * total, gsize a, gsize b, gsize c)
{
  gsize p;
  return g_size_checked_mul (&p, a, b) && g_size_checked_mul (&p, p, c)
      && g_size_checked_add (total, *total, p);
}

RnnState *
rnn_state_new (RnnModel * model, guint batch, guint max_frames,
    GError ** error)
{
  g_return_val_if_fail (model != NULL, NULL);
  if (batch == 0 || max_frames == 0) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: a state needs at least 1 stream and 1 frame (batch %u, frames "
        "%u)", model->name, batch, max_frames);
    return NULL;
  }
  const RnnModel *m = model;
  gsize LD = (gsize) m->num_layers * m->num_dirs;
  gsize GH = (gsize) m->gates * m->hidden_size;
  gsize DHo = (gsize) m->num_dirs * m->h_out;
  gsize sizes[9] = { 0 };
  gboolean ok = add_size (&sizes[0], LD, batch, m->h_out)
      && add_size (&sizes[1], LD, batch,
      m->cell == RNN_CELL_LSTM ? m->hidden_size : 0)
      && add_size (&sizes[2], max_frames, batch, m->input_size)
      && add_size (&sizes[3], max_frames, batch, GH)
      && add_size (&sizes[4], 1, batch, GH)
      && add_size (&sizes[5], 1, batch, m->hidden_size)
      && add_size (&sizes[6], max_frames, batch, DHo)
      && add_size (&sizes[7], max_frames, batch, DHo)
      && add_size (&sizes[8], max_frames, batch, m->has_head ? m->head_out : 0);
  gsize total = 0;
  for (guint i = 0; ok && i < G_N_ELEMENTS (sizes); i++)
    ok = g_size_checked_add (&total, total, sizes[i] + 16);
  float *mem = NULL;
  if (ok && total < G_MAXSIZE / sizeof (float))
    mem = g_try_malloc0 (total * sizeof (float));
  if (!mem) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: cannot allocate the state for %u stream(s) x %u frame(s)",
        m->name, batch, max_frames);
    return NULL;
  }
  if (batch >= RNN_BATCH_MIN)
    rnn_model_pack_slices (model);
  RnnState *s = g_new0 (RnnState, 1);
  s->model = rnn_model_ref (model);
  s->batch = batch;
  s->max_frames = max_frames;
  s->mem = mem;
  /* Carve the block; each region starts 64-byte aligned relative to mem. */
  float **dst[9] = { &s->h, &s->c, &s->xt, &s->gx, &s->gh, &s->hc, &s->y[0],
    &s->y[1], &s->head
  };
  float *p = mem;
  for (guint i = 0; i < 9; i++) {
    *dst[i] = sizes[i] ? p : NULL;
    p += (sizes[i] + 15) & ~(gsize) 15;
  }
  return s;
}

void
rnn_state_free (RnnState * s)
{
  if (!s)
    return;
  rnn_pool_free (s->threads.pool);
  rnn_model_unref (s->model);
  g_free (s->mem);
  g_free (s);
}

float *
rnn_state_h (const RnnState * s)
{
  return s->h;
}

float *
rnn_state_c (const RnnState * s)
{
  return s->c;
}

RnnModel *
rnn_state_get_model (const RnnState * s)
{
  return s->model;
}

guint
rnn_state_get_batch (const RnnState * s)
{
  return s->batch;
}

guint
rnn_state_get_max_frames (const RnnState * s)
{
  return s->max_frames;
}

void
rnn_state_reset (RnnState * s)
{
  memset (s->h, 0, rnn_model_get_h_size (s->model, s->batch) * sizeof (float));
  if (s->c)
    memset (s->c, 0,
        rnn_model_get_c_size (s->model, s->batch) * sizeof (float));
}

void
rnn_state_reset_stream (RnnState * s, guint b)
{
  const RnnModel *m = s->model;
  g_return_if_fail (b < s->batch);
  for (guint ld = 0; ld < m->num_layers * m->num_dirs; ld++) {
    memset (s->h + ((gsize) ld * s->batch + b) * m->h_out, 0,
        m->h_out * sizeof (float));
    if (s->c)
      memset (s->c + ((gsize) ld * s->batch + b) * m->hidden_size, 0,
          m->hidden_size * sizeof (float));
  }
}

void
rnn_state_set (RnnState * s, const float *h0, const float *c0)
{
  if (h0)
    memcpy (s->h, h0, rnn_model_get_h_size (s->model, s->batch) *
        sizeof (float));
  else
    memset (s->h, 0, rnn_model_get_h_size (s->model, s->batch) *
        sizeof (float));
  if (s->c) {
    gsize n = rnn_model_get_c_size (s->model, s->batch) * sizeof (float);
    if (c0)
      memcpy (s->c, c0, n);
    else
      memset (s->c, 0, n);
  }
}

void
rnn_state_get (const RnnState * s, float *h_n, float *c_n)
{
  if (h_n)
    memcpy (h_n, s->h, rnn_model_get_h_size (s->model, s->batch) *
        sizeof (float));
  if (c_n && s->c)
    memcpy (c_n, s->c, rnn_model_get_c_size (s->model, s->batch) *
        sizeof (float));
}

/* A float is NaN or +-Inf when its 8 exponent bits are all ones.  Adding
 * one to the exponent field then carries into the sign bit: the OR of
 * (u & 0x7f800000) + 0x00800000 over a block has bit 31 set iff the block
 * holds a non-finite value.  Branch-free, so it vectorises; reads through
 * memcpy so any alignment is fine.  Here, below the runner, because the
 * state's own checks use it. */
gboolean
rnn_floats_all_finite (const void *p, gsize n)
{
  const guint8 *b = p;
  guint32 acc = 0;

  for (gsize i = 0; i < n; i++) {
    guint32 u;

    memcpy (&u, b + 4 * i, 4);
    acc |= (u & 0x7f800000u) + 0x00800000u;
  }
  return (acc & 0x80000000u) == 0;
}

gboolean
rnn_state_is_finite (const RnnState * s)
{
  return rnn_floats_all_finite (s->h, rnn_model_get_h_size (s->model,
          s->batch)) && (s->c == NULL || rnn_floats_all_finite (s->c,
          rnn_model_get_c_size (s->model, s->batch)));
}

gboolean
rnn_state_stream_is_finite (const RnnState * s, guint b)
{
  const RnnModel *m = s->model;
  gboolean ok = TRUE;

  g_return_val_if_fail (b < s->batch, FALSE);
  for (guint ld = 0; ld < m->num_layers * m->num_dirs; ld++) {
    ok &= rnn_floats_all_finite (s->h + ((gsize) ld * s->batch + b) *
        m->h_out, m->h_out);
    if (s->c)
      ok &= rnn_floats_all_finite (s->c + ((gsize) ld * s->batch + b) *
          m->hidden_size, m->hidden_size);
  }
  return ok;
}

gboolean
rnn_state_set_threads (RnnState * s, guint n_threads, GError ** error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  if (n_threads < 1 || n_threads > RNN_POOL_MAX_THREADS) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: %u threads requested, 1 to %u supported", s->model->name,
        n_threads, RNN_POOL_MAX_THREADS);
    return FALSE;
  }
  /* more threads than CPUs would only wait for each other */
  n_threads = MIN (n_threads, MAX (1u, g_get_num_processors ()));
  if (rnn_state_get_threads (s) == n_threads)
    return TRUE;
  rnn_pool_free (s->threads.pool);
  memset (&s->threads, 0, sizeof s->threads);
  if (n_threads == 1)
    return TRUE;
  s->threads.pool = rnn_pool_new (n_threads, error);
  if (!s->threads.pool)
    return FALSE;
  for (guint i = 0; i < n_threads; i++)
    s->threads.share[i] = 1.0 / n_threads;
  return TRUE;
}

guint
rnn_state_get_threads (const RnnState * s)
{
  return s->threads.pool ? rnn_pool_get_n_threads (s->threads.pool) : 1;
}

gboolean
rnn_state_set_shares (RnnState * s, const double *shares)
{
  g_return_val_if_fail (s != NULL && shares != NULL, FALSE);
  if (!s->threads.pool)
    return FALSE;
  for (guint i = 0; i < rnn_state_get_threads (s); i++)
    s->threads.share[i] = MAX (shares[i], 1e-6);
  return TRUE;
}
