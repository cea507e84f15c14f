/* GStreamer rnn element: time.  Frame counts to durations, where a buffer
 * should start, and the latency the element adds.
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

/* Time of frame @t of the current input buffer, or NONE. */
GstClockTime
gst_rnn_buffer_frame_time (GstRnn * self, guint64 t)
{
  GstClockTime d;

  if (!GST_CLOCK_TIME_IS_VALID (self->stream.buf_pts))
    return GST_CLOCK_TIME_NONE;
  d = gst_rnn_frames_to_time (self, t);
  if (!GST_CLOCK_TIME_IS_VALID (d)
      && GST_CLOCK_TIME_IS_VALID (self->stream.frame_dur))
    d = t * self->stream.frame_dur;
  return GST_CLOCK_TIME_IS_VALID (d) ? self->stream.buf_pts + d :
      GST_CLOCK_TIME_NONE;
}

/* Is input buffer @inbuf (@n frames) a discontinuity: flagged DISCONT,
 * not starting where the previous buffer ended (by more than @tolerance
 * ns; -1: half a frame), a GAP buffer or the first buffer after one?
 * Learns the frame duration and where the next buffer should start.  The
 * first timestamp gap that @resets the state is posted as a WARNING. */
GstRnnDiscont
gst_rnn_detect_discont (GstRnn * self, GstBuffer * inbuf, gsize n,
    gint64 tolerance, gboolean resets)
{
  GstClockTime pts = GST_BUFFER_PTS (inbuf);
  GstClockTime dur = GST_BUFFER_DURATION (inbuf);
  GstRnnDiscont d = GST_RNN_CONTINUOUS;
  gboolean gap;

  if (GST_BUFFER_IS_DISCONT (inbuf))
    d |= GST_RNN_DISCONT_FLAG;

  /* Dropped or late data: the buffer does not start where the previous
   * one ended. */
  if (self->stream.in_fmt.steps_n > 0)
    self->stream.frame_dur = gst_rnn_frames_to_time (self, 1);
  else if (GST_CLOCK_TIME_IS_VALID (dur) && n > 0)
    self->stream.frame_dur = dur / n;
  if (GST_CLOCK_TIME_IS_VALID (pts)
      && GST_CLOCK_TIME_IS_VALID (self->stream.next_pts)) {
    gint64 tol = tolerance >= 0 ? tolerance :
        GST_CLOCK_TIME_IS_VALID (self->stream.frame_dur) ?
        (gint64) (self->stream.frame_dur / 2) : -1;
    GstClockTimeDiff diff = GST_CLOCK_DIFF (self->stream.next_pts, pts);

    if (tol >= 0 && (diff > tol || diff < -tol)) {
      GST_INFO_OBJECT (self, "buffer at %" GST_TIME_FORMAT " where %"
          GST_TIME_FORMAT " was expected (%s%" GST_STIME_FORMAT " > %"
          G_GINT64_FORMAT " ns): handled as DISCONT", GST_TIME_ARGS (pts),
          GST_TIME_ARGS (self->stream.next_pts), diff > 0 ? "gap " :
          "overlap ", GST_STIME_ARGS (diff), tol);
      if (resets && !self->stream.jump_warned && !(d & GST_RNN_DISCONT_FLAG)) {
        self->stream.jump_warned = TRUE;
        GST_ELEMENT_WARNING (self, STREAM, FORMAT,
            ("A buffer starts at %" GST_TIME_FORMAT " where %" GST_TIME_FORMAT
                " was expected (%s of %" GST_STIME_FORMAT ", more than "
                "timestamp-tolerance %" G_GINT64_FORMAT " ns): the state was "
                "reset. Later gaps are only logged.", GST_TIME_ARGS (pts),
                GST_TIME_ARGS (self->stream.next_pts), diff > 0 ? "a gap" :
                "an overlap", GST_STIME_ARGS (diff), tol),
            ("raise timestamp-tolerance for a source whose timestamps "
                "jitter"));
      }
      d |= GST_RNN_DISCONT_JUMP;
    }
  }
  if (!GST_CLOCK_TIME_IS_VALID (dur))
    dur = gst_rnn_frames_to_time (self, n);
  self->stream.next_pts = GST_CLOCK_TIME_IS_VALID (pts)
      && GST_CLOCK_TIME_IS_VALID (dur) ? pts + dur : GST_CLOCK_TIME_NONE;

  /* A GAP buffer has no real data: a discontinuity at both ends, but no
   * data is missing. */
  gap = GST_BUFFER_FLAG_IS_SET (inbuf, GST_BUFFER_FLAG_GAP);
  if (gap || self->stream.after_gap) {
    GST_DEBUG_OBJECT (self, "%s: a new sequence", gap ? "GAP buffer" :
        "first buffer after a GAP");
    d |= GST_RNN_DISCONT_GAP;
  }
  self->stream.after_gap = gap;
  return d;
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

/* ------------------------------------------------------------ timeline */

/* Room for the buffers of @size frames (a window): each brings one or
 * more of them. */
void
gst_rnn_timeline_init (GstRnnTimeline * tl, guint size)
{
  tl->ring = g_new0 (GstRnnStamp, size + 1);
  tl->size = size + 1;
  gst_rnn_timeline_reset (tl);
}

void
gst_rnn_timeline_clear (GstRnnTimeline * tl)
{
  g_clear_pointer (&tl->ring, g_free);
  tl->size = tl->head = tl->count = 0;
}

void
gst_rnn_timeline_reset (GstRnnTimeline * tl)
{
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
  GstRnnTimeline *tl = &self->stream.timeline;

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
