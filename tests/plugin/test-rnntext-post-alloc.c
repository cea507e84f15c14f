/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext post-processing allocates nothing per buffer: with smoothing,
 * thresholds, min-duration, end-threshold and hold all set, the same
 * results (made before counting) give the same cues with as many
 * allocations per buffer as without post-processing.  malloc is
 * interposed (suite plugin-alloc, outside the valgrind run). */
#include "rnntext-test.h"

#include "alloc-count.h"

#ifdef RNN_TEST_COUNT_ALLOCS
static const gchar *const labels[] = { "silence", "yes", "no", "up" };

/* Allocations per window over @n windows from @k0 on (all "yes" .9,
 * 100 ms every 100 ms: one cue each with or without post-processing). */
static double
allocs_per_window (GstHarness * h, guint k0, guint n)
{
  static const gdouble sc[4] = { 0.05, 0.9, 0.03, 0.02 };
  GstBuffer **in = g_new (GstBuffer *, n);
  gint before;
  guint i;

  for (i = 0; i < n; i++)
    in[i] = scores_buffer ((k0 + i) * 100 * MS, 100 * MS, 100 * MS, labels,
        sc, 4);
  before = rnn_test_alloc_count ();
  for (i = 0; i < n; i++) {
    fail_unless_equals_int (gst_harness_push (h, in[i]), GST_FLOW_OK);
    gst_buffer_unref (gst_harness_pull (h));
  }
  i = rnn_test_alloc_count () - before;
  g_free (in);
  return (double) i / n;
}

GST_START_TEST (test_no_allocation_per_buffer)
{
  GstHarness *plain = text_harness (NULL, NULL);
  GstHarness *post = text_harness ("smoothing", 5, "thresholds",
      "yes=0.8,no=0.7", "min-duration", (guint64) (100 * MS), "end-threshold",
      0.3f, "hold", (guint64) (200 * MS), "ignore-labels", "silence", NULL);
  double a, b;

  /* warm-up: the first window waits for the hop; the post state is
   * allocated at the first result */
  gst_harness_push (plain, scores_buffer (0, 100 * MS, 100 * MS, labels,
          (const gdouble[]) {0.05, 0.9, 0.03, 0.02}, 4));
  gst_harness_push (post, scores_buffer (0, 100 * MS, 100 * MS, labels,
          (const gdouble[]) {0.05, 0.9, 0.03, 0.02}, 4));
  allocs_per_window (plain, 1, 20);
  allocs_per_window (post, 1, 20);
  a = allocs_per_window (plain, 21, 200);
  b = allocs_per_window (post, 21, 200);
  g_print ("allocations per window: %.2f without post-processing, %.2f "
      "with\n", a, b);
  fail_unless (b <= a, "post-processing allocates %.2f per window, "
      "%.2f without", b, a);
  harness_done (post);
  harness_done (plain);
}

GST_END_TEST;
#endif

static Suite *
rnntext_post_alloc_suite (void)
{
  Suite *s = suite_create ("rnntext-post-alloc");
  TCase *tc = tcase_create ("alloc");

  suite_add_tcase (s, tc);
#ifdef RNN_TEST_COUNT_ALLOCS
  tcase_add_test (tc, test_no_allocation_per_buffer);
#endif
  return s;
}

GST_CHECK_MAIN (rnntext_post_alloc);
