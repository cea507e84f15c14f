/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The runner: one input/output structure over B streams (rnn.h,
 * "structures").  This file chooses the structure, checks configurations
 * and holds what the structures share: frame copies and the non-finite
 * policy. */
#include "run-private.h"

#include <string.h>

/* The structures, by mode.  A bidirectional model in N-to-N runs on
 * windows (pick()). */
static const RnnStructure *const structures[] = {
  [RNN_MODE_N_TO_N] = &rnn_structure_n_to_n,
  [RNN_MODE_N_TO_1] = &rnn_structure_n_to_1,
  [RNN_MODE_1_TO_N] = &rnn_structure_1_to_n,
  [RNN_MODE_N_TO_M] = &rnn_structure_n_to_m,
};

static const RnnStructure *
pick (RnnMode mode, const RnnModel * model)
{
  if (mode == RNN_MODE_N_TO_N && model && model->num_dirs == 2)
    return &rnn_structure_n_to_n_window;
  return structures[mode];
}

/* ----------------------------------------------------- configurations */

/* The settings among themselves: feed against mode (AUTO resolved),
 * window where one is needed. */
static gboolean
check_settings (RnnRunConfig * cfg, GError ** error)
{
  const char *mode = rnn_mode_name (cfg->mode);

  switch (cfg->mode) {
    case RNN_MODE_N_TO_N:
    case RNN_MODE_N_TO_1:
      if (cfg->feed != RNN_FEED_AUTO) {
        g_set_error (error, RNN_ERROR, RNN_ERROR_CONFIG,
            "Setting 'feed' (%s) does not apply to mode=%s: it chooses the "
            "input of generation steps in modes 1-to-n and n-to-m. Leave it "
            "at 'auto'.", rnn_feed_name (cfg->feed), mode);
        return FALSE;
      }
      break;
    case RNN_MODE_1_TO_N:
      if (cfg->feed == RNN_FEED_AUTO)
        cfg->feed = RNN_FEED_REPEAT;
      if (cfg->feed == RNN_FEED_CONTEXT) {
        g_set_error (error, RNN_ERROR, RNN_ERROR_CONFIG,
            "Setting 'feed' is 'context', which needs an encoder "
            "(mode=n-to-m); mode=1-to-n takes feed=repeat, first or "
            "feedback.");
        return FALSE;
      }
      break;
    case RNN_MODE_N_TO_M:
      if (cfg->feed == RNN_FEED_AUTO)
        cfg->feed = RNN_FEED_CONTEXT;
      if (cfg->feed != RNN_FEED_CONTEXT && cfg->feed != RNN_FEED_FEEDBACK) {
        g_set_error (error, RNN_ERROR, RNN_ERROR_CONFIG,
            "Setting 'feed' is '%s', which mode=n-to-m does not take: the "
            "decoder is fed feed=context or feed=feedback.",
            rnn_feed_name (cfg->feed));
        return FALSE;
      }
      break;
  }
  if ((cfg->mode == RNN_MODE_N_TO_1 || cfg->mode == RNN_MODE_N_TO_M)
      && cfg->window == 0) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_CONFIG,
        "mode=%s needs a window: set 'window' to the number of frames per "
        "window (>= 1).", mode);
    return FALSE;
  }
  if (cfg->hop == 0)
    cfg->hop = cfg->window;
  if (cfg->steps == 0)
    cfg->steps = 1;
  return TRUE;
}

static gboolean
resolve (const RnnRunConfig * config, const RnnModel * model,
    const RnnModel * decoder, RnnRunConfig * cfg, RnnRunInfo * info,
    GError ** error)
{
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail ((guint) config->mode < G_N_ELEMENTS (structures),
      FALSE);
  g_return_val_if_fail (rnn_feed_name (config->feed) != NULL,
      FALSE);

  *cfg = *config;
  memset (info, 0, sizeof (*info));
  if (!check_settings (cfg, error))
    return FALSE;
  info->feed = cfg->feed;
  info->hop = cfg->hop;
  if (model == NULL)
    return TRUE;
  if (cfg->mode == RNN_MODE_N_TO_M && decoder == NULL) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_CONFIG,
        "%s: mode=n-to-m needs a decoder network", model->name);
    return FALSE;
  }
  info->input_size = model->input_size;
  return pick (cfg->mode, model)->check (cfg, model, decoder, info, error);
}

gboolean
rnn_run_config_check (const RnnRunConfig * config, const RnnModel * model,
    const RnnModel * decoder, RnnRunInfo * info, GError ** error)
{
  RnnRunConfig cfg;
  RnnRunInfo tmp;

  return resolve (config, model, decoder, &cfg, info ? info : &tmp, error);
}

RnnModel *
rnn_model_load_encoder_decoder (const char *path, RnnModel ** decoder,
    GError ** error)
{
  return rnn_model_load_encoder_decoder_precision (path, RNN_PRECISION_AUTO,
      decoder, error);
}

