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

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstrnn-private.h"

/* Turn a core load error for @path into an element error (domain
 * GST_RESOURCE_ERROR) with the code and debug text the element posts. */
static void
gst_rnn_load_error (const gchar * path, GError * err, GError ** error,
    gchar ** debug)
{
  if (g_error_matches (err, RNN_ERROR, RNN_ERROR_IO)) {
    if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
      g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
          "Could not load model \"%s\": %s", path, err->message);
      *debug = g_strdup ("the file does not exist");
    } else {
      g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ,
          "Could not load model \"%s\": %s", path, err->message);
    }
  } else {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
        "Could not load model \"%s\": %s", path, err->message);
    *debug = g_strdup_printf ("the file is not a model the rnn core can run "
        "(error %d)", err->code);
  }
}

/* Check the property combination of @mode and resolve feed=auto.  Posts
 * an error naming the property and returns FALSE on a bad one. */
static gboolean
gst_rnn_check_config (GstRnn * self, GstRnnMode mode, guint window,
    GstRnnFeed * feed)
{
  const gchar *mode_nick = gst_rnn_mode_nick (mode);

  switch (mode) {
    case GST_RNN_MODE_N_TO_N:
    case GST_RNN_MODE_N_TO_1:
      if (*feed != GST_RNN_FEED_AUTO) {
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            ("Property 'feed' (%s) does not apply to mode=%s: it chooses "
                "the input of generation steps in modes 1-to-n and n-to-m. "
                "Leave it at 'auto'.", gst_rnn_feed_nick (*feed), mode_nick),
            (NULL));
        return FALSE;
      }
      break;
    case GST_RNN_MODE_1_TO_N:
      if (*feed == GST_RNN_FEED_AUTO)
        *feed = GST_RNN_FEED_REPEAT;
      if (*feed == GST_RNN_FEED_CONTEXT) {
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            ("Property 'feed' is 'context', which needs an encoder "
                "(mode=n-to-m); mode=1-to-n takes feed=repeat, first or "
                "feedback."), (NULL));
        return FALSE;
      }
      break;
    case GST_RNN_MODE_N_TO_M:
      if (*feed == GST_RNN_FEED_AUTO)
        *feed = GST_RNN_FEED_CONTEXT;
      if (*feed != GST_RNN_FEED_CONTEXT && *feed != GST_RNN_FEED_FEEDBACK) {
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            ("Property 'feed' is '%s', which mode=n-to-m does not take: the "
                "decoder is fed feed=context or feed=feedback.",
                gst_rnn_feed_nick (*feed)), (NULL));
        return FALSE;
      }
      break;
  }

  if ((mode == GST_RNN_MODE_N_TO_1 || mode == GST_RNN_MODE_N_TO_M)
      && window == 0) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("mode=%s needs a window: set the 'window' property to the number "
            "of frames per window (>= 1).", mode_nick), (NULL));
    return FALSE;
  }
  return TRUE;
}

/* n-to-m: the encoder's final state must fit the decoder, and the feed
 * must fit both.  Sets @error (RESOURCE, SETTINGS) otherwise. */
