/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnn element: the model.  Loading and checking a file for the
 * mode, the hot swap (a file set while playing, loaded in the setting
 * thread, switched to by the streaming thread between two buffers), and
 * the state snapshot and restore actions.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstrnn-private.h"

#include <string.h>

/* The run configuration the properties ask for (feed and hop not yet
 * resolved; batch, threads and policy come with the stream). */
static RnnRunConfig
gst_rnn_run_config (const GstRnnSettings * s)
{
  RnnRunConfig cfg = { 0 };

  cfg.mode = (RnnMode) s->mode;
  cfg.batch_first = s->batch_first;
  cfg.window = s->window;
  cfg.hop = s->hop;
  cfg.steps = s->steps;
  cfg.feed = (RnnFeed) s->feed;
  cfg.carry_state = s->carry_state;
  return cfg;
}

/* Load the network(s) in @path (two in n-to-m) and check with the core
 * that they can run @cfg, filling @info.  Returns the model (the encoder
 * in n-to-m, the decoder in *@decoder) or NULL with @error set in the
 * GST_RESOURCE_ERROR domain (text for the user, naming the file and the
 * reason) and maybe *@debug.  Touches no element state: called by start()
 * and, for a hot swap, by the thread setting the property. */
static RnnModel *
gst_rnn_load_models (GstRnn * self, const gchar * path,
    GstRnnPrecision precision, const RnnRunConfig * cfg, RnnRunInfo * info,
    RnnModel ** decoder, GError ** error, gchar ** debug)
{
  RnnModel *model;
  GError *err = NULL;
  RnnLoadOptions opt = {.precision = (RnnPrecision) precision };

  *decoder = NULL;
  *debug = NULL;
  /* n-to-m: one file, two networks (keys encoder.* and decoder.*) */
  if (cfg->mode == RNN_MODE_N_TO_M)
    model = rnn_model_load_encoder_decoder_precision (path, opt.precision,
        decoder, &err);
  else
    model = rnn_model_load (path, &opt, &err);
  if (model == NULL) {
    if (cfg->mode == RNN_MODE_N_TO_M
        && g_error_matches (err, RNN_ERROR, RNN_ERROR_MODEL))
      g_set_error_literal (error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_FAILED, err->message);
    else
      gst_rnn_load_error (path, err, error, debug);
    g_clear_error (&err);
    return NULL;
  }
  if (!rnn_run_config_check (cfg, model, *decoder, info, &err)) {
    g_set_error_literal (error, GST_RESOURCE_ERROR,
        GST_RESOURCE_ERROR_SETTINGS, err->message);
    g_clear_error (&err);
    rnn_model_unref (model);
    g_clear_pointer (decoder, rnn_model_unref);
    return NULL;
  }
  if (cfg->mode == RNN_MODE_N_TO_N && info->latency == 0 && cfg->window > 0)
    GST_INFO_OBJECT (self, "window=%u ignored: the model is "
        "unidirectional and runs frame by frame", cfg->window);

  GST_INFO_OBJECT (self, "loaded \"%s\": %s, input %u, hidden %u, proj %u, "
      "%u layer(s), %s, %s, output %u, weights %s; mode %s", path,
      rnn_cell_name (rnn_model_get_cell (model)),
      rnn_model_get_input_size (model), rnn_model_get_hidden_size (model),
      rnn_model_get_proj_size (model), rnn_model_get_num_layers (model),
      rnn_model_is_bidirectional (model) ? "bidirectional" : "unidirectional",
      rnn_model_has_head (model) ? "with head" : "no head",
      info->output_size,
      rnn_precision_name (rnn_model_get_precision (model)),
      gst_rnn_mode_nick ((GstRnnMode) cfg->mode));
  return model;
}

/* One attempt at the file @s->model_path: @s (a snapshot of the settings)
 * completed with the file's run settings (*@ms), then the models loaded
 * and checked for the configuration, returned in @cfg and @info.  Posts
 * an error and returns NULL on failure. */