RnnModel *
rnn_model_load_encoder_decoder_precision (const char *path,
    RnnPrecision precision, RnnModel ** decoder, GError ** error)
{
  RnnLoadOptions enc_opt = {.prefix = "encoder.",.no_head = TRUE,
    .precision = precision
  };
  RnnLoadOptions dec_opt = {.prefix = "decoder.",.precision = precision };
  GError *err = NULL;
  RnnModel *enc;

  g_return_val_if_fail (path != NULL && decoder != NULL, NULL);
  *decoder = NULL;
  enc = rnn_model_load (path, &enc_opt, &err);
  if (enc == NULL) {
    if (g_error_matches (err, RNN_ERROR, RNN_ERROR_MODEL)) {
      g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
          "mode=n-to-m needs an encoder-decoder model (keys 'encoder.*' and "
          "'decoder.*'), but the encoder of \"%s\" cannot be loaded: %s",
          path, err->message);
      g_error_free (err);
    } else {
      g_propagate_error (error, err);
    }
    return NULL;
  }
  *decoder = rnn_model_load (path, &dec_opt, &err);
  if (*decoder == NULL) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "mode=n-to-m needs an encoder-decoder model, but \"%s\" has no "
        "usable decoder (keys 'decoder.*'): %s", path, err->message);
    g_error_free (err);
    rnn_model_unref (enc);
    return NULL;
  }
  return enc;
}

/* -------------------------------------------------------------- runner */

RnnRunner *
rnn_runner_new (RnnModel * model, RnnModel * decoder,
    const RnnRunConfig * config, GError ** error)
{
  RnnRunner *r;

  g_return_val_if_fail (model != NULL && config != NULL, NULL);
  if (config->batch == 0) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: a runner needs at least 1 stream (batch is 0)", model->name);
    return NULL;
  }

  r = g_new0 (RnnRunner, 1);
  if (!resolve (config, model, decoder, &r->cfg, &r->info, error)) {
    g_free (r);
    return NULL;
  }
  r->klass = pick (r->cfg.mode, model);
  r->model = rnn_model_ref (model);
  r->decoder = decoder && r->cfg.mode == RNN_MODE_N_TO_M ?
      rnn_model_ref (decoder) : NULL;
  r->B = r->cfg.batch;
  r->F = model->input_size;
  r->policy = r->cfg.non_finite;
  r->h_buf = g_try_new (float, rnn_model_get_h_size (model, r->B));
  r->c_buf = g_try_new (float, MAX (1, rnn_model_get_c_size (model, r->B)));
  if (r->h_buf == NULL || r->c_buf == NULL) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: cannot allocate the state of %u stream(s)", model->name, r->B);
    rnn_runner_free (r);
    return NULL;
  }
  if (!r->klass->init (r, error)) {
    rnn_runner_free (r);
    return NULL;
  }
  return r;
}

void
rnn_runner_free (RnnRunner * r)
{
  if (r == NULL)
    return;
  if (r->klass)
    r->klass->clear (r);
  g_clear_pointer (&r->state, rnn_state_free);
  g_clear_pointer (&r->model, rnn_model_unref);
  g_clear_pointer (&r->decoder, rnn_model_unref);
  g_free (r->h_buf);
  g_free (r->c_buf);
  g_free (r);
}

const RnnRunInfo *
rnn_runner_get_info (const RnnRunner * r)
{
  return &r->info;
}

const RnnRunConfig *
rnn_runner_get_config (const RnnRunner * r)
{
  return &r->cfg;
}

RnnModel *
rnn_runner_get_model (const RnnRunner * r)
{
  return r->model;
}

RnnState *
rnn_runner_get_state (const RnnRunner * r)
{
  return r->state;
}

guint64
rnn_runner_get_frames_in (const RnnRunner * r)
{
  return r->frames_in;
}

void
rnn_runner_set_non_finite (RnnRunner * r, RnnNonFinite policy)
{
  r->policy = policy;
}

void
rnn_runner_set_non_finite_func (RnnRunner * r, RnnNonFiniteFunc func,
    gpointer user_data)
{
  r->nf_func = func;
  r->nf_data = user_data;
}

void
rnn_runner_set_input_checked (RnnRunner * r, gboolean all_finite)
{
  r->input_checked = all_finite;
}

void
rnn_runner_reset (RnnRunner * r)
{
  rnn_state_reset (r->state);
  r->frames_in = 0;
  r->klass->reset (r);
}

gboolean
rnn_runner_process (RnnRunner * r, const void *in, gsize n, void *out,
    GError ** error)
{
  g_return_val_if_fail (r->klass->process != NULL, FALSE);
  if (n == 0)
    return TRUE;
  r->frames_in += n;
  return r->klass->process (r, in, n, out, error);
}

gboolean
rnn_runner_push (RnnRunner * r, const void *in, gsize n, gsize * cursor,
    RnnResult * result, GError ** error)
{
  g_return_val_if_fail (r->klass->push != NULL, FALSE);
  memset (result, 0, sizeof (*result));
  if (*cursor >= n)
    return TRUE;
  return r->klass->push (r, in, n, cursor, result, error);
}

