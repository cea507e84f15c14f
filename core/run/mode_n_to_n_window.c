/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* N-to-N on windows: a bidirectional model reads each sequence from both
 * ends, so it runs on consecutive independent windows of `window` frames,
 * each from a zero state; one result of `window` output frames per window
 * (the input's latency grows by a window). */
#include "run-private.h"

#include <string.h>

typedef struct {
  float *in;                    /* (window, B, F), time-major */
  float *out;                   /* (window, B, O), time-major */
  float *out_bf;                /* (B, window, O): out in batch-first
                                 * layout, or NULL */
  guint fill;                   /* frames in `in` */
  guint64 start;                /* first frame of the window */
} Windows;

static gboolean
check (const RnnRunConfig * cfg, const RnnModel * model,
    const RnnModel * decoder, RnnRunInfo * info, GError ** error)
{
  if (cfg->window == 0) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_CONFIG,
        "Model \"%s\" is bidirectional: its reverse direction reads the "
        "sequence from the end, so it needs the whole sequence and cannot "
        "run frame by frame on a stream. Set window=N to run it on "
        "independent windows of N frames (adds N frames of latency).",
        model->name);
    return FALSE;
  }
  info->output = RNN_OUTPUT_WINDOW_FRAMES;
  info->output_size = rnn_model_get_output_size (model);
  info->frames_per_input = 1;
  info->frames_per_result = cfg->window;
  info->latency = cfg->window;
  info->contiguous = TRUE;
  return TRUE;
}

static gboolean
init (RnnRunner * r, GError ** error)
{
  guint W = r->cfg.window, O = r->info.output_size;
  Windows *w;

  r->state = rnn_runner_new_state (r, r->model, W, error);
  if (r->state == NULL)
    return FALSE;
  w = g_new0 (Windows, 1);
  r->priv = w;
  w->in = g_try_new (float, (gsize) W * r->B * r->F);
  w->out = g_try_new (float, (gsize) W * r->B * O);
  if (r->cfg.batch_first && r->B > 1)
    w->out_bf = g_try_new (float, (gsize) W * r->B * O);
  if (w->in == NULL || w->out == NULL || (r->cfg.batch_first && r->B > 1
          && w->out_bf == NULL)) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: cannot allocate windows of %u frames for %u stream(s)",
        r->model->name, W, r->B);
    return FALSE;
  }
  return TRUE;
}

static void
clear (RnnRunner * r)
{
  Windows *w = r->priv;

  if (w) {
    g_free (w->in);
    g_free (w->out);
    g_free (w->out_bf);
    g_free (w);
    r->priv = NULL;
  }
}

static void
reset (RnnRunner * r)
{
  Windows *w = r->priv;

  w->fill = 0;
  w->start = 0;
}

/* Run the collected (maybe partial) window as one independent sequence. */
static gboolean
finish (RnnRunner * r, Windows * w, RnnResult * result, GError ** error)
{
  guint n = w->fill;

  rnn_state_reset (r->state);
  w->fill = 0;
  if (!rnn_state_process_window (r->state, w->in, n, RNN_RUN_NONE, w->out,
          error))
    return FALSE;
  result->start = w->start;
  result->n_frames = n;
  result->n_out = n;
  result->data = w->out;
  if (w->out_bf) {
    rnn_frames_copy ((guint8 *) w->out_bf, n, 0, TRUE,
        (const guint8 *) w->out, n, 0, FALSE, n, r->B, r->info.output_size);
    result->data = w->out_bf;
  }
  return TRUE;
}

static gboolean
push (RnnRunner * r, const guint8 * in, gsize n, gsize * cursor,
    RnnResult * result, GError ** error)
{
  Windows *w = r->priv;
  guint W = r->cfg.window;
  gsize k = MIN (W - w->fill, n - *cursor);

  if (w->fill == 0)
    w->start = r->frames_in;
  rnn_runner_copy_input (r, w->in, W, w->fill, in, n, *cursor, k);
  w->fill += k;
  *cursor += k;
  r->frames_in += k;
  if (w->fill < W)
    return TRUE;
  return finish (r, w, result, error);
}

static gboolean
drain (RnnRunner * r, gboolean run_partial, RnnResult * result,
    GError ** error)
{
  Windows *w = r->priv;

  if (w->fill == 0)
    return TRUE;
  if (!run_partial) {
    w->fill = 0;
    return TRUE;
  }
  return finish (r, w, result, error);
}

const RnnStructure rnn_structure_n_to_n_window = {
  .name = "n-to-n windows",
  .check = check,
  .init = init,
  .clear = clear,
  .reset = reset,
  .push = push,
  .drain = drain,
  .partial_default = RNN_PARTIAL_RUN,
};
