/* melspec answers the LATENCY query: upstream's latency plus one frame
 * (n-fft samples; win-length with preset=kaldi-fbank), the time from a
 * frame's timestamp (its first sample) to the arrival of its last sample.
 * Before caps the rate is unknown and only upstream's is passed on. */
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

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-latency");
  TCase *tc = tcase_create ("general");

  tcase_add_test (tc, test_latency_n_fft);
  tcase_add_test (tc, test_latency_kaldi);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);
