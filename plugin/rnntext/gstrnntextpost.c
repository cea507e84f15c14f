/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnntext element: label post-processing.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * For each result of a stream: its scores enter the stream's history
 * (the last `smoothing` results); the mean of the history's scores
 * (smoothing-mode=mean) or the class most of them name (majority, ties
 * to the higher mean score, then the lower class) is the winner, scored
 * with its mean score.  The winner "passes" when its label is not
 * ignored and its score is at or above its threshold (thresholds, else
 * min-confidence).  A passing winner other than the cue under way starts
 * a cue once it has passed in consecutive windows covering min-duration
 * (from its first window's start to the current one's start plus one
 * hop); until then its windows give no text.  The cue under way goes on
 * while its label passes as the winner, or (end-threshold set) while its
 * score stays at or above end-threshold; after that, for `hold` more
 * (windows starting at most `hold` after its last passing window's
 * start), unless another label starts.  Every window of a cue gives its
 * label and score.  With every property at its default each result gives
 * its own label, as without post-processing.
 */

#include <math.h>
#include <string.h>

#include <gst/rnn/gstrnnmeta.h>
#include "gstrnntextpost.h"

GST_DEBUG_CATEGORY_EXTERN (gst_rnn_text_debug);
#define GST_CAT_DEFAULT gst_rnn_text_debug

#define DEFAULT_SMOOTHING 1
#define DEFAULT_MODE GST_RNN_TEXT_SMOOTHING_MEAN
#define DEFAULT_MIN_DURATION 0
#define DEFAULT_END_THRESHOLD G_MAXFLOAT
#define DEFAULT_HOLD 0

/* The most scores the history may hold (streams x depth x classes: 128
 * MiB), a guard against nonsense. */
#define MAX_STATE (1u << 24)

enum
{
  PROP_SMOOTHING,
  PROP_SMOOTHING_MODE,
  PROP_THRESHOLDS,
  PROP_MIN_DURATION,
  PROP_END_THRESHOLD,
  PROP_HOLD,
  N_PROPS
};

GType
gst_rnn_text_smoothing_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_RNN_TEXT_SMOOTHING_MEAN, "Mean of the scores", "mean"},
    {GST_RNN_TEXT_SMOOTHING_MAJORITY, "Majority of the labels", "majority"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstRnnTextSmoothing", values);

    g_once_init_leave (&type, t);
  }
  return type;
}

void
gst_rnn_text_post_init (GstRnnTextPost * post)
{
  memset (post, 0, sizeof (*post));
  post->smoothing = DEFAULT_SMOOTHING;
  post->mode = DEFAULT_MODE;
  post->min_duration = DEFAULT_MIN_DURATION;
  post->end_threshold = DEFAULT_END_THRESHOLD;
  post->hold = DEFAULT_HOLD;
}

/* Free the state arrays (their shape becomes 0). */
static void
free_state (GstRnnTextPost * post)
{
  guint c;

  for (c = 0; c < post->n_classes; c++)
    g_free (post->class_labels[c]);
  g_clear_pointer (&post->class_labels, g_free);
  g_clear_pointer (&post->history, g_free);
  g_clear_pointer (&post->mean, g_free);
  g_clear_pointer (&post->votes, g_free);
  g_clear_pointer (&post->streams, g_free);
  post->n_streams = post->n_classes = post->depth = 0;
}

static void
clear_thresholds (GstRnnTextPost * post)
{
  g_clear_pointer (&post->thresholds_str, g_free);
  g_clear_pointer (&post->thr_labels, g_strfreev);
  g_clear_pointer (&post->thr_values, g_free);
  post->n_thr = 0;
}

void
gst_rnn_text_post_clear (GstRnnTextPost * post)
{
  free_state (post);
  clear_thresholds (post);
}

/* ------------------------------------------------------- properties */

/* Why entry @i (1-based) of a thresholds list, @e, is unusable, or NULL;
 * on success its label (stripped) stays in @e and its value in @v.
 * @labels/@n: the entries accepted so far. */
static gchar *
parse_threshold (gchar * e, guint i, gchar ** labels, guint n, gdouble * v)
{
  gchar *eq = strrchr (e, '='), *end;
  guint j;

  if (eq == NULL || eq == e)
    return g_strdup_printf ("thresholds entry %u '%s' is not LABEL=NUMBER "
        "(e.g. \"yes=0.8,no=0.7\")", i, e);
  *eq = '\0';
  g_strchomp (e);
  *v = g_ascii_strtod (g_strchug (eq + 1), &end);
  if (end == eq + 1 || *g_strchug (end) != '\0' || !isfinite (*v))
    return g_strdup_printf ("thresholds entry %u: '%s' for label '%s' is "
        "not a finite number", i, eq + 1, e);
  for (j = 0; j < n; j++)
    if (strcmp (labels[j], e) == 0)
      return g_strdup_printf ("thresholds entry %u: label '%s' has a "
          "threshold already (entry %u)", i, e, j + 1);
  return NULL;
}

