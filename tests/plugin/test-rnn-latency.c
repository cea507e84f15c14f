/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The LATENCY answer of rnn mode=n-to-1: each result is stamped with its
 * window's start but can only ride on the buffer in which the window
 * ends, so the element adds one window (window frames at the input rate)
 * to what upstream reports, whatever the hop; a new rate changes it and
 * posts a LATENCY message.  The other modes: test-rnn-timestamps. */
#include "rnn-test-gst.h"

/* Every n-to-1 fixture: its window, at RATE, on top of upstream's. */
GST_START_TEST (test_n_to_1_fixtures)
{
  guint i, ran = 0;

  for (i = 0; i < mode_cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (mode_cases, i);
    GstHarness *h;

    if (!is_mode (c, "n-to-1"))
      continue;
    h = harness_mode (make_mode_rnn (c), c);
    fail_unless_equals_uint64 (gst_harness_query_latency (h),
        FRAME_TIME (c->window));
    gst_harness_set_upstream_latency (h, 20 * GST_MSECOND);
    fail_unless_equals_uint64 (gst_harness_query_latency (h),
        FRAME_TIME (c->window) + 20 * GST_MSECOND);
    harness_done (h);
    ran++;
  }
  fail_unless (ran > 0, "no n-to-1 fixture");
}

GST_END_TEST;

/* window x hop x rate: the window's duration, the hop plays no part. */
static const struct
{
  guint window, hop;
  gint rate;
  GstClockTime latency;
} shapes[] = {
  {100, 10, 100, GST_SECOND},   /* the keyword spotter's 1 s every 0.1 s */
  {100, 100, 100, GST_SECOND},
  {50, 200, 100, 500 * GST_MSECOND},    /* hop beyond the window */
  {4000, 800, 8000, 500 * GST_MSECOND},
  {1, 1, 8000, 125 * GST_USECOND},
};

GST_START_TEST (test_n_to_1_shapes)
{
  gchar *model = tiny_model (1, 4);
  GstElement *rnn = make_plain_rnn (model, "n-to-1");
  gchar *caps = audio_caps (1, shapes[__i__].rate);
  GstHarness *h;

  g_object_set (rnn, "window", shapes[__i__].window, "hop",
      shapes[__i__].hop, NULL);
  h = harness_new (rnn, caps);
  fail_unless_equals_uint64 (gst_harness_query_latency (h),
      shapes[__i__].latency);
  harness_done (h);
  g_free (caps);
  g_free (model);
}

GST_END_TEST;

/* Pop the LATENCY messages the element posted; how many. */
static guint
latency_messages (GstBus * bus)
{
  GstMessage *m;
  guint n = 0;

  while ((m = gst_bus_pop_filtered (bus, GST_MESSAGE_LATENCY))) {
    n++;
    gst_message_unref (m);
  }
  return n;
}

/* Known once the rate is, and again at another rate; the same caps again
 * change nothing. */
GST_START_TEST (test_n_to_1_rate_change)
{
  gchar *model = tiny_model (1, 4);
  GstElement *rnn = make_plain_rnn (model, "n-to-1");
  gchar *caps100 = audio_caps (1, 100), *caps200 = audio_caps (1, 200);
  GstHarness *h;
  GstBus *bus;

  g_object_set (rnn, "window", 50, "hop", 10, NULL);
  h = harness_new (rnn, NULL);
  bus = harness_bus (h);
  gst_harness_play (h);
  fail_unless_equals_uint64 (gst_harness_query_latency (h), 0);
  fail_unless_equals_int (latency_messages (bus), 0);

  gst_harness_set_src_caps_str (h, caps100);
  fail_unless_equals_int (latency_messages (bus), 1);
  fail_unless_equals_uint64 (gst_harness_query_latency (h),
      500 * GST_MSECOND);

  gst_harness_set_src_caps_str (h, caps100);
  fail_unless_equals_int (latency_messages (bus), 0);

  gst_harness_set_src_caps_str (h, caps200);
  fail_unless_equals_int (latency_messages (bus), 1);
  fail_unless_equals_uint64 (gst_harness_query_latency (h),
      250 * GST_MSECOND);
  harness_done (h);
  g_free (caps100);
  g_free (caps200);
  g_free (model);
}

GST_END_TEST;

static Suite *
rnn_latency_suite (void)
{
  Suite *s = suite_create ("rnn-latency");
  TCase *tc = tcase_create ("n-to-1");

  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_n_to_1_fixtures);
  tcase_add_loop_test (tc, test_n_to_1_shapes, 0, G_N_ELEMENTS (shapes));
  tcase_add_test (tc, test_n_to_1_rate_change);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_latency);
