/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnn element: n-to-1 results, as GstRnnResultMeta on buffers
 * and as `rnn` element messages on the bus.  The messages posted and not
 * read yet are GstRnnPosted's (gstrnn-private.h): init, reset and clear
 * here.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstrnn-private.h"

/* The custom meta of n-to-1 results (gstrnnmeta.h): no tags, so that
 * elements which drop metas tied to the audio format (audioconvert, ...)
 * keep it.  Called from class_init and plugin_init, so that loading the
 * plugin is enough for gst_rnn_result_meta_get_info() to find it. */
const GstMetaInfo *
gst_rnn_result_meta_register (void)
{
  static gsize info = 0;

  if (g_once_init_enter (&info)) {
    const gchar *tags[] = { NULL };
    const GstMetaInfo *i = gst_meta_get_info (GST_RNN_RESULT_META_NAME);

    if (i == NULL)
      i = gst_meta_register_custom (GST_RNN_RESULT_META_NAME, tags, NULL,
          NULL, NULL);
    g_once_init_leave (&info, (gsize) i);
  }
  return (const GstMetaInfo *) info;
}

/* One window of one stream, as gst_rnn_set_result_fields() writes it. */
typedef struct
{
  guint stream;
  GstClockTime ts, duration, hop;
  guint frames;
  const float *scores;
  guint n_scores, top;
  const gchar *label;
  gboolean valid;
} GstRnnResultFields;

/* The fields of one result (gstrnnmeta.h): which element and model,
 * which window and stream, the scores and, when they are all finite
 * (valid), the class, its label and confidence.  A window whose scores
 * hold a NaN or Inf (e.g. non-finite=propagate) is valid=false and names
 * no class.  Scores and confidence are doubles, as level and spectrum
 * post theirs. */
static void
gst_rnn_set_result_fields (GstRnn * self, GstStructure * s,
    const GstRnnResultFields * r)
{
  GValue arr = G_VALUE_INIT;
  guint i;

  g_value_init (&arr, GST_TYPE_ARRAY);
  for (i = 0; i < r->n_scores; i++) {
    GValue v = G_VALUE_INIT;

    g_value_init (&v, G_TYPE_DOUBLE);
    g_value_set_double (&v, r->scores[i]);
    gst_value_array_append_and_take_value (&arr, &v);
  }
  gst_structure_set (s,
      GST_RNN_RESULT_FIELD_ELEMENT, G_TYPE_STRING, GST_OBJECT_NAME (self),
      GST_RNN_RESULT_FIELD_MODEL, G_TYPE_STRING, self->stream.running_path,
      GST_RNN_RESULT_FIELD_STREAM, G_TYPE_UINT, r->stream,
      GST_RNN_RESULT_FIELD_TIMESTAMP, G_TYPE_UINT64, r->ts,
      GST_RNN_RESULT_FIELD_DURATION, G_TYPE_UINT64, r->duration,
      GST_RNN_RESULT_FIELD_HOP, G_TYPE_UINT64, r->hop,
      GST_RNN_RESULT_FIELD_FRAMES, G_TYPE_UINT, r->frames, NULL);
  gst_structure_take_value (s, GST_RNN_RESULT_FIELD_SCORES, &arr);
  gst_structure_set (s, GST_RNN_RESULT_FIELD_VALID, G_TYPE_BOOLEAN, r->valid,
      NULL);
  if (r->valid)
    gst_structure_set (s, GST_RNN_RESULT_FIELD_CLASS, G_TYPE_UINT, r->top,
        GST_RNN_RESULT_FIELD_LABEL, G_TYPE_STRING, r->label,
        GST_RNN_RESULT_FIELD_CONFIDENCE, G_TYPE_DOUBLE,
        (gdouble) r->scores[r->top], NULL);
}

/* The "results" array of @buf's results meta, added (with an empty
 * array) if @buf has none: a second rnn on the path appends to it. */
static GValue *
gst_rnn_results_array (GstBuffer * buf)
{
  GstCustomMeta *meta = gst_rnn_buffer_get_result_meta (buf);
  GstStructure *s;
  const GValue *v;

  if (meta == NULL)
    meta = gst_buffer_add_custom_meta (buf, GST_RNN_RESULT_META_NAME);
  s = gst_custom_meta_get_structure (meta);
  v = gst_structure_get_value (s, GST_RNN_RESULT_FIELD_RESULTS);
  if (v == NULL || !GST_VALUE_HOLDS_ARRAY (v)) {
    GValue arr = G_VALUE_INIT;

    g_value_init (&arr, GST_TYPE_ARRAY);
    gst_structure_take_value (s, GST_RNN_RESULT_FIELD_RESULTS, &arr);
    v = gst_structure_get_value (s, GST_RNN_RESULT_FIELD_RESULTS);
  }
  /* the structure is the meta's, writable as the buffer is */
  return (GValue *) v;
}

/* Append one result structure to @arr (taking @s). */
static void
gst_rnn_results_append (GValue * arr, GstStructure * s)
{
  GValue v = G_VALUE_INIT;

  g_value_init (&v, GST_TYPE_STRUCTURE);
  g_value_take_boxed (&v, s);
  gst_value_array_append_and_take_value (arr, &v);
}

/* ---------------------------------------------------------- the data */

void
gst_rnn_posted_init (GstRnnPosted * p)
{
  p->ring = NULL;
  p->head = p->count = 0;
  p->unposted = 0;
}

