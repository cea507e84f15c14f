/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnntext element: n-to-1 results of the rnn element as text.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-rnntext
 * @title: rnntext
 *
 * Turns the results of an `rnn` element in `n-to-1` mode, which ride on
 * its buffers as `GstRnnResultMeta` custom metas, into a
 * `text/x-raw, format=utf8` stream of cues: one buffer per window, its
 * text made from #GstRnnText:template, starting where
 * #GstRnnText:cue-time says (by default the window's end, when its result
 * is known) and lasting one hop (until the next window's cue), or its
 * whole window when windows do not overlap, so cues never overlap; a cue
 * leaves as soon as its result comes (the results carry the hop).  The
 * input buffers (any caps) are consumed.  Invalid results (non-finite
 * scores) give no text, nor do those below #GstRnnText:min-confidence, of
 * another #GstRnnText:stream or labelled as in #GstRnnText:ignore-labels;
 * with several streams the texts of one window are joined by
 * #GstRnnText:separator.  With #GstRnnText:merge a cue is held until the
 * text changes or for #GstRnnText:max-hold.  After every input buffer a
 * GAP event announces that nothing starts before the earliest cue still
 * to come (with cue-time=end: the buffer's end), so `textoverlay`,
 * `matroskamux` and `mp4mux` never wait for text that will not come.
 * The LATENCY answer is upstream's (the `rnn` element reports its window)
 * plus, with merge, max-hold.  EOS, SEGMENT_DONE, a new segment or a GAP
 * event send a held cue; a flush drops it.  When two `rnn` elements on
 * the path attach results, #GstRnnText:source names the one to render
 * (by default the first seen, with a WARNING when another's arrive).
 * The text is a stream of its own: its stream-id is the input's plus
 * "/" and the element's name, flagged sparse.  Times and confidence are
 * written with a decimal point whatever the locale.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 audiotestsrc wave=square samplesperbuffer=800 \
 *         num-buffers=10 ! \
 *     audio/x-raw,format=F32LE,rate=8000,channels=1 ! \
 *     rnn mode=n-to-1 window=4000 \
 *         model=examples/models/waveform-gru.safetensors ! \
 *     rnntext template="{start} {label} {confidence}" ! fdsink
 * ]| One line per 0.5 s window: its start, waveform and confidence.
 * |[
 * gst-launch-1.0 filesrc location=words.wav ! wavparse ! tee name=t \
 *     t. ! queue ! audioconvert ! audioresample ! \
 *         melspec model=examples/models/kws-gru.safetensors ! \
 *         rnn model=examples/models/kws-gru.safetensors mode=n-to-1 \
 *             window=100 hop=10 ! \
 *         rnntext newline=false merge=true ! queue ! mux.subtitle_0 \
 *     t. ! queue ! audioconvert ! audioresample ! vorbisenc ! mux. \
 *     matroskamux name=mux ! filesink location=labelled.mkv
 * ]| The audio with its labels as a subtitle track (default queues).
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! textoverlay name=o ! \
 *         autovideosink \
 *     autoaudiosrc ! audioconvert ! audioresample ! \
 *         melspec model=examples/models/kws-gru.safetensors ! \
 *         rnn model=examples/models/kws-gru.safetensors mode=n-to-1 \
 *             window=100 hop=10 ! \
 *         rnntext newline=false ! o.text_sink
 * ]| Live labels on live video.
 * |[
 * gst-launch-1.0 audiotestsrc wave=square samplesperbuffer=800 \
 *         num-buffers=20 ! \
 *     audio/x-raw,format=F32LE,rate=8000,channels=1 ! \
 *     rnn mode=n-to-1 window=800 hop=80 \
 *         model=examples/models/waveform-gru.safetensors ! \
 *     rnntext merge=true max-hold=-1 ignore-labels=sine ! fdsink
 * ]| One line per run of equal labels (100 ms windows every 10 ms), none
 * for sine.
 *
 * Label post-processing (gstrnntextpost.c) is off until one of its
 * properties is set: #GstRnnText:smoothing (with
 * #GstRnnText:smoothing-mode), #GstRnnText:thresholds,
 * #GstRnnText:min-duration, #GstRnnText:end-threshold and
 * #GstRnnText:hold then decide each window's label from the last results
 * of its stream, e.g. `rnntext merge=true ignore-labels=silence,unknown
 * min-confidence=0.5 smoothing=5 thresholds=yes=0.8` for the keyword
 * spotter of examples/kws.
 */

#include <math.h>
#include <string.h>

#include "gstrnntext-private.h"

GST_DEBUG_CATEGORY (gst_rnn_text_debug);

/* Room reserved at start for a cue's text: longer ones grow it once. */
#define TEXT_RESERVE 256

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("text/x-raw, format = (string) utf8"));

