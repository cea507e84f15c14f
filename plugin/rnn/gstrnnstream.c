/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnn element: the per-stream runtime.  The states and scratch
 * memory made for the negotiated caps, their reset and release, and the
 * checks and resets due at the start of every input buffer.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstrnn-private.h"

void
gst_rnn_reset (GstRnn * self, GstRnnReset why, const gchar * text)
{
  GST_DEBUG_OBJECT (self, "resetting state: %s", text);
  if (self->stream.runner)
    rnn_runner_reset (self->stream.runner);
  if (why == GST_RNN_RESET_FLUSH)
    gst_rnn_release_input (self);
  if (why == GST_RNN_RESET_START)
    g_atomic_int_set (&self->requests.reset, 0);
  gst_rnn_time_reset (&self->stream.time, why);
  gst_rnn_non_finite_reset (&self->stream.nf);
  gst_rnn_posted_reset (&self->stream.posted);
  if (why != GST_RNN_RESET_QUIET)
    self->stream.discont_pending = TRUE;
}

/* Free the runner made for the caps, before it is made anew for other caps
 * or another model, and at stop.  State lock held. */
void
gst_rnn_free_stream (GstRnn * self)
{
  g_clear_pointer (&self->stream.runner, rnn_runner_free);
  gst_rnn_time_clear (&self->stream.time);
  gst_rnn_posted_clear (&self->stream.posted);
  gst_rnn_non_finite_clear (&self->stream.nf);
  gst_rnn_release_input (self);
  gst_caps_replace (&self->stream.in_caps, NULL);
  self->stream.cursor = 0;
  self->stream.batch = 0;
  self->stream.in_frame_bytes = 0;
  self->stream.out_frame_bytes = 0;
}

/* The runner of @B streams for the running model(s) and the configuration
 * in force.  Posts an error and returns FALSE when the core cannot make
 * it. */
static gboolean
gst_rnn_make_runner (GstRnn * self, guint B)
{
  RnnRunConfig cfg = self->config.run;
  GError *err = NULL;

  GST_OBJECT_LOCK (self);
  cfg.threads = self->settings.threads;
  cfg.non_finite = (RnnNonFinite) self->settings.non_finite;
  GST_OBJECT_UNLOCK (self);
  cfg.batch = B;
  self->stream.runner = rnn_runner_new (self->stream.model,
      self->stream.decoder, &cfg, &err);
  if (self->stream.runner == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT,
        ("Could not create the state for %u streams: %s", B, err->message),
        (NULL));
    g_clear_error (&err);
    return FALSE;
  }
  rnn_runner_set_non_finite_func (self->stream.runner,
      gst_rnn_state_non_finite, self);
  return TRUE;
}

/* Make the runner for @incaps -> @outcaps and the running model.
 * Streaming thread, state_lock held. */
gboolean
gst_rnn_configure (GstRnn * self, GstCaps * incaps, GstCaps * outcaps)
{
  const RnnRunInfo *info = &self->config.info;
  GstClockTime latency;
  GstRnnFormat in;
  guint B;

  if (self->stream.model == NULL)
    return FALSE;

  if (self->stream.in_caps && self->stream.runner
      && gst_caps_is_equal (incaps, self->stream.in_caps)) {
    GST_DEBUG_OBJECT (self, "same caps, keeping the state");
    return TRUE;
  }

  /* the base class asks again at every buffer: one cause, one error */
  if (self->stream.refused_caps
      && gst_caps_is_equal (incaps, self->stream.refused_caps))
    return FALSE;
  if (!gst_rnn_check_caps (self, incaps, outcaps, &in, &B)) {
    gst_caps_replace (&self->stream.refused_caps, incaps);
    return FALSE;
  }
  gst_caps_replace (&self->stream.refused_caps, NULL);

  gst_rnn_free_stream (self);
  if (!gst_rnn_make_runner (self, B)) {
    gst_rnn_free_stream (self);
    return FALSE;
  }

  self->stream.batch = self->stream.last_batch = B;
  latency = gst_rnn_latency (self);
  GST_OBJECT_LOCK (self);
  self->stream.in_fmt = in;
  GST_OBJECT_UNLOCK (self);
  /* the latency is a number of frames: a new rate changes it */
  if (gst_rnn_latency (self) != latency)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_latency (GST_OBJECT (self)));
  self->stream.in_frame_bytes = (gsize) B * info->input_size * sizeof (float);
  self->stream.out_frame_bytes = info->output == RNN_OUTPUT_WINDOW_SCORES ?
      self->stream.in_frame_bytes :
      (gsize) B * info->output_size * sizeof (float);
  if (info->output != RNN_OUTPUT_BLOCK)
    gst_rnn_timeline_init (&self->stream.time.timeline,
        self->config.run.window);
  gst_rnn_non_finite_init (&self->stream.nf, B);
  self->stream.in_caps = gst_caps_ref (incaps);

  gst_rnn_reset (self, GST_RNN_RESET_CAPS, "caps changed");

  GST_INFO_OBJECT (self, "%u stream(s) of %u -> %u floats per frame, %s, "
      "%d/%d steps/s, mode %s%s", B, info->input_size, info->output_size,
      self->config.run.batch_first ? "(B, T, F)" : "(T, B, F)", in.steps_n,
      in.steps_d, gst_rnn_mode_nick ((GstRnnMode) self->config.run.mode),
      info->latency ? ", windowed" : "");
  return TRUE;
}

