/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnn element: the error that tells the user which converter to
 * add when upstream offers caps the sink pad cannot take (S16LE audio, a
 * channel count that is not whole streams of the model's inputs), instead
 * of the bare not-negotiated the source would report.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstrnn-private.h"
#include "gstcapsadvice.h"

enum
{
  FIELD_FORMAT,
  FIELD_LAYOUT,
  FIELD_CHANNELS,
  FIELD_TYPES,
};
static const gchar *const fields[] = { "format", "layout", "channels",
  "types", NULL
};

/* What the sink takes on its own, whatever downstream takes: the
 * template, in whole streams of the model's inputs once it is loaded. */
static GstCaps *
gst_rnn_sink_alone (GstRnn * self)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstCaps *src = gst_pad_get_pad_template_caps (trans->srcpad);
  GstCaps *sink = gst_pad_get_pad_template_caps (trans->sinkpad);
  GstCaps *mapped = gst_rnn_caps_transform (self, GST_PAD_SRC, src, NULL);
  GstCaps *ret = gst_caps_intersect_full (mapped, sink,
      GST_CAPS_INTERSECT_FIRST);

  gst_caps_unref (src);
  gst_caps_unref (sink);
  gst_caps_unref (mapped);
  return ret;
}

static void
append_clashes (GstRnn * self, GString * msg, GstCaps * offered,
    GstCaps * accepted, guint clash)
{
  const gchar *name = GST_OBJECT_NAME (self);
  gchar *model;
  guint F;

  if (clash & GST_CAPS_ADVICE_NAME_CLASH) {
    g_autofree gchar *s = gst_caps_to_string (offered);

    g_string_append_printf (msg, "%s; it takes audio/x-raw (F32LE) or "
        "other/tensors (float32): decode and convert it first (e.g. "
        "decodebin ! audioconvert); ", s);
  }
  if (clash & (1u << FIELD_FORMAT)) {
    g_autofree gchar *v = gst_caps_advice_value (offered, "format");

    g_string_append_printf (msg, "format %s, where it takes F32LE: add "
        "audioconvert before %s; ", v, name);
  }
  if (clash & (1u << FIELD_LAYOUT)) {
    g_autofree gchar *v = gst_caps_advice_value (offered, "layout");

    g_string_append_printf (msg, "layout %s, where it takes interleaved: "
        "add audioconvert before %s; ", v, name);
  }
  if (clash & (1u << FIELD_CHANNELS)) {
    g_autofree gchar *v = gst_caps_advice_value (offered, "channels");

    GST_OBJECT_LOCK (self);
    F = self->config.info.input_size;
    model = g_strdup (self->settings.model_path);
    GST_OBJECT_UNLOCK (self);
    g_string_append_printf (msg, "channels %s, where the model %s reads %u "
        "values per frame: it takes B x %u channels for B streams (make the "
        "source give %u channels, e.g. with audioconvert before %s, or use "
        "a model of that input size); ", v, model ? model : "", F, F, F,
        name);
    g_free (model);
  }
  if (clash & (1u << FIELD_TYPES)) {
    g_autofree gchar *v = gst_caps_advice_value (offered, "types");

    g_string_append_printf (msg, "tensor types %s, where it takes float32 "
        "(e.g. tensor_transform mode=typecast option=float32 before %s); ",
        v, name);
  }
  if (clash == 0) {
    g_autofree gchar *s = gst_caps_to_string (offered);
    g_autofree gchar *a = gst_caps_to_string (accepted);

    g_string_append_printf (msg, "%s, where it takes %s; ", s, a);
  }
}

/* Post the NEGOTIATION error for @offered, refused by a caps or
 * accept-caps query on the sink pad, if the sink itself cannot take it
 * (not when only downstream refuses what it maps to): each field that
 * clashes, its value, the value expected and the converter to add.  Once
 * per start, in PAUSED or PLAYING only.  The thread of the query. */
void
gst_rnn_caps_refused (GstRnn * self, GstCaps * offered)
{
  GstCaps *accepted = gst_rnn_sink_alone (self);
  GString *msg;

  if (gst_caps_can_intersect (offered, accepted)
      || !gst_caps_advice_should_post (GST_ELEMENT (self),
          &self->refusal_posted)) {
    gst_caps_unref (accepted);
    return;
  }
  msg = g_string_new (NULL);
  g_string_printf (msg, "%s cannot take the input offered upstream: ",
      GST_OBJECT_NAME (self));
  append_clashes (self, msg, offered, accepted,
      gst_caps_advice_clashes (offered, accepted, fields));
  if (g_str_has_suffix (msg->str, "; "))
    g_string_truncate (msg, msg->len - 2);
  g_string_append_c (msg, '.');
  GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s", msg->str),
      ("offered %" GST_PTR_FORMAT ", accepted %" GST_PTR_FORMAT, offered,
          accepted));
  g_string_free (msg, TRUE);
  gst_caps_unref (accepted);
}