#define gst_rnn_text_parent_class parent_class
G_DEFINE_TYPE (GstRnnText, gst_rnn_text, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE (rnntext, "rnntext", GST_RANK_NONE,
    GST_TYPE_RNN_TEXT);

/* ------------------------------------------------------------- input */

/* Append the text of one result to the window's text, if it passes the
 * settings. */
static void
gst_rnn_text_add_result (GstRnnText * self, const GstStructure * s,
    const Snapshot * set, guint * max_stream)
{
  gboolean valid = FALSE, post;
  gdouble conf = 0.0;
  GstRnnTextDecision dec;
  guint b = 0;

  gst_structure_get_uint (s, "stream", &b);
  *max_stream = MAX (*max_stream, b);
  if (set->stream >= 0 && b != (guint) set->stream)
    return;

  GST_OBJECT_LOCK (self);
  /* post-processing (gstrnntextpost.c), when a property of it is set,
   * decides instead of the result's own label and confidence */
  post = gst_rnn_text_post_active (&self->post);
  if (post ? !gst_rnn_text_post_decide (&self->post, s, set->min_confidence,
          (const gchar * const *) self->ignore, &dec) :
      (!gst_structure_get_boolean (s, "valid", &valid) || !valid
          || !gst_structure_get_double (s, GST_RNN_RESULT_FIELD_CONFIDENCE,
              &conf) || !isfinite (conf) || conf < set->min_confidence
          || (self->ignore
              && g_strv_contains ((const gchar * const *) self->ignore,
                  gst_structure_get_string (s, "label"))))) {
    GST_OBJECT_UNLOCK (self);
    return;
  }
  if (self->window_text->len > 0)
    g_string_append (self->window_text, self->separator);
  if (post)
    gst_rnn_text_template_render_as (self->tpl, s, dec.label, dec.cls,
        dec.confidence, self->window_text);
  else
    gst_rnn_text_template_render (self->tpl, s, self->window_text);
  GST_OBJECT_UNLOCK (self);
}

/* After a window: warn once if the selected stream is not in it. */
static void
gst_rnn_text_check_stream (GstRnnText * self, const Snapshot * set,
    guint max_stream)
{
  if (set->stream < 0 || (guint) set->stream <= max_stream
      || self->warned_stream)
    return;
  self->warned_stream = TRUE;
  GST_ELEMENT_WARNING (self, STREAM, WRONG_TYPE,
      ("Property stream=%d selects no results: they carry streams 0..%u",
          set->stream, max_stream), (NULL));
}

/* Read the results meta of @buf (gstrnnmeta.h), one window (consecutive
 * results with the same timestamp, one per stream) at a time. */
static GstFlowReturn
gst_rnn_text_read_results (GstRnnText * self, GstBuffer * buf,
    const Snapshot * set)
{
  GstCustomMeta *meta = gst_rnn_buffer_get_result_meta (buf);
  guint n = gst_rnn_result_meta_get_n_results (meta);
  GstClockTime ts = GST_CLOCK_TIME_NONE, dur = GST_CLOCK_TIME_NONE;
  GstClockTime hop = GST_CLOCK_TIME_NONE;
  GstFlowReturn ret = GST_FLOW_OK;
  gboolean open = FALSE;
  guint max_stream = 0, i;

  for (i = 0; i < n; i++) {
    const GstStructure *s = gst_rnn_result_meta_get_result (meta, i);
    guint64 t = GST_CLOCK_TIME_NONE, d = GST_CLOCK_TIME_NONE;
    guint64 h = GST_CLOCK_TIME_NONE;

    /* another rnn element's results are not part of the windows read */
    if (s == NULL || !gst_rnn_text_source_accepts (self, s))
      continue;
    gst_structure_get_uint64 (s, GST_RNN_RESULT_FIELD_TIMESTAMP, &t);
    gst_structure_get_uint64 (s, GST_RNN_RESULT_FIELD_DURATION, &d);
    gst_structure_get_uint64 (s, GST_RNN_RESULT_FIELD_HOP, &h);
    if (open && t != ts) {
      gst_rnn_text_check_stream (self, set, max_stream);
      ret = gst_rnn_text_window (self, ts, dur, hop, self->window_text, set);
      if (ret != GST_FLOW_OK)
        return ret;
      open = FALSE;
    }
    if (!open) {
      g_string_truncate (self->window_text, 0);
      ts = t;
      dur = d;
      hop = h;
      max_stream = 0;
      open = TRUE;
    }
    gst_rnn_text_add_result (self, s, set, &max_stream);
  }
  if (open) {
    gst_rnn_text_check_stream (self, set, max_stream);
    ret = gst_rnn_text_window (self, ts, dur, hop, self->window_text, set);
  }
  return ret;
}

static GstFlowReturn
gst_rnn_text_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  GstRnnText *self = GST_RNN_TEXT (parent);
  GstClockTime end = GST_BUFFER_PTS (buf);
  GstFlowReturn ret;
  Snapshot set;

  GST_OBJECT_LOCK (self);
  set.stream = self->stream;
  set.min_confidence = self->min_confidence;
  set.merge = self->merge;
  set.newline = self->newline;
  set.cue_time = self->cue_time;
  set.max_hold = self->max_hold;
  GST_OBJECT_UNLOCK (self);

  gst_rnn_text_count_buffer (self, buf);
  gst_rnn_text_source_snapshot (self);
  /* the rnn element restarts its windows there (reset-on-discont): the
   * post-processing starts over, and the jump to the first window after
   * it is no hop */
  if (GST_BUFFER_IS_DISCONT (buf)) {
    gst_rnn_text_post_reset (&self->post);
    self->last_start = GST_CLOCK_TIME_NONE;
  }
  ret = gst_rnn_text_read_results (self, buf, &set);
  if (GST_CLOCK_TIME_IS_VALID (end) && GST_BUFFER_DURATION_IS_VALID (buf))
    end += GST_BUFFER_DURATION (buf);
  gst_buffer_unref (buf);
  if (ret != GST_FLOW_OK)
    return ret;

  gst_rnn_text_gap_after (self, end, set.cue_time);
  return GST_FLOW_OK;
}

