/* GStreamer rnn element: caps.  How the formats on the two pads map to
 * each other for a model and a mode, and the checks that reject a pair
 * of caps with the numbers that clash.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>

#include "gstrnn-private.h"

/* Parse "C:T:1:1" (innermost first).  Returns FALSE on a malformed
 * string. */
static gboolean
gst_rnn_parse_dims (const gchar * str, guint * dims, guint * rank)
{
  gchar **parts;
  guint i, n;
  gboolean ok = TRUE;

  if (str == NULL)
    return FALSE;
  parts = g_strsplit (str, ":", -1);
  n = g_strv_length (parts);
  if (n == 0 || n > GST_RNN_MAX_DIMS)
    ok = FALSE;
  for (i = 0; ok && i < n; i++) {
    guint64 v;
    gchar *s = g_strstrip (parts[i]);

    if (!g_ascii_string_to_unsigned (s, 10, 1, G_MAXINT, &v, NULL))
      ok = FALSE;
    else
      dims[i] = (guint) v;
  }
  *rank = n;
  g_strfreev (parts);
  return ok;
}

static gchar *
gst_rnn_dims_to_string (const guint * dims, guint rank)
{
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; i < rank; i++)
    g_string_append_printf (s, "%s%u", i ? ":" : "", dims[i]);
  return g_string_free (s, FALSE);
}

/* Map fixed tensor dimensions across the element.  @out_T > 0: every
 * output tensor has that many frames (windowed n-to-n, n-to-m); @t_mul > 1:
 * the output has t_mul frames per input frame (1-to-n).  Returns FALSE when
 * no dimensions on the other side correspond. */
static gboolean
gst_rnn_map_dims (guint * dims, guint * rank, GstPadDirection direction,
    gboolean batch_first, guint in_size, guint out_size, guint out_T,
    guint t_mul)
{
  guint from = direction == GST_PAD_SINK ? in_size : out_size;
  guint to = direction == GST_PAD_SINK ? out_size : in_size;

  if (batch_first) {
    /* (B, T, F) is F:T:B */
    if (dims[0] != from)
      return FALSE;
    dims[0] = to;
  } else {
    /* (T, B, F) is (B*F):T */
    if (dims[0] % from != 0 || (guint64) (dims[0] / from) * to > G_MAXINT)
      return FALSE;
    dims[0] = dims[0] / from * to;
  }

  if (*rank < 2 && (out_T > 0 || t_mul > 1)) {
    dims[1] = 1;
    *rank = 2;
  }
  if (out_T > 0) {
    if (direction != GST_PAD_SINK)
      return FALSE;             /* any T upstream: caller drops the field */
    dims[1] = out_T;
  } else if (t_mul > 1) {
    if (direction == GST_PAD_SINK) {
      if (dims[1] > G_MAXINT / t_mul)
        return FALSE;
      dims[1] *= t_mul;
    } else {
      if (dims[1] % t_mul != 0)
        return FALSE;
      dims[1] /= t_mul;
    }
  }
  return TRUE;
}

/* 1-to-n: the output rate is the input rate x @mul.  FALSE: no rate on the
 * other side corresponds. */
static gboolean
gst_rnn_map_rate (GstStructure * s, GstPadDirection direction, guint mul)
{
  gint rate;

  if (mul <= 1 || !gst_structure_has_field (s, "rate"))
    return TRUE;
  if (gst_structure_get_int (s, "rate", &rate)) {
    if (direction == GST_PAD_SINK) {
      if (rate > G_MAXINT / (gint) mul)
        return FALSE;
      rate *= mul;
    } else {
      if (rate % mul != 0)
        return FALSE;
      rate /= mul;
    }
    gst_structure_set (s, "rate", G_TYPE_INT, rate, NULL);
  } else {
    gst_structure_set (s, "rate", GST_TYPE_INT_RANGE, 1, G_MAXINT, NULL);
  }
  return TRUE;
}

/* Channels that carry whole streams of @unit values: B = 1 in @ns, first
 * (what a converter upstream picks for mono), then in *@extra up to 64
 * streams in a list and more in a range (a range cannot say "multiples";
 * a count in it that is not one is refused by set_caps, naming both). */
