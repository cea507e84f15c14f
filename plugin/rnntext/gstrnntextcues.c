/* GStreamer rnntext element: when cues start and end, and the GAP events
 * between them.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstrnntext-private.h"

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
  if (!GST_CLOCK_TIME_IS_VALID (end) && GST_CLOCK_TIME_IS_VALID (self->hop))
    end = self->last_start + self->hop;
  if (GST_CLOCK_TIME_IS_VALID (end) && end > self->pending_start)
    end = MIN (end, self->pending_end);
  else
    end = self->pending_end;
  return gst_rnn_text_push_cue (self, self->pending_start, end,
      self->pending_text, newline);
}

/* The window [start, start + dur) gave @text (may be empty): it ends the
 * held cue (or, with merge and the same text, extends it) and becomes
 * the held cue if it has text. */
GstFlowReturn
gst_rnn_text_window (GstRnnText * self, GstClockTime start,
    GstClockTime dur, const GString * text, const Snapshot * set)
{
  GstClockTime end = start + dur;
  GstFlowReturn ret;

  if (!GST_CLOCK_TIME_IS_VALID (start) || !GST_CLOCK_TIME_IS_VALID (dur)) {
    GST_DEBUG_OBJECT (self, "a result without timestamp or duration: no "
        "text");
    return GST_FLOW_OK;
  }
  self->window = GST_CLOCK_TIME_IS_VALID (self->window) ?
      MAX (self->window, dur) : dur;
  if (GST_CLOCK_TIME_IS_VALID (self->last_start) && start > self->last_start)
    self->hop = start - self->last_start;
  self->last_start = start;

  if (self->has_pending && set->merge && text->len > 0
      && start <= self->pending_end && g_string_equal (text,
          self->pending_text)) {
    self->pending_end = MAX (self->pending_end, end);
    return GST_FLOW_OK;
  }
  ret = gst_rnn_text_send_pending (self, start, set->newline);
  if (ret != GST_FLOW_OK || text->len == 0)
    return ret;
  g_string_assign (self->pending_text, text->str);
  self->pending_start = start;
  self->pending_end = end;
  self->has_pending = TRUE;
  /* Once the hop is known, a cue lasts until the next window starts and
   * need not wait for it (unless merging: the next may extend it). */
  if (!set->merge && GST_CLOCK_TIME_IS_VALID (self->hop))
    ret = gst_rnn_text_send_pending (self, start + self->hop, set->newline);
  return ret;
}

/* Forget the held cue and what was sent (flush, stop). */
void
gst_rnn_text_reset (GstRnnText * self)
{
  self->has_pending = FALSE;
  self->position = GST_CLOCK_TIME_NONE;
  self->window = GST_CLOCK_TIME_NONE;
  self->last_start = GST_CLOCK_TIME_NONE;
  self->hop = GST_CLOCK_TIME_NONE;
  self->warned_stream = FALSE;
}
