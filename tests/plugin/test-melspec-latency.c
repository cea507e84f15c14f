/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melspec answers the LATENCY query: upstream's latency plus one frame
 * (n-fft samples; win-length with preset=kaldi-fbank), the time from a
 * frame's timestamp (its first sample) to the arrival of its last sample.
 * Before caps the rate is unknown and only upstream's is passed on.  A caps
 * change that alters it posts a LATENCY message, so that the pipeline
 * queries again. */
#include "melspec-test.h"

static void
check_latency (const gchar * name, GstClockTime upstream,
    GstClockTime ours)
{
  MelCase *c = mel_case_load (name);
  GstHarness *h = harness_new (make_case_melspec (c), NULL);
  g_autofree gchar *caps = mel_case_caps (c);
  GstBuffer *out;

  gst_harness_set_upstream_latency (h, upstream);
  fail_unless_equals_uint64 (gst_harness_query_latency (h), upstream);
  gst_harness_set_src_caps_str (h, caps);
  fail_unless_equals_uint64 (gst_harness_query_latency (h), upstream + ours);

  /* and the first frame comes out with the buffer that completes it */
  {
    guint L = gst_util_uint64_scale (ours, c->rate, GST_SECOND);

    fail_unless_equals_int (gst_harness_push (h, mel_case_samples (c, 0,
                L - 1)), GST_FLOW_OK);
    fail_unless (gst_harness_try_pull (h) == NULL);
    out = push_pull (h, mel_case_samples (c, L - 1, 1));
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 0);
    gst_buffer_unref (out);
  }
  harness_done (h);
  mel_case_free (c);
}

GST_START_TEST (test_latency_n_fft)
{
  /* n-fft 400 at 16 kHz: 25 ms */
  check_latency ("mel_16k_hann_htk_pow2", 5 * GST_MSECOND,
      25 * GST_MSECOND);
  /* n-fft 512 (win-length 400) at 16 kHz: the whole FFT frame, 32 ms */
  check_latency ("mel_16k_db", 0, 32 * GST_MSECOND);
}

GST_END_TEST;

GST_START_TEST (test_latency_kaldi)
{
  /* win-length 882 at 44.1 kHz: 20 ms (the FFT is 1024) */
  check_latency ("kaldi_44k_lin", 10 * GST_MSECOND, 20 * GST_MSECOND);
}

GST_END_TEST;

/* The LATENCY messages waiting on @bus. */
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

GST_START_TEST (test_latency_message)
{
  GstHarness *h = harness_new (make_melspec (), NULL);
  GstBus *bus = harness_bus (h);

  latency_messages (bus);
  gst_harness_set_src_caps_str (h, "audio/x-raw, format=F32LE, "
      "layout=interleaved, rate=16000, channels=1");
  /* 0 -> 25 ms */
  fail_unless_equals_int (latency_messages (bus), 1);
  fail_unless_equals_uint64 (gst_harness_query_latency (h),
      25 * GST_MSECOND);
  /* 8 kHz: n-fft 400 is 50 ms */
  gst_harness_set_src_caps_str (h, "audio/x-raw, format=F32LE, "
      "layout=interleaved, rate=8000, channels=1");
  fail_unless_equals_int (latency_messages (bus), 1);
  fail_unless_equals_uint64 (gst_harness_query_latency (h),
      50 * GST_MSECOND);
  /* more channels, the same latency: no message */
  gst_harness_set_src_caps_str (h, "audio/x-raw, format=F32LE, "
      "layout=interleaved, rate=8000, channels=2");
  fail_unless_equals_int (latency_messages (bus), 0);
  harness_done (h);
}

GST_END_TEST;

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-latency");
  TCase *tc = tcase_create ("general");

  tcase_add_test (tc, test_latency_n_fft);
  tcase_add_test (tc, test_latency_kaldi);
  tcase_add_test (tc, test_latency_message);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);
