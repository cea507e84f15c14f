/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* N-to-N, streaming: one output frame per input frame, the state carried
 * from call to call, so that any split of a sequence gives PyTorch's
 * whole-sequence output.  Unidirectional models only (a bidirectional
 * one runs on windows: mode_n_to_n_window.c). */
#include "run-private.h"

#include <string.h>

/* Frames per internal chunk: rnn_state_process() splits longer blocks. */
#define STREAM_FRAMES 256

/* Scratch for blocks the state cannot read in place: unaligned memory, a
 * batch-first block cut in time, values to sanitize. */
typedef struct {
  float *in;                    /* (STREAM_FRAMES, B, F), buffer layout */
  float *out;                   /* (STREAM_FRAMES, B, O) */
} Stream;

static gboolean
check (const RnnRunConfig * cfg, const RnnModel * model,
    const RnnModel * decoder, RnnRunInfo * info, GError ** error)
{
  info->output = RNN_OUTPUT_BLOCK;
  info->output_size = rnn_model_get_output_size (model);
  info->frames_per_input = 1;
  info->contiguous = TRUE;
  return TRUE;
}

static gboolean
init (RnnRunner * r, GError ** error)
{
  Stream *s;

  r->state = rnn_runner_new_state (r, r->model, STREAM_FRAMES, error);
  if (r->state == NULL)
    return FALSE;
  s = g_new0 (Stream, 1);
  s->in = g_try_new (float, (gsize) STREAM_FRAMES * r->B * r->F);
  s->out = g_try_new (float, (gsize) STREAM_FRAMES * r->B *
      r->info.output_size);
  r->priv = s;                  /* clear() frees what was allocated */
  if (s->in == NULL || s->out == NULL) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: cannot allocate %u frames of %u stream(s) (input %u, output "
        "%u values a frame)", r->model->name, STREAM_FRAMES, r->B, r->F,
        r->info.output_size);
    return FALSE;
  }
  return TRUE;
}

static void
clear (RnnRunner * r)
{
  Stream *s = r->priv;

  if (s) {
    g_free (s->in);
    g_free (s->out);
    g_free (s);
    r->priv = NULL;
  }
}

static void
reset (RnnRunner * r)
{
}

/* Run frames [@t0, @t1) of a block of @n frames, through the scratch
 * memory when needed. */
static gboolean
run_range (RnnRunner * r, const guint8 * in, guint8 * out, gsize n,
    gsize t0, gsize t1, gboolean sanitize, GError ** error)
{
  Stream *s = r->priv;
  gboolean bf = r->cfg.batch_first;
  RnnRunFlags flags = bf ? RNN_RUN_BATCH_FIRST : RNN_RUN_NONE;
  guint B = r->B, F = r->F, O = r->info.output_size;

  if (t1 <= t0)
    return TRUE;
  if (!sanitize && (!bf || (t0 == 0 && t1 == n))
      && ((guintptr) in % G_ALIGNOF (float)) == 0
      && ((guintptr) out % G_ALIGNOF (float)) == 0)
    return rnn_state_process (r->state,
        (const float *) (in + t0 * B * F * sizeof (float)), t1 - t0, flags,
        (float *) (out + t0 * B * O * sizeof (float)), error);

  for (gsize t = t0; t < t1; t += STREAM_FRAMES) {
    gsize k = MIN (STREAM_FRAMES, t1 - t);

    rnn_frames_copy ((guint8 *) s->in, k, 0, bf, in, n, t, bf, k, B, F);
    if (sanitize)
      rnn_floats_sanitize (s->in, k * B * F);
    if (!rnn_state_process (r->state, s->in, k, flags, s->out, error))
      return FALSE;
    rnn_frames_copy (out, n, t, bf, (const guint8 *) s->out, k, 0, bf, k, B,
        O);
  }
  return TRUE;
}

/* reset-stream: cut the block after every frame that holds a non-finite
 * value and reset the streams concerned there. */
static gboolean
run_cut (RnnRunner * r, const guint8 * in, guint8 * out, gsize n,
    GError ** error)
{
  gsize pos = 0;

  while (pos < n) {
    gsize t;
    gboolean any = FALSE;

    for (t = pos; t < n && !any; t++)
      for (guint b = 0; b < r->B && !any; b++)
        any = rnn_runner_frame_bad (r, in, n, t, b);
    /* t is one past the first bad frame, or n */
    if (!run_range (r, in, out, n, pos, t, FALSE, error))
      return FALSE;
    if (any)
      for (guint b = 0; b < r->B; b++)
        if (rnn_runner_frame_bad (r, in, n, t - 1, b))
          rnn_state_reset_stream (r->state, b);
    pos = t;
  }
  return TRUE;
}

static gboolean
process (RnnRunner * r, const guint8 * in, gsize n, guint8 * out,
    GError ** error)
{
  gboolean ok;

  if (r->policy == RNN_NON_FINITE_PROPAGATE || r->input_checked
      || rnn_floats_all_finite (in, n * r->B * r->F)) {
    ok = run_range (r, in, out, n, 0, n, FALSE, error);
  } else if (r->policy == RNN_NON_FINITE_ZERO) {
    ok = run_range (r, in, out, n, 0, n, TRUE, error);
  } else if (r->policy == RNN_NON_FINITE_RESET_STREAM) {
    ok = run_cut (r, in, out, n, error);
  } else {
    guint b = 0;

    while (rnn_runner_find_non_finite (r, in, n, b) == n)
      b++;
    g_set_error (error, RNN_ERROR, RNN_ERROR_NON_FINITE,
        "%s: stream %u has a non-finite input value (NaN or Inf) at frame %"
        G_GSIZE_FORMAT " of the block", r->model->name, b,
        rnn_runner_find_non_finite (r, in, n, b));
    return FALSE;
  }
  return ok && rnn_runner_check_state (r, r->state, error);
}

const RnnStructure rnn_structure_n_to_n = {
  .name = "n-to-n",
  .check = check,
  .init = init,
  .clear = clear,
  .reset = reset,
  .process = process,
  .partial_default = RNN_PARTIAL_RUN,
};