static void
gst_rnn_channels_of (GstStructure * ns, guint unit, GstCaps ** extra)
{
  GValue list = G_VALUE_INIT;
  GstStructure *more;
  guint b;

  gst_structure_set (ns, "channels", G_TYPE_INT, (gint) unit, NULL);
  *extra = gst_caps_new_empty ();
  g_value_init (&list, GST_TYPE_LIST);
  for (b = 2; b <= 64 && (guint64) b * unit <= G_MAXINT; b++) {
    GValue v = G_VALUE_INIT;

    g_value_init (&v, G_TYPE_INT);
    g_value_set_int (&v, (gint) (b * unit));
    gst_value_list_append_and_take_value (&list, &v);
  }
  if (gst_value_list_get_size (&list) > 0) {
    more = gst_structure_copy (ns);
    gst_structure_set_value (more, "channels", &list);
    *extra = gst_caps_merge_structure (*extra, more);
  }
  g_value_unset (&list);
  if ((guint64) 65 * unit <= G_MAXINT) {
    more = gst_structure_copy (ns);
    gst_structure_set (more, "channels", GST_TYPE_INT_RANGE, 65 * unit,
        G_MAXINT, NULL);
    *extra = gst_caps_merge_structure (*extra, more);
  }
}

/* An audio/x-raw structure @s mapped to the other side, into its copy
 * @ns (and *@extra, see gst_rnn_channels_of()): B x F channels become
 * B x O.  FALSE: nothing on the other side corresponds. */
static gboolean
gst_rnn_map_audio (GstStructure * ns, const GstStructure * s,
    GstPadDirection direction, const GstRnnCapsMap * m, GstCaps ** extra)
{
  gint channels, other = -1;
  gboolean fixed = gst_structure_get_int (s, "channels", &channels);
  const GValue *cv = gst_structure_get_value (s, "channels");

  gst_structure_remove_field (ns, "channel-mask");
  if (m->in_size > 0 && cv && GST_VALUE_HOLDS_LIST (cv)) {
    /* a list of counts: each that is whole streams, mapped */
    guint from = direction == GST_PAD_SINK ? m->in_size : m->out_size;
    guint to = direction == GST_PAD_SINK ? m->out_size : m->in_size;
    GValue list = G_VALUE_INIT;

    g_value_init (&list, GST_TYPE_LIST);
    for (guint i = 0; i < gst_value_list_get_size (cv); i++) {
      const GValue *v = gst_value_list_get_value (cv, i);
      GValue o = G_VALUE_INIT;
      gint c;

      if (!G_VALUE_HOLDS_INT (v) || (c = g_value_get_int (v)) <= 0
          || c % from != 0 || (guint64) (c / from) * to > G_MAXINT)
        continue;
      g_value_init (&o, G_TYPE_INT);
      g_value_set_int (&o, c / from * to);
      gst_value_list_append_and_take_value (&list, &o);
    }
    if (gst_value_list_get_size (&list) == 0) {
      g_value_unset (&list);
      return FALSE;
    }
    gst_structure_set_value (ns, "channels", &list);
    g_value_unset (&list);
    return gst_rnn_map_rate (ns, direction, m->t_mul);
  }
  if (m->in_size > 0 && fixed && channels > 0) {
    guint64 o;

    if (direction == GST_PAD_SINK) {
      /* Not a multiple (or too many): leave the output open so that
       * set_caps runs and says which numbers clash. */
      o = (guint64) (channels / m->in_size) * m->out_size;
      if (channels % m->in_size == 0 && o <= G_MAXINT)
        other = (gint) o;
    } else {
      o = (guint64) (channels / m->out_size) * m->in_size;
      if (channels % m->out_size != 0 || o > G_MAXINT)
        return FALSE;
      other = (gint) o;
    }
  }
  if (other > 0) {
    gst_structure_set (ns, "channels", G_TYPE_INT, other, NULL);
    if (other > 2)
      gst_structure_set (ns, "channel-mask", GST_TYPE_BITMASK,
          (guint64) 0, NULL);
  } else if (m->in_size > 0 && !fixed) {
    /* the model is known: whole streams only, so that a converter in
     * front adapts (mono to a 2-input model: 2 channels) */
    gst_rnn_channels_of (ns, direction == GST_PAD_SINK ? m->out_size :
        m->in_size, extra);
  } else {
    gst_structure_set (ns, "channels", GST_TYPE_INT_RANGE, 1, G_MAXINT,
        NULL);
  }
  if (!gst_rnn_map_rate (ns, direction, m->t_mul)) {
    gst_clear_caps (extra);
    return FALSE;
  }
  for (guint i = 0; *extra && i < gst_caps_get_size (*extra); i++)
    gst_rnn_map_rate (gst_caps_get_structure (*extra, i), direction,
        m->t_mul);
  return TRUE;
}

