/* GStreamer rnn element: the per-stream runtime.  The states and scratch
 * memory made for the negotiated caps, their reset and release, and the
 * checks and resets due at the start of every input buffer.
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

/* Frames the state's scratch memory is sized for outside windowed mode;
 * the core splits longer buffers internally. */
#define RNN_STATE_FRAMES 256

/* Zero the state of every stream; the next output is marked DISCONT.
 * Streaming thread (or with the stream lock held). */
void
gst_rnn_reset_state (GstRnn * self, const gchar * why)
{
  GST_DEBUG_OBJECT (self, "resetting state: %s", why);
  if (self->stream.state)
    rnn_state_reset (self->stream.state);
  if (self->stream.dec_state)
    rnn_state_reset (self->stream.dec_state);
  self->stream.win_fill = 0;
  self->stream.win_pts = GST_CLOCK_TIME_NONE;
  self->stream.win_offset = GST_BUFFER_OFFSET_NONE;
  self->stream.frames_in = 0;
  self->stream.next_start = 0;
  self->stream.covered_end = 0;
  self->stream.discont_pending = TRUE;
}

/* Free the states and the scratch memory, before they are made anew for
 * other caps or another model, and at stop.  State lock held. */
void
gst_rnn_free_stream (GstRnn * self)
{
  g_clear_pointer (&self->stream.state, rnn_state_free);
  g_clear_pointer (&self->stream.dec_state, rnn_state_free);
  g_clear_pointer (&self->stream.chunk_in, g_free);
  g_clear_pointer (&self->stream.chunk_out, g_free);
  g_clear_pointer (&self->stream.win_in, g_free);
  g_clear_pointer (&self->stream.win_out, g_free);
  g_clear_pointer (&self->stream.ring, g_free);
  g_clear_pointer (&self->stream.ring_pts, g_free);
  g_clear_pointer (&self->stream.ring_offset, g_free);
  g_clear_pointer (&self->stream.seq_in, g_free);
  g_clear_pointer (&self->stream.seq_out, g_free);
  g_clear_pointer (&self->stream.pooled, g_free);
  g_clear_pointer (&self->stream.scores, g_free);
  g_clear_pointer (&self->stream.h_buf, g_free);
  g_clear_pointer (&self->stream.c_buf, g_free);
  g_clear_pointer (&self->stream.gen_in, g_free);
  g_clear_pointer (&self->stream.gen_out, g_free);
  g_clear_pointer (&self->stream.nf_now, g_free);
  g_clear_pointer (&self->stream.nf_before, g_free);
  self->stream.frames_in = 0;
  self->stream.next_start = 0;
  self->stream.covered_end = 0;
  gst_buffer_replace (&self->stream.win_inbuf, NULL);
  gst_caps_replace (&self->stream.in_caps, NULL);
  self->stream.win_cursor = 0;
  self->stream.batch = 0;
  self->stream.in_frame_bytes = 0;
  self->stream.out_frame_bytes = 0;
}

/* Frames per call to the core: what the states and the unaligned-memory
 * fallback are sized for. */
static guint
gst_rnn_max_frames (GstRnn * self)
{
  switch (self->config.mode) {
    case GST_RNN_MODE_N_TO_N:
      return self->config.windowed ? self->config.window : RNN_STATE_FRAMES;
    case GST_RNN_MODE_1_TO_N:
      return MIN (self->config.steps, RNN_STATE_FRAMES);
    default:
      return self->config.window;
  }
}

/* The states of @B streams, for @max_frames frames per call: the
 * network's (the encoder's in n-to-m) and, in n-to-m, the decoder's.
 * Posts an error and returns FALSE when the core cannot make them. */
