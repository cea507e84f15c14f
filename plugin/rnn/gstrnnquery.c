/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnn element: what it does as GStreamer's own converters do
 * beyond its data: the tags it passes on where its output is not the
 * input audio, and CONVERT queries answered in each pad's own units.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstrnn-private.h"
#include "gstrnntags.h"

/* The input leaves as it is (n-to-1: the results ride on it). */
static gboolean
gst_rnn_passes_input (GstRnn * self)
{
  gboolean passthrough;

  GST_OBJECT_LOCK (self);
  passthrough = self->config.info.output == RNN_OUTPUT_WINDOW_SCORES
      && self->config.info.input_size > 0;
  GST_OBJECT_UNLOCK (self);
  return passthrough;
}

GstEvent *
gst_rnn_tag_event (GstRnn * self, GstEvent * event)
{
  if (gst_rnn_passes_input (self))
    return event;
  return gst_rnn_tags_strip_audio (event);
}

/* Bytes of one time step of @fmt (all streams): F32 throughout. */
static guint64
gst_rnn_step_bytes (const GstRnnFormat * fmt)
{
  guint64 floats = 1;

  if (!fmt->tensors)
    return (guint64) fmt->width * sizeof (float);
  for (guint i = 0; i < fmt->rank; i++)
    if (i != 1)
      floats *= fmt->dims[i];
  return floats * sizeof (float);
}

/* @val in @from as @to for @fmt; FALSE if @fmt cannot say (no rate). */
static gboolean
gst_rnn_convert_value (const GstRnnFormat * fmt, GstFormat from, gint64 val,
    GstFormat to, gint64 * out)
{
  guint64 bps = gst_rnn_step_bytes (fmt), steps;
  gboolean timed = fmt->steps_n > 0 && fmt->steps_d > 0;

  if (from == to || val == -1 || val == 0) {
    *out = from == to || val == -1 ? val : 0;
    return TRUE;
  }
  if (val < 0 || bps == 0)
    return FALSE;
  switch (from) {
    case GST_FORMAT_DEFAULT:
      steps = val;
      break;
    case GST_FORMAT_BYTES:
      steps = (guint64) val / bps;
      break;
    case GST_FORMAT_TIME:
      if (!timed)
        return FALSE;
      steps = gst_util_uint64_scale_round (val, fmt->steps_n,
          (guint64) GST_SECOND * fmt->steps_d);
      break;
    default:
      return FALSE;
  }
  switch (to) {
    case GST_FORMAT_DEFAULT:
      *out = steps;
      return TRUE;
    case GST_FORMAT_BYTES:
      *out = steps * bps;
      return TRUE;
    case GST_FORMAT_TIME:
      if (!timed)
        return FALSE;
      *out = gst_util_uint64_scale_round (steps,
          (guint64) GST_SECOND * fmt->steps_d, fmt->steps_n);
      return TRUE;
    default:
      return FALSE;
  }
}

gboolean
gst_rnn_convert_query (GstRnn * self, GstPadDirection direction,
    GstQuery * query, gboolean * answered)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstPad *pad = direction == GST_PAD_SINK ? trans->sinkpad : trans->srcpad;
  GstCaps *caps = gst_pad_get_current_caps (pad);
  GstFormat from, to;
  gint64 val, out;
  GstRnnFormat fmt;
  gboolean ok;

  *answered = FALSE;
  if (caps == NULL)
    return FALSE;
  ok = gst_rnn_parse_format (caps, &fmt);
  gst_caps_unref (caps);
  if (!ok)
    return FALSE;
  *answered = TRUE;
  gst_query_parse_convert (query, &from, &val, &to, NULL);
  ok = gst_rnn_convert_value (&fmt, from, val, to, &out);
  if (ok)
    gst_query_set_convert (query, from, val, to, out);
  GST_LOG_OBJECT (pad, "convert %" G_GINT64_FORMAT " %s -> %s: %s %"
      G_GINT64_FORMAT, val, gst_format_get_name (from),
      gst_format_get_name (to), ok ? "ok" : "cannot", ok ? out : 0);
  return ok;
}