/* ------------------------------------------------------------ events */

static gboolean
gst_rnn_text_newline (GstRnnText * self)
{
  gboolean newline;

  GST_OBJECT_LOCK (self);
  newline = self->newline;
  GST_OBJECT_UNLOCK (self);
  return newline;
}

/* A new segment: the held cue belongs to the old one; ours starts where
 * upstream's does (a non-TIME segment becomes a TIME one from 0). */
static gboolean
gst_rnn_text_segment (GstRnnText * self, GstEvent * event)
{
  const GstSegment *in;
  GstSegment seg;
  GstEvent *out;

  gst_rnn_text_send_pending (self, GST_CLOCK_TIME_NONE,
      gst_rnn_text_newline (self));
  gst_event_parse_segment (event, &in);
  if (in->format == GST_FORMAT_TIME) {
    gst_segment_copy_into (in, &seg);
  } else {
    GST_DEBUG_OBJECT (self, "%s segment: a TIME segment from 0 instead",
        gst_format_get_name (in->format));
    gst_segment_init (&seg, GST_FORMAT_TIME);
  }
  self->position = seg.start;
  self->last_start = GST_CLOCK_TIME_NONE;
  out = gst_event_new_segment (&seg);
  gst_event_set_seqnum (out, gst_event_get_seqnum (event));
  gst_event_unref (event);
  return gst_pad_push_event (self->srcpad, out);
}