static gboolean
gst_rnn_check_seq2seq (const gchar * path, RnnModel * enc, RnnModel * dec,
    GstRnnFeed feed, GError ** error)
{
  if (rnn_model_is_bidirectional (dec)) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "The decoder of \"%s\" is bidirectional: it generates frame by "
        "frame, which a bidirectional network cannot do.", path);
    return FALSE;
  }
  if (rnn_model_get_cell (enc) != rnn_model_get_cell (dec)
      || rnn_model_get_num_layers (enc) != rnn_model_get_num_layers (dec)
      || rnn_model_is_bidirectional (enc)
      || rnn_model_get_hidden_size (enc) != rnn_model_get_hidden_size (dec)
      || rnn_model_get_proj_size (enc) != rnn_model_get_proj_size (dec)) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "The encoder's final state cannot initialise the decoder in \"%s\": "
        "encoder %s, %u layer(s), %u direction(s), hidden %u, proj %u "
        "(h_n %" G_GSIZE_FORMAT " values per stream) vs decoder %s, %u "
        "layer(s), 1 direction, hidden %u, proj %u (h0 %" G_GSIZE_FORMAT
        " values per stream). They need the same cell, layers, "
        "directions and sizes.", path,
        rnn_cell_name (rnn_model_get_cell (enc)),
        rnn_model_get_num_layers (enc),
        rnn_model_is_bidirectional (enc) ? 2 : 1,
        rnn_model_get_hidden_size (enc), rnn_model_get_proj_size (enc),
        rnn_model_get_h_size (enc, 1),
        rnn_cell_name (rnn_model_get_cell (dec)),
        rnn_model_get_num_layers (dec), rnn_model_get_hidden_size (dec),
        rnn_model_get_proj_size (dec), rnn_model_get_h_size (dec, 1));
    return FALSE;
  }
  if (feed == GST_RNN_FEED_CONTEXT && rnn_model_get_input_size (dec) !=
      rnn_model_get_rnn_output_size (enc)) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "feed=context feeds the encoder's top-layer output (%u values) to "
        "the decoder at every step, but the decoder's input size is %u "
        "(model \"%s\").", rnn_model_get_rnn_output_size (enc),
        rnn_model_get_input_size (dec), path);
    return FALSE;
  }
  if (feed == GST_RNN_FEED_FEEDBACK && (rnn_model_get_input_size (dec) !=
          rnn_model_get_output_size (dec) || rnn_model_get_input_size (dec) !=
          rnn_model_get_input_size (enc))) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "feed=feedback feeds the window's last input frame and then each "
        "output back to the decoder, so the decoder's input size (%u), "
        "its output size (%u) and the encoder's input size (%u) must be "
        "equal (model \"%s\").", rnn_model_get_input_size (dec),
        rnn_model_get_output_size (dec), rnn_model_get_input_size (enc),
        path);
    return FALSE;
  }
  return TRUE;
}

/* n-to-m: load the encoder and the decoder from @path and check that they
 * fit each other and @feed.  Returns the encoder and *@decoder, or NULL
 * with @error set (and maybe *@debug), as gst_rnn_load_models(). */
static RnnModel *
gst_rnn_load_seq2seq (const gchar * path, GstRnnFeed feed,
    RnnModel ** decoder, GError ** error, gchar ** debug)
{
  /* One file, two recurrent modules; the head (if any) belongs to the
   * decoder and is found as for any model (rnn.head, else the one
   * Linear layer whose input fits). */
  RnnLoadOptions enc_opt = {.prefix = "encoder.",.no_head = TRUE };
  RnnLoadOptions dec_opt = {.prefix = "decoder." };
  RnnModel *model, *dec;
  GError *err = NULL;

  model = rnn_model_load (path, &enc_opt, &err);
  if (model == NULL) {
    if (g_error_matches (err, RNN_ERROR, RNN_ERROR_MODEL))
      g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
          "mode=n-to-m needs an encoder-decoder model (keys 'encoder.*' "
          "and 'decoder.*'), but the encoder of \"%s\" cannot be "
          "loaded: %s", path, err->message);
    else
      gst_rnn_load_error (path, err, error, debug);
    g_clear_error (&err);
    return NULL;
  }
  dec = rnn_model_load (path, &dec_opt, &err);
  if (dec == NULL) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
        "mode=n-to-m needs an encoder-decoder model, but \"%s\" has no "
        "usable decoder (keys 'decoder.*'): %s", path, err->message);
    g_clear_error (&err);
    rnn_model_unref (model);
    return NULL;
  }
  if (!gst_rnn_check_seq2seq (path, model, dec, feed, error)) {
    rnn_model_unref (model);
    rnn_model_unref (dec);
    return NULL;
  }
  *decoder = dec;
  return model;
}

/* Can @model (from @path) run in @mode with @window and @feed?  A
 * bidirectional model needs a window in n-to-n and cannot generate in
 * 1-to-n; 1-to-n with feed=feedback needs as many outputs as inputs.
 * Sets @error (RESOURCE, SETTINGS) otherwise. */