/* Checks and resets due at the start of an input buffer: frame size,
 * reset signal, DISCONT and GAP flags, timestamp jumps; the buffer's
 * settings snapshot and non-finite policy.  *@reset: whether the caller
 * must reset the state (then call gst_rnn_apply_restore()).  State lock
 * held. */
GstFlowReturn
gst_rnn_begin_buffer (GstRnn * self, GstBuffer * inbuf, GstRnnReset * reset)
{
  const GstRnnBufferSettings *now = &self->stream.now;
  gsize size = gst_buffer_get_size (inbuf);
  GstRnnDiscont d;
  gsize n;

  *reset = GST_RNN_KEEP;
  self->stream.time.mark_discont = FALSE;
  if (self->stream.runner == NULL || self->stream.in_frame_bytes == 0)
    return GST_FLOW_NOT_NEGOTIATED;

  if (size % self->stream.in_frame_bytes != 0) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("Buffer of %" G_GSIZE_FORMAT " bytes is not a whole number of "
            "frames: one frame is %u stream(s) x %u floats = %" G_GSIZE_FORMAT
            " bytes.", size, self->stream.batch,
            self->config.info.input_size, self->stream.in_frame_bytes),
        (NULL));
    return GST_FLOW_ERROR;
  }
  n = size / self->stream.in_frame_bytes;

  /* the one read of the settings for this buffer */
  gst_rnn_settings_snapshot (self, &self->stream.now);

  if (g_atomic_int_compare_and_exchange (&self->requests.reset, 1, 0)) {
    GST_INFO_OBJECT (self, "resetting on the reset signal");
    *reset = GST_RNN_RESET;
  }

  d = gst_rnn_detect_discont (self, inbuf, n, now->timestamp_policy,
      now->timestamp_tolerance, now->reset_on_discont);
  if (d != GST_RNN_CONTINUOUS) {
    if (!now->reset_on_discont)
      GST_DEBUG_OBJECT (self, "discontinuity: keeping the state");
    else if (d & (GST_RNN_DISCONT_FLAG | GST_RNN_DISCONT_JUMP))
      *reset = GST_RNN_RESET;
    else if (*reset == GST_RNN_KEEP)
      *reset = GST_RNN_RESET_QUIET;
    if ((d & GST_RNN_DISCONT_JUMP) && !(d & GST_RNN_DISCONT_FLAG)) {
      /* data is missing and upstream did not say so: tell downstream */
      self->stream.discont_pending = TRUE;
      self->stream.time.mark_discont = TRUE;
    }
  }

  /* Non-finite input: scanned where the buffer is mapped
   * (gst_rnn_check_input()); its time under the policy, for messages */
  gst_rnn_non_finite_begin (&self->stream.nf, now->non_finite,
      gst_rnn_buffer_frame_time (self, 0));
  rnn_runner_set_non_finite (self->stream.runner,
      (RnnNonFinite) now->non_finite);
  return GST_FLOW_OK;
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
  if (snap == NULL || self->stream.runner == NULL) {
    g_clear_pointer (&snap, g_bytes_unref);
    return;
  }
  if (rnn_state_restore (rnn_runner_get_state (self->stream.runner), snap,
          &err)) {
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
