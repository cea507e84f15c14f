/* GStreamer rnn element: non-finite (NaN, +-Inf) input values and states,
 * handled as the non-finite property says.
 *
 * A float is NaN or +-Inf when its 8 exponent bits are all ones.  Adding
 * one to the exponent field then carries into the sign bit: the OR of
 * (u & 0x7f800000) + 0x00800000 over a block has bit 31 set iff the block
 * holds a non-finite value.  Branch-free, so it vectorises; reads through
 * memcpy so any alignment is fine.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstrnn-private.h"

/* Are the @n floats at @p all finite? */
static gboolean
gst_rnn_all_finite (const guint8 * p, gsize n)
{
  guint32 acc = 0;
  gsize i;

  for (i = 0; i < n; i++) {
    guint32 u;

    memcpy (&u, p + 4 * i, 4);
    acc |= (u & 0x7f800000u) + 0x00800000u;
  }
  return (acc & 0x80000000u) == 0;
}

/* Replace the non-finite values among @n floats by 0. */
void
gst_rnn_sanitize (float *p, gsize n)
{
  gsize i;

  for (i = 0; i < n; i++) {
    guint32 u;

    memcpy (&u, &p[i], 4);
    if ((u & 0x7f800000u) == 0x7f800000u)
      p[i] = 0.0f;
  }
}

/* Byte offset of stream @b's frame @t in an input block of @n frames in
 * the buffer layout. */
static inline gsize
gst_rnn_in_offset (GstRnn * self, gsize n, gsize t, guint b)
{
  gsize fb = (gsize) rnn_model_get_input_size (self->stream.model) *
      sizeof (float);

  return self->config.batch_first ? ((gsize) b * n + t) * fb :
      (t * self->stream.batch + b) * fb;
}

/* Does stream @b of frame @t of an input block hold a non-finite value? */
gboolean
gst_rnn_frame_bad (GstRnn * self, const guint8 * in, gsize n, gsize t,
    guint b)
{
  return !gst_rnn_all_finite (in + gst_rnn_in_offset (self, n, t, b),
      rnn_model_get_input_size (self->stream.model));
}

/* Stream @b had a non-finite input value at frame @t of the current
 * buffer (@input), or its state turned non-finite and was reset (@t is
 * then G_MAXUINT64 when the frame is not known).  Posts one WARNING per
 * run of consecutive buffers in which this happens to the stream. */