static gboolean
gst_rnn_check_mode (GstRnn * self, const gchar * path, RnnModel * model,
    GstRnnMode mode, guint window, GstRnnFeed feed, GError ** error)
{
  gboolean bidirectional = rnn_model_is_bidirectional (model);

  switch (mode) {
    case GST_RNN_MODE_N_TO_N:
      if (bidirectional && window == 0) {
        g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
            "Model \"%s\" is bidirectional: its reverse direction reads the "
            "sequence from the end, so it needs the whole sequence and "
            "cannot run frame by frame on a stream. Set window=N to run "
            "it on independent windows of N frames (adds N frames of "
            "latency).", path);
        return FALSE;
      }
      if (!bidirectional && window > 0)
        GST_INFO_OBJECT (self, "window=%u ignored: the model is "
            "unidirectional and runs frame by frame", window);
      break;
    case GST_RNN_MODE_1_TO_N:
      if (bidirectional) {
        g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
            "Model \"%s\" is bidirectional, but mode=1-to-n generates "
            "frames one step at a time, which a bidirectional network "
            "cannot do (its reverse direction needs the whole "
            "sequence). Use a unidirectional model.", path);
        return FALSE;
      }
      if (feed == GST_RNN_FEED_FEEDBACK && rnn_model_get_output_size (model)
          != rnn_model_get_input_size (model)) {
        g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
            "feed=feedback feeds each output back as the next input, so "
            "the model's output size (%u) must equal its input size (%u) "
            "(model \"%s\").", rnn_model_get_output_size (model),
            rnn_model_get_input_size (model), path);
        return FALSE;
      }
      break;
    case GST_RNN_MODE_N_TO_1:
    case GST_RNN_MODE_N_TO_M:
      break;
  }

  return TRUE;
}

/* Load the network(s) in @path and check that they can run in @mode with
 * @window and the resolved @feed.  Returns the model (the encoder in
 * n-to-m, the decoder in *@decoder) or NULL with @error set in the
 * GST_RESOURCE_ERROR domain (text for the user, naming the file and the
 * reason) and maybe *@debug.  Touches no element state: called by start()
 * and, for a hot swap, by the thread setting the property. */
static RnnModel *
gst_rnn_load_models (GstRnn * self, const gchar * path, GstRnnMode mode,
    guint window, GstRnnFeed feed, RnnModel ** decoder, GError ** error,
    gchar ** debug)
{
  RnnModel *model, *dec = NULL;
  GError *err = NULL;

  *decoder = NULL;
  *debug = NULL;
  if (mode == GST_RNN_MODE_N_TO_M) {
    model = gst_rnn_load_seq2seq (path, feed, &dec, error, debug);
    if (model == NULL)
      return NULL;
  } else {
    model = rnn_model_load (path, NULL, &err);
    if (model == NULL) {
      gst_rnn_load_error (path, err, error, debug);
      g_clear_error (&err);
      return NULL;
    }
  }

  if (!gst_rnn_check_mode (self, path, model, mode, window, feed, error)) {
    rnn_model_unref (model);
    g_clear_pointer (&dec, rnn_model_unref);
    return NULL;
  }

  GST_INFO_OBJECT (self, "loaded \"%s\": %s, input %u, hidden %u, proj %u, "
      "%u layer(s), %s, %s, output %u; mode %s", path,
      rnn_cell_name (rnn_model_get_cell (model)),
      rnn_model_get_input_size (model), rnn_model_get_hidden_size (model),
      rnn_model_get_proj_size (model), rnn_model_get_num_layers (model),
      rnn_model_is_bidirectional (model) ? "bidirectional" : "unidirectional",
      rnn_model_has_head (model) ? "with head" : "no head",
      rnn_model_get_output_size (dec ? dec : model), gst_rnn_mode_nick (mode));
  *decoder = dec;
  return model;
}

/* Post @error (GST_RESOURCE_ERROR domain) as an ERROR or WARNING message;
 * takes @debug. */
static void
gst_rnn_post_gerror (GstRnn * self, GstMessageType type, GError * error,
    gchar * debug, const gchar * function, gint line)
{
  GST_CAT_LEVEL_LOG (GST_CAT_DEFAULT, type == GST_MESSAGE_ERROR ?
      GST_LEVEL_ERROR : GST_LEVEL_WARNING, self, "%s", error->message);
  gst_element_message_full (GST_ELEMENT (self), type, error->domain,
      error->code, g_strdup (error->message), debug, __FILE__, function,
      line);
}

/* Put in force the properties @s, with the resolved @feed, for @model
 * (and @decoder) about to run.  Call with the object lock. */
