/* GStreamer rnn element: n-to-1 results, as GstRnnResultMeta on buffers
 * and as `rnn` element messages on the bus.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstrnn-private.h"

/* The custom meta of n-to-1 results: no tags, so that elements which
 * drop metas tied to the audio format (audioconvert, ...) keep it. */
const GstMetaInfo *
gst_rnn_result_meta_get_info (void)
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

/* The fields of one result: which element and model, which window and
 * stream, the scores and, when they are all finite (valid), the class,
 * its label and confidence.  A window whose scores hold a NaN or Inf
 * (e.g. non-finite=propagate) is valid=false and names no class. */
static void
gst_rnn_set_result_fields (GstRnn * self, GstStructure * s, guint stream,
    GstClockTime ts, GstClockTime duration, guint frames,
    const float *scores, guint O, guint top, const gchar * label,
    gboolean valid)
{
  GValue arr = G_VALUE_INIT;
  guint i;

  g_value_init (&arr, GST_TYPE_ARRAY);
  for (i = 0; i < O; i++) {
    GValue v = G_VALUE_INIT;

    g_value_init (&v, G_TYPE_FLOAT);
    g_value_set_float (&v, scores[i]);
    gst_value_array_append_and_take_value (&arr, &v);
  }
  gst_structure_set (s, "element", G_TYPE_STRING, GST_OBJECT_NAME (self),
      "model", G_TYPE_STRING, self->stream.running_path,
      "stream", G_TYPE_UINT, stream,
      "timestamp", G_TYPE_UINT64, ts, "duration", G_TYPE_UINT64, duration,
      "frames", G_TYPE_UINT, frames, NULL);
  gst_structure_take_value (s, "scores", &arr);
  gst_structure_set (s, "valid", G_TYPE_BOOLEAN, valid, NULL);
  if (valid)
    gst_structure_set (s, "class", G_TYPE_UINT, top, "label", G_TYPE_STRING,
        label, "confidence", G_TYPE_FLOAT, scores[top], NULL);
}

/* Forget the messages the application has read (ours is their only ref
 * left; the bus hands them out in order). */
static void
gst_rnn_results_reclaim (GstRnn * self)
{
  GstRnnStream *st = &self->stream;

  while (st->posted_count > 0) {
    GstMessage *m = st->posted[st->posted_head];

    if (GST_MINI_OBJECT_REFCOUNT_VALUE (m) > 1)
      break;
    gst_message_unref (m);
    st->posted_head = (st->posted_head + 1) % GST_RNN_MAX_UNREAD;
    st->posted_count--;
  }
}

/* Post @s as an element message, unless GST_RNN_MAX_UNREAD of ours wait
 * unread on the bus: then the result is carried by the meta only, and
 * the first time a WARNING says why. */
static void
gst_rnn_post_result (GstRnn * self, GstStructure * s)
{
  GstRnnStream *st = &self->stream;
  GstMessage *m;

  if (st->posted == NULL)
    st->posted = g_new0 (GstMessage *, GST_RNN_MAX_UNREAD);
  gst_rnn_results_reclaim (self);
  if (st->posted_count == GST_RNN_MAX_UNREAD) {
    gst_structure_free (s);
    if (st->unposted++ == 0)
      GST_ELEMENT_WARNING (self, STREAM, FAILED,
          ("%u result messages wait unread on the bus: further results are "
              "not posted until the application reads them (the "
              "GstRnnResultMeta on the buffers still carries every result). "
              "Read the bus, or set post-messages=false.", GST_RNN_MAX_UNREAD),
          (NULL));
    return;
  }
  m = gst_message_new_element (GST_OBJECT (self), s);
  st->posted[(st->posted_head + st->posted_count) % GST_RNN_MAX_UNREAD] =
      gst_message_ref (m);
  st->posted_count++;
  gst_element_post_message (GST_ELEMENT (self), m);
}

/* Drop our refs on posted messages (stop, new caps). */
void
gst_rnn_results_clear (GstRnn * self)
{
  GstRnnStream *st = &self->stream;

  while (st->posted_count > 0) {
    gst_message_unref (st->posted[st->posted_head]);
    st->posted_head = (st->posted_head + 1) % GST_RNN_MAX_UNREAD;
    st->posted_count--;
  }
  g_clear_pointer (&st->posted, g_free);
  st->posted_head = 0;
  st->unposted = 0;
}

/* Attach one result meta per stream to @buf (if any) and post one element
 * message per stream (if @post), for @result: the scores (B, O) of the
 * window of result->n_frames frames from frame result->start. */
void
gst_rnn_emit_results (GstRnn * self, GstBuffer * buf,
    const RnnResult * result, gboolean post)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  const char *const *labels = rnn_model_get_labels (self->stream.model);
  guint O = self->config.info.output_size, len = result->n_frames;
  GstClockTime ts, dur = gst_rnn_frames_to_time (self, len);
  GstClockTime running_time = GST_CLOCK_TIME_NONE;
  GstClockTime stream_time = GST_CLOCK_TIME_NONE;
  guint64 offset;
  guint b, i;

  gst_rnn_timeline_lookup (self, result->start, &ts, &offset);
  if (post && GST_CLOCK_TIME_IS_VALID (ts)
      && trans->segment.format == GST_FORMAT_TIME) {
    running_time = gst_segment_to_running_time (&trans->segment,
        GST_FORMAT_TIME, ts);
    stream_time = gst_segment_to_stream_time (&trans->segment,
        GST_FORMAT_TIME, ts);
  }

  for (b = 0; b < self->stream.batch; b++) {
    const float *sc = result->data + (gsize) b * O;
    gboolean valid = rnn_floats_all_finite (sc, O);
    gchar index[16];
    const gchar *label;
    guint top = 0;

    for (i = 1; i < O; i++)
      if (sc[i] > sc[top])
        top = i;
    if (labels) {
      label = labels[top];
    } else {
      g_snprintf (index, sizeof (index), "%u", top);
      label = index;
    }
    if (valid)
      GST_LOG_OBJECT (self, "stream %u, window at %" GST_TIME_FORMAT
          " (%u frames): class %u '%s' %f", b, GST_TIME_ARGS (ts), len, top,
          label, sc[top]);
    else
      GST_LOG_OBJECT (self, "stream %u, window at %" GST_TIME_FORMAT
          " (%u frames): non-finite scores", b, GST_TIME_ARGS (ts), len);

    if (buf) {
      GstCustomMeta *meta = gst_buffer_add_custom_meta (buf,
          GST_RNN_RESULT_META_NAME);

      gst_rnn_set_result_fields (self, gst_custom_meta_get_structure (meta),
          b, ts, dur, len, sc, O, top, label, valid);
    }
    if (post) {
      GstStructure *s = gst_structure_new_empty ("rnn");

      gst_rnn_set_result_fields (self, s, b, ts, dur, len, sc, O, top, label,
          valid);
      gst_structure_set (s, "running-time", G_TYPE_UINT64, running_time,
          "stream-time", G_TYPE_UINT64, stream_time, NULL);
      gst_rnn_post_result (self, s);
    }
  }
}
