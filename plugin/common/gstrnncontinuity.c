/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stream continuity shared by the plugin's elements: see
 * gstrnncontinuity.h for the rules.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstrnncontinuity.h"

GType
gst_rnn_timestamp_policy_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_RNN_TIMESTAMP_POLICY_STRICT, "A buffer should start where the "
          "previous one ended; outputs carry the input's timestamps", "strict"},
    {GST_RNN_TIMESTAMP_POLICY_PERFECT, "A buffer should start at the first "
          "timestamp plus the frames counted since; jitter within the "
          "tolerance or below a frame is ignored and outputs are stamped "
          "from the count", "perfect"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstRnnTimestampPolicy", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

const gchar *
gst_rnn_timestamp_policy_nick (GstRnnTimestampPolicy policy)
{
  return policy == GST_RNN_TIMESTAMP_POLICY_PERFECT ? "perfect" : "strict";
}

void
gst_rnn_continuity_init (GstRnnContinuity * c)
{
  *c = (GstRnnContinuity) {
  0};
  c->policy = GST_RNN_TIMESTAMP_POLICY_STRICT;
  c->frame = GST_CLOCK_TIME_NONE;
  c->buf_pts = GST_CLOCK_TIME_NONE;
  gst_rnn_continuity_restart (c);
}

void
gst_rnn_continuity_restart (GstRnnContinuity * c)
{
  c->next = GST_CLOCK_TIME_NONE;
  c->after_gap = FALSE;
  gst_rnn_continuity_reanchor (c);
}

void
gst_rnn_continuity_reanchor (GstRnnContinuity * c)
{
  c->anchor = GST_CLOCK_TIME_NONE;
  c->count = c->buf_start = 0;
}

void
gst_rnn_continuity_gap_event (GstRnnContinuity * c, GstClockTime ts,
    GstClockTime dur)
{
  c->next = GST_CLOCK_TIME_IS_VALID (ts) && GST_CLOCK_TIME_IS_VALID (dur) ?
      ts + dur : GST_CLOCK_TIME_NONE;
  gst_rnn_continuity_reanchor (c);
}

/* Duration of @k frames at c->frame (NONE when unknown). */
static GstClockTime
frames_time (const GstRnnContinuity * c, guint64 k)
{
  if (c->rate_n > 0 && c->rate_d > 0)
    return gst_util_uint64_scale (k, GST_SECOND * c->rate_d, c->rate_n);
  return GST_CLOCK_TIME_IS_VALID (c->frame) ? k * c->frame :
      GST_CLOCK_TIME_NONE;
}

/* The buffer at @pts is a jump from @expected beyond the tolerance? */
static gboolean
is_jump (GstRnnContinuity * c, GstClockTime pts, GstClockTime expected,
    gint64 tolerance, gboolean perfect)
{
  GstClockTimeDiff diff = GST_CLOCK_DIFF (expected, pts);
  GstClockTimeDiff mag = diff < 0 ? -diff : diff;
  gint64 tol = tolerance;

  if (tol < 0) {
    if (!GST_CLOCK_TIME_IS_VALID (c->frame))
      return FALSE;
    tol = c->frame / 2;
  }
  if (mag <= tol)
    return FALSE;
  /* perfect: less than a frame off cannot be a lost frame */
  if (perfect && (GstClockTime) mag < c->frame)
    return FALSE;
  c->jump = (GstRnnJump) {
  pts, expected, diff, tol, c->policy};
  return TRUE;
}

GstRnnDiscont
gst_rnn_continuity_check (GstRnnContinuity * c, GstBuffer * buf, guint64 n,
    gint rate_n, gint rate_d, GstRnnTimestampPolicy policy, gint64 tolerance)
{
  GstClockTime pts = GST_BUFFER_PTS (buf);
  GstClockTime dur = GST_BUFFER_DURATION (buf);
  GstRnnDiscont d = GST_RNN_CONTINUOUS;
  GstClockTime expected;
  gboolean gap, perfect;

  if (GST_BUFFER_IS_DISCONT (buf))
    d |= GST_RNN_DISCONT_FLAG;
  c->rate_n = rate_n > 0 && rate_d > 0 ? rate_n : 0;
  c->rate_d = rate_d;
  if (c->rate_n > 0)
    c->frame = frames_time (c, 1);
  else if (GST_CLOCK_TIME_IS_VALID (dur) && n > 0)
    c->frame = dur / n;
  c->policy = policy;
  perfect = policy == GST_RNN_TIMESTAMP_POLICY_PERFECT
      && GST_CLOCK_TIME_IS_VALID (c->frame);

  /* where this buffer should start */
  expected = perfect && GST_CLOCK_TIME_IS_VALID (c->anchor) ?
      c->anchor + frames_time (c, c->count) : c->next;
  if (GST_CLOCK_TIME_IS_VALID (pts) && GST_CLOCK_TIME_IS_VALID (expected)
      && is_jump (c, pts, expected, tolerance, perfect))
    d |= GST_RNN_DISCONT_JUMP;

  /* a GAP buffer has no real data: a new sequence at both ends */
  gap = GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_GAP);
  if (gap || c->after_gap)
    d |= GST_RNN_DISCONT_GAP;
  c->after_gap = gap;

  /* count it, from a new anchor at a new sequence; the first PTS after a
   * restart anchors the frames counted so far */
  if (d != GST_RNN_CONTINUOUS) {
    c->anchor = pts;
    c->count = 0;
  } else if (!GST_CLOCK_TIME_IS_VALID (c->anchor)
      && GST_CLOCK_TIME_IS_VALID (pts)) {
    GstClockTime before = frames_time (c, c->count);

    c->anchor = !GST_CLOCK_TIME_IS_VALID (before) ? pts :
        pts > before ? pts - before : 0;
  }
  c->buf_start = c->count;
  c->buf_pts = pts;
  c->count += n;
  if (!GST_CLOCK_TIME_IS_VALID (dur))
    dur = frames_time (c, n);
  c->next = GST_CLOCK_TIME_IS_VALID (pts) && GST_CLOCK_TIME_IS_VALID (dur) ?
      pts + dur : GST_CLOCK_TIME_NONE;
  return d;
}

