/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GAP buffers become GAP events as GStreamer's elements make them: one
 * without a timestamp is placed by the sample count (or, with no count
 * yet, gives no event) with no CRITICAL; a GAP event that cannot be
 * pushed returns the pad's flow (NOT_LINKED, FLUSHING) instead of
 * GST_FLOW_ERROR. */
#include "melspec-test.h"

#define CAPS "audio/x-raw, format=F32LE, layout=interleaved, rate=16000, " \
    "channels=1"

static GstBuffer *
zeros (guint n, GstClockTime pts)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, n * 4, NULL);

  gst_buffer_memset (buf, 0, 0, n * 4);
  GST_BUFFER_PTS (buf) = pts;
  if (GST_CLOCK_TIME_IS_VALID (pts))
    GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (n, GST_SECOND, 16000);
  return buf;
}

static GstBuffer *
gap_buffer (guint n, GstClockTime pts)
{
  GstBuffer *buf = zeros (n, pts);

  GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_GAP);
  return buf;
}

/* The first GAP event waiting on @h (unref it), or NULL. */
static GstEvent *
pull_gap (GstHarness * h)
{
  GstEvent *ev;

  while ((ev = gst_harness_try_pull_event (h))) {
    if (GST_EVENT_TYPE (ev) == GST_EVENT_GAP)
      return ev;
    gst_event_unref (ev);
  }
  return NULL;
}

GST_START_TEST (test_gap_without_timestamp)
{
  GstHarness *h = harness_new (make_melspec (), CAPS);
  GstClockTime ts, dur;
  GstEvent *ev;

  /* first: no time known, nothing to say (and no CRITICAL: gstcheck
   * fails the test on one) */
  fail_unless_equals_int (gst_harness_push (h,
          gap_buffer (160, GST_CLOCK_TIME_NONE)), GST_FLOW_OK);
  fail_unless (pull_gap (h) == NULL);

  /* after 100 ms of audio from 0: the GAP starts at 100 ms and lasts its
   * 160 samples */
  fail_unless_equals_int (gst_harness_push (h, zeros (1600, 0)),
      GST_FLOW_OK);
  while (gst_harness_buffers_in_queue (h))
    gst_buffer_unref (gst_harness_pull (h));
  fail_unless_equals_int (gst_harness_push (h,
          gap_buffer (160, GST_CLOCK_TIME_NONE)), GST_FLOW_OK);
  ev = pull_gap (h);
  fail_unless (ev != NULL);
  gst_event_parse_gap (ev, &ts, &dur);
  fail_unless_equals_uint64 (ts, 100 * GST_MSECOND);
  fail_unless_equals_uint64 (dur, 10 * GST_MSECOND);
  gst_event_unref (ev);
  harness_done (h);
}

GST_END_TEST;

GST_START_TEST (test_gap_not_linked)
{
  GstElement *e = make_melspec ();
  GstHarness *h = gst_harness_new_with_element (e, "sink", NULL);
  GstSegment segment;

  gst_object_unref (e);         /* the harness holds its own */

  gst_harness_set_src_caps_str (h, CAPS);
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_harness_push_event (h, gst_event_new_segment (&segment));
  fail_unless_equals_int (gst_harness_push (h, gap_buffer (160, 0)),
      GST_FLOW_NOT_LINKED);
  /* as data would */
  fail_unless_equals_int (gst_harness_push (h, zeros (400, 10 *
              GST_MSECOND)), GST_FLOW_NOT_LINKED);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_gap_flushing)
{
  GstHarness *h = harness_new (make_melspec (), CAPS);
  GstPad *src = gst_element_get_static_pad (h->element, "src");

  /* the source pad alone flushing, as while a flush travels downstream */
  GST_OBJECT_LOCK (src);
  GST_PAD_SET_FLUSHING (src);
  GST_OBJECT_UNLOCK (src);
  fail_unless_equals_int (gst_harness_push (h, gap_buffer (160, 0)),
      GST_FLOW_FLUSHING);
  GST_OBJECT_LOCK (src);
  GST_PAD_UNSET_FLUSHING (src);
  GST_OBJECT_UNLOCK (src);
  gst_object_unref (src);
  harness_done (h);
}

GST_END_TEST;

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-gap");
  TCase *tc = tcase_create ("general");

  tcase_add_test (tc, test_gap_without_timestamp);
  tcase_add_test (tc, test_gap_not_linked);
  tcase_add_test (tc, test_gap_flushing);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);