static void
gst_rnn_publish_config (GstRnn * self, const GstRnnSettings * s,
    GstRnnFeed feed, RnnModel * model, RnnModel * decoder)
{
  GstRnnConfig *c = &self->config;

  c->mode = s->mode;
  c->batch_first = s->batch_first;
  c->window = s->window;
  c->hop = s->hop ? s->hop : s->window;
  c->steps = (s->mode == GST_RNN_MODE_1_TO_N
      || s->mode == GST_RNN_MODE_N_TO_M) ? s->steps : 1;
  c->feed = feed;
  c->carry = s->carry_state;
  c->in_size = rnn_model_get_input_size (model);
  c->out_size = rnn_model_get_output_size (decoder ? decoder : model);
  c->windowed = s->mode == GST_RNN_MODE_N_TO_N
      && rnn_model_is_bidirectional (model);
}

/* start(): load the file that 'model' names, check it against the other
 * properties and put them in force (GstRnnConfig).  If the application
 * sets another file while this one loads, load that one instead.  Returns
 * the model, *@decoder and the file's *@path (to free), or NULL with an
 * ERROR posted. */
RnnModel *
gst_rnn_load_configured (GstRnn * self, RnnModel ** decoder, gchar ** path)
{
  RnnModel *model = NULL;
  GstRnnSettings s = { NULL, };
  GstRnnFeed feed;

  *decoder = NULL;
  for (;;) {
    GError *err = NULL;
    gchar *debug = NULL;
    gboolean same;

    GST_OBJECT_LOCK (self);
    s = self->settings;
    s.model_path = g_strdup (s.model_path);
    GST_OBJECT_UNLOCK (self);
    feed = s.feed;

    if (s.model_path == NULL || s.model_path[0] == '\0') {
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
          ("No model given: set the 'model' property to a safetensors "
              "file."), (NULL));
      goto failed;
    }

    if (!gst_rnn_check_config (self, s.mode, s.window, &feed))
      goto failed;

    model = gst_rnn_load_models (self, s.model_path, s.mode, s.window, feed,
        decoder, &err, &debug);
    if (model == NULL) {
      gst_rnn_post_gerror (self, GST_MESSAGE_ERROR, err, debug,
          GST_FUNCTION, __LINE__);
      g_clear_error (&err);
      goto failed;
    }

    GST_OBJECT_LOCK (self);
    same = g_strcmp0 (s.model_path, self->settings.model_path) == 0;
    if (same)
      gst_rnn_publish_config (self, &s, feed, model, *decoder);
    GST_OBJECT_UNLOCK (self);
    if (same)
      break;
    GST_INFO_OBJECT (self, "'model' changed while \"%s\" loaded: loading "
        "the new file", s.model_path);
    g_clear_pointer (&model, rnn_model_unref);
    g_clear_pointer (decoder, rnn_model_unref);
    g_free (s.model_path);
  }

  if (s.mode == GST_RNN_MODE_N_TO_1 || s.mode == GST_RNN_MODE_N_TO_M)
    GST_INFO_OBJECT (self, "window %u, hop %u%s, steps %u, feed %s, %s",
        s.window, s.hop ? s.hop : s.window, s.hop ? "" : " (= window)",
        s.steps, gst_rnn_feed_nick (feed),
        s.carry_state ? "state carried" : "zero state");

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
  if (self->config.in_size == 0) {
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
  GstRnnMode mode;
  GstRnnFeed feed;
  guint window, in_size, F;
  gchar *running, *debug = NULL;
  GError *err = NULL;

  GST_OBJECT_LOCK (self);
  if (self->config.in_size == 0) {
    g_free (self->settings.model_path);
    self->settings.model_path = g_strdup (path);
    GST_OBJECT_UNLOCK (self);
    return;
  }
  mode = self->config.mode;
  window = self->config.window;
  feed = self->config.feed;
  in_size = self->config.in_size;
  running = g_strdup (self->settings.model_path);
  GST_OBJECT_UNLOCK (self);

  if (path == NULL || path[0] == '\0') {
    GST_ELEMENT_WARNING (self, RESOURCE, NOT_FOUND,
        ("No model given: keeping \"%s\" (the model cannot be unset while "
            "the element runs).", running), (NULL));
    goto done;
  }

  GST_INFO_OBJECT (self, "loading \"%s\" to replace \"%s\"", path, running);
  model = gst_rnn_load_models (self, path, mode, window, feed, &decoder, &err,
      &debug);
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

  gst_rnn_request_swap (self, path, model, decoder);

done:
  g_free (running);
}

