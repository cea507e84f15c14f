/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext hysteresis: end-threshold keeps a started cue going while its
 * label's score stays at or above it (below its start threshold, or not
 * the best class); hold keeps it going for windows starting at most
 * `hold` after its last passing window (equal included), unless another
 * label starts. */
#include "rnntext-test.h"

static const gchar *const labels[] = { "silence", "yes", "no" };

/* Window @k ([k * 100 ms, + 100 ms)) with scores silence, yes, no. */
static void
push (GstHarness * h, guint k, gdouble s0, gdouble s1, gdouble s2)
{
  const gdouble sc[3] = { s0, s1, s2 };

  fail_unless_equals_int (gst_harness_push (h, scores_buffer (k * 100 * MS,
              100 * MS, 100 * MS, labels, sc, 3)), GST_FLOW_OK);
}

/* min-confidence 0.7, end-threshold 0.375 (exact in a float, as the
 * property is), merge:
 *   k0 yes .8 starts; k1 yes .45 with no .55 the best (below .7): goes on;
 *   k2 yes .375 (equal): goes on; k3 yes .37: ends; k4 yes .6: below .7,
 *   no new cue; k5 yes .7: starts; EOS ends it.
 * Without end-threshold: yes [0, 100), yes [500, 600). */
GST_START_TEST (test_end_threshold)
{
  GstHarness *h = text_harness ("min-confidence", 0.7f, "end-threshold",
      0.375f, "merge", TRUE, NULL);

  push (h, 0, 0.1, 0.8, 0.1);
  push (h, 1, 0.0, 0.45, 0.55);
  push (h, 2, 0.3125, 0.375, 0.3125);
  push (h, 3, 0.315, 0.37, 0.315);
  push (h, 4, 0.2, 0.6, 0.2);
  push (h, 5, 0.15, 0.7, 0.15);
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "yes\n", 0, 300 * MS);
  expect_cue (h, "yes\n", 500 * MS, 600 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* A label passing its start threshold takes over a cue that only the end
 * threshold keeps going: k1, k2 no is the best (.5, .55) but below .7
 * and yes (.45) keeps its cue; k3 no .8 passes and takes over at once. */
GST_START_TEST (test_takeover)
{
  GstHarness *h = text_harness ("min-confidence", 0.7f, "end-threshold",
      0.4f, "merge", TRUE, NULL);

  push (h, 0, 0.1, 0.8, 0.1);
  push (h, 1, 0.05, 0.45, 0.5);
  push (h, 2, 0.0, 0.45, 0.55);
  push (h, 3, 0.0, 0.2, 0.8);
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "yes\n", 0, 300 * MS);
  expect_cue (h, "no\n", 300 * MS, 400 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* hold 200 ms, silence ignored, merge: k0 yes; k1, k2 silence held
 * (100 and 200 ms after k0: equal included); k3 silence (300 ms) ends it;
 * k4 yes starts again; k5 no takes over at once.
 * Without hold: yes [0, 100), yes [400, 500), no [500, 600). */
GST_START_TEST (test_hold)
{
  GstHarness *h = text_harness ("hold", (guint64) (200 * MS),
      "ignore-labels", "silence", "merge", TRUE, NULL);

  push (h, 0, 0.05, 0.9, 0.05);
  push (h, 1, 0.9, 0.05, 0.05);
  push (h, 2, 0.9, 0.05, 0.05);
  push (h, 3, 0.9, 0.05, 0.05);
  push (h, 4, 0.05, 0.9, 0.05);
  push (h, 5, 0.05, 0.05, 0.9);
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "yes\n", 0, 300 * MS);
  expect_cue (h, "yes\n", 400 * MS, 500 * MS);
  expect_cue (h, "no\n", 500 * MS, 600 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* A held cue ended by EOS: it lasts one hop after its last window. */
GST_START_TEST (test_hold_eos)
{
  GstHarness *h = text_harness ("hold", (guint64) (500 * MS),
      "ignore-labels", "silence", "merge", TRUE, NULL);

  push (h, 0, 0.05, 0.9, 0.05);
  push (h, 1, 0.9, 0.05, 0.05);
  expect_no_cue (h);
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "yes\n", 0, 200 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

static Suite *
rnntext_hysteresis_suite (void)
{
  Suite *s = suite_create ("rnntext-hysteresis");
  TCase *tc = tcase_create ("hysteresis");

  tcase_add_test (tc, test_end_threshold);
  tcase_add_test (tc, test_takeover);
  tcase_add_test (tc, test_hold);
  tcase_add_test (tc, test_hold_eos);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_hysteresis);