/* An other/tensors structure @s mapped to the other side, into its copy
 * @ns.  FALSE: nothing on the other side corresponds. */
static gboolean
gst_rnn_map_tensors (GstStructure * ns, const GstStructure * s,
    GstPadDirection direction, const GstRnnCapsMap * m)
{
  const gchar *str = gst_structure_get_string (s, "dimensions");
  guint dims[GST_RNN_MAX_DIMS], rank;

  if (m->in_size > 0 && str && gst_rnn_parse_dims (str, dims, &rank)) {
    if (gst_rnn_map_dims (dims, &rank, direction, m->batch_first,
            m->in_size, m->out_size, m->out_T, m->t_mul)) {
      gchar *d = gst_rnn_dims_to_string (dims, rank);
      gst_structure_set (ns, "dimensions", G_TYPE_STRING, d, NULL);
      g_free (d);
    } else if (direction == GST_PAD_SRC && m->out_T == 0) {
      return FALSE;
    } else {
      gst_structure_remove_field (ns, "dimensions");
    }
  } else {
    gst_structure_remove_field (ns, "dimensions");
  }
  /* n-to-m: one tensor per window, at no fixed rate. */
  if (!m->fixed_rate) {
    if (direction == GST_PAD_SINK)
      gst_structure_set (ns, "framerate", GST_TYPE_FRACTION, 0, 1, NULL);
    else
      gst_structure_remove_field (ns, "framerate");
  }
  return TRUE;
}

/* What the caps on one side map to on the other under @m.  @caps is not
 * ANY. */
GstCaps *
gst_rnn_map_caps (GstPadDirection direction, GstCaps * caps,
    const GstRnnCapsMap * m)
{
  GstCaps *ret;
  guint i, n;

  if (m->passthrough && m->in_size == 0)
    return gst_caps_ref (caps);

  ret = gst_caps_new_empty ();
  n = gst_caps_get_size (caps);
  for (i = 0; i < n; i++) {
    const GstStructure *s = gst_caps_get_structure (caps, i);
    /* passthrough keeps the input's memory; else new system memory */
    GstCapsFeatures *f = m->passthrough ? gst_caps_get_features (caps, i) :
        NULL;
    GstStructure *ns = gst_structure_copy (s);
    GstCaps *extra = NULL;
    gboolean ok;

    if (m->passthrough) {
      /* n-to-1 passes the input through: the same caps on both sides,
       * whole streams only once the model is known */
      gint channels;

      ok = TRUE;
      if (m->in_size > 0 && gst_structure_has_name (s, "audio/x-raw")
          && !gst_structure_get_int (s, "channels", &channels))
        gst_rnn_channels_of (ns, m->in_size, &extra);
    } else if (gst_structure_has_name (s, "audio/x-raw")) {
      ok = gst_rnn_map_audio (ns, s, direction, m, &extra);
    } else if (gst_structure_has_name (s, "other/tensors")) {
      ok = gst_rnn_map_tensors (ns, s, direction, m);
    } else {
      ok = FALSE;
    }
    if (ok) {
      ret = gst_caps_merge_structure_full (ret, ns,
          f ? gst_caps_features_copy (f) : NULL);
      while (extra && !gst_caps_is_empty (extra))
        ret = gst_caps_merge_structure_full (ret,
            gst_caps_steal_structure (extra, 0),
            f ? gst_caps_features_copy (f) : NULL);
    } else {
      gst_structure_free (ns);
    }
    gst_clear_caps (&extra);
  }
  return ret;
}