static RnnModel *
gst_rnn_load_once (GstRnn * self, GstRnnSettings * s, RnnModelSettings * ms,
    RnnRunConfig * cfg, RnnRunInfo * info, RnnModel ** decoder)
{
  GError *err = NULL;
  gchar *debug = NULL;
  RnnModel *model;

  if (s->model_path == NULL || s->model_path[0] == '\0') {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No model given: set the 'model' property to a safetensors "
            "file."), (NULL));
    return NULL;
  }
  /* the run settings the file carries are the defaults of the properties
   * not set; the mode among them decides how to load it */
  if (!gst_rnn_settings_read_model (self, s, ms))
    return NULL;
  *cfg = gst_rnn_run_config (s);
  /* the settings among themselves, before the weights are read */
  if (!rnn_run_config_check (cfg, NULL, NULL, info, &err)) {
    gchar *from = gst_rnn_settings_from_file_text (s, ms);

    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s%s%s%s%s", err->message,
            from ? " Taken from the model file \"" : "",
            from ? s->model_path : "", from ? "\": " : "", from ? from : ""),
        (NULL));
    g_free (from);
    g_clear_error (&err);
    return NULL;
  }
  cfg->feed = info->feed;
  cfg->hop = info->hop;

  model = gst_rnn_load_models (self, s->model_path, s->precision, cfg, info,
      decoder, &err, &debug);
  if (model == NULL) {
    gst_rnn_post_gerror (self, GST_MESSAGE_ERROR, err, debug, GST_FUNCTION,
        __LINE__);
    g_clear_error (&err);
  }
  return model;
}

/* Load the file the 'model' property names and publish the configuration
 * in force.  If the application sets another file while this one loads,
 * or the file is rewritten meanwhile, load again.  Posts an error and
 * returns NULL on failure. */
RnnModel *
gst_rnn_load_configured (GstRnn * self, RnnModel ** decoder, gchar ** path)
{
  RnnModel *model = NULL;
  GstRnnSettings s = { NULL, };
  RnnModelSettings ms;
  RnnRunConfig cfg;
  RnnRunInfo info;

  *decoder = NULL;
  for (;;) {
    const gchar *why;
    gboolean same;

    GST_OBJECT_LOCK (self);
    s = self->settings;
    s.model_path = g_strdup (s.model_path);
    GST_OBJECT_UNLOCK (self);

    model = gst_rnn_load_once (self, &s, &ms, &cfg, &info, decoder);
    if (model == NULL)
      goto failed;

    /* the settings read first and the weights must come from one file */
    if (memcmp (rnn_model_get_settings (model), &ms, sizeof ms) != 0) {
      why = "the file was rewritten while it loaded";
    } else {
      GST_OBJECT_LOCK (self);
      same = g_strcmp0 (s.model_path, self->settings.model_path) == 0;
      if (same) {
        self->config.run = cfg;
        self->config.info = info;
      }
      GST_OBJECT_UNLOCK (self);
      if (same) {
        gst_rnn_settings_publish (self, &s);
        gst_rnn_warn_ignored_keys (self, model, s.model_path);
        break;
      }
      why = "'model' changed while it loaded";
    }
    GST_INFO_OBJECT (self, "\"%s\": %s: loading again", s.model_path, why);
    g_clear_pointer (&model, rnn_model_unref);
    g_clear_pointer (decoder, rnn_model_unref);
    g_free (s.model_path);
  }

  if (info.output != RNN_OUTPUT_BLOCK && cfg.mode != RNN_MODE_N_TO_N)
    GST_INFO_OBJECT (self, "window %u, hop %u, steps %u, feed %s, %s",
        cfg.window, cfg.hop, cfg.steps,
        gst_rnn_feed_nick ((GstRnnFeed) cfg.feed),
        cfg.carry_state ? "state carried" : "zero state");

  *path = s.model_path;
  return model;

failed:
  g_clear_pointer (&model, rnn_model_unref);
  g_clear_pointer (decoder, rnn_model_unref);
  g_free (s.model_path);
  return NULL;
}

/* Leave @model (and @decoder), loaded from @path, for the streaming thread
 * to switch to at the next buffer; 'model' names @path from now on.  If
 * the element stopped meanwhile, the next start loads @path instead.
 * Takes the models. */
