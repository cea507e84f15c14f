/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnntext element: its properties (their specs, defaults, set
 * and get); the post-processing ones are gstrnntextpost.c's.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstrnntext-private.h"

#define DEFAULT_TEMPLATE "{label}"
#define DEFAULT_STREAM -1
#define DEFAULT_MIN_CONFIDENCE (-G_MAXFLOAT)
#define DEFAULT_SEPARATOR " | "
#define DEFAULT_MERGE FALSE
#define DEFAULT_NEWLINE TRUE
#define DEFAULT_IGNORE_LABELS NULL
#define DEFAULT_CUE_TIME GST_RNN_TEXT_CUE_TIME_END
#define DEFAULT_MAX_HOLD (200 * GST_MSECOND)
#define DEFAULT_SOURCE NULL

enum
{
  PROP_0,
  PROP_TEMPLATE,
  PROP_STREAM,
  PROP_MIN_CONFIDENCE,
  PROP_SEPARATOR,
  PROP_MERGE,
  PROP_NEWLINE,
  PROP_IGNORE_LABELS,
  PROP_CUE_TIME,
  PROP_MAX_HOLD,
  PROP_SOURCE,
  PROP_POST_FIRST               /* and on: gstrnntextpost.c's */
};

static void gst_rnn_text_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_rnn_text_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void gst_rnn_text_refused (GstRnnText * self, const gchar * prop,
    gchar * why, gchar * kept, gboolean stopped);
static void gst_rnn_text_set_done (GstRnnText * self, GstClockTime latency,
    const gchar * prop, gchar * why);

