/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnn element: time.  Frame counts to durations, where a buffer
 * should start, and the latency the element adds.  Its fields are
 * GstRnnTime's (gstrnn-private.h): init, reset and clear here.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstrnn-private.h"

/* Duration of @frames time steps, or NONE when the rate is unknown. */
GstClockTime
gst_rnn_frames_to_time (GstRnn * self, guint64 frames)
{
  if (self->stream.in_fmt.steps_n <= 0)
    return GST_CLOCK_TIME_NONE;
  return gst_util_uint64_scale (frames,
      GST_SECOND * self->stream.in_fmt.steps_d, self->stream.in_fmt.steps_n);
}

/* Time of frame @t of the current input buffer under the timestamp
 * policy (gstrnncontinuity.h), or NONE. */
GstClockTime
gst_rnn_buffer_frame_time (GstRnn * self, guint64 t)
{
  return gst_rnn_continuity_time (&self->stream.time.cont,
      self->stream.time.cont.buf_start + t);
}

/* Is input buffer @inbuf (@n frames) a discontinuity under the shared
 * rules of gstrnncontinuity.h (@policy, @tolerance ns, -1: half a frame)?
 * Counts it.  The first timestamp jump that @resets the state (and is not
 * flagged DISCONT already) is posted as a WARNING naming the properties
 * to set. */
GstRnnDiscont
gst_rnn_detect_discont (GstRnn * self, GstBuffer * inbuf, gsize n,
    GstRnnTimestampPolicy policy, gint64 tolerance, gboolean resets)
{
  GstRnnContinuity *c = &self->stream.time.cont;
  GstRnnDiscont d;

  d = gst_rnn_continuity_check (c, inbuf, n, self->stream.in_fmt.steps_n,
      self->stream.in_fmt.steps_d, policy, tolerance);
  if (d & GST_RNN_DISCONT_JUMP) {
    GST_INFO_OBJECT (self, "buffer at %" GST_TIME_FORMAT " where %"
        GST_TIME_FORMAT " was expected (%" GST_STIME_FORMAT " beyond %"
        G_GINT64_FORMAT " ns, %s): handled as DISCONT",
        GST_TIME_ARGS (c->jump.pts), GST_TIME_ARGS (c->jump.expected),
        GST_STIME_ARGS (c->jump.diff), c->jump.tolerance,
        gst_rnn_timestamp_policy_nick (policy));
    if (resets && !(d & GST_RNN_DISCONT_FLAG))
      gst_rnn_continuity_warn (c, GST_ELEMENT (self), "the state was reset");
  }
  if (d & GST_RNN_DISCONT_GAP)
    GST_DEBUG_OBJECT (self, "%s: a new sequence",
        GST_BUFFER_FLAG_IS_SET (inbuf, GST_BUFFER_FLAG_GAP) ? "GAP buffer" :
        "first buffer after a GAP");
  return d;
}

/* timestamp-policy=perfect: stamp @buf, an output of the current input
 * buffer's @n frames, from the frame count (its PTS and duration);
 * strict: leave the input's.  Streaming thread. */
void
gst_rnn_restamp (GstRnn * self, GstBuffer * buf, gsize n)
{
  const GstRnnContinuity *c = &self->stream.time.cont;
  GstClockTime t0, t1;

  if (c->policy != GST_RNN_TIMESTAMP_POLICY_PERFECT)
    return;
  t0 = gst_rnn_buffer_frame_time (self, 0);
  t1 = gst_rnn_buffer_frame_time (self, n);
  if (!GST_CLOCK_TIME_IS_VALID (t0))
    return;
  GST_BUFFER_PTS (buf) = t0;
  GST_BUFFER_DURATION (buf) = GST_CLOCK_TIME_IS_VALID (t1) ? t1 - t0 :
      GST_CLOCK_TIME_NONE;
}

/* The latency the element adds: how long after its timestamp an output
 * is pushed.  n-to-n with a bidirectional model holds a window back and
 * stamps it with its first frame; n-to-1 stamps each result with its
 * window's start but can only attach it to the buffer in which the
 * window ends: both are late by one window.  A unidirectional n-to-n,
 * 1-to-n (each input frame's outputs leave with it) and n-to-m (a
 * forecast is stamped after its window, when it is pushed) add nothing.
 * 0 while the rate is unknown.  Any thread (takes the object lock). */
