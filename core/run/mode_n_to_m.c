/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* N-to-M, encoder-decoder: every `hop` frames the encoder reads the last
 * `window` frames (from a zero state unless carry_state); its final state
 * starts the decoder, which generates `steps` frames, fed the encoder's
 * last top-layer output at every step (context) or the window's last
 * frame and then its own outputs (feedback).  One result of `steps`
 * frames per window: the forecast of the frames after it. */
#include "run-private.h"

#include <string.h>

typedef struct {
  RnnWindowRing ring;
  RnnState *dec_state;
  float *gen_in;                /* (steps, B, F_dec), time-major */
  float *gen_out;               /* (steps, B, O), time-major */
  float *out_bf;                /* (B, steps, O) or NULL */
} Seq2seq;

static gboolean
check_state_fits (const RnnModel * enc, const RnnModel * dec, GError ** error)
{
  if (dec->num_dirs == 2) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_CONFIG,
        "The decoder of \"%s\" is bidirectional: it generates frame by "
        "frame, which a bidirectional network cannot do.", enc->name);
    return FALSE;
  }
  if (enc->cell != dec->cell || enc->num_layers != dec->num_layers
      || enc->num_dirs != 1 || enc->hidden_size != dec->hidden_size
      || enc->proj_size != dec->proj_size) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_CONFIG,
        "The encoder's final state cannot initialise the decoder in \"%s\": "
        "encoder %s, %u layer(s), %u direction(s), hidden %u, proj %u "
        "(h_n %" G_GSIZE_FORMAT " values per stream) vs decoder %s, %u "
        "layer(s), 1 direction, hidden %u, proj %u (h0 %" G_GSIZE_FORMAT
        " values per stream). They need the same cell, layers, directions "
        "and sizes.", enc->name, rnn_cell_name (enc->cell), enc->num_layers,
        enc->num_dirs, enc->hidden_size, enc->proj_size,
        rnn_model_get_h_size (enc, 1), rnn_cell_name (dec->cell),
        dec->num_layers, dec->hidden_size, dec->proj_size,
        rnn_model_get_h_size (dec, 1));
    return FALSE;
  }
  return TRUE;
}

static gboolean
check (const RnnRunConfig * cfg, const RnnModel * enc, const RnnModel * dec,
    RnnRunInfo * info, GError ** error)
{
  guint R = rnn_model_get_rnn_output_size (enc);
  guint O = rnn_model_get_output_size (dec);

  if (!check_state_fits (enc, dec, error))
    return FALSE;
  if (cfg->feed == RNN_FEED_CONTEXT && dec->input_size != R) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_CONFIG,
        "feed=context feeds the encoder's top-layer output (%u values) to "
        "the decoder at every step, but the decoder's input size is %u "
        "(model \"%s\").", R, dec->input_size, enc->name);
    return FALSE;
  }
  if (cfg->feed == RNN_FEED_FEEDBACK && (dec->input_size != O
          || dec->input_size != enc->input_size)) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_CONFIG,
        "feed=feedback feeds the window's last input frame and then each "
        "output back to the decoder, so the decoder's input size (%u), its "
        "output size (%u) and the encoder's input size (%u) must be equal "
        "(model \"%s\").", dec->input_size, O, enc->input_size, enc->name);
    return FALSE;
  }
  info->output = RNN_OUTPUT_WINDOW_FRAMES;
  info->output_size = O;
  info->frames_per_result = cfg->steps;
  info->contiguous = FALSE;
  return TRUE;
}

static gboolean
init (RnnRunner * r, GError ** error)
{
  guint steps = r->cfg.steps, O = r->info.output_size;
  guint Fd = r->decoder->input_size;
  Seq2seq *s;

  r->state = rnn_runner_new_state (r, r->model, r->cfg.window, error);
  if (r->state == NULL)
    return FALSE;
  s = g_new0 (Seq2seq, 1);
  r->priv = s;
  s->dec_state = rnn_runner_new_state (r, r->decoder, MIN (steps, 256),
      error);
  if (s->dec_state == NULL)
    return FALSE;
  rnn_ring_init (&s->ring, r);
  s->gen_in = g_try_new0 (float, (gsize) steps * r->B * Fd);
  s->gen_out = g_try_new0 (float, (gsize) steps * r->B * O);
  if (r->cfg.batch_first && r->B > 1)
    s->out_bf = g_try_new (float, (gsize) steps * r->B * O);
  if (!s->ring.ring || !s->ring.seq_in || !s->ring.seq_out || !s->gen_in
      || !s->gen_out || (r->cfg.batch_first && r->B > 1 && !s->out_bf)) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: cannot allocate windows of %u frames and %u steps for %u "
        "stream(s)", r->model->name, r->cfg.window, steps, r->B);
    return FALSE;
  }
  return TRUE;
}