/* The text is a stream of its own, not the input's: its stream-id is the
 * input's with "/" and our name appended (as gst_pad_create_stream_id()
 * derives one from the upstream stream-id; the sink pad has not stored
 * the event yet, so it is derived here from @event), in the input's
 * group, flagged sparse (cues come only where there are results, as a
 * subtitle stream's), with a GstStream of type text. */
static gboolean
gst_rnn_text_stream_start (GstRnnText * self, GstEvent * event)
{
  const gchar *up = NULL;
  GstStreamFlags flags = GST_STREAM_FLAG_NONE;
  GstCaps *caps;
  GstStream *stream;
  GstEvent *out;
  gchar *id;
  guint group;

  gst_event_parse_stream_start (event, &up);
  gst_event_parse_stream_flags (event, &flags);
  id = up ? g_strconcat (up, "/", GST_OBJECT_NAME (self), NULL) :
      gst_pad_create_stream_id (self->srcpad, GST_ELEMENT (self),
      GST_OBJECT_NAME (self));
  out = gst_event_new_stream_start (id);
  gst_event_set_seqnum (out, gst_event_get_seqnum (event));
  if (gst_event_parse_group_id (event, &group))
    gst_event_set_group_id (out, group);
  flags |= GST_STREAM_FLAG_SPARSE;
  gst_event_set_stream_flags (out, flags);
  caps = gst_pad_get_pad_template_caps (self->srcpad);
  stream = gst_stream_new (id, caps, GST_STREAM_TYPE_TEXT, flags);
  gst_event_set_stream (out, stream);
  gst_object_unref (stream);
  gst_caps_unref (caps);
  GST_DEBUG_OBJECT (self, "stream-id %s (input %s)", id, up);
  g_free (id);
  gst_event_unref (event);
  return gst_pad_push_event (self->srcpad, out);
}

static gboolean
gst_rnn_text_sink_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstRnnText *self = GST_RNN_TEXT (parent);

  gst_rnn_text_post_event (&self->post, event);
  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_STREAM_START:
      return gst_rnn_text_stream_start (self, event);
    case GST_EVENT_CAPS:{
      /* whatever the input, the output is text */
      GstCaps *caps = gst_pad_get_pad_template_caps (self->srcpad);
      gboolean ok = gst_pad_push_event (self->srcpad,
          gst_event_new_caps (caps));

      gst_caps_unref (caps);
      gst_event_unref (event);
      return ok;
    }
    case GST_EVENT_SEGMENT:
      return gst_rnn_text_segment (self, event);
    case GST_EVENT_GAP:{
      GstClockTime ts, dur;

      /* upstream has no data there: the rnn element restarts its windows
       * after it, so the held cue ends and nothing comes before its end */
      gst_event_parse_gap (event, &ts, &dur);
      gst_rnn_text_send_pending (self, ts, gst_rnn_text_newline (self));
      self->last_start = GST_CLOCK_TIME_NONE;
      if (GST_CLOCK_TIME_IS_VALID (ts) && GST_CLOCK_TIME_IS_VALID (dur))
        gst_rnn_text_gap_to (self, ts + dur);
      gst_event_unref (event);
      return TRUE;
    }
    case GST_EVENT_TAG:{
      GstTagList *tags;

      /* the input stream's tags (codec, bitrate...) do not describe the
       * text; global ones (title...) still apply */
      gst_event_parse_tag (event, &tags);
      if (gst_tag_list_get_scope (tags) == GST_TAG_SCOPE_STREAM) {
        gst_event_unref (event);
        return TRUE;
      }
      break;
    }
    case GST_EVENT_SEGMENT_DONE:
    case GST_EVENT_EOS:
      /* the end of the data: the held cue need not wait for more */
      gst_rnn_text_send_pending (self, GST_CLOCK_TIME_NONE,
          gst_rnn_text_newline (self));
      gst_rnn_text_check_results_seen (self);
      gst_rnn_text_source_check_eos (self);
      break;
    case GST_EVENT_FLUSH_STOP:
      gst_rnn_text_reset (self);
      break;
    default:
      break;
  }
  return gst_pad_event_default (pad, parent, event);
}

