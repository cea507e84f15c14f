/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext's text is a stream of its own: its STREAM_START carries a
 * stream-id derived from the input's (the input's, "/", the element's
 * name, as gst_pad_create_stream_id() derives one), never the input's
 * own; the input's group-id; the SPARSE flag (cues come only where there
 * are results); and a GstStream of type text. */
#include <string.h>

#include "rnntext-test.h"

/* The next STREAM_START rnntext sent (other events before it dropped). */
static GstEvent *
pull_stream_start (GstHarness * h)
{
  GstEvent *ev;

  while ((ev = gst_harness_try_pull_event (h))
      && GST_EVENT_TYPE (ev) != GST_EVENT_STREAM_START)
    gst_event_unref (ev);
  fail_unless (ev != NULL, "no STREAM_START");
  return ev;
}

GST_START_TEST (test_own_stream)
{
  GstHarness *h = text_harness (NULL, NULL);
  GstEvent *in = gst_pad_get_sticky_event (h->srcpad, GST_EVENT_STREAM_START,
      0), *out = pull_stream_start (h);
  const gchar *in_id = NULL, *out_id = NULL;
  GstStreamFlags flags = GST_STREAM_FLAG_NONE;
  GstStream *stream = NULL;
  gchar *expected;

  fail_unless (in != NULL);
  gst_event_parse_stream_start (in, &in_id);
  gst_event_parse_stream_start (out, &out_id);
  fail_unless (in_id != NULL && out_id != NULL);
  expected = g_strconcat (in_id, "/", GST_OBJECT_NAME (h->element), NULL);
  fail_unless_equals_string (out_id, expected);
  g_free (expected);

  gst_event_parse_stream_flags (out, &flags);
  fail_unless (flags & GST_STREAM_FLAG_SPARSE, "flags 0x%x: not sparse",
      flags);
  gst_event_parse_stream (out, &stream);
  fail_unless (stream != NULL);
  fail_unless_equals_int (gst_stream_get_stream_type (stream),
      GST_STREAM_TYPE_TEXT);
  fail_unless_equals_string (gst_stream_get_stream_id (stream), out_id);
  gst_object_unref (stream);
  gst_event_unref (in);
  gst_event_unref (out);
  harness_done (h);
}

GST_END_TEST;

/* The input's group-id and flags (here SELECT) are kept; SPARSE added. */
GST_START_TEST (test_group_and_flags)
{
  GstHarness *h = text_harness (NULL, NULL);
  GstEvent *in = gst_event_new_stream_start ("audio-0"), *out;
  GstStreamFlags flags = GST_STREAM_FLAG_NONE;
  const gchar *id = NULL;
  guint group = 0;

  /* the harness's own STREAM_START first */
  gst_event_unref (pull_stream_start (h));
  gst_event_set_group_id (in, 42);
  gst_event_set_stream_flags (in, GST_STREAM_FLAG_SELECT);
  fail_unless (gst_harness_push_event (h, in));
  out = pull_stream_start (h);
  gst_event_parse_stream_start (out, &id);
  fail_unless (g_str_has_prefix (id, "audio-0/"), "stream-id %s", id);
  fail_unless (gst_event_parse_group_id (out, &group));
  fail_unless_equals_int (group, 42);
  gst_event_parse_stream_flags (out, &flags);
  fail_unless_equals_int (flags, GST_STREAM_FLAG_SELECT |
      GST_STREAM_FLAG_SPARSE);
  gst_event_unref (out);
  harness_done (h);
}

GST_END_TEST;

static Suite *
rnntext_stream_start_suite (void)
{
  Suite *s = suite_create ("rnntext-stream-start");
  TCase *tc = tcase_create ("stream-start");

  tcase_add_test (tc, test_own_stream);
  tcase_add_test (tc, test_group_and_flags);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_stream_start);
