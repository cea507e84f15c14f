/* Time in the rnn element: the latency each mode reports. */
#include "rnn-test-gst.h"

/* ----------------------------------------------------------- latency */

/* Every fixture of each mode: n-to-n answers each frame at once; n-to-1
 * holds no data (results ride on the buffer where the window ends);
 * 1-to-n answers each frame at once; n-to-m stamps its forecast at the
 * window end: none adds latency, and upstream latency passes through.
 * A bidirectional model on windows of W frames adds W frames. */
static const gchar *const latency_modes[] = {
  "n-to-n", "n-to-1", "1-to-n", "n-to-m", "windowed"
};

static void
check_latency (GstHarness * h, GstClockTime own, gboolean upstream)
{
  fail_unless_equals_uint64 (gst_harness_query_latency (h), own);
  if (upstream) {
    gst_harness_set_upstream_latency (h, 20 * GST_MSECOND);
    fail_unless_equals_uint64 (gst_harness_query_latency (h),
        own + 20 * GST_MSECOND);
  }
  harness_done (h);
}

GST_START_TEST (test_latency)
{
  const gchar *mode = latency_modes[__i__];
  guint i, ran = 0;

  if (g_str_equal (mode, "n-to-n") || g_str_equal (mode, "windowed")) {
    gboolean windowed = g_str_equal (mode, "windowed");

    for (i = 0; i < cases->len; i++) {
      const RnnTestCase *c = g_ptr_array_index (cases, i);
      GstElement *rnn;

      if (windowed ? !(c->bidirectional && !c->has_h0) :
          !rnn_test_case_streamable (c))
        continue;
      rnn = make_case_rnn (c);
      if (windowed)
        g_object_set (rnn, "window", c->T, NULL);
      check_latency (harness_case (rnn, c), windowed ? FRAME_TIME (c->T) : 0,
          !windowed);
      ran++;
    }
  } else {
    for (i = 0; i < mode_cases->len; i++) {
      const RnnModeCase *c = g_ptr_array_index (mode_cases, i);

      if (!is_mode (c, mode))
        continue;
      check_latency (harness_case (make_mode_rnn (c), c), 0, TRUE);
      ran++;
    }
  }
  fail_unless (ran > 0, "no %s fixture", mode);
}

GST_END_TEST;

static Suite *
rnn_timestamps_suite (void)
{
  Suite *s = suite_create ("rnn-timestamps");
  TCase *tc;

  tc = tcase_create ("latency");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_loop_test (tc, test_latency, 0, G_N_ELEMENTS (latency_modes));
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_timestamps);
