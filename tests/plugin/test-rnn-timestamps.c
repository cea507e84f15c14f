/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Time in the rnn element: a buffer whose timestamp does not follow the
 * previous one (frames dropped, data re-sent, jitter beyond
 * timestamp-tolerance, 40 ms by default) is a discontinuity that resets
 * the state and is flagged DISCONT, the first one also posted as a
 * WARNING; a GAP buffer is one at both ends, with no DISCONT (no data is
 * missing); and the latency each mode reports.  References come from the core on the same frames. */
#include "rnn-test-gst.h"

#define TS_F 2
#define TS_H 4

typedef struct
{
  gchar *model;
  float *x;                     /* (80, 1, TS_F) */
  RnnModel *m;
} TsFixture;

static void
ts_setup (TsFixture * f)
{
  f->model = gru_model (TS_F, TS_H, 3.0f);
  f->x = rnn_test_make_input (80, 1, TS_F, 0.2f);
  f->m = load_model (f->model);
}

static void
ts_teardown (TsFixture * f)
{
  rnn_model_unref (f->m);
  g_free (f->x);
  g_free (f->model);
}

/* Core output of frames [t0, t0 + k), from zero state at frame @from. */
static float *
ts_ref (TsFixture * f, guint from, guint t0, guint k)
{
  RnnState *s = rnn_state_new (f->m, 1, 128, NULL);
  float *all = core_run (s, f->x + (gsize) from * TS_F, t0 + k - from);
  float *out = g_memdup2 (all + (gsize) (t0 - from) * TS_H,
      (gsize) k * TS_H * sizeof (float));

  g_free (all);
  rnn_state_free (s);
  return out;
}

#define FRAME (GST_SECOND / RATE)   /* one frame, exactly */
#define NO_TOL G_MININT64       /* timestamp-tolerance left at its default */

/* Frames [0, 20) at their time, then frames [20, 40) stamped @pts (both
 * without a duration when @no_duration, the second flagged GAP when
 * @gap_flag): the second output must be a fresh run of [20, 40) when
 * @expect_reset, else the continuation, and DISCONT when
 * @expect_discont. */
static const struct
{
  const gchar *what;
  GstClockTime pts;
  gboolean no_duration, gap_flag;
  gint64 tolerance;
  gboolean reset_on_discont, expect_reset, expect_discont;
} stamps[] = {
  {"contiguous", 20 * FRAME, FALSE, FALSE, NO_TOL, TRUE, FALSE, FALSE},
  /* no durations: the end comes from the frame count and the rate */
  {"contiguous, no durations", 20 * FRAME, TRUE, FALSE, NO_TOL, TRUE, FALSE,
      FALSE},
  {"5 frames dropped", 25 * FRAME, FALSE, FALSE, NO_TOL, TRUE, TRUE, TRUE},
  {"5 frames dropped, no durations", 25 * FRAME, TRUE, FALSE, NO_TOL, TRUE,
      TRUE, TRUE},
  {"overlapping (late, re-sent) data", 10 * FRAME, FALSE, FALSE, NO_TOL,
      TRUE, TRUE, TRUE},
  /* the default, 40 ms as GStreamer's audio sinks: clock jitter is not a
   * gap (an appsrc stamping from a clock, +-1 ms), 50 ms is */
  {"1 ms early", 20 * FRAME - GST_MSECOND, FALSE, FALSE, NO_TOL, TRUE, FALSE,
      FALSE},
  {"6 ms late", 20 * FRAME + 6 * GST_MSECOND, FALSE, FALSE, NO_TOL, TRUE,
      FALSE, FALSE},
  {"39 ms late", 20 * FRAME + 39 * GST_MSECOND, FALSE, FALSE, NO_TOL, TRUE,
      FALSE, FALSE},
  /* -1: half a frame, for sources stamping from their sample count */
  {"0.4 frame late, half a frame", 20 * FRAME + FRAME * 4 / 10, FALSE, FALSE,
      -1, TRUE, FALSE, FALSE},
  {"0.4 frame early, half a frame", 20 * FRAME - FRAME * 4 / 10, FALSE, FALSE,
      -1, TRUE, FALSE, FALSE},
  {"0.6 frame late, half a frame", 20 * FRAME + FRAME * 6 / 10, FALSE, FALSE,
      -1, TRUE, TRUE, TRUE},
  /* timestamp-tolerance: 5 frames = 50 ms <= 60 ms is not a gap, 0.3
   * frame > 1 ms is, G_MAXINT64 turns the check off */
  {"50 ms within 60 ms", 25 * FRAME, FALSE, FALSE, 60 * GST_MSECOND, TRUE,
      FALSE, FALSE},
  {"3 ms beyond 1 ms", 20 * FRAME + 3 * GST_MSECOND, FALSE, FALSE,
      GST_MSECOND, TRUE, TRUE, TRUE},
  {"check off", 70 * FRAME, FALSE, FALSE, G_MAXINT64, TRUE, FALSE, FALSE},
  /* reset-on-discont=false: a gap keeps the state but the output still
   * says DISCONT */
  {"gap kept with reset-on-discont=false", 25 * FRAME, FALSE, FALSE, NO_TOL,
      FALSE, FALSE, TRUE},
  /* a GAP buffer: reset before it, but no data is missing: no DISCONT */
  {"GAP buffer", 20 * FRAME, FALSE, TRUE, NO_TOL, TRUE, TRUE, FALSE},
};

