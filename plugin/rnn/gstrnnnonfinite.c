/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnn element: non-finite (NaN, +-Inf) input values and states,
 * as the non-finite property says.  The core applies the policy to the
 * numbers (rnn.h, RnnNonFinite); the element scans each input buffer,
 * once, where it is mapped, to say which stream and which time (and tells
 * the runner, which then does not scan it again), and turns the core's
 * notices of non-finite states into warnings or the error.  Its fields
 * are GstRnnNonFiniteReport's (gstrnn-private.h).
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>

#include "gstrnn-private.h"

/* ---------------------------------------------------------- the data */

void
gst_rnn_non_finite_init (GstRnnNonFiniteReport * nf, guint batch)
{
  nf->now = g_new0 (gboolean, batch);
  nf->before = g_new0 (gboolean, batch);
  nf->batch = batch;
  nf->error_posted = FALSE;
}

void
gst_rnn_non_finite_reset (GstRnnNonFiniteReport * nf)
{
  nf->error_posted = FALSE;
}

void
gst_rnn_non_finite_clear (GstRnnNonFiniteReport * nf)
{
  g_clear_pointer (&nf->now, g_free);
  g_clear_pointer (&nf->before, g_free);
  nf->batch = 0;
}

/* ---------------------------------------------------------- warnings */

/* Stream @b had a non-finite input value at frame @t of the current
 * buffer (@input), or its state turned non-finite and was reset (@t is
 * then G_MAXUINT64 when the frame is not known).  Posts one WARNING per
 * run of consecutive buffers in which this happens to the stream. */
static void
gst_rnn_warn_non_finite (GstRnn * self, guint b, guint64 t, gboolean input)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstRnnNonFiniteReport *nf = &self->stream.nf;
  GstClockTime ts, running_time = GST_CLOCK_TIME_NONE;
  const gchar *policy;

  if (nf->now == NULL || nf->now[b])
    return;
  nf->now[b] = TRUE;
  if (nf->before[b]) {
    GST_DEBUG_OBJECT (self, "stream %u: non-finite %s again", b,
        input ? "input" : "state");
    return;
  }

  ts = t == G_MAXUINT64 ? nf->buf_pts :
      gst_rnn_buffer_frame_time (self, t);
  if (GST_CLOCK_TIME_IS_VALID (ts)
      && trans->segment.format == GST_FORMAT_TIME)
    running_time = gst_segment_to_running_time (&trans->segment,
        GST_FORMAT_TIME, ts);
  policy = nf->policy == GST_RNN_NON_FINITE_ZERO ? "zero" :
      "reset-stream";

  if (!input) {
    GST_ELEMENT_WARNING_WITH_DETAILS (self, STREAM, DECODE,
        ("The state of stream %u became non-finite (NaN or Inf) at %"
            GST_TIME_FORMAT " although its input was finite (values too large "
            "for the network): the stream's state was reset to zero.", b,
            GST_TIME_ARGS (ts)),
        ("non-finite=%s; buffer at %" GST_TIME_FORMAT, policy,
            GST_TIME_ARGS (nf->buf_pts)),
        ("stream", G_TYPE_UINT, b, "timestamp", G_TYPE_UINT64, ts,
            "running-time", G_TYPE_UINT64, running_time,
            "buffer-timestamp", G_TYPE_UINT64, nf->buf_pts,
            "reason", G_TYPE_STRING, "state", "policy", G_TYPE_STRING, policy,
            NULL));
  } else if (nf->policy == GST_RNN_NON_FINITE_ZERO) {
    GST_ELEMENT_WARNING_WITH_DETAILS (self, STREAM, DECODE,
        ("Stream %u has a non-finite input value (NaN or Inf) at %"
            GST_TIME_FORMAT ": non-finite values are replaced by 0.", b,
            GST_TIME_ARGS (ts)),
        ("non-finite=zero; frame %" G_GUINT64_FORMAT " of the buffer at %"
            GST_TIME_FORMAT, t, GST_TIME_ARGS (nf->buf_pts)),
        ("stream", G_TYPE_UINT, b, "timestamp", G_TYPE_UINT64, ts,
            "running-time", G_TYPE_UINT64, running_time,
            "buffer-timestamp", G_TYPE_UINT64, nf->buf_pts,
            "frame", G_TYPE_UINT64, t, "reason", G_TYPE_STRING, "input",
            "policy", G_TYPE_STRING, policy, NULL));
  } else {
    GST_ELEMENT_WARNING_WITH_DETAILS (self, STREAM, DECODE,
        ("Stream %u has a non-finite input value (NaN or Inf) at %"
            GST_TIME_FORMAT ": that frame is computed as it is and the "
            "stream's state is reset to zero after it.", b,
            GST_TIME_ARGS (ts)),
        ("non-finite=reset-stream; frame %" G_GUINT64_FORMAT " of the buffer "
            "at %" GST_TIME_FORMAT, t, GST_TIME_ARGS (nf->buf_pts)),
        ("stream", G_TYPE_UINT, b, "timestamp", G_TYPE_UINT64, ts,
            "running-time", G_TYPE_UINT64, running_time,
            "buffer-timestamp", G_TYPE_UINT64, nf->buf_pts,
            "frame", G_TYPE_UINT64, t, "reason", G_TYPE_STRING, "input",
            "policy", G_TYPE_STRING, policy, NULL));
  }
}

