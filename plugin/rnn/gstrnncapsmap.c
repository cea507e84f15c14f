/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnn element: how each caps format (audio, tensors) maps
 * across the element for a model and a mode (B streams of F inputs in, B
 * of O outputs out, frames and rates), and the parsing of a format into
 * GstRnnFormat.  No element state: gstrnncaps.c negotiates with these.
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

gboolean
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
