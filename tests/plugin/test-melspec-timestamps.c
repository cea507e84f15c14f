/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melspec's output timestamps: frame i is stamped with the time of its
 * first sample, the PTS of the first buffer (after a reset) plus
 * i * hop-length samples, whatever the buffer split; durations tile the
 * time line at rate / hop-length frames per second; offsets count frames;
 * the first output is DISCONT; without input timestamps there are none. */
#include "melspec-test.h"

static MelCase *c;

static void
setup (void)
{
  c = mel_case_load ("mel_16k_ln_b2_s16");
}

static void
teardown (void)
{
  g_clear_pointer (&c, mel_case_free);
}

/* Push the case's waveform from @start in the uneven split; check every
 * output buffer's stamps against frame indices.  Returns the frames. */
static guint
check_stamps (GstClockTime start, gboolean stamped)
{
  GstHarness *h = mel_harness (make_case_melspec (c), c);
  guint64 next = 0;
  GstBuffer *out;
  guint seed = 7;

  for (guint s0 = 0, i = 0; s0 < c->N; i++) {
    guint n = mel_split (3, i, &seed, c->hop);     /* once: not in MIN () */
    GstBuffer *in;

    n = MIN (n, c->N - s0);
    in = mel_case_samples (c, s0, n);

    if (stamped)
      GST_BUFFER_PTS (in) += start;
    else
      GST_BUFFER_PTS (in) = GST_BUFFER_DURATION (in) = GST_CLOCK_TIME_NONE;
    fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
    s0 += n;
  }
  while ((out = gst_harness_try_pull (h))) {
    guint64 k = GST_BUFFER_OFFSET_END (out) - GST_BUFFER_OFFSET (out);

    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), next);
    fail_unless_equals_uint64 (gst_buffer_get_size (out),
        k * c->B * c->F * sizeof (float));
    fail_unless_equals_int (GST_BUFFER_IS_DISCONT (out), next == 0);
    if (stamped) {
      GstClockTime t0 = start + SAMPLE_TIME (c, next * c->hop);
      GstClockTime t1 = start + SAMPLE_TIME (c, (next + k) * c->hop);

      fail_unless_equals_uint64 (GST_BUFFER_PTS (out), t0);
      fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), t1 - t0);
      /* 16 kHz, hop 160: 10 ms per frame */
      fail_unless_equals_uint64 (GST_BUFFER_PTS (out),
          start + next * 10 * GST_MSECOND);
    } else {
      fail_if (GST_BUFFER_PTS_IS_VALID (out));
      fail_if (GST_BUFFER_DURATION_IS_VALID (out));
    }
    next += k;
    gst_buffer_unref (out);
  }
  harness_done (h);
  return next;
}

GST_START_TEST (test_stamps_from_zero)
{
  fail_unless_equals_int (check_stamps (0, TRUE), c->T);
}

GST_END_TEST;

GST_START_TEST (test_stamps_from_first_pts)
{
  /* a stream that starts at 3.3333 s: frames follow its first PTS */
  fail_unless_equals_int (check_stamps (3 * GST_SECOND + 333333,
          TRUE), c->T);
}

GST_END_TEST;

GST_START_TEST (test_no_timestamps)
{
  fail_unless_equals_int (check_stamps (0, FALSE), c->T);
}

GST_END_TEST;

/* The output caps: F32 at rate / hop with B x features channels. */
GST_START_TEST (test_output_caps)
{
  GstHarness *h = mel_harness (make_case_melspec (c), c);
  GstBuffer *out;
  GstCaps *caps;
  GstStructure *s;
  gint rate, channels;

  out = push_pull (h, mel_case_samples (c, 0, 400));
  gst_buffer_unref (out);
  caps = gst_pad_get_current_caps (h->sinkpad);
  s = gst_caps_get_structure (caps, 0);
  fail_unless_equals_string (gst_structure_get_string (s, "format"),
      "F32LE");
  fail_unless (gst_structure_get_int (s, "rate", &rate));
  fail_unless (gst_structure_get_int (s, "channels", &channels));
  fail_unless_equals_int (rate, 100);
  fail_unless_equals_int (channels, c->B * c->F);
  gst_caps_unref (caps);
  harness_done (h);
}

GST_END_TEST;

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-timestamps");
  TCase *tc = tcase_create ("general");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_stamps_from_zero);
  tcase_add_test (tc, test_stamps_from_first_pts);
  tcase_add_test (tc, test_no_timestamps);
  tcase_add_test (tc, test_output_caps);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);