static void
gst_rnn_request_swap (GstRnn * self, const gchar * path, RnnModel * model,
    RnnModel * decoder)
{
  RnnModel *old_model, *old_decoder;

  GST_OBJECT_LOCK (self);
  if (self->config.info.input_size == 0) {
    /* stopped meanwhile: the next start loads it */
    g_free (self->settings.model_path);
    self->settings.model_path = g_strdup (path);
    GST_OBJECT_UNLOCK (self);
    rnn_model_unref (model);
    g_clear_pointer (&decoder, rnn_model_unref);
    return;
  }
  old_model = self->requests.model;
  old_decoder = self->requests.decoder;
  self->requests.model = model;
  self->requests.decoder = decoder;
  g_free (self->requests.path);
  self->requests.path = g_strdup (path);
  g_free (self->settings.model_path);
  self->settings.model_path = g_strdup (path);
  GST_OBJECT_UNLOCK (self);

  if (old_model) {
    GST_INFO_OBJECT (self, "a model set before was never used: replaced");
    rnn_model_unref (old_model);
  }
  g_clear_pointer (&old_decoder, rnn_model_unref);
}

/* Setting 'model'.  Not running: remembered for the next start.  Running:
 * load and check the file here, in the caller's thread, and leave it for
 * the streaming thread to switch to at the next buffer; a file that cannot
 * replace the running model is refused with a WARNING. */
void
gst_rnn_set_model (GstRnn * self, const gchar * path)
{
  RnnModel *model, *decoder = NULL;
  RnnRunConfig cfg;
  RnnRunInfo info;
  guint in_size, F;
  gchar *running, *debug = NULL;
  GError *err = NULL;
  GstRnnPrecision precision;

  GST_OBJECT_LOCK (self);
  if (self->config.info.input_size == 0) {
    g_free (self->settings.model_path);
    self->settings.model_path = g_strdup (path);
    GST_OBJECT_UNLOCK (self);
    return;
  }
  cfg = self->config.run;
  precision = self->settings.precision;
  in_size = self->config.info.input_size;
  running = g_strdup (self->settings.model_path);
  GST_OBJECT_UNLOCK (self);

  if (path == NULL || path[0] == '\0') {
    GST_ELEMENT_WARNING (self, RESOURCE, NOT_FOUND,
        ("No model given: keeping \"%s\" (the model cannot be unset while "
            "the element runs).", running), (NULL));
    goto done;
  }

  GST_INFO_OBJECT (self, "loading \"%s\" to replace \"%s\"", path, running);
  model = gst_rnn_load_models (self, path, precision, &cfg, &info, &decoder,
      &err, &debug);
  if (model == NULL) {
    GError *w = g_error_new (err->domain, err->code, "%s Keeping the running "
        "model \"%s\".", err->message, running);

    gst_rnn_post_gerror (self, GST_MESSAGE_WARNING, w, debug, GST_FUNCTION,
        __LINE__);
    g_error_free (w);
    g_error_free (err);
    goto done;
  }
  g_free (debug);
  F = rnn_model_get_input_size (model);
  if (F != in_size) {
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("Model \"%s\" reads %u values per stream and frame but the running "
            "model \"%s\" reads %u: the input format cannot change while the "
            "element runs. Keeping \"%s\" (set the new model in the READY "
            "state to use it).", path, F, running, in_size, running),
        (NULL));
    rnn_model_unref (model);
    g_clear_pointer (&decoder, rnn_model_unref);
    goto done;
  }

  gst_rnn_settings_check_swap (self, model, path, &cfg);
  gst_rnn_warn_ignored_keys (self, model, path);
  gst_rnn_request_swap (self, path, model, decoder);

done:
  g_free (running);
}

/* A hot swap whose output caps change: does downstream accept those of a
 * model that makes @info of the configuration, for @incaps?  If not,
 * warn, and let the 'model' property name the running file again, unless
 * another was set meanwhile. */
static gboolean
gst_rnn_downstream_accepts (GstRnn * self, GstCaps * incaps,
    const RnnRunInfo * info, const gchar * path)
{
  GstRnnCapsMap m;
  GstCaps *want, *peer;
  gboolean ok;

  gst_rnn_caps_map_for (&m, info, self->config.run.batch_first);
  want = gst_rnn_map_caps (GST_PAD_SINK, incaps, &m);
  peer = gst_pad_peer_query_caps (GST_BASE_TRANSFORM_SRC_PAD (self), want);
  ok = !gst_caps_is_empty (peer);
  if (!ok) {
    gchar *str = gst_caps_to_string (want);

    GST_ELEMENT_WARNING (self, CORE, NEGOTIATION,
        ("Model \"%s\" outputs %u values per stream and frame (the running "
            "model \"%s\": %u), and downstream does not accept the new "
            "output format. Keeping \"%s\".", path, info->output_size,
            self->stream.running_path, self->config.info.output_size,
            self->stream.running_path), ("refused caps: %s", str));
    g_free (str);
    GST_OBJECT_LOCK (self);
    if (g_strcmp0 (self->settings.model_path, path) == 0) {
      g_free (self->settings.model_path);
      self->settings.model_path = g_strdup (self->stream.running_path);
    }
    GST_OBJECT_UNLOCK (self);
  }
  gst_caps_unref (peer);
  gst_caps_unref (want);
  return ok;
}

