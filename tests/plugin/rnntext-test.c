/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers of the rnntext element tests (see rnntext-test.h). */
#include "rnntext-test.h"

#include <stdarg.h>
#include <string.h>

/* Append @r to @buf's one results meta, as the rnn element does
 * (gstrnnmeta.h). */
void
add_result (GstBuffer * buf, const FakeResult * r)
{
  GstCustomMeta *meta;
  GstStructure *s, *res;
  GValue arr = G_VALUE_INIT, item = G_VALUE_INIT;
  const GValue *results;
  gchar index[16];
  guint i;

  fail_unless (gst_rnn_result_meta_get_info () != NULL);
  meta = gst_rnn_buffer_get_result_meta (buf);
  if (meta == NULL)
    meta = gst_buffer_add_custom_meta (buf, GST_RNN_RESULT_META_NAME);
  s = gst_custom_meta_get_structure (meta);
  if (!gst_structure_has_field (s, GST_RNN_RESULT_FIELD_RESULTS)) {
    g_value_init (&arr, GST_TYPE_ARRAY);
    gst_structure_take_value (s, GST_RNN_RESULT_FIELD_RESULTS, &arr);
  }
  results = gst_structure_get_value (s, GST_RNN_RESULT_FIELD_RESULTS);

  res = gst_structure_new_empty (GST_RNN_RESULT_STRUCTURE_NAME);
  g_value_init (&arr, GST_TYPE_ARRAY);
  for (i = 0; i <= r->cls; i++) {
    GValue v = G_VALUE_INIT;

    g_value_init (&v, G_TYPE_DOUBLE);
    g_value_set_double (&v, i == r->cls ? r->confidence : -1.0);
    gst_value_array_append_and_take_value (&arr, &v);
  }
  gst_structure_set (res, "element", G_TYPE_STRING, "rnn0",
      "model", G_TYPE_STRING, "m.safetensors",
      "stream", G_TYPE_UINT, r->stream,
      "timestamp", G_TYPE_UINT64, r->ts, "duration", G_TYPE_UINT64,
      r->duration, "frames", G_TYPE_UINT, (guint) (r->duration / (10 * GST_MSECOND)),
      NULL);
  if (r->hop > 0)
    gst_structure_set (res, "hop", G_TYPE_UINT64, r->hop, NULL);
  gst_structure_take_value (res, "scores", &arr);
  gst_structure_set (res, "valid", G_TYPE_BOOLEAN, r->valid, NULL);
  if (r->valid) {
    g_snprintf (index, sizeof (index), "%u", r->cls);
    gst_structure_set (res, "class", G_TYPE_UINT, r->cls, "label",
        G_TYPE_STRING, r->label ? r->label : index, "confidence",
        G_TYPE_DOUBLE, (gdouble) r->confidence, NULL);
  }
  g_value_init (&item, GST_TYPE_STRUCTURE);
  g_value_take_boxed (&item, res);
  gst_value_array_append_and_take_value ((GValue *) results, &item);
}

GstBuffer *
results_buffer (GstClockTime pts, GstClockTime dur, const FakeResult * r,
    guint n)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 4, NULL);
  guint i;

  gst_buffer_memset (buf, 0, 0, 4);
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = dur;
  for (i = 0; i < n; i++)
    add_result (buf, &r[i]);
  return buf;
}

GstBuffer *
window_buffer (GstClockTime pts, GstClockTime dur, GstClockTime ts,
    GstClockTime wdur, const gchar * const *labels, guint n)
{
  GstBuffer *buf = results_buffer (pts, dur, NULL, 0);
  guint b;

  for (b = 0; b < n; b++) {
    FakeResult r = { b, ts, wdur, labels[b], b, 0.9f, TRUE };

    add_result (buf, &r);
  }
  return buf;
}

