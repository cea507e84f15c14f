/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer melspec element: what it does as GStreamer's own converters
 * do beyond its data: CONVERT queries in each pad's units, and the
 * LATENCY message when a caps change alters its latency.  (The tags it
 * passes on: gstrnntags.c, shared with rnn.)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstmelspec-private.h"

/* Ours (one frame) changed with the caps: tell the pipeline to query the
 * latency again, as GstAudioEncoder does when its latency changes.
 * Streaming thread. */
void
gst_melspec_post_latency_if_changed (GstMelspec * self)
{
  GstClockTime ours;

  GST_OBJECT_LOCK (self);
  ours = gst_util_uint64_scale (self->frame_len, GST_SECOND, self->rate);
  GST_OBJECT_UNLOCK (self);
  if (ours == self->latency)
    return;
  GST_INFO_OBJECT (self, "latency %" GST_TIME_FORMAT " -> %" GST_TIME_FORMAT,
      GST_TIME_ARGS (self->latency), GST_TIME_ARGS (ours));
  self->latency = ours;
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_latency (GST_OBJECT (self)));
}

gboolean
gst_melspec_convert_query (GstMelspec * self, const GstAudioInfo * info,
    GstQuery * query)
{
  GstFormat src_fmt, dest_fmt;
  gint64 src_val, dest_val;
  GstAudioInfo in;
  gboolean ok;

  gst_query_parse_convert (query, &src_fmt, &src_val, &dest_fmt, NULL);
  GST_OBJECT_LOCK (self);
  in = *info;
  GST_OBJECT_UNLOCK (self);
  if (GST_AUDIO_INFO_RATE (&in) <= 0 && src_fmt != dest_fmt)
    return FALSE;
  ok = gst_audio_info_convert (&in, src_fmt, src_val, dest_fmt, &dest_val);
  if (ok)
    gst_query_set_convert (query, src_fmt, src_val, dest_fmt, dest_val);
  return ok;
}