/* Put @model (and @decoder, taking them and @path) in place of the running
 * one(s), with @info in force, and make the runner anew: now for unchanged
 * caps, else through the renegotiation before the next buffer.  Returns
 * the previous path. */
static gchar *
gst_rnn_install_model (GstRnn * self, RnnModel * model, RnnModel * decoder,
    gchar * path, const RnnRunInfo * info, GstCaps * incaps,
    gboolean renegotiate)
{
  GstPad *srcpad = GST_BASE_TRANSFORM_SRC_PAD (self);
  gchar *previous;

  g_rec_mutex_lock (&self->state_lock);
  g_clear_pointer (&self->stream.model, rnn_model_unref);
  g_clear_pointer (&self->stream.decoder, rnn_model_unref);
  self->stream.model = model;
  self->stream.decoder = decoder;
  previous = self->stream.running_path;
  self->stream.running_path = path;

  GST_OBJECT_LOCK (self);
  self->config.info = *info;
  GST_OBJECT_UNLOCK (self);

  gst_rnn_free_stream (self);
  if (incaps) {
    GstCaps *outcaps = gst_pad_get_current_caps (srcpad);

    if (renegotiate || outcaps == NULL) {
      /* the base class renegotiates before the buffer; set_caps then
       * makes the runner */
      gst_base_transform_reconfigure_src (GST_BASE_TRANSFORM (self));
    } else {
      gst_rnn_configure (self, incaps, outcaps);
    }
    if (outcaps)
      gst_caps_unref (outcaps);
  }
  gst_rnn_reset (self, GST_RNN_RESET, "model changed");
  g_rec_mutex_unlock (&self->state_lock);
  return previous;
}

/* Streaming thread, between two input buffers: switch to the loaded
 * @model (and @decoder), taking them and @path.  The state is reset; the
 * output caps are renegotiated when the output format changes, which
 * downstream must accept, else the old model stays. */
static void
gst_rnn_swap_model (GstRnn * self, RnnModel * model, RnnModel * decoder,
    gchar * path)
{
  RnnRunInfo old, info;
  gboolean caps_change, tensors;
  GstCaps *incaps;
  gchar *previous;

  GST_OBJECT_LOCK (self);
  old = self->config.info;
  tensors = self->stream.in_fmt.tensors;
  GST_OBJECT_UNLOCK (self);
  /* checked when it was loaded, with the same configuration */
  if (!rnn_run_config_check (&self->config.run, model, decoder, &info,
          NULL)) {
    g_critical ("model \"%s\" no longer fits the configuration", path);
    rnn_model_unref (model);
    g_clear_pointer (&decoder, rnn_model_unref);
    g_free (path);
    return;
  }

  caps_change = info.output != RNN_OUTPUT_WINDOW_SCORES
      && (info.output_size != old.output_size || (tensors
          && info.frames_per_result != old.frames_per_result));
  incaps = self->stream.in_caps ? gst_caps_ref (self->stream.in_caps) : NULL;

  if (caps_change && incaps && !gst_rnn_downstream_accepts (self, incaps,
          &info, path)) {
    rnn_model_unref (model);
    g_clear_pointer (&decoder, rnn_model_unref);
    g_free (path);
    gst_caps_unref (incaps);
    return;
  }

  /* frames held back end a sequence: run them with the model they came
   * for */
  if (old.latency > 0) {
    GstRnnBufferSettings now;

    gst_rnn_settings_snapshot (self, &now);
    gst_rnn_drain (self, &now);
  }

  previous = gst_rnn_install_model (self, model, decoder, path, &info,
      incaps, caps_change);
  if (incaps)
    gst_caps_unref (incaps);

  GST_INFO_OBJECT (self, "switched from \"%s\" to \"%s\" (output %u -> %u "
      "values per stream%s)", previous, path, old.output_size,
      info.output_size, caps_change ? ", renegotiating" : "");
  if (info.latency != old.latency)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_latency (GST_OBJECT (self)));
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self),
          gst_structure_new ("rnn-model-changed", "model", G_TYPE_STRING,
              path, "previous-model", G_TYPE_STRING, previous,
              "output-size", G_TYPE_UINT, info.output_size, NULL)));
  g_free (previous);
}