static void
clear (RnnRunner * r)
{
  Seq2seq *s = r->priv;

  if (s) {
    rnn_ring_clear (&s->ring);
    g_clear_pointer (&s->dec_state, rnn_state_free);
    g_free (s->gen_in);
    g_free (s->gen_out);
    g_free (s->out_bf);
    g_free (s);
    r->priv = NULL;
  }
}

static void
reset (RnnRunner * r)
{
  Seq2seq *s = r->priv;

  rnn_state_reset (s->dec_state);
  rnn_ring_reset (&s->ring);
}

/* Decode the window of @len frames that just ran through the encoder. */
static gboolean
decode (RnnRunner * r, Seq2seq * s, guint len, GError ** error)
{
  guint B = r->B, steps = r->cfg.steps, O = r->info.output_size;
  guint Fd = r->decoder->input_size;
  guint R = rnn_model_get_rnn_output_size (r->model);
  gboolean lstm = r->model->cell == RNN_CELL_LSTM;

  /* the encoder's final state starts the decoder (same shapes: checked) */
  rnn_state_get (r->state, r->h_buf, lstm ? r->c_buf : NULL);
  rnn_state_set (s->dec_state, r->h_buf, lstm ? r->c_buf : NULL);

  if (r->cfg.feed == RNN_FEED_CONTEXT) {
    /* the encoder's last top-layer output at every step */
    const float *ctx = s->ring.seq_out + (gsize) (len - 1) * B * R;

    for (guint k = 0; k < steps; k++)
      memcpy (s->gen_in + (gsize) k * B * Fd, ctx,
          (gsize) B * R * sizeof (float));
    return rnn_state_process (s->dec_state, s->gen_in, steps, RNN_RUN_NONE,
        s->gen_out, error);
  }
  /* the window's last frame, then each output (Fd == O) */
  if (!rnn_state_process (s->dec_state,
          s->ring.seq_in + (gsize) (len - 1) * B * Fd, 1, RNN_RUN_NONE,
          s->gen_out, error))
    return FALSE;
  for (guint k = 1; k < steps; k++)
    if (!rnn_state_process (s->dec_state,
            s->gen_out + (gsize) (k - 1) * B * O, 1, RNN_RUN_NONE,
            s->gen_out + (gsize) k * B * O, error))
      return FALSE;
  return TRUE;
}

/* Encode and decode the window of @len frames at next_start. */
static gboolean
forecast (RnnRunner * r, guint len, RnnResult * result, GError ** error)
{
  Seq2seq *s = r->priv;
  guint steps = r->cfg.steps;
  guint64 start = s->ring.next_start;

  if (!rnn_ring_run (&s->ring, r, start, len, error)
      || !decode (r, s, len, error))
    return FALSE;
  result->start = start;
  result->n_frames = len;
  result->n_out = steps;
  result->data = s->gen_out;
  if (s->out_bf) {
    rnn_frames_copy ((guint8 *) s->out_bf, steps, 0, TRUE,
        (const guint8 *) s->gen_out, steps, 0, FALSE, steps, r->B,
        r->info.output_size);
    result->data = s->out_bf;
  }
  return TRUE;
}

static gboolean
push (RnnRunner * r, const guint8 * in, gsize n, gsize * cursor,
    RnnResult * result, GError ** error)
{
  Seq2seq *s = r->priv;

  return rnn_ring_push (&s->ring, r, in, n, cursor, forecast, result, error);
}

static gboolean
drain (RnnRunner * r, gboolean run_partial, RnnResult * result,
    GError ** error)
{
  Seq2seq *s = r->priv;

  return rnn_ring_drain (&s->ring, r, run_partial, forecast, result, error);
}

const RnnStructure rnn_structure_n_to_m = {
  .name = "n-to-m",
  .check = check,
  .init = init,
  .clear = clear,
  .reset = reset,
  .push = push,
  .drain = drain,
  .partial_default = RNN_PARTIAL_DROP,
};
