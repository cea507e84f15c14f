/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnntext element: when cues start and end, the GAP events
 * between them, and the latency that adds.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstrnntext-private.h"

GType
gst_rnn_text_cue_time_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_RNN_TEXT_CUE_TIME_START, "The window's start", "start"},
    {GST_RNN_TEXT_CUE_TIME_CENTRE, "The window's centre", "centre"},
    {GST_RNN_TEXT_CUE_TIME_END, "The window's end, when its result is known",
        "end"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstRnnTextCueTime", values);

    g_once_init_leave (&type, t);
  }
  return type;
}

GstClockTime
gst_rnn_text_cue_shift (GstRnnTextCueTime cue_time, GstClockTime dur)
{
  switch (cue_time) {
    case GST_RNN_TEXT_CUE_TIME_CENTRE:
      return dur / 2;
    case GST_RNN_TEXT_CUE_TIME_END:
      return dur;
    default:
      return 0;
  }
}

/* Announce that nothing comes before @t: a GAP from the position. */
void
gst_rnn_text_gap_to (GstRnnText * self, GstClockTime t)
{
  GstClockTime from = self->position;

  if (!GST_CLOCK_TIME_IS_VALID (t) || !GST_CLOCK_TIME_IS_VALID (from)
      || t <= from)
    return;
  GST_LOG_OBJECT (self, "gap %" GST_TIME_FORMAT " - %" GST_TIME_FORMAT,
      GST_TIME_ARGS (from), GST_TIME_ARGS (t));
  self->position = t;
  gst_pad_push_event (self->srcpad, gst_event_new_gap (from, t - from));
}

/* Push @text as the cue [start, end), after a GAP from the position; a
 * cue never starts before what was already sent (it is cut). */
static GstFlowReturn
gst_rnn_text_push_cue (GstRnnText * self, GstClockTime start,
    GstClockTime end, const GString * text, gboolean newline)
{
  GstBuffer *buf;
  gsize n = text->len + (newline ? 1 : 0);

  if (GST_CLOCK_TIME_IS_VALID (self->position) && start < self->position)
    start = self->position;
  if (end <= start) {
    GST_DEBUG_OBJECT (self, "cue '%s' ends before the position: dropped",
        text->str);
    return GST_FLOW_OK;
  }
  gst_rnn_text_gap_to (self, start);

  buf = gst_buffer_new_allocate (NULL, n, NULL);
  gst_buffer_fill (buf, 0, text->str, text->len);
  if (newline)
    gst_buffer_memset (buf, text->len, '\n', 1);
  GST_BUFFER_PTS (buf) = start;
  GST_BUFFER_DURATION (buf) = end - start;
  self->position = end;
  GST_DEBUG_OBJECT (self, "cue %" GST_TIME_FORMAT " - %" GST_TIME_FORMAT
      ": '%s'", GST_TIME_ARGS (start), GST_TIME_ARGS (end), text->str);
  return gst_pad_push (self->srcpad, buf);
}

/* Send the held cue, ending at @end at the latest; with no @end (EOS, a
 * new segment), one hop after its last window, as any other cue, or at
 * the end of its window if the hop is unknown. */
GstFlowReturn
gst_rnn_text_send_pending (GstRnnText * self, GstClockTime end,
    gboolean newline)
{
  if (!self->has_pending)
    return GST_FLOW_OK;
  self->has_pending = FALSE;
  if (!GST_CLOCK_TIME_IS_VALID (end) && GST_CLOCK_TIME_IS_VALID (self->hop)
      && GST_CLOCK_TIME_IS_VALID (self->last_cue))
    end = self->last_cue + self->hop;
  if (GST_CLOCK_TIME_IS_VALID (end) && end > self->pending_start)
    end = MIN (end, self->pending_end);
  else
    end = self->pending_end;
  return gst_rnn_text_push_cue (self, self->pending_start, end,
      self->pending_text, newline);
}

/* With merge: has the held cue, once it lasts to @until, been held as
 * long as max-hold allows?  Then it is sent without waiting for the text
 * to change (a longer run continues in the next cue). */
static gboolean
gst_rnn_text_hold_reached (GstRnnText * self, GstClockTime until,
    const Snapshot * set)
{
  return GST_CLOCK_TIME_IS_VALID (set->max_hold)
      && GST_CLOCK_TIME_IS_VALID (until)
      && until - self->pending_start >= set->max_hold;
}

/* The window [start, start + dur) gave @text (may be empty): its cue
 * starts cue-time into the window; it ends the held cue (or, with merge
 * and the same text, extends it) and becomes the held cue if it has text.
 * Once the hop is known (the results carry it), a cue lasts until the
 * next window's and is sent at once, unless merging. */