/* A hot swap whose output caps change: does downstream accept those of
 * @model (@O values per stream and frame, @window_frames per tensor when
 * windowed) for @incaps?  If not, warn, and let the 'model' property
 * name the running file again, unless another was set meanwhile. */
static gboolean
gst_rnn_downstream_accepts (GstRnn * self, GstCaps * incaps,
    RnnModel * model, guint O, guint window_frames, const gchar * path)
{
  GstRnnMode mode = self->config.mode;
  GstRnnCapsMap m = {
    .mode = mode,
    .in_size = rnn_model_get_input_size (model),
    .out_size = O,
    .out_T = mode == GST_RNN_MODE_N_TO_M ? self->config.steps : window_frames,
    .t_mul = mode == GST_RNN_MODE_1_TO_N ? self->config.steps : 1,
    .batch_first = self->config.batch_first,
  };
  GstCaps *want = gst_rnn_map_caps (GST_PAD_SINK, incaps, &m);
  GstCaps *peer = gst_pad_peer_query_caps (GST_BASE_TRANSFORM_SRC_PAD (self),
      want);
  gboolean ok = !gst_caps_is_empty (peer);

  if (!ok) {
    gchar *str = gst_caps_to_string (want);

    GST_ELEMENT_WARNING (self, CORE, NEGOTIATION,
        ("Model \"%s\" outputs %u values per stream and frame (the running "
            "model \"%s\": %u), and downstream does not accept the new "
            "output format. Keeping \"%s\".", path, O,
            self->stream.running_path, self->config.out_size,
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

/* Make @model (and @decoder), loaded from @path, the running model, with
 * a state made anew for @incaps (NULL: no caps yet): at once, or, when
 * @renegotiate, after the base class has renegotiated the output caps.
 * Takes the models and @path; returns the previous model's path. */
static gchar *
gst_rnn_install_model (GstRnn * self, RnnModel * model, RnnModel * decoder,
    gchar * path, gboolean windowed, GstCaps * incaps, gboolean renegotiate)
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
  self->config.out_size = rnn_model_get_output_size (decoder ? decoder :
      model);
  self->config.windowed = windowed;
  GST_OBJECT_UNLOCK (self);

  gst_buffer_replace (&self->stream.win_inbuf, NULL);
  gst_rnn_free_stream (self);
  if (incaps) {
    GstCaps *outcaps = gst_pad_get_current_caps (srcpad);

    if (renegotiate || outcaps == NULL) {
      /* the base class renegotiates before the buffer; set_caps then
       * makes the state */
      gst_base_transform_reconfigure_src (GST_BASE_TRANSFORM (self));
    } else {
      gst_rnn_configure (self, incaps, outcaps);
    }
    if (outcaps)
      gst_caps_unref (outcaps);
  }
  gst_rnn_reset_state (self, "model changed");
  g_rec_mutex_unlock (&self->state_lock);
  return previous;
}

/* Streaming thread, between two input buffers: switch to the loaded
 * @model (and @decoder), taking them and @path.  The state is reset; the
 * output caps are renegotiated when the output width changes, which
 * downstream must accept, else the old model stays. */
static void
gst_rnn_swap_model (GstRnn * self, RnnModel * model, RnnModel * decoder,
    gchar * path)
{
  guint O = rnn_model_get_output_size (decoder ? decoder : model);
  guint old_O, old_window_frames, window, window_frames;
  gboolean old_windowed, windowed, caps_change, tensors;
  GstRnnMode mode;
  GstCaps *incaps;
  gchar *previous;

  GST_OBJECT_LOCK (self);
  mode = self->config.mode;
  window = self->config.window;
  old_O = self->config.out_size;
  old_windowed = self->config.windowed;
  old_window_frames = old_windowed ? window : 0;
  tensors = self->stream.in_fmt.tensors;
  GST_OBJECT_UNLOCK (self);

  windowed = mode == GST_RNN_MODE_N_TO_N && rnn_model_is_bidirectional (model);
  window_frames = windowed ? window : 0;
  caps_change = mode != GST_RNN_MODE_N_TO_1 && (O != old_O || (tensors
          && window_frames != old_window_frames));
  incaps = self->stream.in_caps ? gst_caps_ref (self->stream.in_caps) : NULL;

  if (caps_change && incaps && !gst_rnn_downstream_accepts (self, incaps,
          model, O, window_frames, path)) {
    rnn_model_unref (model);
    g_clear_pointer (&decoder, rnn_model_unref);
    g_free (path);
    gst_caps_unref (incaps);
    return;
  }

  /* A bidirectional model's collected frames end a sequence: run them
   * with the model they came for. */
  if (old_windowed)
    gst_rnn_drain_window (self);

  previous = gst_rnn_install_model (self, model, decoder, path, windowed,
      incaps, caps_change);
  if (incaps)
    gst_caps_unref (incaps);

  GST_INFO_OBJECT (self, "switched from \"%s\" to \"%s\" (output %u -> %u "
      "values per stream%s)", previous, path, old_O, O,
      caps_change ? ", renegotiating" : "");
  if (window_frames != old_window_frames)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_latency (GST_OBJECT (self)));
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self),
          gst_structure_new ("rnn-model-changed", "model", G_TYPE_STRING,
              path, "previous-model", G_TYPE_STRING, previous,
              "output-size", G_TYPE_UINT, O, NULL)));
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
  if (self->stream.state == NULL) {
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

/* A "restore" request is applied at a buffer boundary, after the resets
 * due there.  State lock held. */
void
gst_rnn_apply_restore (GstRnn * self)
{
  GBytes *snap;
  GError *err = NULL;

  GST_OBJECT_LOCK (self);
  snap = g_steal_pointer (&self->requests.restore);
  GST_OBJECT_UNLOCK (self);
  if (snap == NULL || self->stream.state == NULL) {
    g_clear_pointer (&snap, g_bytes_unref);
    return;
  }
  if (rnn_state_restore (self->stream.state, snap, &err)) {
    GST_INFO_OBJECT (self, "state restored from a snapshot of %"
        G_GSIZE_FORMAT " bytes", g_bytes_get_size (snap));
  } else {
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("Could not restore the state: %s", err->message),
        ("the snapshot was accepted before the model or the caps changed"));
    g_clear_error (&err);
  }
  g_bytes_unref (snap);
}

