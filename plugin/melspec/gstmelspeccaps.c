/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer melspec element: the sink pad's queries, and the error that
 * tells the user which converter to add when upstream offers audio the
 * element cannot take.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstmelspec-private.h"
#include "gstcapsadvice.h"

enum
{
  FIELD_FORMAT,
  FIELD_LAYOUT,
  FIELD_RATE,
};
static const gchar *const fields[] = { "format", "layout", "rate", NULL };

/* What the sink takes: the template, at the one rate the model (or the
 * sample-rate property) asks for once the element has started, so that an
 * audioresample in front converts to it.  *@rate is that rate (0: any);
 * *@from names where it comes from (g_free). */
static GstCaps *
sink_caps (GstMelspec * self, gint * rate, gchar ** from)
{
  GstCaps *caps = gst_pad_get_pad_template_caps (self->sinkpad);

  GST_OBJECT_LOCK (self);
  *rate = self->params.sample_rate;
  if (from)
    *from = self->model && !(self->explicit_props & (1u << PROP_SAMPLE_RATE))
        ? g_strdup_printf ("the rate of the model %s", self->model) :
        g_strdup ("set by sample-rate");
  GST_OBJECT_UNLOCK (self);
  if (*rate > 0) {
    caps = gst_caps_make_writable (caps);
    gst_caps_set_simple (caps, "rate", G_TYPE_INT, *rate, NULL);
  }
  return caps;
}

/* Post the NEGOTIATION error for @offered, which the sink cannot take:
 * each field that clashes with its value, the value expected and the
 * converter that makes it.  Once per start, in PAUSED or PLAYING only.
 * The thread of the query (upstream's streaming thread). */
static void
refuse (GstMelspec * self, GstCaps * offered)
{
  const gchar *name = GST_OBJECT_NAME (self);
  g_autofree gchar *from = NULL;
  GString *msg;
  GstCaps *accepted;
  guint clash;
  gint rate;

  if (!gst_caps_advice_should_post (GST_ELEMENT (self),
          &self->refusal_posted))
    return;
  accepted = sink_caps (self, &rate, &from);
  clash = gst_caps_advice_clashes (offered, accepted, fields);
  msg = g_string_new (NULL);
  g_string_printf (msg, "%s cannot take the input offered upstream: ", name);
  if (clash & GST_CAPS_ADVICE_NAME_CLASH) {
    g_autofree gchar *s = gst_caps_to_string (offered);

    g_string_append_printf (msg, "%s; it takes raw audio (audio/x-raw): "
        "decode it first (e.g. decodebin)", s);
  }
  if (clash & (1u << FIELD_FORMAT)) {
    g_autofree gchar *v = gst_caps_advice_value (offered, "format");

    g_string_append_printf (msg, "format %s, where it takes F32LE or S16LE: "
        "add audioconvert before %s; ", v, name);
  }
  if (clash & (1u << FIELD_LAYOUT)) {
    g_autofree gchar *v = gst_caps_advice_value (offered, "layout");

    g_string_append_printf (msg, "layout %s, where it takes interleaved: "
        "add audioconvert before %s; ", v, name);
  }
  if (clash & (1u << FIELD_RATE)) {
    g_autofree gchar *v = gst_caps_advice_value (offered, "rate");

    g_string_append_printf (msg, "rate %s Hz, where it takes %d Hz (%s): "
        "add audioresample before %s; ", v, rate, from, name);
  }
  if (clash == 0) {
    g_autofree gchar *s = gst_caps_to_string (offered);
    g_autofree gchar *a = gst_caps_to_string (accepted);

    g_string_append_printf (msg, "%s, where it takes %s; ", s, a);
  }
  if (g_str_has_suffix (msg->str, "; "))
    g_string_truncate (msg, msg->len - 2);
  g_string_append_c (msg, '.');
  GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s", msg->str),
      ("offered %" GST_PTR_FORMAT ", accepted %" GST_PTR_FORMAT, offered,
          accepted));
  g_string_free (msg, TRUE);
  gst_caps_unref (accepted);
}

/* The caps query answers sink_caps() (filtered); an offer it refuses
 * whole, or caps the accept-caps query refuses, are posted as an error
 * (refuse()).  Any thread. */
gboolean
gst_melspec_sink_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  GstMelspec *self = GST_MELSPEC (parent);
  GstCaps *filter, *caps, *res;
  gboolean ok;
  gint rate;

  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_CAPS:
      gst_query_parse_caps (query, &filter);
      caps = sink_caps (self, &rate, NULL);
      if (filter) {
        res = gst_caps_intersect_full (filter, caps, GST_CAPS_INTERSECT_FIRST);
        gst_caps_unref (caps);
        caps = res;
        if (gst_caps_is_empty (caps) && !gst_caps_is_empty (filter))
          refuse (self, filter);
      }
      gst_query_set_caps_result (query, caps);
      gst_caps_unref (caps);
      return TRUE;
    case GST_QUERY_ACCEPT_CAPS:
      /* the template decides (GST_PAD_FLAG_ACCEPT_TEMPLATE): a wrong rate
       * reaches set_caps, which names both rates */
      ok = gst_pad_query_default (pad, parent, query);
      if (ok) {
        gboolean accepted;

        gst_query_parse_accept_caps_result (query, &accepted);
        if (!accepted) {
          gst_query_parse_accept_caps (query, &caps);
          refuse (self, caps);
        }
      }
      return ok;
    case GST_QUERY_CONVERT:
      /* in the input's units (the source pad answers in the features') */
      return gst_melspec_convert_query (self, &self->in_info, query);
    default:
      return gst_pad_query_default (pad, parent, query);
  }
}