GstFlowReturn
gst_rnn_text_window (GstRnnText * self, GstClockTime start,
    GstClockTime dur, GstClockTime hop, const GString * text,
    const Snapshot * set)
{
  GstClockTime t, end, next;
  GstFlowReturn ret;

  if (!GST_CLOCK_TIME_IS_VALID (start) || !GST_CLOCK_TIME_IS_VALID (dur)) {
    GST_DEBUG_OBJECT (self, "a result without timestamp or duration: no "
        "text");
    return GST_FLOW_OK;
  }
  t = start + gst_rnn_text_cue_shift (set->cue_time, dur);
  end = t + dur;
  self->window = GST_CLOCK_TIME_IS_VALID (self->window) ?
      MAX (self->window, dur) : dur;
  if (GST_CLOCK_TIME_IS_VALID (hop) && hop > 0)
    self->hop = hop;
  else if (GST_CLOCK_TIME_IS_VALID (self->last_start)
      && start > self->last_start)
    self->hop = start - self->last_start;
  self->last_start = start;
  self->last_cue = t;
  next = GST_CLOCK_TIME_IS_VALID (self->hop) ? t + self->hop :
      GST_CLOCK_TIME_NONE;

  if (self->has_pending && set->merge && text->len > 0
      && t <= self->pending_end && g_string_equal (text,
          self->pending_text)) {
    self->pending_end = MAX (self->pending_end, end);
    if (gst_rnn_text_hold_reached (self, next, set))
      return gst_rnn_text_send_pending (self, next, set->newline);
    return GST_FLOW_OK;
  }
  ret = gst_rnn_text_send_pending (self, t, set->newline);
  if (ret != GST_FLOW_OK || text->len == 0)
    return ret;
  g_string_assign (self->pending_text, text->str);
  self->pending_start = t;
  self->pending_end = end;
  self->has_pending = TRUE;
  if (GST_CLOCK_TIME_IS_VALID (next) && (!set->merge
          || gst_rnn_text_hold_reached (self, next, set)))
    ret = gst_rnn_text_send_pending (self, next, set->newline);
  return ret;
}

void
gst_rnn_text_gap_after (GstRnnText * self, GstClockTime end,
    GstRnnTextCueTime cue_time)
{
  GstClockTime w = self->window, shift;

  /* Nothing starts before the held cue.  A window still to come ends
   * after this buffer, so it starts after end - window: its cue after
   * that plus cue-time; with cue-time=end, after @end whatever the
   * window. */
  if (self->has_pending) {
    gst_rnn_text_gap_to (self, self->pending_start);
    return;
  }
  if (!GST_CLOCK_TIME_IS_VALID (end))
    return;
  if (cue_time == GST_RNN_TEXT_CUE_TIME_END) {
    gst_rnn_text_gap_to (self, end);
    return;
  }
  if (!GST_CLOCK_TIME_IS_VALID (w))
    return;
  shift = gst_rnn_text_cue_shift (cue_time, w);
  if (end + shift > w)
    gst_rnn_text_gap_to (self, end + shift - w);
}

/* Forget the held cue and what was sent (flush, stop). */
void
gst_rnn_text_reset (GstRnnText * self)
{
  self->has_pending = FALSE;
  self->position = GST_CLOCK_TIME_NONE;
  self->window = GST_CLOCK_TIME_NONE;
  self->last_start = GST_CLOCK_TIME_NONE;
  self->last_cue = GST_CLOCK_TIME_NONE;
  self->hop = GST_CLOCK_TIME_NONE;
  self->warned_stream = FALSE;
}

/* ---------------------------------------------------------- latency */

/* What the element adds to the latency upstream reports (object lock
 * held): with merge, a cue waits up to max-hold for its text to change;
 * NONE when it may wait without limit.  The window itself is in the rnn
 * element's answer (it stamps a result with its window's start); cues
 * stamped later (cue-time) keep that answer, so they are never late. */
GstClockTime
gst_rnn_text_own_latency (GstRnnText * self)
{
  if (!self->merge)
    return 0;
  return self->max_hold;
}

gboolean
gst_rnn_text_src_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  GstRnnText *self = GST_RNN_TEXT (parent);
  GstClockTime min, max, ours;
  gboolean live;

  if (GST_QUERY_TYPE (query) != GST_QUERY_LATENCY)
    return gst_pad_query_default (pad, parent, query);
  if (!gst_pad_peer_query (self->sinkpad, query))
    return FALSE;
  GST_OBJECT_LOCK (self);
  ours = gst_rnn_text_own_latency (self);
  GST_OBJECT_UNLOCK (self);
  gst_query_parse_latency (query, &live, &min, &max);
  if (GST_CLOCK_TIME_IS_VALID (ours)) {
    min += ours;
    if (GST_CLOCK_TIME_IS_VALID (max))
      max += ours;
  } else {
    GST_WARNING_OBJECT (self, "merge=true with no max-hold: a cue may be "
        "held without limit, the latency is unbounded");
  }
  GST_DEBUG_OBJECT (self, "latency: ours %" GST_TIME_FORMAT ", total min %"
      GST_TIME_FORMAT " max %" GST_TIME_FORMAT, GST_TIME_ARGS (ours),
      GST_TIME_ARGS (min), GST_TIME_ARGS (max));
  gst_query_set_latency (query, live, min, max);
  return TRUE;
}