/* Parse "label=number,label=number" into @post.  On a bad entry keep the
 * thresholds in force and return why (naming the entry; g_free() it), as
 * GStreamer's elements keep a property on an invalid value. */
static gchar *
set_thresholds (GstRnnTextPost * post, const gchar * str)
{
  gchar **entries, **labels = NULL, *why = NULL;
  gdouble *values = NULL;
  guint i, n = 0, k = 0;

  if (str != NULL && *str != '\0') {
    entries = g_strsplit (str, ",", -1);
    n = g_strv_length (entries);
    labels = g_new0 (gchar *, n + 1);
    values = g_new0 (gdouble, n);
    for (i = 0; i < n && why == NULL; i++) {
      gchar *e = g_strstrip (entries[i]);

      why = parse_threshold (e, i + 1, labels, k, &values[k]);
      if (why == NULL)
        labels[k++] = g_strdup (e);
    }
    g_strfreev (entries);
    if (why) {
      g_strfreev (labels);
      g_free (values);
      return why;
    }
  }
  clear_thresholds (post);
  post->thresholds_str = g_strdup (str);
  post->thr_labels = labels;
  post->thr_values = values;
  post->n_thr = k;
  return NULL;
}

void
gst_rnn_text_post_install_properties (GObjectClass * klass, guint first_id)
{
  /**
   * GstRnnText:smoothing:
   *
   * How many of a stream's last results decide each window's label
   * (fewer at the start): 1 decides from the window's own result.
   */
  g_object_class_install_property (klass, first_id + PROP_SMOOTHING,
      g_param_spec_uint ("smoothing", "Smoothing",
          "Number of a stream's last results that decide each label (1 = "
          "no smoothing)", 1,
          GST_RNN_TEXT_POST_MAX_DEPTH, DEFAULT_SMOOTHING,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnnText:smoothing-mode:
   *
   * Whether the smoothed label is the best mean score (mean) or the
   * label most of the last results name (majority, ties to the better
   * mean, scored by its mean).
   */
  g_object_class_install_property (klass, first_id + PROP_SMOOTHING_MODE,
      g_param_spec_enum ("smoothing-mode", "Smoothing mode",
          "How a stream's last results decide its label",
          GST_TYPE_RNN_TEXT_SMOOTHING, DEFAULT_MODE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnnText:thresholds:
   *
   * Per-label thresholds as "label=number,...": a label's smoothed score
   * must reach its own threshold (a score equal to it passes) to start a
   * cue; other labels use #GstRnnText:min-confidence.  A list with a
   * malformed entry is refused: the thresholds in force stay, and a
   * WARNING names the entry.
   */
  g_object_class_install_property (klass, first_id + PROP_THRESHOLDS,
      g_param_spec_string ("thresholds", "Thresholds",
          "Per-label scores that start a cue, e.g. \"yes=0.8,no=0.7\"",
          NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnnText:min-duration:
   *
   * How long a label must pass before its cue starts: in consecutive
   * windows covering this time, from its first window's start to the
   * latest's start plus one hop; the earlier windows give no text.
   */
  g_object_class_install_property (klass, first_id + PROP_MIN_DURATION,
      g_param_spec_uint64 ("min-duration", "Minimum duration",
          "Time (ns) a label must keep passing before its cue starts", 0,
          G_MAXUINT64,
          DEFAULT_MIN_DURATION,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnnText:end-threshold:
   *
   * Hysteresis: a cue once started goes on while its label's score stays
   * at or above this, even below its start threshold or not the best.
   */
  g_object_class_install_property (klass, first_id + PROP_END_THRESHOLD,
      g_param_spec_float ("end-threshold", "End threshold",
          "Score at or above which a started cue goes on (hysteresis)",
          -G_MAXFLOAT, G_MAXFLOAT, DEFAULT_END_THRESHOLD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnnText:hold:
   *
   * How long a cue goes on after its label last passed: for windows
   * starting at most this after its last passing window, unless another
   * label starts.
   */
  g_object_class_install_property (klass, first_id + PROP_HOLD,
      g_param_spec_uint64 ("hold", "Hold",
          "Time (ns) a cue goes on after its label last passed", 0,
          G_MAXUINT64, DEFAULT_HOLD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
}

gboolean
gst_rnn_text_post_set_property (GstRnnTextPost * post, guint id,
    const GValue * value, gchar ** refused)
{
  *refused = NULL;
  switch (id) {
    case PROP_SMOOTHING:
      post->smoothing = g_value_get_uint (value);
      break;
    case PROP_SMOOTHING_MODE:
      post->mode = g_value_get_enum (value);
      break;
    case PROP_THRESHOLDS:
      *refused = set_thresholds (post, g_value_get_string (value));
      break;
    case PROP_MIN_DURATION:
      post->min_duration = g_value_get_uint64 (value);
      break;
    case PROP_END_THRESHOLD:
      post->end_threshold = g_value_get_float (value);
      break;
    case PROP_HOLD:
      post->hold = g_value_get_uint64 (value);
      break;
    default:
      return FALSE;
  }
  return TRUE;
}

gboolean
gst_rnn_text_post_get_property (GstRnnTextPost * post, guint id,
    GValue * value)
{
  switch (id) {
    case PROP_SMOOTHING:
      g_value_set_uint (value, post->smoothing);
      break;
    case PROP_SMOOTHING_MODE:
      g_value_set_enum (value, post->mode);
      break;
    case PROP_THRESHOLDS:
      g_value_set_string (value, post->thresholds_str);
      break;
    case PROP_MIN_DURATION:
      g_value_set_uint64 (value, post->min_duration);
      break;
    case PROP_END_THRESHOLD:
      g_value_set_float (value, post->end_threshold);
      break;
    case PROP_HOLD:
      g_value_set_uint64 (value, post->hold);
      break;
    default:
      return FALSE;
  }
  return TRUE;
}

gboolean
gst_rnn_text_post_active (const GstRnnTextPost * post)
{
  return post->smoothing > 1 || post->thresholds_str != NULL
      || post->min_duration > 0 || post->end_threshold != G_MAXFLOAT
      || post->hold > 0;
}

/* ------------------------------------------------------------ state */

static void
reset_stream (GstRnnTextPostStream * st)
{
  st->filled = st->head = 0;
  st->active = st->run = -1;
  st->last_pass = st->run_start = GST_CLOCK_TIME_NONE;
}

void
gst_rnn_text_post_reset (GstRnnTextPost * post)
{
  guint b;

  for (b = 0; b < post->n_streams; b++)
    reset_stream (&post->streams[b]);
}

void
gst_rnn_text_post_event (GstRnnTextPost * post, GstEvent * event)
{
  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_STOP:
    case GST_EVENT_SEGMENT:
    case GST_EVENT_GAP:
      gst_rnn_text_post_reset (post);
      break;
    default:
      break;
  }
}

/* Make room for @n_streams streams of @n_classes classes at the current
 * smoothing depth: a new shape starts every stream over (more streams
 * keep the labels learned). */
static void
reshape (GstRnnTextPost * post, guint n_streams, guint n_classes)
{
  guint c, b;

  if (n_classes != post->n_classes || post->smoothing != post->depth) {
    free_state (post);
    post->class_labels = g_new0 (gchar *, n_classes);
    for (c = 0; c < n_classes; c++)
      post->class_labels[c] = g_strdup_printf ("%u", c);
    post->mean = g_new0 (gdouble, n_classes);
    post->votes = g_new0 (guint, n_classes);
    post->n_classes = n_classes;
    post->depth = post->smoothing;
  }
  GST_DEBUG ("post-processing state: %u streams, %u classes, depth %u",
      n_streams, n_classes, post->depth);
  post->history = g_renew (gdouble, post->history,
      (gsize) n_streams * post->depth * n_classes);
  post->streams = g_renew (GstRnnTextPostStream, post->streams, n_streams);
  for (b = post->n_streams; b < n_streams; b++)
    reset_stream (&post->streams[b]);
  post->n_streams = n_streams;
}

/* The threshold of class @c. */
static gdouble
threshold_of (const GstRnnTextPost * post, guint c, gfloat min_confidence)
{
  guint i;

  for (i = 0; i < post->n_thr; i++)
    if (strcmp (post->thr_labels[i], post->class_labels[c]) == 0)
      return post->thr_values[i];
  return min_confidence;
}

static gboolean
passes (const GstRnnTextPost * post, guint c, gfloat min_confidence,
    const gchar * const *ignore)
{
  if (ignore && g_strv_contains (ignore, post->class_labels[c]))
    return FALSE;
  return post->mean[c] >= threshold_of (post, c, min_confidence);
}

/* Copy the scores of @s into @row (n_classes); FALSE if one is not a
 * finite number. */
static gboolean
read_scores (const GValue * scores, gdouble * row, guint n)
{
  guint c;

  for (c = 0; c < n; c++) {
    const GValue *v = gst_value_array_get_value (scores, c);

    if (!G_VALUE_HOLDS_DOUBLE (v) || !isfinite (g_value_get_double (v)))
      return FALSE;
    row[c] = g_value_get_double (v);
  }
  return TRUE;
}

/* The winner of stream @st's history: post->mean holds the mean scores. */
static guint
smoothed_winner (GstRnnTextPost * post, const GstRnnTextPostStream * st,
    const gdouble * hist)
{
  guint C = post->n_classes, best = 0, c, k;

  memset (post->mean, 0, C * sizeof (gdouble));
  memset (post->votes, 0, C * sizeof (guint));
  for (k = 0; k < st->filled; k++) {
    const gdouble *row = hist + (gsize) k * C;
    guint top = 0;

    for (c = 0; c < C; c++) {
      post->mean[c] += row[c];
      if (row[c] > row[top])
        top = c;
    }
    post->votes[top]++;
  }
  for (c = 0; c < C; c++)
    post->mean[c] /= st->filled;
  for (c = 1; c < C; c++) {
    if (post->mode == GST_RNN_TEXT_SMOOTHING_MAJORITY
        && post->votes[c] != post->votes[best]) {
      if (post->votes[c] > post->votes[best])
        best = c;
    } else if (post->mean[c] > post->mean[best]) {
      best = c;
    }
  }
  return best;
}

gboolean
gst_rnn_text_post_decide (GstRnnTextPost * post, const GstStructure * s,
    gfloat min_confidence, const gchar * const *ignore,
    GstRnnTextDecision * out)
{
  const GValue *scores = gst_structure_get_value (s,
      GST_RNN_RESULT_FIELD_SCORES);
  const gchar *label = gst_structure_get_string (s,
      GST_RNN_RESULT_FIELD_LABEL);
  guint64 t = GST_CLOCK_TIME_NONE, hop = GST_CLOCK_TIME_NONE;
  gboolean valid = FALSE, going = FALSE;
  guint b = 0, cls = 0, C, w;
  GstRnnTextPostStream *st;
  gdouble *hist;

  gst_structure_get_uint (s, GST_RNN_RESULT_FIELD_STREAM, &b);
  gst_structure_get_boolean (s, GST_RNN_RESULT_FIELD_VALID, &valid);
  gst_structure_get_uint (s, GST_RNN_RESULT_FIELD_CLASS, &cls);
  gst_structure_get_uint64 (s, GST_RNN_RESULT_FIELD_TIMESTAMP, &t);
  if (!gst_structure_get_uint64 (s, GST_RNN_RESULT_FIELD_HOP, &hop))
    gst_structure_get_uint64 (s, GST_RNN_RESULT_FIELD_DURATION, &hop);
  C = scores && GST_VALUE_HOLDS_ARRAY (scores) ?
      gst_value_array_get_size (scores) : 0;
  if (!valid || C == 0 || cls >= C || !GST_CLOCK_TIME_IS_VALID (t)) {
    /* an invalid result (non-finite scores) starts its stream over */
    if (b < post->n_streams)
      reset_stream (&post->streams[b]);
    return FALSE;
  }
  if (((guint64) b + 1) * post->smoothing * C > MAX_STATE) {
    GST_WARNING ("stream %u of %u classes at smoothing %u: more state than "
        "%u scores, no text", b, C, post->smoothing, MAX_STATE);
    return FALSE;
  }
  if (C != post->n_classes || post->smoothing != post->depth
      || b >= post->n_streams)
    reshape (post, MAX (b + 1, post->n_classes == C
            && post->smoothing == post->depth ? post->n_streams : 0), C);
  st = &post->streams[b];
  hist = post->history + (gsize) b * post->depth * C;

  if (!read_scores (scores, hist + (gsize) st->head * C, C)) {
    reset_stream (st);
    return FALSE;
  }
  if (label && strcmp (post->class_labels[cls], label) != 0) {
    g_free (post->class_labels[cls]);
    post->class_labels[cls] = g_strdup (label);
  }
  st->head = (st->head + 1) % post->depth;
  st->filled = MIN (st->filled + 1, post->depth);

  w = smoothed_winner (post, st, hist);
  if (st->active >= 0) {
    going = ((guint) st->active == w && passes (post, w, min_confidence,
            ignore)) || (post->end_threshold != G_MAXFLOAT
        && post->mean[st->active] >= post->end_threshold);
  }
  if ((gint) w != st->active && passes (post, w, min_confidence, ignore)) {
    if (st->run != (gint) w) {
      st->run = w;
      st->run_start = t;
    }
    if (t + (GST_CLOCK_TIME_IS_VALID (hop) ? hop : 0) - st->run_start >=
        post->min_duration) {
      st->active = w;
      st->run = -1;
      going = TRUE;
    }
  } else {
    st->run = -1;
  }

  if (going)
    st->last_pass = t;
  else if (st->active < 0 || post->hold == 0 || t < st->last_pass
      || t - st->last_pass > post->hold) {
    st->active = -1;
    return FALSE;
  }
  out->cls = st->active;
  out->label = post->class_labels[st->active];
  out->confidence = post->mean[st->active];
  return TRUE;
}