void
gst_rnn_continuity_rebase (GstRnnContinuity * c)
{
  GstClockTime t = gst_rnn_continuity_time (c, c->buf_start);

  if (GST_CLOCK_TIME_IS_VALID (c->anchor) || GST_CLOCK_TIME_IS_VALID (t))
    c->anchor = t;
  c->count -= c->buf_start;
  c->buf_start = 0;
}

GstClockTime
gst_rnn_continuity_time (const GstRnnContinuity * c, guint64 position)
{
  GstClockTime d;
  gint64 t;

  if (c->policy == GST_RNN_TIMESTAMP_POLICY_PERFECT
      && GST_CLOCK_TIME_IS_VALID (c->anchor)
      && GST_CLOCK_TIME_IS_VALID (c->frame))
    return c->anchor + frames_time (c, position);
  if (!GST_CLOCK_TIME_IS_VALID (c->buf_pts))
    return GST_CLOCK_TIME_NONE;
  if (position == c->buf_start)
    return c->buf_pts;
  if (!GST_CLOCK_TIME_IS_VALID (c->frame))
    return GST_CLOCK_TIME_NONE;
  if (position > c->buf_start)
    return c->buf_pts + frames_time (c, position - c->buf_start);
  /* a frame begun in an earlier buffer */
  d = frames_time (c, c->buf_start - position);
  t = (gint64) c->buf_pts - (gint64) d;
  return t > 0 ? (GstClockTime) t : 0;
}

gint64
gst_rnn_continuity_suggest_tolerance (GstClockTimeDiff diff)
{
  const gint64 step = 10 * GST_MSECOND;
  guint64 mag = diff < 0 ? -(guint64) diff : (guint64) diff;

  if (mag > G_MAXINT64 / 4)
    return G_MAXINT64;
  return (gint64) ((2 * mag + step - 1) / step * step);
}

gboolean
gst_rnn_continuity_warn (GstRnnContinuity * c, GstElement * element,
    const gchar * consequence)
{
  const GstRnnJump *j = &c->jump;
  GstClockTimeDiff mag = j->diff < 0 ? -j->diff : j->diff;
  gint64 suggest = gst_rnn_continuity_suggest_tolerance (j->diff);
  GstStructure *details;
  gchar *text, *advice;

  if (c->warned)
    return FALSE;
  c->warned = TRUE;
  if (j->policy == GST_RNN_TIMESTAMP_POLICY_STRICT)
    advice = g_strdup_printf ("If the source stamps buffers as they are "
        "pushed (appsrc do-timestamp=true, a sensor), set "
        "timestamp-policy=perfect timestamp-tolerance=%" G_GINT64_FORMAT
        " (ns): such jitter then keeps the state and outputs are stamped "
        "from the frame count, while a real gap still resets.", suggest);
  else
    advice = g_strdup_printf ("If this is jitter rather than lost or "
        "repeated data, raise timestamp-tolerance above it, e.g. "
        "timestamp-tolerance=%" G_GINT64_FORMAT " (ns).", suggest);
  text = g_strdup_printf ("A buffer starts at %" GST_TIME_FORMAT " where %"
      GST_TIME_FORMAT " was expected: %s of %" GST_TIME_FORMAT ", more than "
      "timestamp-tolerance (%" GST_TIME_FORMAT ", timestamp-policy=%s), so %s. "
      "%s Later jumps are only logged.", GST_TIME_ARGS (j->pts),
      GST_TIME_ARGS (j->expected), j->diff > 0 ? "a gap" : "an overlap",
      GST_TIME_ARGS (mag), GST_TIME_ARGS (j->tolerance),
      gst_rnn_timestamp_policy_nick (j->policy), consequence, advice);
  details = gst_structure_new ("rnn-timestamp-jump",
      "timestamp", G_TYPE_UINT64, j->pts,
      "expected", G_TYPE_UINT64, j->expected,
      "jump", G_TYPE_INT64, (gint64) j->diff,
      "tolerance", G_TYPE_INT64, j->tolerance,
      "policy", G_TYPE_STRING, gst_rnn_timestamp_policy_nick (j->policy),
      "suggested-tolerance", G_TYPE_INT64, suggest, NULL);
  g_free (advice);
  gst_element_message_full_with_details (element, GST_MESSAGE_WARNING,
      GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT, text, NULL, __FILE__,
      GST_FUNCTION, __LINE__, details);
  return TRUE;
}