/* Find the non-finite values of an input buffer of @n frames, which
 * holds some: warns per stream (reset-stream, zero) or posts an error and
 * returns FALSE (error). */
static gboolean
gst_rnn_scan_input (GstRnn * self, const guint8 * in, gsize n)
{
  const GstRnnNonFiniteReport *nf = &self->stream.nf;
  RnnRunner *r = self->stream.runner;
  guint b;

  for (b = 0; b < self->stream.batch; b++) {
    gsize t = rnn_runner_find_non_finite (r, in, n, b);

    if (t == n)
      continue;
    if (nf->policy == GST_RNN_NON_FINITE_ERROR) {
      GstClockTime ts = gst_rnn_buffer_frame_time (self, t);

      GST_ELEMENT_ERROR (self, STREAM, DECODE,
          ("Stream %u has a non-finite input value (NaN or Inf) at %"
              GST_TIME_FORMAT " (frame %" G_GSIZE_FORMAT " of the buffer at %"
              GST_TIME_FORMAT "), and non-finite=error.", b,
              GST_TIME_ARGS (ts), t, GST_TIME_ARGS (nf->buf_pts)),
          ("set non-finite=reset-stream or zero to go on"));
      return FALSE;
    }
    gst_rnn_warn_non_finite (self, b, t, TRUE);
  }
  return TRUE;
}

/* The core's notice (RnnNonFiniteFunc) that the state of @stream turned
 * non-finite although its input was finite: it was reset (warned about),
 * or, with non-finite=error, the run fails (the error is posted here, in
 * the element's words). */
void
gst_rnn_state_non_finite (RnnRunner * runner, guint stream,
    gpointer user_data)
{
  GstRnn *self = user_data;
  GstRnnNonFiniteReport *nf = &self->stream.nf;

  if (nf->policy == GST_RNN_NON_FINITE_ERROR) {
    GST_ELEMENT_ERROR (self, STREAM, DECODE,
        ("The state of stream %u became non-finite (NaN or Inf) in the "
            "buffer at %" GST_TIME_FORMAT " (its input values are too "
            "large for the network), and non-finite=error.", stream,
            GST_TIME_ARGS (nf->buf_pts)),
        ("set non-finite=reset-stream or zero to go on"));
    nf->error_posted = TRUE;
    return;
  }
  GST_DEBUG_OBJECT (self, "stream %u: non-finite state, reset", stream);
  gst_rnn_warn_non_finite (self, stream, G_MAXUINT64, FALSE);
}

void
gst_rnn_non_finite_begin (GstRnnNonFiniteReport * nf, GstRnnNonFinite policy,
    GstClockTime pts)
{
  for (guint b = 0; b < nf->batch; b++) {
    nf->before[b] = nf->now[b];
    nf->now[b] = FALSE;
  }
  nf->policy = policy;
  nf->buf_pts = pts;
  nf->error_posted = FALSE;
}

GstFlowReturn
gst_rnn_check_input (GstRnn * self, const guint8 * in, gsize n)
{
  const GstRnnNonFiniteReport *nf = &self->stream.nf;
  gboolean finite;

  if (nf->policy == GST_RNN_NON_FINITE_PROPAGATE || n == 0) {
    rnn_runner_set_input_checked (self->stream.runner, FALSE);
    return GST_FLOW_OK;
  }
  finite = rnn_floats_all_finite (in,
      n * self->stream.batch * self->config.info.input_size);
  /* the runner need not scan it again */
  rnn_runner_set_input_checked (self->stream.runner, finite);
  if (!finite && !gst_rnn_scan_input (self, in, n))
    return GST_FLOW_ERROR;
  return GST_FLOW_OK;
}