/* ------------------------------------------------------- properties */

/* Compile @str as the template (object lock held); on an error keep the
 * previous one, as GStreamer's elements keep a property whose new value
 * is invalid. */
gboolean
gst_rnn_text_set_template (GstRnnText * self, const gchar * str,
    GError ** error)
{
  GstRnnTextTemplate *tpl;

  if (str == NULL)
    str = "";
  tpl = gst_rnn_text_template_compile (str, error);
  if (tpl == NULL)
    return FALSE;
  gst_rnn_text_template_free (self->tpl);
  g_free (self->template_str);
  self->tpl = tpl;
  self->template_str = g_strdup (str);
  return TRUE;
}


/* ------------------------------------------------------------ states */

/* READY -> PAUSED: the streaming state (a template or thresholds that
 * do not parse were refused when set, so every setting is usable). */
static void
gst_rnn_text_start (GstRnnText * self)
{
  self->window_text = g_string_sized_new (TEXT_RESERVE);
  self->pending_text = g_string_sized_new (TEXT_RESERVE);
  gst_rnn_text_reset (self);
  self->buffers_seen = self->results_seen = 0;
  self->warned_no_results = FALSE;
  gst_rnn_text_source_clear (self);
  gst_rnn_text_post_reset (&self->post);
}

static void
gst_rnn_text_stop (GstRnnText * self)
{
  gst_rnn_text_reset (self);
  if (self->window_text)
    g_string_free (self->window_text, TRUE);
  if (self->pending_text)
    g_string_free (self->pending_text, TRUE);
  self->window_text = self->pending_text = NULL;
  gst_rnn_text_source_clear (self);
}

static GstStateChangeReturn
gst_rnn_text_change_state (GstElement * element, GstStateChange transition)
{
  GstRnnText *self = GST_RNN_TEXT (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED)
    gst_rnn_text_start (self);
  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY)
    gst_rnn_text_stop (self);
  return ret;
}

/* ------------------------------------------------------------- class */

static void
gst_rnn_text_finalize (GObject * object)
{
  GstRnnText *self = GST_RNN_TEXT (object);

  gst_rnn_text_stop (self);
  gst_rnn_text_template_free (self->tpl);
  g_free (self->template_str);
  g_free (self->separator);
  g_free (self->source);
  g_free (self->ignore_labels);
  g_strfreev (self->ignore);
  gst_rnn_text_post_clear (&self->post);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_rnn_text_class_init (GstRnnTextClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_rnn_text_debug, "rnntext", 0,
      "rnn n-to-1 results as text");

  gobject_class->finalize = gst_rnn_text_finalize;
  gst_rnn_text_install_properties (gobject_class);

  element_class->change_state = gst_rnn_text_change_state;
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "RNN results as text", "Filter/Converter/Text",
      "Turns the n-to-1 results of the rnn element (GstRnnResultMeta) into "
      "timed text cues, for subtitles, textoverlay or a file",
      "gst-rnn developers <" PACKAGE_ORIGIN ">");
}

static void
gst_rnn_text_init (GstRnnText * self)
{
  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_chain_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_rnn_text_chain));
  gst_pad_set_event_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_rnn_text_sink_event));
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);

  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_use_fixed_caps (self->srcpad);
  gst_pad_set_query_function (self->srcpad,
      GST_DEBUG_FUNCPTR (gst_rnn_text_src_query));
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);

  gst_rnn_text_settings_init (self);
  gst_rnn_text_reset (self);
}
