/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer melspec element: what it does as GStreamer's own converters
 * do beyond its data: the tags it passes on (not the audio's codec and
 * bitrate), CONVERT queries in each pad's units, and the LATENCY message
 * when a caps change alters its latency.
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

/* The tags of the audio that do not describe the features (its codec and
 * bitrate), dropped as decoders and converters drop them. */
static const gchar *const audio_only_tags[] = {
  GST_TAG_AUDIO_CODEC, GST_TAG_CODEC, GST_TAG_BITRATE,
  GST_TAG_NOMINAL_BITRATE, GST_TAG_MINIMUM_BITRATE, GST_TAG_MAXIMUM_BITRATE,
  NULL
};

/* @event (TAG, taken) without audio_only_tags; NULL if nothing is left. */
GstEvent *
gst_melspec_strip_audio_tags (GstEvent * event)
{
  GstTagList *tags, *copy;
  GstTagScope scope;
  gboolean found = FALSE;

  gst_event_parse_tag (event, &tags);
  for (guint i = 0; audio_only_tags[i]; i++)
    found |= gst_tag_list_get_tag_size (tags, audio_only_tags[i]) > 0;
  if (!found)
    return event;
  copy = gst_tag_list_copy (tags);
  scope = gst_tag_list_get_scope (tags);
  gst_event_unref (event);
  for (guint i = 0; audio_only_tags[i]; i++)
    gst_tag_list_remove_tag (copy, audio_only_tags[i]);
  if (gst_tag_list_is_empty (copy)) {
    gst_tag_list_unref (copy);
    return NULL;
  }
  gst_tag_list_set_scope (copy, scope);
  return gst_event_new_tag (copy);
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
