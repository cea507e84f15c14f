/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext post-processing starts over where the rnn element restarts its
 * windows: after a flush, a new segment, a GAP event and a DISCONT
 * buffer the smoothing history, the min-duration count and the cue under
 * way are forgotten. */
#include <math.h>

#include "rnntext-test.h"

static const gchar *const labels[] = { "silence", "yes", "no" };

static GstBuffer *
window (guint k, guint c)
{
  gdouble sc[3] = { 0.05, 0.05, 0.05 };

  sc[c] = 0.9;
  return scores_buffer (k * 100 * MS, 100 * MS, 100 * MS, labels, sc, 3);
}

enum
{ BY_FLUSH, BY_SEGMENT, BY_GAP, BY_DISCONT, BY_NOTHING, N_BY };

/* smoothing=3: yes, yes, then (the event) no: with the history kept the
 * mean of yes .9 .9 .05 = .62 against no .33 says yes; forgotten, no. */
GST_START_TEST (test_reset)
{
  GstHarness *h = text_harness ("smoothing", 3, NULL);
  GstBuffer *buf;
  GstClockTime at = 200 * MS, end = 300 * MS;

  gst_harness_push (h, window (0, 1));
  gst_harness_push (h, window (1, 1));
  expect_cue (h, "yes\n", 0, 100 * MS);
  expect_cue (h, "yes\n", 100 * MS, 200 * MS);
  if (__i__ == BY_FLUSH) {
    fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
    fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  }
  if (__i__ == BY_FLUSH || __i__ == BY_SEGMENT) {
    GstSegment seg;

    /* (a flush is followed by a segment) */
    gst_segment_init (&seg, GST_FORMAT_TIME);
    fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
  } else if (__i__ == BY_GAP) {
    fail_unless (gst_harness_push_event (h, gst_event_new_gap (200 * MS,
                100 * MS)));
    at = 300 * MS;
    end = 400 * MS;
  }
  buf = window (at / (100 * MS), 2);
  if (__i__ == BY_DISCONT)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  gst_harness_push (h, buf);
  gst_harness_push_event (h, gst_event_new_eos ());
  /* flush, segment, gap and discont give no; nothing keeps yes */
  expect_cue (h, __i__ == BY_NOTHING ? "yes\n" : "no\n", at, end);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* An invalid result (non-finite scores) gives no text and starts its
 * stream over: yes, yes, invalid, no gives yes, yes, -, no. */
GST_START_TEST (test_invalid)
{
  GstHarness *h = text_harness ("smoothing", 3, NULL);
  FakeResult bad = { 0, 200 * MS, 100 * MS, NULL, 0, NAN, FALSE };

  gst_harness_push (h, window (0, 1));
  gst_harness_push (h, window (1, 1));
  gst_harness_push (h, results_buffer (200 * MS, 100 * MS, &bad, 1));
  gst_harness_push (h, window (3, 2));
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "yes\n", 0, 100 * MS);
  expect_cue (h, "yes\n", 100 * MS, 200 * MS);
  expect_cue (h, "no\n", 300 * MS, 400 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

static Suite *
rnntext_post_reset_suite (void)
{
  Suite *s = suite_create ("rnntext-post-reset");
  TCase *tc = tcase_create ("post-reset");

  tcase_add_loop_test (tc, test_reset, 0, N_BY);
  tcase_add_test (tc, test_invalid);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_post_reset);
