/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 1-to-N: every input frame drives `steps` output frames.  What each step
 * reads (`feed`): the input frame at every step (repeat), the input frame
 * then zeros (first), or the previous step's output (feedback).  Each input
 * frame starts from a zero state unless carry_state. */
#include "run-private.h"

#include <string.h>

typedef struct {
  float *in;                    /* (steps, B, F), time-major; zero-filled:
                                 * feed=first relies on steps 1.. */
  float *out;                   /* (steps, B, O), time-major */
} Generate;

static gboolean
check (const RnnRunConfig * cfg, const RnnModel * model,
    const RnnModel * decoder, RnnRunInfo * info, GError ** error)
{
  guint O = rnn_model_get_output_size (model);

  if (model->num_dirs == 2) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_CONFIG,
        "Model \"%s\" is bidirectional, but mode=1-to-n generates frames one "
        "step at a time, which a bidirectional network cannot do (its "
        "reverse direction needs the whole sequence). Use a unidirectional "
        "model.", model->name);
    return FALSE;
  }
  if (cfg->feed == RNN_FEED_FEEDBACK && O != model->input_size) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_CONFIG,
        "feed=feedback feeds each output back as the next input, so the "
        "model's output size (%u) must equal its input size (%u) (model "
        "\"%s\").", O, model->input_size, model->name);
    return FALSE;
  }
  info->output = RNN_OUTPUT_BLOCK;
  info->output_size = O;
  info->frames_per_input = cfg->steps;
  info->contiguous = TRUE;
  return TRUE;
}

static gboolean
init (RnnRunner * r, GError ** error)
{
  guint steps = r->cfg.steps;
  Generate *g;

  r->state = rnn_runner_new_state (r, r->model, MIN (steps, 256), error);
  if (r->state == NULL)
    return FALSE;
  g = g_new0 (Generate, 1);
  g->in = g_try_new0 (float, (gsize) steps * r->B * r->F);
  g->out = g_try_new0 (float, (gsize) steps * r->B * r->info.output_size);
  r->priv = g;
  if (g->in == NULL || g->out == NULL) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: cannot allocate %u generation steps for %u stream(s)",
        r->model->name, steps, r->B);
    return FALSE;
  }
  return TRUE;
}

static void
clear (RnnRunner * r)
{
  Generate *g = r->priv;

  if (g) {
    g_free (g->in);
    g_free (g->out);
    g_free (g);
    r->priv = NULL;
  }
}

static void
reset (RnnRunner * r)
{
}

/* The @steps frames of one input frame (step 0 of g->in) into g->out. */
static gboolean
generate (RnnRunner * r, Generate * g, GError ** error)
{
  guint steps = r->cfg.steps, O = r->info.output_size;
  gsize frame = (gsize) r->B * r->F;

  if (r->cfg.feed == RNN_FEED_FEEDBACK) {
    /* O == F: each output frame is the next step's input */
    if (!rnn_state_process (r->state, g->in, 1, RNN_RUN_NONE, g->out, error))
      return FALSE;
    for (guint k = 1; k < steps; k++)
      if (!rnn_state_process (r->state, g->out + (gsize) (k - 1) * r->B * O,
              1, RNN_RUN_NONE, g->out + (gsize) k * r->B * O, error))
        return FALSE;
    return TRUE;
  }
  /* repeat: the frame at every step; first: steps 1.. stay zero */
  if (r->cfg.feed == RNN_FEED_REPEAT)
    for (guint k = 1; k < steps; k++)
      memcpy (g->in + k * frame, g->in, frame * sizeof (float));
  return rnn_state_process (r->state, g->in, steps, RNN_RUN_NONE, g->out,
      error);
}

static gboolean
process (RnnRunner * r, const guint8 * in, gsize n, guint8 * out,
    GError ** error)
{
  Generate *g = r->priv;
  guint steps = r->cfg.steps;

  for (gsize t = 0; t < n; t++) {
    /* the input frame becomes step 0 of g->in (steps, B, F) */
    rnn_runner_copy_input (r, g->in, steps, 0, in, n, t, 1);
    if (!r->cfg.carry_state)
      rnn_state_reset (r->state);
    if (!generate (r, g, error))
      return FALSE;
    rnn_frames_copy (out, n * steps, t * steps, r->cfg.batch_first,
        (const guint8 *) g->out, steps, 0, FALSE, steps, r->B,
        r->info.output_size);
    /* the state carried to the next frame must not stay poisoned */
    if (r->cfg.carry_state && !rnn_runner_guard_carried (r, g->in, 1, error))
      return FALSE;
  }
  return TRUE;
}

const RnnStructure rnn_structure_1_to_n = {
  .name = "1-to-n",
  .check = check,
  .init = init,
  .clear = clear,
  .reset = reset,
  .process = process,
  .partial_default = RNN_PARTIAL_DROP,
};