GBytes *
gst_rnn_snapshot_action (GstRnn * self)
{
  GBytes *snap = NULL;

  g_rec_mutex_lock (&self->state_lock);
  if (self->stream.state != NULL)
    snap = rnn_state_snapshot (self->stream.state);
  g_rec_mutex_unlock (&self->state_lock);

  if (snap == NULL)
    GST_WARNING_OBJECT (self, "snapshot: no state yet (no caps received)");
  else
    GST_DEBUG_OBJECT (self, "snapshot of %" G_GSIZE_FORMAT " bytes",
        g_bytes_get_size (snap));
  return snap;
}

/* The batch size a snapshot was taken with, when its size agrees with it
 * for @model; else 1 (the check then says what is wrong).  Header: see
 * rnn_state_snapshot(); the batch is the u32 at byte 48. */
static guint
gst_rnn_snapshot_batch (RnnModel * model, GBytes * snap)
{
  gsize size;
  const guint8 *p = g_bytes_get_data (snap, &size);
  guint32 b;

  if (size < 64)
    return 1;
  b = (guint32) p[48] | (guint32) p[49] << 8 | (guint32) p[50] << 16 |
      (guint32) p[51] << 24;
  if (b == 0 || b > size)
    return 1;
  if (size != 64 + 4 * (rnn_model_get_h_size (model, b) +
          rnn_model_get_c_size (model, b)))
    return 1;
  return b;
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
    batch = self->stream.state ? self->stream.batch : 0;
  }
  g_rec_mutex_unlock (&self->state_lock);

  /* Check it now against the running model (and streams, once known),
   * with the core's own words. */
  if (model != NULL) {
    GError *err = NULL;
    RnnState *check;
    gboolean ok;

    if (batch == 0)
      batch = gst_rnn_snapshot_batch (model, snapshot);
    check = rnn_state_new (model, batch, 1, &err);
    ok = check != NULL && rnn_state_restore (check, snapshot, &err);
    g_clear_pointer (&check, rnn_state_free);
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