static void
gst_rnn_warn_non_finite (GstRnn * self, guint b, guint64 t, gboolean input)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstClockTime ts, running_time = GST_CLOCK_TIME_NONE;
  const gchar *policy;

  if (self->stream.nf_now == NULL || self->stream.nf_now[b])
    return;
  self->stream.nf_now[b] = TRUE;
  if (self->stream.nf_before[b]) {
    GST_DEBUG_OBJECT (self, "stream %u: non-finite %s again", b,
        input ? "input" : "state");
    return;
  }

  ts = t == G_MAXUINT64 ? self->stream.buf_pts :
      gst_rnn_buffer_frame_time (self, t);
  if (GST_CLOCK_TIME_IS_VALID (ts)
      && trans->segment.format == GST_FORMAT_TIME)
    running_time = gst_segment_to_running_time (&trans->segment,
        GST_FORMAT_TIME, ts);
  policy = self->stream.buf_policy == GST_RNN_NON_FINITE_ZERO ? "zero" :
      "reset-stream";

  if (!input) {
    GST_ELEMENT_WARNING_WITH_DETAILS (self, STREAM, DECODE,
        ("The state of stream %u became non-finite (NaN or Inf) at %"
            GST_TIME_FORMAT " although its input was finite (values too large "
            "for the network): the stream's state was reset to zero.", b,
            GST_TIME_ARGS (ts)),
        ("non-finite=%s; buffer at %" GST_TIME_FORMAT, policy,
            GST_TIME_ARGS (self->stream.buf_pts)),
        ("stream", G_TYPE_UINT, b, "timestamp", G_TYPE_UINT64, ts,
            "running-time", G_TYPE_UINT64, running_time,
            "buffer-timestamp", G_TYPE_UINT64, self->stream.buf_pts,
            "reason", G_TYPE_STRING, "state", "policy", G_TYPE_STRING, policy,
            NULL));
  } else if (self->stream.buf_policy == GST_RNN_NON_FINITE_ZERO) {
    GST_ELEMENT_WARNING_WITH_DETAILS (self, STREAM, DECODE,
        ("Stream %u has a non-finite input value (NaN or Inf) at %"
            GST_TIME_FORMAT ": non-finite values are replaced by 0.", b,
            GST_TIME_ARGS (ts)),
        ("non-finite=zero; frame %" G_GUINT64_FORMAT " of the buffer at %"
            GST_TIME_FORMAT, t, GST_TIME_ARGS (self->stream.buf_pts)),
        ("stream", G_TYPE_UINT, b, "timestamp", G_TYPE_UINT64, ts,
            "running-time", G_TYPE_UINT64, running_time,
            "buffer-timestamp", G_TYPE_UINT64, self->stream.buf_pts,
            "frame", G_TYPE_UINT64, t, "reason", G_TYPE_STRING, "input",
            "policy", G_TYPE_STRING, policy, NULL));
  } else {
    GST_ELEMENT_WARNING_WITH_DETAILS (self, STREAM, DECODE,
        ("Stream %u has a non-finite input value (NaN or Inf) at %"
            GST_TIME_FORMAT ": that frame is computed as it is and the "
            "stream's state is reset to zero after it.", b,
            GST_TIME_ARGS (ts)),
        ("non-finite=reset-stream; frame %" G_GUINT64_FORMAT " of the buffer "
            "at %" GST_TIME_FORMAT, t, GST_TIME_ARGS (self->stream.buf_pts)),
        ("stream", G_TYPE_UINT, b, "timestamp", G_TYPE_UINT64, ts,
            "running-time", G_TYPE_UINT64, running_time,
            "buffer-timestamp", G_TYPE_UINT64, self->stream.buf_pts,
            "frame", G_TYPE_UINT64, t, "reason", G_TYPE_STRING, "input",
            "policy", G_TYPE_STRING, policy, NULL));
  }
}

/* Scan an input buffer of @n frames for non-finite values.  Sets
 * buf_nonfinite; warns per stream (reset-stream, zero) or posts an error
 * and returns FALSE (error). */
static gboolean
gst_rnn_scan_input (GstRnn * self, const guint8 * in, gsize n)
{
  guint F = rnn_model_get_input_size (self->stream.model);
  guint b;
  gsize t;

  self->stream.buf_nonfinite = FALSE;
  if (self->stream.buf_policy == GST_RNN_NON_FINITE_PROPAGATE || n == 0
      || gst_rnn_all_finite (in, n * self->stream.batch * F))
    return TRUE;

  self->stream.buf_nonfinite = TRUE;
  for (b = 0; b < self->stream.batch; b++) {
    for (t = 0; t < n; t++)
      if (gst_rnn_frame_bad (self, in, n, t, b))
        break;
    if (t == n)
      continue;
    if (self->stream.buf_policy == GST_RNN_NON_FINITE_ERROR) {
      GstClockTime ts = gst_rnn_buffer_frame_time (self, t);

      GST_ELEMENT_ERROR (self, STREAM, DECODE,
          ("Stream %u has a non-finite input value (NaN or Inf) at %"
              GST_TIME_FORMAT " (frame %" G_GSIZE_FORMAT " of the buffer at %"
              GST_TIME_FORMAT "), and non-finite=error.", b,
              GST_TIME_ARGS (ts), t, GST_TIME_ARGS (self->stream.buf_pts)),
          ("set non-finite=reset-stream or zero to go on"));
      return FALSE;
    }
    gst_rnn_warn_non_finite (self, b, t, TRUE);
  }
  return TRUE;
}

/* After a run of @state: a stream whose state (h, or c of an LSTM) holds a
 * non-finite value is reset to zero, and warned about (reset-stream,
 * zero); with non-finite=error that posts an error and returns FALSE.
 * Costs a copy of the state. */