gboolean
rnn_runner_drain (RnnRunner * r, RnnPartial partial, RnnResult * result,
    GError ** error)
{
  memset (result, 0, sizeof (*result));
  if (r->klass->drain == NULL)
    return TRUE;                /* block structures hold nothing back */
  if (partial == RNN_PARTIAL_AUTO)
    partial = r->klass->partial_default;
  return r->klass->drain (r, partial == RNN_PARTIAL_RUN, result, error);
}

RnnState *
rnn_runner_new_state (RnnRunner * r, RnnModel * model, guint max_frames,
    GError ** error)
{
  RnnState *s = rnn_state_new (model, r->B, max_frames, error);

  if (s && !rnn_state_set_threads (s, MAX (1, r->cfg.threads), error))
    g_clear_pointer (&s, rnn_state_free);
  return s;
}

/* ------------------------------------------------------------- frames */

void
rnn_frames_copy (guint8 * dst, gsize dst_T, gsize dst_t, gboolean dst_bf,
    const guint8 * src, gsize src_T, gsize src_t, gboolean src_bf, gsize n,
    guint B, guint W)
{
  gsize fb = (gsize) W * sizeof (float);

  if (!dst_bf && !src_bf) {
    memcpy (dst + dst_t * B * fb, src + src_t * B * fb, n * B * fb);
  } else if (dst_bf && src_bf) {
    for (guint b = 0; b < B; b++)
      memcpy (dst + (b * dst_T + dst_t) * fb, src + (b * src_T + src_t) * fb,
          n * fb);
  } else {
    for (gsize t = 0; t < n; t++) {
      for (guint b = 0; b < B; b++) {
        gsize di = dst_bf ? b * dst_T + dst_t + t : (dst_t + t) * B + b;
        gsize si = src_bf ? b * src_T + src_t + t : (src_t + t) * B + b;
        memcpy (dst + di * fb, src + si * fb, fb);
      }
    }
  }
}

void
rnn_floats_sanitize (float *p, gsize n)
{
  for (gsize i = 0; i < n; i++) {
    guint32 u;

    memcpy (&u, &p[i], 4);
    if ((u & 0x7f800000u) == 0x7f800000u)
      p[i] = 0.0f;
  }
}

gboolean
rnn_runner_frame_bad (const RnnRunner * r, const guint8 * in, gsize n,
    gsize t, guint b)
{
  gsize fb = (gsize) r->F * sizeof (float);
  gsize off = r->cfg.batch_first ? ((gsize) b * n + t) * fb :
      (t * r->B + b) * fb;

  return !rnn_floats_all_finite (in + off, r->F);
}

gsize
rnn_runner_find_non_finite (const RnnRunner * r, const void *in, gsize n,
    guint stream)
{
  for (gsize t = 0; t < n; t++)
    if (rnn_runner_frame_bad (r, in, n, t, stream))
      return t;
  return n;
}

void
rnn_runner_copy_input (RnnRunner * r, float *dst, gsize dst_T, gsize dst_t,
    const guint8 * src, gsize src_T, gsize src_t, gsize k)
{
  float *p = dst + dst_t * r->B * r->F;
  gsize count = k * r->B * r->F;

  rnn_frames_copy ((guint8 *) dst, dst_T, dst_t, FALSE, src, src_T, src_t,
      r->cfg.batch_first, k, r->B, r->F);
  if (r->policy == RNN_NON_FINITE_ZERO && !r->input_checked
      && !rnn_floats_all_finite (p, count))
    rnn_floats_sanitize (p, count);
}

/* ------------------------------------------------- non-finite states */

gboolean
rnn_runner_check_state (RnnRunner * r, RnnState * state, GError ** error)
{
  if (r->policy == RNN_NON_FINITE_PROPAGATE || state == NULL
      || rnn_state_is_finite (state))
    return TRUE;

  for (guint b = 0; b < r->B; b++) {
    if (rnn_state_stream_is_finite (state, b))
      continue;
    if (r->policy == RNN_NON_FINITE_ERROR) {
      if (r->nf_func)
        r->nf_func (r, b, r->nf_data);
      g_set_error (error, RNN_ERROR, RNN_ERROR_NON_FINITE,
          "%s: the state of stream %u became non-finite (NaN or Inf): its "
          "input values are too large for the network",
          rnn_state_get_model (state)->name, b);
      return FALSE;
    }
    rnn_state_reset_stream (state, b);
    if (r->nf_func)
      r->nf_func (r, b, r->nf_data);
  }
  return TRUE;
}

gboolean
rnn_runner_guard_carried (RnnRunner * r, const float *in, gsize n,
    GError ** error)
{
  /* the window may span several blocks: input_checked does not apply */
  if (r->policy == RNN_NON_FINITE_RESET_STREAM)
    for (guint b = 0; b < r->B; b++)
      for (gsize t = 0; t < n; t++)
        if (!rnn_floats_all_finite (in + (t * r->B + b) * r->F, r->F)) {
          rnn_state_reset_stream (r->state, b);
          break;
        }
  return rnn_runner_check_state (r, r->state, error);
}