/* Forget the messages the application has read (ours is their only ref
 * left; the bus hands them out in order). */
void
gst_rnn_posted_reset (GstRnnPosted * p)
{
  while (p->count > 0) {
    GstMessage *m = p->ring[p->head];

    if (GST_MINI_OBJECT_REFCOUNT_VALUE (m) > 1)
      break;
    gst_message_unref (m);
    p->head = (p->head + 1) % GST_RNN_MAX_UNREAD;
    p->count--;
  }
}

/* Drop our refs on posted messages (stop, new caps). */
void
gst_rnn_posted_clear (GstRnnPosted * p)
{
  while (p->count > 0) {
    gst_message_unref (p->ring[p->head]);
    p->head = (p->head + 1) % GST_RNN_MAX_UNREAD;
    p->count--;
  }
  g_clear_pointer (&p->ring, g_free);
  gst_rnn_posted_init (p);
}

/* ------------------------------------------------------------ posting */

/* Post @s as an element message, unless GST_RNN_MAX_UNREAD of ours wait
 * unread on the bus: then the result is carried by the meta only, and
 * the first time a WARNING says why. */
static void
gst_rnn_post_result (GstRnn * self, GstStructure * s)
{
  GstRnnPosted *p = &self->stream.posted;
  GstMessage *m;

  if (p->ring == NULL)
    p->ring = g_new0 (GstMessage *, GST_RNN_MAX_UNREAD);
  gst_rnn_posted_reset (p);
  if (p->count == GST_RNN_MAX_UNREAD) {
    gst_structure_free (s);
    if (p->unposted++ == 0)
      GST_ELEMENT_WARNING (self, STREAM, FAILED,
          ("%u result messages wait unread on the bus: further results are "
              "not posted until the application reads them (the "
              "GstRnnResultMeta on the buffers still carries every result). "
              "Read the bus, or set post-messages=false.", GST_RNN_MAX_UNREAD),
          (NULL));
    return;
  }
  m = gst_message_new_element (GST_OBJECT (self), s);
  p->ring[(p->head + p->count) % GST_RNN_MAX_UNREAD] = gst_message_ref (m);
  p->count++;
  gst_element_post_message (GST_ELEMENT (self), m);
}

/* Append one result per stream to the results meta of @buf (if any) and
 * post one element message per stream (if @post), for @result: the
 * scores (B, O) of the window of result->n_frames frames from frame
 * result->start. */
void
gst_rnn_emit_results (GstRnn * self, GstBuffer * buf,
    const RnnResult * result, gboolean post)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  const char *const *labels = rnn_model_get_labels (self->stream.model);
  GstRnnResultFields r = { 0, };
  GstClockTime running_time = GST_CLOCK_TIME_NONE;
  GstClockTime stream_time = GST_CLOCK_TIME_NONE;
  GValue *arr = buf ? gst_rnn_results_array (buf) : NULL;
  guint64 offset;
  guint b, i;

  r.n_scores = self->config.info.output_size;
  r.frames = result->n_frames;
  r.duration = gst_rnn_frames_to_time (self, r.frames);
  r.hop = gst_rnn_frames_to_time (self, self->config.info.hop);
  gst_rnn_timeline_lookup (self, result->start, &r.ts, &offset);
  if (post && GST_CLOCK_TIME_IS_VALID (r.ts)
      && trans->segment.format == GST_FORMAT_TIME) {
    running_time = gst_segment_to_running_time (&trans->segment,
        GST_FORMAT_TIME, r.ts);
    stream_time = gst_segment_to_stream_time (&trans->segment,
        GST_FORMAT_TIME, r.ts);
  }

  for (b = 0; b < self->stream.batch; b++) {
    gchar index[16];

    r.stream = b;
    r.scores = result->data + (gsize) b * r.n_scores;
    r.valid = rnn_floats_all_finite (r.scores, r.n_scores);
    r.top = 0;
    for (i = 1; i < r.n_scores; i++)
      if (r.scores[i] > r.scores[r.top])
        r.top = i;
    if (labels) {
      r.label = labels[r.top];
    } else {
      g_snprintf (index, sizeof (index), "%u", r.top);
      r.label = index;
    }
    if (r.valid)
      GST_LOG_OBJECT (self, "stream %u, window at %" GST_TIME_FORMAT
          " (%u frames): class %u '%s' %f", b, GST_TIME_ARGS (r.ts), r.frames,
          r.top, r.label, r.scores[r.top]);
    else
      GST_LOG_OBJECT (self, "stream %u, window at %" GST_TIME_FORMAT
          " (%u frames): non-finite scores", b, GST_TIME_ARGS (r.ts),
          r.frames);

    if (arr) {
      GstStructure *s = gst_structure_new_empty (GST_RNN_RESULT_STRUCTURE_NAME);

      gst_rnn_set_result_fields (self, s, &r);
      gst_rnn_results_append (arr, s);
    }
    if (post) {
      GstStructure *s = gst_structure_new_empty (GST_RNN_RESULT_MESSAGE_NAME);

      gst_rnn_set_result_fields (self, s, &r);
      gst_structure_set (s,
          GST_RNN_RESULT_FIELD_RUNNING_TIME, G_TYPE_UINT64, running_time,
          GST_RNN_RESULT_FIELD_STREAM_TIME, G_TYPE_UINT64, stream_time, NULL);
      gst_rnn_post_result (self, s);
    }
  }
}