GstBuffer *
scores_buffer (GstClockTime ts, GstClockTime wdur, GstClockTime hop,
    const gchar * const *labels, const gdouble * scores, guint n)
{
  GstBuffer *buf = results_buffer (ts, hop, NULL, 0);
  FakeResult r = { 0, ts, wdur, NULL, 0, 0.0f, TRUE };
  GstCustomMeta *meta;
  GstStructure *res;
  GValue arr = G_VALUE_INIT;
  const GValue *results;
  guint i;

  for (i = 1; i < n; i++)
    if (scores[i] > scores[r.cls])
      r.cls = i;
  r.label = labels[r.cls];
  add_result (buf, &r);
  /* the scores, confidence and hop as given */
  meta = gst_rnn_buffer_get_result_meta (buf);
  results = gst_structure_get_value (gst_custom_meta_get_structure (meta),
      GST_RNN_RESULT_FIELD_RESULTS);
  res = (GstStructure *) gst_value_get_structure (gst_value_array_get_value
      (results, 0));
  g_value_init (&arr, GST_TYPE_ARRAY);
  for (i = 0; i < n; i++) {
    GValue v = G_VALUE_INIT;

    g_value_init (&v, G_TYPE_DOUBLE);
    g_value_set_double (&v, scores[i]);
    gst_value_array_append_and_take_value (&arr, &v);
  }
  gst_structure_take_value (res, "scores", &arr);
  gst_structure_set (res, "confidence", G_TYPE_DOUBLE, scores[r.cls],
      "hop", G_TYPE_UINT64, (guint64) hop, NULL);
  return buf;
}

GstHarness *
text_harness (const gchar * first_prop, ...)
{
  GstElement *e = gst_element_factory_make ("rnntext", NULL);
  va_list args;

  fail_unless (e != NULL, "rnntext not found: is GST_PLUGIN_PATH set?");
  /* the cue timing these tests were written for: cues at the window's
   * start, merged runs held until the text changes (test-rnntext-cue-time
   * covers the defaults) */
  gst_util_set_object_arg (G_OBJECT (e), "cue-time", "start");
  g_object_set (e, "max-hold", (gint64) - 1, NULL);
  va_start (args, first_prop);
  if (first_prop)
    g_object_set_valist (G_OBJECT (e), first_prop, args);
  va_end (args);
  return harness_audio (e, 1);
}

void
expect_cue (GstHarness * h, const gchar * text, GstClockTime start,
    GstClockTime end)
{
  GstBuffer *buf = gst_harness_pull (h);
  GstMapInfo map;

  fail_unless (buf != NULL, "no cue '%s'", text);
  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  fail_unless (map.size == strlen (text) && memcmp (map.data, text,
          map.size) == 0, "cue '%.*s', expected '%s'", (int) map.size,
      map.data, text);
  gst_buffer_unmap (buf, &map);
  fail_unless (GST_BUFFER_PTS (buf) == start, "cue '%s' at %" GST_TIME_FORMAT
      ", expected %" GST_TIME_FORMAT, text,
      GST_TIME_ARGS (GST_BUFFER_PTS (buf)), GST_TIME_ARGS (start));
  fail_unless (GST_BUFFER_DURATION (buf) == end - start, "cue '%s' lasts %"
      GST_TIME_FORMAT ", expected %" GST_TIME_FORMAT, text,
      GST_TIME_ARGS (GST_BUFFER_DURATION (buf)), GST_TIME_ARGS (end - start));
  gst_buffer_unref (buf);
}

void
expect_no_cue (GstHarness * h)
{
  GstBuffer *buf = gst_harness_try_pull (h);

  if (buf) {
    GstMapInfo map;

    gst_buffer_map (buf, &map, GST_MAP_READ);
    fail ("unexpected cue '%.*s' at %" GST_TIME_FORMAT, (int) map.size,
        map.data, GST_TIME_ARGS (GST_BUFFER_PTS (buf)));
  }
}

GstClockTime
drain_gaps (GstHarness * h, GstClockTime from)
{
  GstClockTime end = GST_CLOCK_TIME_NONE;
  GstEvent *ev;

  while ((ev = gst_harness_try_pull_event (h))) {
    if (GST_EVENT_TYPE (ev) == GST_EVENT_GAP) {
      GstClockTime ts, dur;

      gst_event_parse_gap (ev, &ts, &dur);
      fail_unless (GST_CLOCK_TIME_IS_VALID (dur));
      if (GST_CLOCK_TIME_IS_VALID (from))
        fail_unless (ts == from, "GAP at %" GST_TIME_FORMAT ", expected %"
            GST_TIME_FORMAT, GST_TIME_ARGS (ts), GST_TIME_ARGS (from));
      end = ts + dur;
      from = end;
    }
    gst_event_unref (ev);
  }
  return end;
}
