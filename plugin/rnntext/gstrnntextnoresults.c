/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnntext element: the WARNING for a stream that carried no
 * results at all (an rnn upstream in a mode that outputs frames, not
 * results), instead of an empty output and exit status 0.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstrnntext-private.h"

/* The first rnn element upstream of @self (through elements of one sink
 * pad each: queues, converters, tees), or NULL; a new reference. */
static GstElement *
find_rnn_upstream (GstRnnText * self)
{
  GstPad *pad = gst_object_ref (self->sinkpad);

  for (guint depth = 0; pad && depth < 32; depth++) {
    GstPad *peer = gst_pad_get_peer (pad);
    GstElement *up;
    GstElementFactory *f;

    gst_object_unref (pad);
    pad = NULL;
    if (!peer)
      break;
    up = gst_pad_get_parent_element (peer);
    gst_object_unref (peer);
    if (!up)
      break;
    f = gst_element_get_factory (up);
    if (f && g_strcmp0 (GST_OBJECT_NAME (f), "rnn") == 0)
      return up;
    if (up->numsinkpads == 1) {
      GST_OBJECT_LOCK (up);
      pad = gst_object_ref (up->sinkpads->data);
      GST_OBJECT_UNLOCK (up);
    }
    gst_object_unref (up);
  }
  g_clear_object (&pad);
  return NULL;
}

/* "mode=n-to-n" (and the window in n-to-1) of @rnn; g_free(). */
static gchar *
describe_rnn (GstElement * rnn)
{
  GParamSpec *ps = g_object_class_find_property (G_OBJECT_GET_CLASS (rnn),
      "mode");
  GEnumValue *v;
  guint window = 0;
  gint mode;
  gchar *ret;

  if (!ps || !G_IS_PARAM_SPEC_ENUM (ps))
    return g_strdup ("");
  g_object_get (rnn, "mode", &mode, "window", &window, NULL);
  v = g_enum_get_value (G_PARAM_SPEC_ENUM (ps)->enum_class, mode);
  if (v && g_strcmp0 (v->value_nick, "n-to-1") == 0)
    ret = g_strdup_printf ("%s runs mode=n-to-1 with window=%u frames: "
        "the stream may have ended before a window was full",
        GST_OBJECT_NAME (rnn), window);
  else
    ret = g_strdup_printf ("%s runs mode=%s, which outputs frames, not "
        "results: set mode=n-to-1 and window (a model with a head gives "
        "one result per window)", GST_OBJECT_NAME (rnn),
        v ? v->value_nick : "?");
  return ret;
}

void
gst_rnn_text_count_buffer (GstRnnText * self, GstBuffer * buf)
{
  GstCustomMeta *meta = gst_rnn_buffer_get_result_meta (buf);

  self->buffers_seen++;
  if (meta && gst_rnn_result_meta_get_n_results (meta) > 0)
    self->results_seen++;
}

void
gst_rnn_text_check_results_seen (GstRnnText * self)
{
  GstElement *rnn;
  gchar *cause;

  if (self->buffers_seen == 0 || self->results_seen > 0
      || self->warned_no_results)
    return;
  self->warned_no_results = TRUE;
  rnn = find_rnn_upstream (self);
  cause = rnn ? describe_rnn (rnn) : g_strdup ("no rnn element was found "
      "upstream: results come from rnn mode=n-to-1");
  GST_ELEMENT_WARNING (self, STREAM, WRONG_TYPE,
      ("%s received %" G_GUINT64_FORMAT " buffers and no results, so it "
          "wrote no text: only an rnn in mode=n-to-1 attaches results "
          "(GstRnnResultMeta); %s.", GST_OBJECT_NAME (self),
          self->buffers_seen, cause), (NULL));
  g_free (cause);
  g_clear_object (&rnn);
}