gboolean
gst_rnn_check_state (GstRnn * self, RnnState * state)
{
  RnnModel *m;
  gsize nh, nc, hs, cs;
  guint B, b, ld, LD;

  if (self->stream.buf_policy == GST_RNN_NON_FINITE_PROPAGATE || state == NULL)
    return TRUE;

  m = rnn_state_get_model (state);
  B = rnn_state_get_batch (state);
  nh = rnn_model_get_h_size (m, B);
  nc = rnn_model_get_c_size (m, B);
  LD = rnn_model_get_num_layers (m) * (rnn_model_is_bidirectional (m) ? 2 : 1);
  hs = nh / ((gsize) LD * B);
  cs = nc / ((gsize) LD * B);
  rnn_state_get (state, self->stream.h_buf, nc ? self->stream.c_buf : NULL);
  if (gst_rnn_all_finite ((const guint8 *) self->stream.h_buf, nh)
      && (nc == 0
          || gst_rnn_all_finite ((const guint8 *) self->stream.c_buf, nc)))
    return TRUE;

  for (b = 0; b < B; b++) {
    gboolean bad = FALSE;

    for (ld = 0; ld < LD; ld++) {
      bad |= !gst_rnn_all_finite ((const guint8 *) (self->stream.h_buf +
              ((gsize) ld * B + b) * hs), hs);
      if (nc)
        bad |= !gst_rnn_all_finite ((const guint8 *) (self->stream.c_buf +
                ((gsize) ld * B + b) * cs), cs);
    }
    if (!bad)
      continue;
    if (self->stream.buf_policy == GST_RNN_NON_FINITE_ERROR) {
      GST_ELEMENT_ERROR (self, STREAM, DECODE,
          ("The state of stream %u became non-finite (NaN or Inf) in the "
              "buffer at %" GST_TIME_FORMAT " (its input values are too "
              "large for the network), and non-finite=error.", b,
              GST_TIME_ARGS (self->stream.buf_pts)),
          ("set non-finite=reset-stream or zero to go on"));
      return FALSE;
    }
    GST_DEBUG_OBJECT (self, "stream %u: non-finite state, resetting", b);
    rnn_state_reset_stream (state, b);
    gst_rnn_warn_non_finite (self, b, G_MAXUINT64, FALSE);
  }
  return TRUE;
}

/* A window (or frame) of @n frames, time-major at @in, has just run from
 * a carried state: with reset-stream, a stream whose input held a
 * non-finite value starts the next one from zero; then the state is
 * checked.  Returns FALSE on error. */
gboolean
gst_rnn_guard_carried (GstRnn * self, const float *in, gsize n)
{
  guint F = rnn_model_get_input_size (self->stream.model);
  guint B = self->stream.batch;
  guint b;
  gsize t;

  if (self->stream.buf_policy == GST_RNN_NON_FINITE_RESET_STREAM)
    for (b = 0; b < B; b++)
      for (t = 0; t < n; t++)
        if (!gst_rnn_all_finite ((const guint8 *) (in + (t * B + b) * F), F)) {
          rnn_state_reset_stream (self->stream.state, b);
          break;
        }
  return gst_rnn_check_state (self, self->stream.state);
}

/* At the start of input buffer @inbuf (@n frames): forget which streams
 * were warned about in the buffer before last, and scan this one under
 * the buffer's policy (buf_policy).  GST_FLOW_ERROR: posted. */
GstFlowReturn
gst_rnn_check_input (GstRnn * self, GstBuffer * inbuf, gsize n)
{
  GstMapInfo map;
  guint b;

  for (b = 0; b < self->stream.batch; b++) {
    self->stream.nf_before[b] = self->stream.nf_now[b];
    self->stream.nf_now[b] = FALSE;
  }
  if (self->stream.buf_policy != GST_RNN_NON_FINITE_PROPAGATE && n > 0) {
    gboolean ok;

    if (!gst_buffer_map (inbuf, &map, GST_MAP_READ)) {
      GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a buffer."),
          (NULL));
      return GST_FLOW_ERROR;
    }
    ok = gst_rnn_scan_input (self, map.data, n);
    gst_buffer_unmap (inbuf, &map);
    if (!ok)
      return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}