GstClockTime
gst_rnn_latency (GstRnn * self)
{
  GstClockTime ours = 0;
  guint frames;
  gint steps_n, steps_d;

  GST_OBJECT_LOCK (self);
  frames = self->config.info.latency;
  if (self->config.info.input_size > 0
      && self->config.run.mode == RNN_MODE_N_TO_1)
    frames = self->config.run.window;
  steps_n = self->stream.in_fmt.steps_n;
  steps_d = self->stream.in_fmt.steps_d;
  GST_OBJECT_UNLOCK (self);

  if (frames > 0 && steps_n > 0)
    ours = gst_util_uint64_scale (frames, GST_SECOND * steps_d, steps_n);
  return ours;
}

/* ---------------------------------------------------------- the data */

void
gst_rnn_time_init (GstRnnTime * t)
{
  gst_rnn_continuity_init (&t->cont);
  t->mark_discont = FALSE;
  t->timeline.head = t->timeline.count = 0;
}

void
gst_rnn_time_reset (GstRnnTime * t, GstRnnReset why)
{
  t->timeline.head = t->timeline.count = 0;
  switch (why) {
    case GST_RNN_RESET_START:
      gst_rnn_time_init (t);
      break;
    case GST_RNN_RESET_FLUSH:
    case GST_RNN_RESET_SEGMENT:
      gst_rnn_continuity_restart (&t->cont);
      break;
    case GST_RNN_RESET_CAPS:
      /* the frame count restarts at the new rate */
      gst_rnn_continuity_reanchor (&t->cont);
      break;
    default:
      /* a discontinuity in the data: gst_rnn_detect_discont() saw it */
      break;
  }
}

void
gst_rnn_time_clear (GstRnnTime * t)
{
  GstRnnTimeline *tl = &t->timeline;

  g_clear_pointer (&tl->ring, g_free);
  tl->size = tl->head = tl->count = 0;
}

/* ------------------------------------------------------------ timeline */

/* Room for the buffers of @size frames (a window): each brings one or
 * more of them. */
void
gst_rnn_timeline_init (GstRnnTimeline * tl, guint size)
{
  tl->ring = g_new0 (GstRnnStamp, size + 1);
  tl->size = size + 1;
  tl->head = tl->count = 0;
}

/* A buffer whose first frame is frame @first (counted by the runner). */
void
gst_rnn_timeline_note (GstRnnTimeline * tl, guint64 first, GstClockTime pts,
    guint64 offset)
{
  if (tl->size == 0)
    return;
  tl->head = (tl->head + 1) % tl->size;
  tl->ring[tl->head] = (GstRnnStamp) {
  first, pts, offset};
  tl->count = MIN (tl->count + 1, tl->size);
}

/* Time and offset of frame @frame: its buffer's, plus its place in it. */
void
gst_rnn_timeline_lookup (GstRnn * self, guint64 frame, GstClockTime * pts,
    guint64 * offset)
{
  GstRnnTimeline *tl = &self->stream.time.timeline;

  *pts = GST_CLOCK_TIME_NONE;
  *offset = GST_BUFFER_OFFSET_NONE;
  for (guint i = 0; i < tl->count; i++) {
    const GstRnnStamp *st = &tl->ring[(tl->head + tl->size - i) % tl->size];
    guint64 d = frame - st->first;

    if (st->first > frame)
      continue;
    if (d == 0) {
      *pts = st->pts;
    } else if (GST_CLOCK_TIME_IS_VALID (st->pts)) {
      GstClockTime dt = gst_rnn_frames_to_time (self, d);

      if (GST_CLOCK_TIME_IS_VALID (dt))
        *pts = st->pts + dt;
    }
    if (st->offset != GST_BUFFER_OFFSET_NONE)
      *offset = st->offset + d;
    return;
  }
}

/* Timestamps and offsets of an output buffer holding the frames of
 * @result: the window's own time when the output tiles the input's time
 * line, else (a forecast) the frames that follow the window. */
void
gst_rnn_stamp_result (GstRnn * self, const RnnResult * result,
    GstBuffer * buf)
{
  GstClockTime pts;
  guint64 offset;

  if (self->config.info.contiguous) {
    gst_rnn_timeline_lookup (self, result->start, &pts, &offset);
  } else {
    GstClockTime one = gst_rnn_frames_to_time (self, 1);

    gst_rnn_timeline_lookup (self, result->start + result->n_frames - 1, &pts,
        &offset);
    pts = GST_CLOCK_TIME_IS_VALID (pts) && GST_CLOCK_TIME_IS_VALID (one) ?
        pts + one : GST_CLOCK_TIME_NONE;
    if (offset != GST_BUFFER_OFFSET_NONE)
      offset++;
  }
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = gst_rnn_frames_to_time (self, result->n_out);
  GST_BUFFER_OFFSET (buf) = offset;
  if (offset != GST_BUFFER_OFFSET_NONE)
    GST_BUFFER_OFFSET_END (buf) = offset + result->n_out;
}