GST_START_TEST (test_timestamps)
{
  TsFixture f;
  GstElement *rnn;
  GstHarness *h;
  GstBuffer *in, *out;
  float *ref;

  GST_INFO ("%s", stamps[__i__].what);
  ts_setup (&f);
  rnn = make_rnn (f.model);
  if (stamps[__i__].tolerance != NO_TOL)
    g_object_set (rnn, "timestamp-tolerance", stamps[__i__].tolerance, NULL);
  if (!stamps[__i__].reset_on_discont)
    g_object_set (rnn, "reset-on-discont", FALSE, NULL);
  h = harness_audio (rnn, TS_F);

  in = tm_frames (f.x, 1, TS_F, 0, 20);
  if (stamps[__i__].no_duration)
    GST_BUFFER_DURATION (in) = GST_CLOCK_TIME_NONE;
  gst_buffer_unref (push_pull (h, in));

  in = tm_frames (f.x, 1, TS_F, 20, 20);
  GST_BUFFER_PTS (in) = stamps[__i__].pts;
  if (stamps[__i__].no_duration)
    GST_BUFFER_DURATION (in) = GST_CLOCK_TIME_NONE;
  if (stamps[__i__].gap_flag)
    GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_GAP);
  out = push_pull (h, in);
  ref = ts_ref (&f, stamps[__i__].expect_reset ? 20 : 0, 20, 20);
  check_buffer (out, ref, 20 * TS_H, CORE_TOLERANCE,
      stamps[__i__].expect_reset ?
      "second buffer should start from a zero state" :
      "second buffer should continue the state");
  fail_unless_equals_int (GST_BUFFER_IS_DISCONT (out),
      stamps[__i__].expect_discont);
  gst_buffer_unref (out);
  g_free (ref);
  harness_done (h);
  ts_teardown (&f);
}

GST_END_TEST;

/* A GAP buffer is a discontinuity at its end too: reset before the first
 * real buffer after it, which is not flagged DISCONT (time goes on). */
GST_START_TEST (test_after_gap_buffer)
{
  TsFixture f;
  GstHarness *h;
  GstBuffer *in, *out;
  float *ref;

  ts_setup (&f);
  h = harness_audio (make_rnn (f.model), TS_F);
  gst_buffer_unref (push_pull (h, tm_frames (f.x, 1, TS_F, 0, 20)));
  in = tm_frames (f.x, 1, TS_F, 20, 20);
  GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_GAP);
  gst_buffer_unref (push_pull (h, in));
  out = push_pull (h, tm_frames (f.x, 1, TS_F, 40, 20));
  ref = ts_ref (&f, 40, 40, 20);
  check_buffer (out, ref, 20 * TS_H, CORE_TOLERANCE,
      "first buffer after a GAP");
  fail_if (GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);
  g_free (ref);
  harness_done (h);
  ts_teardown (&f);
}

GST_END_TEST;

/* The first timestamp gap that resets the state is posted as a WARNING
 * (a source whose clock jitters beyond timestamp-tolerance would
 * otherwise lose its state silently); later ones are only logged. */
GST_START_TEST (test_gap_warned_once)
{
  TsFixture f;
  GstHarness *h;
  GstBuffer *in;
  const gchar *needles[] = { "timestamp-tolerance", "reset", "0:00:00.200",
    NULL
  };

  ts_setup (&f);
  h = harness_audio (make_rnn (f.model), TS_F);
  gst_buffer_unref (push_pull (h, tm_frames (f.x, 1, TS_F, 0, 20)));
  expect_no_warning (harness_bus (h));
  in = tm_frames (f.x, 1, TS_F, 20, 20);
  GST_BUFFER_PTS (in) = 30 * FRAME;     /* 100 ms late */
  gst_buffer_unref (push_pull (h, in));
  check_one_warning (harness_bus (h), needles);
  in = tm_frames (f.x, 1, TS_F, 40, 20);
  GST_BUFFER_PTS (in) = 70 * FRAME;     /* 100 ms late again */
  gst_buffer_unref (push_pull (h, in));
  expect_no_warning (harness_bus (h));
  harness_done (h);
  ts_teardown (&f);
}

GST_END_TEST;

/* ----------------------------------------------------------- latency */

/* Every fixture of each mode: n-to-n answers each frame at once; 1-to-n
 * answers each frame at once; n-to-m stamps its forecast at the window
 * end: none adds latency, and upstream latency passes through.  A
 * bidirectional model on windows of W frames adds W frames.  n-to-1,
 * late by its window: test-rnn-latency. */
static const gchar *const latency_modes[] = {
  "n-to-n", "1-to-n", "n-to-m", "windowed"
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
      check_latency (harness_mode (make_mode_rnn (c), c), 0, TRUE);
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

  tc = tcase_create ("continuity");
  tcase_add_loop_test (tc, test_timestamps, 0, G_N_ELEMENTS (stamps));
  tcase_add_test (tc, test_after_gap_buffer);
  tcase_add_test (tc, test_gap_warned_once);
  suite_add_tcase (s, tc);

  tc = tcase_create ("latency");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_loop_test (tc, test_latency, 0, G_N_ELEMENTS (latency_modes));
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_timestamps);
