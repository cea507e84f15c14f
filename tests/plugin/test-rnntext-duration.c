/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext min-duration: a label's cue starts only once it has passed in
 * consecutive windows covering min-duration (first window's start to the
 * latest's start plus its hop, equal is enough); the earlier windows give
 * no text; another label (or none) starts the count over. */
#include "rnntext-test.h"

static const gchar *const labels[] = { "silence", "yes", "no" };

static GstBuffer *
window (guint k, GstClockTime wdur, guint c)
{
  gdouble sc[3] = { 0.05, 0.05, 0.05 };

  sc[c] = 0.9;
  return scores_buffer (k * 100 * MS, wdur, 100 * MS, labels, sc, 3);
}

/* 100 ms windows, min-duration 300 ms, merge: yes yes no no no no.
 *   yes covers 200 ms: no cue; no starts at k2, covers 300 ms at k4 (equal):
 *   the cue starts at k4 and EOS ends it one hop after k5: [400, 600).
 * Without min-duration: yes [0, 200), no [200, 600). */
GST_START_TEST (test_min_duration)
{
  GstHarness *h = text_harness ("min-duration", (guint64) (300 * MS),
      "merge", TRUE, NULL);
  static const guint c[] = { 1, 1, 2, 2, 2, 2 };
  guint k;

  for (k = 0; k < G_N_ELEMENTS (c); k++)
    gst_harness_push (h, window (k, 100 * MS, c[k]));
  expect_no_cue (h);
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "no\n", 400 * MS, 600 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* Overlapping windows (1 s every 100 ms): the hop counts, not the
 * window: with min-duration 200 ms, yes starts at the second window
 * (100 + 100 - 0 = 200), not at the first (whose window lasts 1 s);
 * a silence window (ignored) ends it, and the next yes counts anew. */
GST_START_TEST (test_overlapping)
{
  GstHarness *h = text_harness ("min-duration", (guint64) (200 * MS),
      "ignore-labels", "silence", NULL);
  static const guint c[] = { 1, 1, 1, 0, 1, 1 };
  guint k;

  for (k = 0; k < G_N_ELEMENTS (c); k++)
    gst_harness_push (h, window (k, 1000 * MS, c[k]));
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "yes\n", 100 * MS, 200 * MS);
  expect_cue (h, "yes\n", 200 * MS, 300 * MS);
  expect_cue (h, "yes\n", 500 * MS, 600 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

static Suite *
rnntext_duration_suite (void)
{
  Suite *s = suite_create ("rnntext-duration");
  TCase *tc = tcase_create ("duration");

  tcase_add_test (tc, test_min_duration);
  tcase_add_test (tc, test_overlapping);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_duration);