static gboolean
gst_rnn_make_states (GstRnn * self, guint B, guint max_frames)
{
  gboolean n_to_m = self->config.mode == GST_RNN_MODE_N_TO_M;
  GError *err = NULL;
  guint threads;

  GST_OBJECT_LOCK (self);
  threads = self->settings.threads;
  GST_OBJECT_UNLOCK (self);
  self->stream.state = rnn_state_new (self->stream.model, B, max_frames,
      &err);
  if (self->stream.state != NULL
      && !rnn_state_set_threads (self->stream.state, threads, &err))
    g_clear_pointer (&self->stream.state, rnn_state_free);
  if (self->stream.state != NULL && n_to_m) {
    self->stream.dec_state = rnn_state_new (self->stream.decoder, B,
        MIN (self->config.steps, RNN_STATE_FRAMES), &err);
    if (self->stream.dec_state != NULL
        && !rnn_state_set_threads (self->stream.dec_state, threads, &err))
      g_clear_pointer (&self->stream.dec_state, rnn_state_free);
  }
  if (self->stream.state == NULL || (n_to_m
          && self->stream.dec_state == NULL)) {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT,
        ("Could not create the state for %u streams: %s", B, err->message),
        (NULL));
    g_clear_error (&err);
    return FALSE;
  }
  return TRUE;
}

/* The scratch memory of the mode paths for @B streams and @max_frames
 * frames per call; shapes in GstRnnStream. */
static void
gst_rnn_alloc_scratch (GstRnn * self, guint B, guint max_frames)
{
  RnnModel *model = self->stream.model;
  RnnModel *gen = self->stream.decoder ? self->stream.decoder : model;
  GstRnnMode mode = self->config.mode;
  guint F = rnn_model_get_input_size (model);
  guint O = rnn_model_get_output_size (gen);
  guint W = self->config.window;

  self->stream.chunk_frames = max_frames;
  self->stream.chunk_in = g_new (float, (gsize) max_frames * B * F);
  self->stream.chunk_out = g_new (float, (gsize) max_frames * B * O);
  if (self->config.windowed) {
    self->stream.win_in = g_new (float, (gsize) W * B * F);
    self->stream.win_out = g_new (float, (gsize) W * B * O);
  }
  if (mode == GST_RNN_MODE_N_TO_1 || mode == GST_RNN_MODE_N_TO_M) {
    guint R = rnn_model_get_rnn_output_size (model);

    self->stream.ring = g_new (float, (gsize) W * B * F);
    self->stream.ring_pts = g_new (GstClockTime, W);
    self->stream.ring_offset = g_new (guint64, W);
    self->stream.seq_in = g_new (float, (gsize) W * B * F);
    self->stream.seq_out = g_new (float, (gsize) W * B * R);
    self->stream.pooled = g_new (float, (gsize) B * R);
    self->stream.scores = g_new (float, (gsize) B * O);
  }
  /* h_n, c_n: n-to-1 pooling, n-to-m hand-over, the non-finite check */
  self->stream.h_buf = g_new (float, rnn_model_get_h_size (model, B));
  self->stream.c_buf = g_new (float,
      MAX (1, rnn_model_get_c_size (model, B)));
  self->stream.nf_now = g_new0 (gboolean, B);
  self->stream.nf_before = g_new0 (gboolean, B);
  if (mode == GST_RNN_MODE_1_TO_N || mode == GST_RNN_MODE_N_TO_M) {
    guint Fg = rnn_model_get_input_size (gen);
    gsize steps = self->config.steps;

    /* zero-filled: feed=first relies on the steps after the first */
    self->stream.gen_in = g_new0 (float, steps * B * Fg);
    self->stream.gen_out = g_new0 (float, steps * B * O);
  }
}

/* Size the state and the scratch memory for @incaps -> @outcaps and the
 * running model.  Streaming thread, state_lock held. */
