/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The tags passed on when the output is not the input audio
 * (gstrnntags.h): the rule melspec and rnn share.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstrnntags.h"

/* The tags of the audio that do not describe a derived stream (its codec
 * and bitrate), dropped as decoders and converters drop them. */
static const gchar *const audio_only_tags[] = {
  GST_TAG_AUDIO_CODEC, GST_TAG_CODEC, GST_TAG_BITRATE,
  GST_TAG_NOMINAL_BITRATE, GST_TAG_MINIMUM_BITRATE, GST_TAG_MAXIMUM_BITRATE,
  NULL
};

GstEvent *
gst_rnn_tags_strip_audio (GstEvent * event)
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