static gboolean
gst_rnn_parse_format (GstCaps * caps, GstRnnFormat * fmt)
{
  const GstStructure *s;

  memset (fmt, 0, sizeof (*fmt));
  fmt->steps_d = 1;
  if (caps == NULL || gst_caps_get_size (caps) < 1)
    return FALSE;
  s = gst_caps_get_structure (caps, 0);

  if (gst_structure_has_name (s, "audio/x-raw")) {
    gint channels, rate;

    if (!gst_structure_get_int (s, "channels", &channels)
        || !gst_structure_get_int (s, "rate", &rate) || channels <= 0
        || rate <= 0)
      return FALSE;
    fmt->width = channels;
    fmt->steps_n = rate;
    fmt->steps_d = 1;
    return TRUE;
  }

  if (gst_structure_has_name (s, "other/tensors")) {
    gint fps_n = 0, fps_d = 1;
    guint frames;

    fmt->tensors = TRUE;
    if (!gst_rnn_parse_dims (gst_structure_get_string (s, "dimensions"),
            fmt->dims, &fmt->rank))
      return FALSE;
    fmt->width = fmt->dims[0];
    frames = fmt->rank > 1 ? fmt->dims[1] : 1;
    if (gst_structure_get_fraction (s, "framerate", &fps_n, &fps_d)
        && fps_n > 0 && fps_d > 0 && (guint64) fps_n * frames <= G_MAXINT) {
      fmt->steps_n = fps_n * frames;
      fmt->steps_d = fps_d;
    }
    return TRUE;
  }
  return FALSE;
}

/* How caps map for a structure (@info) in @batch_first layout. */
void
gst_rnn_caps_map_for (GstRnnCapsMap * m, const RnnRunInfo * info,
    gboolean batch_first)
{
  m->passthrough = info->output == RNN_OUTPUT_WINDOW_SCORES;
  m->fixed_rate = info->output == RNN_OUTPUT_BLOCK || info->contiguous;
  m->in_size = info->input_size;
  m->out_size = info->output_size;
  m->out_T = info->output == RNN_OUTPUT_WINDOW_FRAMES ?
      info->frames_per_result : 0;
  m->t_mul = MAX (1, info->frames_per_input);
  m->batch_first = batch_first;
}

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
gboolean
gst_rnn_check_caps (GstRnn * self, GstCaps * incaps, GstCaps * outcaps,
    GstRnnFormat * in_fmt, guint * batch)
{
  GstRnnFormat in, out;
  guint F = self->config.info.input_size, O = self->config.info.output_size;
  guint B, expect;
  guint64 B64;
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
  if (in.tensors && bf) {
    guint i;

    if (in.width != F) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("Input tensor's innermost dimension is %u but the model's input "
              "size is %u (batch-first tensors are F:T:B).", in.width, F),
          (NULL));
      return FALSE;
    }
    B64 = 1;
    for (i = 2; i < in.rank && B64 <= G_MAXINT; i++)
      B64 *= in.dims[i];
  } else {
    if (in.width % F != 0) {
      if (in.tensors)
        GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
            ("Input tensor's innermost dimension %u is not a multiple of the "
                "model's input size %u (it must be B x %u for B streams).",
                in.width, F, F), (NULL));
      else
        GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
            ("Input has %u channels, which is not a multiple of the model's "
                "input size %u (channels must be B x %u for B streams: "
                "audioconvert before %s remixes audio to %u channels; "
                "features must come %u per frame).", in.width, F, F,
                GST_OBJECT_NAME (self), F, F), (NULL));
      return FALSE;
    }
    B64 = in.width / F;
  }
  /* every product of caps values fits: B x F and B x O floats a frame */
  if (B64 > GST_RNN_MAX_FLOATS / MAX (F, O)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("The input caps make %s%" G_GUINT64_FORMAT " streams of %u inputs "
            "and %u outputs: more than %u floats per frame, the most the "
            "element takes.", B64 > G_MAXINT ? "more than " : "",
            MIN (B64, (guint64) G_MAXINT), F, O, GST_RNN_MAX_FLOATS),
        ("in %" GST_PTR_FORMAT, incaps));
    return FALSE;
  }
  B = (guint) B64;
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
