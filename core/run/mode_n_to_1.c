/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* N-to-1: every `hop` frames, the last `window` frames run as one sequence
 * (from a zero state unless carry_state); the top layer's outputs are
 * pooled (rnn_model_get_pooling()) and the head applied: one result of
 * (B, O) scores per window.  The input itself is not changed. */
#include "run-private.h"

#include <string.h>

typedef struct {
  RnnWindowRing ring;
  float *pooled;                /* (B, R) */
  float *scores;                /* (B, O) */
} Classify;

static gboolean
check (const RnnRunConfig * cfg, const RnnModel * model,
    const RnnModel * decoder, RnnRunInfo * info, GError ** error)
{
  info->output = RNN_OUTPUT_WINDOW_SCORES;
  info->output_size = rnn_model_get_output_size (model);
  return TRUE;
}

static gboolean
init (RnnRunner * r, GError ** error)
{
  guint R = rnn_model_get_rnn_output_size (r->model);
  Classify *c;

  r->state = rnn_runner_new_state (r, r->model, r->cfg.window, error);
  if (r->state == NULL)
    return FALSE;
  c = g_new0 (Classify, 1);
  r->priv = c;
  rnn_ring_init (&c->ring, r);
  c->pooled = g_try_new (float, (gsize) r->B * R);
  c->scores = g_try_new (float, (gsize) r->B * r->info.output_size);
  if (!c->ring.ring || !c->ring.seq_in || !c->ring.seq_out || !c->pooled
      || !c->scores) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: cannot allocate windows of %u frames for %u stream(s)",
        r->model->name, r->cfg.window, r->B);
    return FALSE;
  }
  return TRUE;
}

static void
clear (RnnRunner * r)
{
  Classify *c = r->priv;

  if (c) {
    rnn_ring_clear (&c->ring);
    g_free (c->pooled);
    g_free (c->scores);
    g_free (c);
    r->priv = NULL;
  }
}

static void
reset (RnnRunner * r)
{
  Classify *c = r->priv;

  rnn_ring_reset (&c->ring);
}

/* Pool the window's outputs and apply the head: scores (B, O). */
static void
pool (RnnRunner * r, Classify * c, guint len)
{
  const RnnModel *m = r->model;
  guint B = r->B;
  guint R = rnn_model_get_rnn_output_size (m);
  const float *seq_out = c->ring.seq_out;

  switch (m->pooling) {
    case RNN_POOLING_LAST:
      memcpy (c->pooled, seq_out + (gsize) (len - 1) * B * R,
          (gsize) B * R * sizeof (float));
      break;
    case RNN_POOLING_MEAN:
      for (gsize i = 0; i < (gsize) B * R; i++) {
        double acc = 0.0;

        for (gsize t = 0; t < len; t++)
          acc += seq_out[t * B * R + i];
        c->pooled[i] = (float) (acc / len);
      }
      break;
    case RNN_POOLING_FINAL_STATE:{
      /* h_n is (L * D, B, H_out): the top layer's directions, joined */
      guint L = m->num_layers, D = m->num_dirs, Hout = m->h_out;

      rnn_state_get (r->state, r->h_buf, NULL);
      for (guint b = 0; b < B; b++)
        for (guint d = 0; d < D; d++)
          memcpy (c->pooled + (gsize) b * R + d * Hout,
              r->h_buf + (((gsize) (L - 1) * D + d) * B + b) * Hout,
              Hout * sizeof (float));
      break;
    }
  }
  rnn_model_apply_head (m, c->pooled, B, c->scores);
}

/* Run the window of @len frames at next_start into @result. */
static gboolean
classify (RnnRunner * r, guint len, RnnResult * result, GError ** error)
{
  Classify *c = r->priv;
  guint64 start = c->ring.next_start;

  if (!rnn_ring_run (&c->ring, r, start, len, error))
    return FALSE;
  pool (r, c, len);
  result->start = start;
  result->n_frames = len;
  result->data = c->scores;
  result->n_out = 1;
  return TRUE;
}

static gboolean
push (RnnRunner * r, const guint8 * in, gsize n, gsize * cursor,
    RnnResult * result, GError ** error)
{
  Classify *c = r->priv;

  return rnn_ring_push (&c->ring, r, in, n, cursor, classify, result, error);
}

static gboolean
drain (RnnRunner * r, gboolean run_partial, RnnResult * result,
    GError ** error)
{
  Classify *c = r->priv;

  return rnn_ring_drain (&c->ring, r, run_partial, classify, result, error);
}

const RnnStructure rnn_structure_n_to_1 = {
  .name = "n-to-1",
  .check = check,
  .init = init,
  .clear = clear,
  .reset = reset,
  .push = push,
  .drain = drain,
  .partial_default = RNN_PARTIAL_DROP,
};
