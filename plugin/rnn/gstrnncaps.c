/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnn element: caps negotiation (transform, query, fixate) over
 * the format maps of gstrnncapsmap.c, and the checks that reject a pair of
 * caps with the numbers that clash.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>

#include "gstrnn-private.h"

/* transform_caps: what @caps on the @direction pad map to on the other
 * pad, for the model and mode in force (the properties when no model is
 * loaded).  Any thread. */
GstCaps *
gst_rnn_caps_transform (GstRnn * self, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstRnnCapsMap m = { FALSE, TRUE, 0, 0, 0, 1, FALSE };
  GstCaps *ret;

  GST_OBJECT_LOCK (self);
  if (self->config.info.input_size > 0) {
    gst_rnn_caps_map_for (&m, &self->config.info, self->settings.batch_first);
  } else {
    /* no model yet: what the mode alone says */
    m.passthrough = self->settings.mode == GST_RNN_MODE_N_TO_1;
    m.fixed_rate = self->settings.mode != GST_RNN_MODE_N_TO_M;
    m.batch_first = self->settings.batch_first;
  }
  GST_OBJECT_UNLOCK (self);

  if (gst_caps_is_any (caps)) {
    GstPad *other = direction == GST_PAD_SINK ?
        GST_BASE_TRANSFORM_SRC_PAD (trans) :
        GST_BASE_TRANSFORM_SINK_PAD (trans);
    ret = gst_pad_get_pad_template_caps (other);
  } else {
    ret = gst_rnn_map_caps (direction, caps, &m);
  }

  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, ret,
        GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (ret);
    ret = tmp;
  }
  GST_DEBUG_OBJECT (self, "%s caps %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT,
      direction == GST_PAD_SINK ? "sink" : "src", caps, ret);
  return ret;
}

/* The CAPS query on a pad, answered as GstBaseTransform does but for one
 * step: the base class puts downstream's own caps first where they also
 * fit upstream, the right guess for an element that may pass buffers
 * through; for one that maps B x F channels to B x O that puts the wrong
 * channel count first (a converter in front then picks 6 channels for a
 * 2-input, 3-output model fed mono).  FALSE: not handled (passthrough, or
 * no model yet). */
gboolean
gst_rnn_caps_query (GstRnn * self, GstPadDirection direction,
    GstQuery * query)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstPad *pad = direction == GST_PAD_SINK ? trans->sinkpad : trans->srcpad;
  GstPad *other = direction == GST_PAD_SINK ? trans->srcpad : trans->sinkpad;
  GstPadDirection otherdir = direction == GST_PAD_SINK ? GST_PAD_SRC :
      GST_PAD_SINK;
  GstCaps *filter, *peerfilter = NULL, *peercaps, *templ, *otempl, *tmp, *caps;
  gboolean mapped;

  GST_OBJECT_LOCK (self);
  mapped = self->config.info.input_size > 0
      && self->config.info.output != RNN_OUTPUT_WINDOW_SCORES;
  GST_OBJECT_UNLOCK (self);
  if (!mapped)
    return FALSE;

  gst_query_parse_caps (query, &filter);
  templ = gst_pad_get_pad_template_caps (pad);
  otempl = gst_pad_get_pad_template_caps (other);
  if (filter) {
    tmp = gst_caps_intersect (filter, templ);
    peerfilter = gst_rnn_caps_transform (self, direction, tmp, NULL);
    gst_caps_unref (tmp);
  }
  peercaps = gst_pad_peer_query_caps (other, peerfilter);
  tmp = gst_caps_intersect (peercaps, otempl);
  caps = gst_rnn_caps_transform (self, otherdir, tmp, filter);
  gst_caps_unref (tmp);
  tmp = gst_caps_intersect_full (caps, templ, GST_CAPS_INTERSECT_FIRST);
  gst_caps_unref (caps);
  GST_DEBUG_OBJECT (self, "%s caps %" GST_PTR_FORMAT, direction ==
      GST_PAD_SINK ? "sink" : "src", tmp);
  gst_query_set_caps_result (query, tmp);
  gst_caps_unref (tmp);
  gst_caps_unref (peercaps);
  gst_clear_caps (&peerfilter);
  gst_caps_unref (templ);
  gst_caps_unref (otempl);
  return TRUE;
}

/* fixate_caps: fixate @othercaps, the caps of the other pad. */
GstCaps *
gst_rnn_caps_fixate (GstRnn * self, GstCaps * othercaps)
{
  GstStructure *s;
  gint channels;
  gboolean passthrough;

  othercaps = gst_caps_truncate (othercaps);
  othercaps = gst_caps_make_writable (othercaps);
  othercaps = gst_caps_fixate (othercaps);

  /* n-to-1 passes the input through as it is */
  GST_OBJECT_LOCK (self);
  passthrough = self->config.info.output == RNN_OUTPUT_WINDOW_SCORES
      && self->config.info.input_size > 0;
  GST_OBJECT_UNLOCK (self);
  if (passthrough)
    return othercaps;

  /* More than two channels of unpositioned audio need an explicit zero
   * channel-mask for GstAudioInfo-based peers. */
  s = gst_caps_get_structure (othercaps, 0);
  if (gst_structure_has_name (s, "audio/x-raw")
      && gst_structure_get_int (s, "channels", &channels) && channels > 2
      && !gst_structure_has_field (s, "channel-mask"))
    gst_structure_set (s, "channel-mask", GST_TYPE_BITMASK, (guint64) 0,
        NULL);

  return othercaps;
}

