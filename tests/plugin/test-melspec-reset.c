/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melspec's resets, as the rnn element's: a DISCONT buffer, a timestamp
 * jump of more than 40 ms (posted once as a WARNING), a GAP buffer and a
 * FLUSH drop the partial frame and restart framing and stamps at the next
 * buffer (whose output is DISCONT); jitter within 40 ms changes nothing.
 * The frames after a reset equal those of a fresh element fed the same
 * samples, and differ from the uninterrupted run's. */
#include "melspec-test.h"

static MelCase *c;

static void
setup (void)
{
  c = mel_case_load ("mel_16k_hann_htk_pow2");
}

static void
teardown (void)
{
  g_clear_pointer (&c, mel_case_free);
}

/* Where the second part starts: not a multiple of the hop */
#define CUT 1000

/* Frames of a fresh element fed samples [CUT, N). */
static float *
fresh_frames (guint * T)
{
  GstHarness *h = mel_harness (make_case_melspec (c), c);
  float *f;

  fail_unless_equals_int (gst_harness_push (h, mel_case_samples (c, CUT,
              c->N - CUT)), GST_FLOW_OK);
  f = mel_pull_all (h, c->B * c->F, T, NULL);
  harness_done (h);
  return f;
}

/* Push [0, CUT), drop its frames, then [CUT, N) after @mangle; return the
 * frames that follow, with the first one's PTS and DISCONT flag. */
static float *
run_cut (GstHarness * h, void (*mangle) (GstHarness *, GstBuffer *),
    guint * T, GstClockTime * first_pts, gboolean * discont)
{
  GstBuffer *rest = mel_case_samples (c, CUT, c->N - CUT);
  GstBuffer *out;
  float *f;

  fail_unless_equals_int (gst_harness_push (h, mel_case_samples (c, 0, CUT)),
      GST_FLOW_OK);
  while ((out = gst_harness_try_pull (h)))
    gst_buffer_unref (out);
  mangle (h, rest);
  fail_unless_equals_int (gst_harness_push (h, rest), GST_FLOW_OK);
  f = mel_pull_all (h, c->B * c->F, T, &out);
  fail_unless (out != NULL);
  *first_pts = GST_BUFFER_PTS (out);
  *discont = GST_BUFFER_IS_DISCONT (out);
  gst_buffer_unref (out);
  return f;
}

static void
set_discont (GstHarness * h, GstBuffer * b)
{
  GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DISCONT);
}

static void
jump_100ms (GstHarness * h, GstBuffer * b)
{
  GST_BUFFER_PTS (b) += 100 * GST_MSECOND;
}

static void
jitter_30ms (GstHarness * h, GstBuffer * b)
{
  GST_BUFFER_PTS (b) += 30 * GST_MSECOND;
}

static void
flush (GstHarness * h, GstBuffer * b)
{
  GstSegment segment;

  gst_harness_push_event (h, gst_event_new_flush_start ());
  gst_harness_push_event (h, gst_event_new_flush_stop (TRUE));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_harness_push_event (h, gst_event_new_segment (&segment));
}

static void
gap_between (GstHarness * h, GstBuffer * b)
{
  GstBuffer *gap = mel_case_samples (c, 0, 160);
  GstEvent *ev;

  GST_BUFFER_PTS (gap) = GST_BUFFER_PTS (b) - 5 * GST_MSECOND;
  GST_BUFFER_FLAG_SET (gap, GST_BUFFER_FLAG_GAP);
  fail_unless_equals_int (gst_harness_push (h, gap), GST_FLOW_OK);
  /* no data out, a GAP event forwarded */
  fail_unless (gst_harness_try_pull (h) == NULL);
  while ((ev = gst_harness_try_pull_event (h))) {
    gboolean is_gap = GST_EVENT_TYPE (ev) == GST_EVENT_GAP;

    gst_event_unref (ev);
    if (is_gap)
      return;
  }
  fail ("no GAP event forwarded");
}

/* After @mangle the frames are a fresh start at the cut. */
static void
check_reset (void (*mangle) (GstHarness *, GstBuffer *),
    GstClockTime shift, const gchar * what)
{
  GstHarness *h = mel_harness (make_case_melspec (c), c);
  guint T, T_fresh;
  GstClockTime pts;
  gboolean discont;
  float *got = run_cut (h, mangle, &T, &pts, &discont);
  float *fresh = fresh_frames (&T_fresh);

  fail_unless_equals_int (T, T_fresh);
  fail_unless (memcmp (got, fresh, (gsize) T * c->B * c->F * 4) == 0,
      "%s: frames after the reset differ from a fresh start", what);
  fail_unless_equals_uint64 (pts, SAMPLE_TIME (c, CUT) + shift);
  fail_unless (discont, "%s: first output after the reset not DISCONT",
      what);
  g_free (got);
  g_free (fresh);
  harness_done (h);
}

GST_START_TEST (test_discont)
{
  check_reset (set_discont, 0, "DISCONT");
}

GST_END_TEST;

GST_START_TEST (test_flush)
{
  check_reset (flush, 0, "FLUSH");
}

GST_END_TEST;

GST_START_TEST (test_gap)
{
  check_reset (gap_between, 0, "GAP");
}

GST_END_TEST;

GST_START_TEST (test_timestamp_jump)
{
  GstHarness *h;
  GstBus *bus;
  GList *w;

  check_reset (jump_100ms, 100 * GST_MSECOND, "a 100 ms jump");

  /* one WARNING, naming the times */
  h = mel_harness (make_case_melspec (c), c);
  bus = harness_bus (h);
  {
    guint T;
    GstClockTime pts;
    gboolean d;
    float *f = run_cut (h, jump_100ms, &T, &pts, &d);

    g_free (f);
  }
  w = pop_warnings (bus);
  fail_unless_equals_int (g_list_length (w), 1);
  g_list_free_full (w, (GDestroyNotify) gst_message_unref);
  harness_done (h);
}

GST_END_TEST;

/* 30 ms of jitter: no reset, the frames continue the uninterrupted run. */
GST_START_TEST (test_jitter_kept)
{
  GstHarness *h = mel_harness (make_case_melspec (c), c);
  guint T;
  GstClockTime pts;
  gboolean discont;
  float *got = run_cut (h, jitter_30ms, &T, &pts, &discont);
  guint n_before = (CUT - 400) / 160 + 1;  /* frames out before the cut */

  fail_unless_equals_int (T, c->T - n_before);
  fail_unless (!discont);
  fail_unless_equals_uint64 (pts, SAMPLE_TIME (c, n_before * 160));
  fail_unless (mel_error_at (c, got, n_before, T) <= MEL_REL_TOLERANCE);
  expect_no_warning (harness_bus (h));
  g_free (got);
  harness_done (h);
}

GST_END_TEST;

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-reset");
  TCase *tc = tcase_create ("general");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_discont);
  tcase_add_test (tc, test_flush);
  tcase_add_test (tc, test_gap);
  tcase_add_test (tc, test_timestamp_jump);
  tcase_add_test (tc, test_jitter_kept);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);