gboolean
gst_rnn_configure (GstRnn * self, GstCaps * incaps, GstCaps * outcaps)
{
  GstRnnMode mode = self->config.mode;
  GstRnnFormat in;
  guint F, O, B, max_frames;

  if (self->stream.model == NULL)
    return FALSE;

  if (self->stream.in_caps && self->stream.state
      && gst_caps_is_equal (incaps, self->stream.in_caps)) {
    GST_DEBUG_OBJECT (self, "same caps, keeping the state");
    return TRUE;
  }

  if (!gst_rnn_check_caps (self, incaps, outcaps, &in, &B))
    return FALSE;

  gst_rnn_free_stream (self);
  max_frames = gst_rnn_max_frames (self);
  if (!gst_rnn_make_states (self, B, max_frames)) {
    gst_rnn_free_stream (self);
    return FALSE;
  }

  F = rnn_model_get_input_size (self->stream.model);
  O = rnn_model_get_output_size (self->stream.decoder ?
      self->stream.decoder : self->stream.model);
  self->stream.batch = B;
  GST_OBJECT_LOCK (self);
  self->stream.in_fmt = in;
  GST_OBJECT_UNLOCK (self);
  self->stream.in_frame_bytes = (gsize) B * F * sizeof (float);
  self->stream.out_frame_bytes = mode == GST_RNN_MODE_N_TO_1 ?
      self->stream.in_frame_bytes : (gsize) B * O * sizeof (float);
  gst_rnn_alloc_scratch (self, B, max_frames);
  self->stream.in_caps = gst_caps_ref (incaps);

  gst_rnn_reset_state (self, "caps changed");

  GST_INFO_OBJECT (self, "%u stream(s) of %u -> %u floats per frame, %s, "
      "%d/%d steps/s, mode %s%s", B, F, O,
      self->config.batch_first ? "(B, T, F)" : "(T, B, F)", in.steps_n,
      in.steps_d, gst_rnn_mode_nick (mode),
      self->config.windowed ? ", windowed" : "");
  return TRUE;
}

/* Checks and resets due at the start of an input buffer: frame size,
 * reset signal, DISCONT and GAP flags, timestamp jumps and non-finite
 * input.  *@reset: the caller must reset the state (then call
 * gst_rnn_apply_restore()).  State lock held. */
GstFlowReturn
gst_rnn_begin_buffer (GstRnn * self, GstBuffer * inbuf, gboolean * reset)
{
  gsize size = gst_buffer_get_size (inbuf);
  GstClockTime pts = GST_BUFFER_PTS (inbuf);
  gboolean reset_on_discont;
  gint64 tolerance;
  gsize n;

  *reset = FALSE;
  self->stream.mark_discont = FALSE;
  self->stream.buf_nonfinite = FALSE;
  if (self->stream.state == NULL || self->stream.in_frame_bytes == 0)
    return GST_FLOW_NOT_NEGOTIATED;

  if (size % self->stream.in_frame_bytes != 0) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("Buffer of %" G_GSIZE_FORMAT " bytes is not a whole number of "
            "frames: one frame is %u stream(s) x %u floats = %" G_GSIZE_FORMAT
            " bytes.", size, self->stream.batch,
            rnn_model_get_input_size (self->stream.model),
            self->stream.in_frame_bytes),
        (NULL));
    return GST_FLOW_ERROR;
  }
  n = size / self->stream.in_frame_bytes;

  GST_OBJECT_LOCK (self);
  reset_on_discont = self->settings.reset_on_discont;
  tolerance = self->settings.timestamp_tolerance;
  self->stream.buf_policy = self->settings.non_finite;
  GST_OBJECT_UNLOCK (self);

  if (g_atomic_int_compare_and_exchange (&self->requests.reset, 1, 0)) {
    GST_INFO_OBJECT (self, "resetting on the reset signal");
    *reset = TRUE;
  }

  if (gst_rnn_detect_discont (self, inbuf, n, tolerance)) {
    if (reset_on_discont) {
      GST_DEBUG_OBJECT (self, "discontinuity: resetting");
      *reset = TRUE;
    } else {
      GST_DEBUG_OBJECT (self, "discontinuity: keeping the state");
    }
    if (!GST_BUFFER_IS_DISCONT (inbuf)) {
      /* tell downstream too */
      self->stream.discont_pending = TRUE;
      self->stream.mark_discont = TRUE;
    }
  }

  /* Non-finite input */
  self->stream.buf_pts = pts;
  return gst_rnn_check_input (self, inbuf, n);
}
