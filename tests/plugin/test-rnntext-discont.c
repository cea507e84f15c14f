/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext after a discontinuity, for results that carry no hop field
 * (rnntext then learns the hop from the window starts): the jump from
 * the last window before a DISCONT buffer (or a GAP event) to the first
 * after it is not a hop.  Windows of 1 s every 100 ms: the first cue
 * after the jump lasts the hop learned before it (100 ms), and the
 * following windows each give their cue (none is cut away by a first cue
 * stretched over the jump). */
#include "rnntext-test.h"

/* The buffer in which the window [ts, ts + 1 s) ends (no hop field). */
static GstBuffer *
win (GstClockTime ts, const gchar * label, gboolean discont)
{
  FakeResult r = { 0, ts, 1000 * MS, label, 0, 0.9f, TRUE, 0 };
  GstBuffer *buf = results_buffer (ts + 900 * MS, 100 * MS, &r, 1);

  if (discont)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  return buf;
}

static void
check_jump (gboolean gap_event)
{
  GstHarness *h = text_harness ("newline", FALSE, NULL);

  gst_harness_push (h, win (0, "a", FALSE));
  gst_harness_push (h, win (100 * MS, "b", FALSE));
  expect_cue (h, "a", 0, 100 * MS);
  expect_cue (h, "b", 100 * MS, 200 * MS);
  if (gap_event)
    fail_unless (gst_harness_push_event (h, gst_event_new_gap (1100 * MS,
                3900 * MS)));
  /* 4.9 s later */
  gst_harness_push (h, win (5000 * MS, "c", !gap_event));
  gst_harness_push (h, win (5100 * MS, "d", FALSE));
  gst_harness_push (h, win (5200 * MS, "e", FALSE));
  expect_cue (h, "c", 5000 * MS, 5100 * MS);
  expect_cue (h, "d", 5100 * MS, 5200 * MS);
  expect_cue (h, "e", 5200 * MS, 5300 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_START_TEST (test_discont_buffer)
{
  check_jump (FALSE);
}

GST_END_TEST;

GST_START_TEST (test_gap_event)
{
  check_jump (TRUE);
}

GST_END_TEST;

static Suite *
rnntext_discont_suite (void)
{
  Suite *s = suite_create ("rnntext-discont");
  TCase *tc = tcase_create ("discont");

  tcase_add_test (tc, test_discont_buffer);
  tcase_add_test (tc, test_gap_event);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_discont);