/* Before an input buffer: switch to the model set while playing, if one
 * is pending.  Returns whether one was (switched to or refused). */
gboolean
gst_rnn_swap_pending (GstRnn * self)
{
  RnnModel *model, *decoder;
  gchar *path;

  GST_OBJECT_LOCK (self);
  model = g_steal_pointer (&self->requests.model);
  decoder = g_steal_pointer (&self->requests.decoder);
  path = g_steal_pointer (&self->requests.path);
  GST_OBJECT_UNLOCK (self);

  if (model != NULL)
    gst_rnn_swap_model (self, model, decoder, path);
  return model != NULL;
}

/* After the base class has taken the first input buffer since a swap:
 * when the renegotiation found the caps unchanged, set_caps was not
 * called, so make the state for the current caps here. */
void
gst_rnn_swap_configure (GstRnn * self)
{
  g_rec_mutex_lock (&self->state_lock);
  if (self->stream.runner == NULL) {
    GstPad *sink = GST_BASE_TRANSFORM_SINK_PAD (self);
    GstPad *src = GST_BASE_TRANSFORM_SRC_PAD (self);
    GstCaps *in = gst_pad_get_current_caps (sink);
    GstCaps *out = gst_pad_get_current_caps (src);

    if (in && out)
      gst_rnn_configure (self, in, out);
    if (in)
      gst_caps_unref (in);
    if (out)
      gst_caps_unref (out);
  }
  g_rec_mutex_unlock (&self->state_lock);
}

GBytes *
gst_rnn_snapshot_action (GstRnn * self)
{
  GBytes *snap = NULL;

  g_rec_mutex_lock (&self->state_lock);
  if (self->stream.runner != NULL) {
    snap = rnn_state_snapshot (rnn_runner_get_state (self->stream.runner));
  } else if (self->stream.model != NULL && self->stream.last_batch > 0) {
    /* a hot swap is renegotiating the caps: the state in force is the new
     * model's, reset */
    RnnState *zero = rnn_state_new (self->stream.model,
        self->stream.last_batch, 1, NULL);

    if (zero)
      snap = rnn_state_snapshot (zero);
    g_clear_pointer (&zero, rnn_state_free);
  }
  g_rec_mutex_unlock (&self->state_lock);

  if (snap == NULL)
    GST_WARNING_OBJECT (self, "snapshot: no state yet (no caps received)");
  else
    GST_DEBUG_OBJECT (self, "snapshot of %" G_GSIZE_FORMAT " bytes",
        g_bytes_get_size (snap));
  return snap;
}

gboolean
gst_rnn_restore_action (GstRnn * self, GBytes * snapshot)
{
  RnnModel *model = NULL;
  GBytes *old;
  guint batch = 0;

  if (snapshot == NULL) {
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("Could not restore the state: no snapshot given."), (NULL));
    return FALSE;
  }

  g_rec_mutex_lock (&self->state_lock);
  if (self->stream.model != NULL) {
    model = rnn_model_ref (self->stream.model);
    batch = self->stream.runner ? self->stream.batch : 0;
  }
  g_rec_mutex_unlock (&self->state_lock);

  /* Check it now against the running model (and streams, once known),
   * with the core's own words. */
  if (model != NULL) {
    GError *err = NULL;
    gboolean ok = rnn_snapshot_check (model, batch, snapshot, NULL, &err);

    rnn_model_unref (model);
    if (!ok) {
      GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
          ("Could not restore the state: %s", err->message),
          ("the state is unchanged"));
      g_clear_error (&err);
      return FALSE;
    }
  }

  GST_OBJECT_LOCK (self);
  old = self->requests.restore;
  self->requests.restore = g_bytes_ref (snapshot);
  GST_OBJECT_UNLOCK (self);
  g_clear_pointer (&old, g_bytes_unref);
  GST_INFO_OBJECT (self, "snapshot of %" G_GSIZE_FORMAT " bytes accepted: "
      "restored before the next buffer", g_bytes_get_size (snapshot));
  return TRUE;
}