/* What audio caps cannot carry: a batch-first layout, forecasts that do
 * not tile the time line.  Posts the NEGOTIATION error. */
static gboolean
gst_rnn_check_layout (GstRnn * self, const GstRnnFormat * in,
    GstCaps * incaps)
{
  gboolean bf = self->config.run.batch_first;

  if (bf && !in->tensors) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("batch-first=true lays a buffer out as (B, T, F), each stream's "
            "frames together, which audio/x-raw (interleaved: one frame of "
            "every channel after the other) cannot carry. Use other/tensors "
            "caps (dimensions F:T:B) with batch-first=true, or "
            "batch-first=false for audio."), ("in %" GST_PTR_FORMAT, incaps));
    return FALSE;
  }
  if (!in->tensors && self->config.info.output == RNN_OUTPUT_WINDOW_FRAMES
      && !self->config.info.contiguous
      && self->config.info.frames_per_result != self->config.info.hop) {
    /* forecasts of steps frames every hop frames: a time line with holes
     * (steps < hop) or overlaps (steps > hop) */
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("mode=n-to-m forecasts steps=%u frames every hop=%u frames: as "
            "audio/x-raw that is not a continuous stream (it %s), which audio "
            "elements downstream misread. Set steps equal to hop for audio, "
            "or use other/tensors caps (one tensor per forecast).",
            self->config.info.frames_per_result, self->config.info.hop,
            self->config.info.frames_per_result < self->config.info.hop ?
            "leaves gaps" : "overlaps itself"), ("in %" GST_PTR_FORMAT,
            incaps));
    return FALSE;
  }
  return TRUE;
}

/* The negotiation checks of set_caps: parse @incaps and @outcaps and check
 * them against the running model, mode and layout.  Sets *@in and the
 * number of streams *@batch; else posts a NEGOTIATION error that names
 * the numbers that clash and returns FALSE.  State lock held. */
/* The number of streams @in carries for a model of @F inputs and @O
 * outputs, or 0 after posting the error that names the numbers. */
static guint
gst_rnn_input_streams (GstRnn * self, const GstRnnFormat * in,
    GstCaps * incaps, guint F, guint O, gboolean bf)
{
  guint64 B64;

  if (in->tensors && bf) {
    guint i;

    if (in->width != F) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("Input tensor's innermost dimension is %u but the model's input "
              "size is %u (batch-first tensors are F:T:B).", in->width, F),
          (NULL));
      return 0;
    }
    B64 = 1;
    for (i = 2; i < in->rank && B64 <= G_MAXINT; i++)
      B64 *= in->dims[i];
  } else {
    if (in->width % F != 0) {
      if (in->tensors)
        GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
            ("Input tensor's innermost dimension %u is not a multiple of the "
                "model's input size %u (it must be B x %u for B streams).",
                in->width, F, F), (NULL));
      else
        GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
            ("Input has %u channels, which is not a multiple of the model's "
                "input size %u (channels must be B x %u for B streams: "
                "audioconvert before %s remixes audio to %u channels; "
                "features must come %u per frame).", in->width, F, F,
                GST_OBJECT_NAME (self), F, F), (NULL));
      return 0;
    }
    B64 = in->width / F;
  }
  /* every product of caps values fits: B x F and B x O floats a frame */
  if (B64 > GST_RNN_MAX_FLOATS / MAX (F, O)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("The input caps make %s%" G_GUINT64_FORMAT " streams of %u inputs "
            "and %u outputs: more than %u floats per frame, the most the "
            "element takes.", B64 > G_MAXINT ? "more than " : "",
            MIN (B64, (guint64) G_MAXINT), F, O, GST_RNN_MAX_FLOATS),
        ("in %" GST_PTR_FORMAT, incaps));
    return 0;
  }
  return (guint) B64;
}

gboolean
gst_rnn_check_caps (GstRnn * self, GstCaps * incaps, GstCaps * outcaps,
    GstRnnFormat * in_fmt, guint * batch)
{
  GstRnnFormat in, out;
  guint F = self->config.info.input_size, O = self->config.info.output_size;
  guint B, expect;
  gboolean bf = self->config.run.batch_first;

  if (!gst_rnn_parse_format (incaps, &in)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Could not parse the input caps (tensor dimensions must be a "
            "string such as dimensions=(string)4:1)."),
        ("in %" GST_PTR_FORMAT, incaps));
    return FALSE;
  }

  if (!gst_rnn_check_layout (self, &in, incaps))
    return FALSE;
  B = gst_rnn_input_streams (self, &in, incaps, F, O, bf);
  if (B == 0)
    return FALSE;
  expect = in.tensors && bf ? O : B * O;

  if (!gst_rnn_parse_format (outcaps, &out)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Could not parse the output caps."),
        ("out %" GST_PTR_FORMAT, outcaps));
    return FALSE;
  }
  if (self->config.info.output == RNN_OUTPUT_WINDOW_SCORES) {
    /* the input passes through */
    if (out.width != in.width || out.tensors != in.tensors) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("mode=n-to-1 passes the input through, but the output caps have "
              "width %u and the input %u.", out.width, in.width),
          ("out %" GST_PTR_FORMAT, outcaps));
      return FALSE;
    }
  } else if (out.width != expect || out.tensors != in.tensors) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Output caps have width %u but %u streams of the model's output "
            "size %u need %u.", out.width, B, O, B * O),
        ("out %" GST_PTR_FORMAT, outcaps));
    return FALSE;
  }
  *in_fmt = in;
  *batch = B;
  return TRUE;
}