void
gst_rnn_text_install_properties (GObjectClass * gobject_class)
{
  gobject_class->set_property = gst_rnn_text_set_property;
  gobject_class->get_property = gst_rnn_text_get_property;

  /**
   * GstRnnText:template:
   *
   * The text of one result; placeholders in braces are replaced by the
   * result's fields (times in seconds with three decimals, confidence
   * with two, always with a decimal point), "{{" and "}}" are literal
   * braces.  The placeholders: {label}, {class}, {confidence},
   * {stream}, {start}, {end}, {duration}, {frames}, {model}, {element}.
   * A template that does not compile (an unknown placeholder, a
   * lone brace) is refused: the previous one stays, and a WARNING names
   * it and the reason.
   */
  g_object_class_install_property (gobject_class, PROP_TEMPLATE,
      g_param_spec_string ("template", "Template",
          "Text of each result, with placeholders such as {label}, "
          "{confidence} and {start}", DEFAULT_TEMPLATE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnnText:stream:
   *
   * Which stream (batch entry) of the rnn element gives text; -1: all,
   * joined by #GstRnnText:separator in window order.
   */
  g_object_class_install_property (gobject_class, PROP_STREAM,
      g_param_spec_int ("stream", "Stream",
          "Stream (0..B-1) whose results give text (-1 = all)", -1,
          G_MAXINT, DEFAULT_STREAM,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnnText:min-confidence:
   *
   * Results whose confidence (largest score) is below it give no text;
   * the default lets every valid result through.
   */
  g_object_class_install_property (gobject_class, PROP_MIN_CONFIDENCE,
      g_param_spec_float ("min-confidence", "Minimum confidence",
          "Lowest confidence (largest score) of a result that gives text",
          -G_MAXFLOAT, G_MAXFLOAT, DEFAULT_MIN_CONFIDENCE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnnText:separator:
   *
   * Joins the texts of several streams' results for one window.
   */
  g_object_class_install_property (gobject_class, PROP_SEPARATOR,
      g_param_spec_string ("separator", "Separator",
          "Joins the texts of several streams in one cue",
          DEFAULT_SEPARATOR,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnnText:merge:
   *
   * Consecutive windows with the same text make one cue, sent when the
   * text changes or once it has been held #GstRnnText:max-hold.  The rendered texts are compared: a template with
   * per-window numbers ({start}, {confidence}, ...) never merges.
   */
  g_object_class_install_property (gobject_class, PROP_MERGE,
      g_param_spec_boolean ("merge", "Merge",
          "Make one cue of consecutive windows with the same text",
          DEFAULT_MERGE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnnText:newline:
   *
   * Whether each cue ends with a newline: one line per cue on a terminal
   * (fdsink) or in a file; set it to FALSE for subtitle tracks and
   * textoverlay.
   */
  g_object_class_install_property (gobject_class, PROP_NEWLINE,
      g_param_spec_boolean ("newline", "Newline",
          "End each cue with a newline",
          DEFAULT_NEWLINE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnnText:ignore-labels:
   *
   * Comma-separated labels that give no text, such as a keyword
   * spotter's silence or unknown classes (e.g. "_silence_,_unknown_");
   * compared exactly.
   */
  g_object_class_install_property (gobject_class, PROP_IGNORE_LABELS,
      g_param_spec_string ("ignore-labels", "Ignore labels",
          "Comma-separated labels that give no text",
          DEFAULT_IGNORE_LABELS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnnText:cue-time:
   *
   * Where in its window a cue starts.  `end` (the default) is when the
   * result is known: the text stream then keeps up with its input, so
   * muxers and overlays never wait for it beyond default queues.
   * `start` and `centre` put the text nearer to what caused it, and make
   * the text stream lag its input by the window (or half of it).
   */
  g_object_class_install_property (gobject_class, PROP_CUE_TIME,
      g_param_spec_enum ("cue-time", "Cue time",
          "Where in its window a cue starts",
          GST_TYPE_RNN_TEXT_CUE_TIME, DEFAULT_CUE_TIME,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnnText:max-hold:
   *
   * With #GstRnnText:merge, the longest a cue is held waiting for its text
   * to change: a longer run of equal text is sent in cues of about this
   * length, so the latency merging adds (reported in the LATENCY query)
   * is bounded.  -1: until the text changes (one cue per run, for a
   * terminal or a file; unbounded latency).
   */
  g_object_class_install_property (gobject_class, PROP_MAX_HOLD,
      g_param_spec_int64 ("max-hold", "Maximum hold",
          "With merge, the longest time (ns) a cue is held (-1 = until its "
          "text changes)",
          -1, G_MAXINT64, DEFAULT_MAX_HOLD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnnText:source:
   *
   * The name of the rnn element whose results are rendered, when several
   * on one path attach theirs to the same buffers (each result names its
   * element).  Empty (the default): the first element whose results
   * arrive; results of another then post one WARNING naming both.
   */
  g_object_class_install_property (gobject_class, PROP_SOURCE,
      g_param_spec_string ("source", "Source",
          "Name of the rnn element whose results to render (empty: the "
          "first one seen)", DEFAULT_SOURCE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  gst_type_mark_as_plugin_api (GST_TYPE_RNN_TEXT_CUE_TIME, 0);
  gst_rnn_text_post_install_properties (gobject_class, PROP_POST_FIRST);
  gst_type_mark_as_plugin_api (GST_TYPE_RNN_TEXT_SMOOTHING, 0);
}

void
gst_rnn_text_settings_init (GstRnnText * self)
{
  self->stream = DEFAULT_STREAM;
  self->min_confidence = DEFAULT_MIN_CONFIDENCE;
  self->separator = g_strdup (DEFAULT_SEPARATOR);
  self->merge = DEFAULT_MERGE;
  self->newline = DEFAULT_NEWLINE;
  self->cue_time = DEFAULT_CUE_TIME;
  self->max_hold = DEFAULT_MAX_HOLD;
  gst_rnn_text_post_init (&self->post);
  gst_rnn_text_set_template (self, DEFAULT_TEMPLATE, NULL);
}

static void
gst_rnn_text_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstRnnText *self = GST_RNN_TEXT (object);
  GstClockTime latency;
  const gchar *refused_prop = NULL;
  GError *err = NULL;
  gchar *why = NULL;

  GST_OBJECT_LOCK (self);
  latency = gst_rnn_text_own_latency (self);
  switch (prop_id) {
    case PROP_TEMPLATE:
      if (!gst_rnn_text_set_template (self, g_value_get_string (value),
              &err)) {
        refused_prop = "template";
        why = g_strdup (err->message);
        g_error_free (err);
      }
      break;
    case PROP_STREAM:
      self->stream = g_value_get_int (value);
      self->warned_stream = FALSE;
      break;
    case PROP_MIN_CONFIDENCE:
      self->min_confidence = g_value_get_float (value);
      break;
    case PROP_SEPARATOR:
      g_free (self->separator);
      self->separator = g_value_dup_string (value);
      if (self->separator == NULL)
        self->separator = g_strdup ("");
      break;
    case PROP_MERGE:
      self->merge = g_value_get_boolean (value);
      break;
    case PROP_NEWLINE:
      self->newline = g_value_get_boolean (value);
      break;
    case PROP_IGNORE_LABELS:
      g_free (self->ignore_labels);
      g_strfreev (self->ignore);
      self->ignore_labels = g_value_dup_string (value);
      self->ignore = self->ignore_labels && *self->ignore_labels ?
          g_strsplit (self->ignore_labels, ",", -1) : NULL;
      break;
    case PROP_CUE_TIME:
      self->cue_time = (GstRnnTextCueTime) g_value_get_enum (value);
      break;
    case PROP_MAX_HOLD:
      self->max_hold = g_value_get_int64 (value) < 0 ? GST_CLOCK_TIME_NONE :
          (GstClockTime) g_value_get_int64 (value);
      break;
    case PROP_SOURCE:
      g_free (self->source);
      self->source = g_value_dup_string (value);
      if (self->source && *self->source == '\0')
        g_clear_pointer (&self->source, g_free);
      break;
    default:
      if (prop_id < PROP_POST_FIRST
          || !gst_rnn_text_post_set_property (&self->post,
              prop_id - PROP_POST_FIRST, value, &why))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      else if (why)
        refused_prop = "thresholds";
      break;
  }
  gst_rnn_text_set_done (self, latency, refused_prop, why);
}

/* The end of set_property (called with the object lock, which it
 * releases): a LATENCY message if the latency we add changed, and the
 * WARNING for a refused value of @prop (with @why, which it takes). */
static void
gst_rnn_text_set_done (GstRnnText * self, GstClockTime latency,
    const gchar * prop, gchar * why)
{
  gboolean changed = gst_rnn_text_own_latency (self) != latency;
  gboolean stopped = GST_STATE (self) <= GST_STATE_READY
      && GST_STATE_PENDING (self) <= GST_STATE_READY;
  gchar *kept = NULL;

  if (prop)
    kept = g_strdup (g_str_equal (prop, "template") ? self->template_str :
        self->post.thresholds_str);
  GST_OBJECT_UNLOCK (self);
  if (changed)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_latency (GST_OBJECT (self)));
  if (prop)
    gst_rnn_text_refused (self, prop, why, kept, stopped);
}

/* A value of @prop (template, thresholds) that does not parse was set:
 * the previous one (@kept) stays, as GStreamer's elements keep a
 * property on an invalid value; a WARNING on the bus says so and @why,
 * and before the element runs (no bus yet, e.g. gst-launch-1.0 setting
 * properties) a g_warning too.  Takes @why and @kept; called without the
 * object lock. */
static void
gst_rnn_text_refused (GstRnnText * self, const gchar * prop, gchar * why,
    gchar * kept, gboolean stopped)
{
  GST_ELEMENT_WARNING (self, LIBRARY, SETTINGS,
      ("Invalid %s refused, %s stays \"%s\": %s", prop, prop,
          kept ? kept : "", why), (NULL));
  if (stopped)
    g_warning ("%s: invalid %s refused, %s stays \"%s\": %s",
        GST_OBJECT_NAME (self), prop, prop, kept ? kept : "", why);
  g_free (why);
  g_free (kept);
}

static void
gst_rnn_text_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstRnnText *self = GST_RNN_TEXT (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_TEMPLATE:
      g_value_set_string (value, self->template_str);
      break;
    case PROP_STREAM:
      g_value_set_int (value, self->stream);
      break;
    case PROP_MIN_CONFIDENCE:
      g_value_set_float (value, self->min_confidence);
      break;
    case PROP_SEPARATOR:
      g_value_set_string (value, self->separator);
      break;
    case PROP_MERGE:
      g_value_set_boolean (value, self->merge);
      break;
    case PROP_NEWLINE:
      g_value_set_boolean (value, self->newline);
      break;
    case PROP_IGNORE_LABELS:
      g_value_set_string (value, self->ignore_labels);
      break;
    case PROP_CUE_TIME:
      g_value_set_enum (value, self->cue_time);
      break;
    case PROP_MAX_HOLD:
      g_value_set_int64 (value, GST_CLOCK_TIME_IS_VALID (self->max_hold) ?
          (gint64) self->max_hold : -1);
      break;
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    default:
      if (prop_id < PROP_POST_FIRST
          || !gst_rnn_text_post_get_property (&self->post,
              prop_id - PROP_POST_FIRST, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}
