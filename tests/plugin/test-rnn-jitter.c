/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* timestamp-policy: a source that stamps buffers as they are pushed (an
 * appsrc with do-timestamp=true, a sensor) jitters by +-50 ms.  With
 * timestamp-policy=perfect and a timestamp-tolerance above that jitter,
 * the rnn element keeps its state (every window of n-to-1, every frame of
 * n-to-n equal to the unjittered run, which is checked against PyTorch's
 * fixtures) and stamps outputs from the frame count anchored at the first
 * timestamp; a real gap or a DISCONT buffer still resets it; jitter below
 * a frame never does; strict (the default) is unchanged: it resets on such
 * jitter, and its WARNING names the properties that fit the source. */
#include <string.h>

#include "rnn-test-gst.h"

/* where the jittered streams start, so that early jitter stays >= 0 */
#define BASE GST_SECOND
#define TOLERANT (150 * GST_MSECOND)    /* above the +-50 ms jitter's 100 ms
                                         * peak to peak */

/* Deterministic jitter in [-@amp_ms, +@amp_ms] ms for buffer @i. */
static GstClockTimeDiff
jitter (guint i, guint amp_ms)
{
  guint32 s = 2166136261u ^ (i * 16777619u);

  s = s * 1103515245u + 12345u;
  s = s * 1103515245u + 12345u;
  return ((GstClockTimeDiff) ((s >> 8) % (2 * amp_ms + 1)) - amp_ms) *
      GST_MSECOND;
}

/* Frames [t0, t0 + k) of @x stamped as an app stamping at push time
 * would: BASE + their time + jitter, no duration, no offsets. */
static GstBuffer *
jittered (const float *x, guint T, guint B, guint F, gboolean bf, guint t0,
    guint k, guint i, guint amp_ms)
{
  GstBuffer *b = frames_buffer (x, T, B, F, bf, t0, k);

  GST_BUFFER_PTS (b) = BASE + FRAME_TIME (t0) + jitter (i, amp_ms);
  GST_BUFFER_DURATION (b) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_OFFSET (b) = GST_BUFFER_OFFSET_END (b) = GST_BUFFER_OFFSET_NONE;
  return b;
}

static GstElement *
rnn_with_policy (GstElement * rnn, const gchar * policy, gint64 tolerance)
{
  if (policy)
    gst_util_set_object_arg (G_OBJECT (rnn), "timestamp-policy", policy);
  if (tolerance != G_MININT64)
    g_object_set (rnn, "timestamp-tolerance", tolerance, NULL);
  return rnn;
}

/* ------------------------------------------------------------- n-to-n */

#define BLOCK 10                /* frames per buffer: 100 ms at RATE */

/* The case's output in BLOCK-frame buffers, unjittered (from 0) or
 * jittered (+-@amp_ms) under @policy / @tolerance; every output buffer
 * is returned, in order. */
static GPtrArray *
run_n_to_n (const RnnTestCase * c, gboolean jitter_on, guint amp_ms,
    const gchar * policy, gint64 tolerance, GstBus ** bus_out,
    GstHarness ** h_out)
{
  GstHarness *h = harness_case (rnn_with_policy (make_case_rnn (c), policy,
          tolerance), c);
  GPtrArray *outs = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_buffer_unref);

  for (guint t0 = 0, i = 0; t0 < c->T; t0 += BLOCK, i++) {
    guint k = MIN (BLOCK, c->T - t0);
    GstBuffer *in = jitter_on ? jittered (c->input, c->T, c->B, c->F,
        c->batch_first, t0, k, i, amp_ms) : case_frames (c, t0, k);

    g_ptr_array_add (outs, push_pull (h, in));
  }
  if (bus_out)
    *bus_out = gst_object_ref (harness_bus (h));
  if (h_out)
    *h_out = h;
  else
    harness_done (h);
  return outs;
}

static const RnnTestCase *
jitter_case (void)
{
  return need_case (1, FALSE, 200);
}

/* perfect + a tolerance above the jitter: the same numbers as unjittered
 * input (itself PyTorch's), stamped from the count at the first PTS. */
GST_START_TEST (test_n_to_n_perfect)
{
  const RnnTestCase *c = jitter_case ();
  GPtrArray *plain = run_n_to_n (c, FALSE, 0, NULL, G_MININT64, NULL, NULL);
  GstBus *bus;
  GPtrArray *jit = run_n_to_n (c, TRUE, 50, "perfect", TOLERANT, &bus, NULL);
  GstClockTime anchor = BASE + jitter (0, 50);

  fail_unless_equals_int (jit->len, plain->len);
  for (guint i = 0, t0 = 0; i < plain->len; i++, t0 += BLOCK) {
    GstBuffer *p = g_ptr_array_index (plain, i);
    GstBuffer *j = g_ptr_array_index (jit, i);
    guint k = MIN (BLOCK, c->T - t0);
    GstMapInfo pm, jm;

    check_case_output (p, c, t0, k, "unjittered");
    fail_unless (gst_buffer_map (p, &pm, GST_MAP_READ));
    fail_unless (gst_buffer_map (j, &jm, GST_MAP_READ));
    fail_unless (pm.size == jm.size && memcmp (pm.data, jm.data,
            pm.size) == 0, "buffer %u: jittered output differs", i);
    gst_buffer_unmap (j, &jm);
    gst_buffer_unmap (p, &pm);
    /* stamped from the frame count: the time line tiles */
    fail_unless_equals_uint64 (GST_BUFFER_PTS (j), anchor + FRAME_TIME (t0));
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (j),
        FRAME_TIME (t0 + k) - FRAME_TIME (t0));
    fail_unless_equals_int (GST_BUFFER_IS_DISCONT (j), i == 0);
  }
  expect_no_warning (bus);
  gst_object_unref (bus);
  g_ptr_array_unref (jit);
  g_ptr_array_unref (plain);
}

GST_END_TEST;

/* strict (the default) is unchanged: the same input resets the state at
 * jumps beyond 40 ms, outputs keep the input's timestamps, and one WARNING
 * says what to set. */
GST_START_TEST (test_n_to_n_strict)
{
  const RnnTestCase *c = jitter_case ();
  GstBus *bus;
  GPtrArray *jit = run_n_to_n (c, TRUE, 50, NULL, G_MININT64, &bus, NULL);
  guint resets = 0;
  const gchar *needles[] = { "timestamp-policy=perfect",
    "timestamp-tolerance=", "the state was reset", NULL
  };

  for (guint i = 0, t0 = 0; i < jit->len; i++, t0 += BLOCK) {
    GstBuffer *j = g_ptr_array_index (jit, i);

    fail_unless_equals_uint64 (GST_BUFFER_PTS (j), BASE + FRAME_TIME (t0) +
        jitter (i, 50));
    if (i > 0 && GST_BUFFER_IS_DISCONT (j)) {
      resets++;
      fail_unless (case_output_error (j, c, t0, MIN (BLOCK, c->T - t0)) >
          RNN_TEST_TOLERANCE, "buffer %u: DISCONT but not reset", i);
    }
  }
  fail_unless (resets >= 3, "only %u resets in strict mode", resets);
  check_one_warning (bus, needles);
  gst_object_unref (bus);
  g_ptr_array_unref (jit);
}

GST_END_TEST;

/* perfect still resets where data is missing: a 500 ms gap (beyond the
 * tolerance) or a DISCONT buffer; the count re-anchors there. */
static void
check_perfect_reset (gboolean discont_flag)
{
  const RnnTestCase *c = jitter_case ();
  GstHarness *h = harness_case (rnn_with_policy (make_case_rnn (c),
          "perfect", TOLERANT), c);
  RnnModel *m = load_model (c->model_path);
  const guint cut = 12;         /* the buffer after the gap */
  GstClockTime anchor = GST_CLOCK_TIME_NONE;

  for (guint t0 = 0, i = 0; t0 + BLOCK <= c->T; t0 += BLOCK, i++) {
    GstBuffer *in = jittered (c->input, c->T, c->B, c->F, FALSE, t0, BLOCK,
        i, 50), *out;

    if (i >= cut && !discont_flag)
      GST_BUFFER_PTS (in) += 500 * GST_MSECOND;
    if (i == cut && discont_flag)
      GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DISCONT);
    if (i == cut)
      anchor = GST_BUFFER_PTS (in);
    out = push_pull (h, in);
    if (i < cut) {
      check_case_output (out, c, t0, BLOCK, "before the gap");
    } else {
      /* a fresh start at frame cut * BLOCK (the core, from zero) */
      RnnState *s = rnn_state_new (m, 1, 128, NULL);
      float *ref = core_run (s, c->input + (gsize) cut * BLOCK * c->F,
          t0 + BLOCK - cut * BLOCK);

      check_buffer (out, ref + (gsize) (t0 - cut * BLOCK) * c->O,
          (gsize) BLOCK * c->O, CORE_TOLERANCE, "after the gap");
      g_free (ref);
      rnn_state_free (s);
      fail_unless_equals_int (GST_BUFFER_IS_DISCONT (out), i == cut);
      fail_unless_equals_uint64 (GST_BUFFER_PTS (out), anchor +
          FRAME_TIME (t0 - cut * BLOCK));
    }
    gst_buffer_unref (out);
  }
  rnn_model_unref (m);
  harness_done (h);
}

GST_START_TEST (test_perfect_resets_on_gap)
{
  check_perfect_reset (FALSE);
}

GST_END_TEST;

GST_START_TEST (test_perfect_resets_on_discont)
{
  check_perfect_reset (TRUE);
}

GST_END_TEST;

/* One frame per buffer (10 ms) with +-4 ms of jitter and
 * timestamp-tolerance=0: below a frame is never a discontinuity in
 * perfect; strict resets. */
GST_START_TEST (test_below_a_frame)
{
  const RnnTestCase *c = jitter_case ();

  for (guint strict = 0; strict < 2; strict++) {
    GstHarness *h = harness_case (rnn_with_policy (make_case_rnn (c),
            strict ? "strict" : "perfect", 0), c);
    guint resets = 0;

    for (guint t = 0; t < 60; t++) {
      GstBuffer *out = push_pull (h, jittered (c->input, c->T, c->B, c->F,
              FALSE, t, 1, t, 4));

      if (t > 0 && GST_BUFFER_IS_DISCONT (out))
        resets++;
      if (!strict)
        check_case_output (out, c, t, 1, "perfect, jitter below a frame");
      gst_buffer_unref (out);
    }
    if (strict)
      fail_unless (resets > 10, "strict, tolerance 0: %u resets", resets);
    else
      fail_unless_equals_int (resets, 0);
    harness_done (h);
  }
}

GST_END_TEST;

/* ------------------------------------------------------------- n-to-1 */

static const RnnModeCase *
n1_case (void)
{
  for (guint i = 0; i < mode_cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (mode_cases, i);

    if (is_mode (c, "n-to-1") && !c->batch_first && c->carry
        && c->hop == c->window && c->n_windows >= 8)
      return c;
  }
  fail ("no n-to-1 carry-state fixture of 8 windows or more");
  return NULL;
}

/* All results of the case pushed one frame (10 ms) per buffer, jittered
 * (+-50 ms) or not, under @policy / @tolerance. */
static GArray *
run_n_to_1 (const RnnModeCase * c, gboolean jitter_on, const gchar * policy,
    gint64 tolerance)
{
  GstHarness *h = harness_mode (rnn_with_policy (make_mode_rnn (c), policy,
          tolerance), c);
  GArray *all = g_array_new (FALSE, FALSE, sizeof (Result));

  for (guint t0 = 0, i = 0; t0 < c->T; t0++, i++) {
    guint k = 1;
    GstBuffer *in = jitter_on ? jittered (c->input, c->T, c->B, c->F, FALSE,
        t0, k, i, 50) : case_frames (c, t0, k);
    GstBuffer *out = push_pull (h, in);
    GArray *r = buffer_results (out);

    g_array_append_vals (all, r->data, r->len);
    /* the results own their strings: moved into @all */
    g_array_set_clear_func (r, NULL);
    g_array_unref (r);
    gst_buffer_unref (out);
  }
  harness_done (h);
  return all;
}

static void
free_results (GArray * a)
{
  for (guint i = 0; i < a->len; i++) {
    g_free (g_array_index (a, Result, i).label);
    g_free (g_array_index (a, Result, i).element);
    g_free (g_array_index (a, Result, i).model);
  }
  g_array_unref (a);
}

/* The case: windows lost to jitter in strict mode (2 of 10);
 * every window, with the unjittered (PyTorch's) scores, in perfect. */
GST_START_TEST (test_n_to_1_windows)
{
  const RnnModeCase *c = n1_case ();
  RnnModel *model;
  const char *const *labels = case_labels (c, &model);
  GArray *plain = run_n_to_1 (c, FALSE, NULL, G_MININT64);
  GArray *strict = run_n_to_1 (c, TRUE, NULL, G_MININT64);
  GArray *perfect = run_n_to_1 (c, TRUE, "perfect", TOLERANT);
  GstClockTime anchor = BASE + jitter (0, 50);

  fail_unless_equals_int (plain->len, c->n_windows * c->B);
  for (guint i = 0; i < plain->len; i++) {
    guint w = i / c->B, b = i % c->B;

    check_result (c, &g_array_index (plain, Result, i),
        c->scores + ((gsize) w * c->B + b) * c->O, b, (guint) c->starts[w],
        c->window, labels, "unjittered");
  }
  GST_INFO ("strict: %u of %u windows", strict->len / c->B, c->n_windows);
  fail_unless (strict->len < plain->len, "strict lost no window to jitter");

  fail_unless_equals_int (perfect->len, plain->len);
  for (guint i = 0; i < plain->len; i++) {
    const Result *p = &g_array_index (plain, Result, i);
    const Result *j = &g_array_index (perfect, Result, i);

    fail_unless_equals_int (j->stream, p->stream);
    fail_unless_equals_int (j->n_scores, p->n_scores);
    fail_unless (memcmp (j->scores, p->scores,
            p->n_scores * sizeof (float)) == 0, "window %u: scores differ",
        i / c->B);
    fail_unless_equals_uint64 (j->ts, anchor + p->ts);
    fail_unless_equals_uint64 (j->duration, p->duration);
  }
  free_results (perfect);
  free_results (strict);
  free_results (plain);
  rnn_model_unref (model);
}

GST_END_TEST;

/* Every output of a mode case pushed one frame per buffer: the data of
 * each output buffer and of each result, with their times. */
typedef struct
{
  GByteArray *data;
  GArray *times;                /* GstClockTime: PTS, duration pairs */
} Outputs;

static void
collect (Outputs * o, GstBuffer * out, gboolean results)
{
  GstMapInfo m;
  GstClockTime t[2] = { GST_BUFFER_PTS (out), GST_BUFFER_DURATION (out) };

  if (results) {
    GArray *r = buffer_results (out);

    for (guint i = 0; i < r->len; i++) {
      const Result *x = &g_array_index (r, Result, i);
      GstClockTime rt[2] = { x->ts, x->duration };

      g_byte_array_append (o->data, (const guint8 *) x->scores,
          x->n_scores * sizeof (float));
      g_array_append_vals (o->times, rt, 2);
    }
    g_array_unref (r);
    return;
  }
  gst_buffer_map (out, &m, GST_MAP_READ);
  g_byte_array_append (o->data, m.data, m.size);
  gst_buffer_unmap (out, &m);
  g_array_append_vals (o->times, t, 2);
}

static Outputs
run_mode (const RnnModeCase * c, gboolean jitter_on, const gchar * policy,
    gint64 tolerance)
{
  GstHarness *h = harness_mode (rnn_with_policy (make_mode_rnn (c), policy,
          tolerance), c);
  gboolean results = is_mode (c, "n-to-1");
  Outputs o = { g_byte_array_new (), g_array_new (FALSE, FALSE,
        sizeof (GstClockTime))
  };
  GstBuffer *out;

  for (guint t = 0; t < c->T; t++) {
    GstBuffer *in = jitter_on ? jittered (c->input, c->T, c->B, c->F,
        c->batch_first, t, 1, t, 50) : case_frames (c, t, 1);

    fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
    while ((out = gst_harness_try_pull (h))) {
      collect (&o, out, results);
      gst_buffer_unref (out);
    }
  }
  harness_done (h);
  return o;
}

static void
outputs_free (Outputs * o)
{
  g_byte_array_unref (o->data);
  g_array_unref (o->times);
}

/* Every mode fixture (n-to-1, 1-to-n, n-to-m, both layouts), one frame
 * per buffer with +-50 ms of jitter, perfect: the unjittered run's data
 * (which test-rnn-n-to-1, -1-to-n and -n-to-m check against PyTorch),
 * every time shifted by the first buffer's, durations unchanged. */
GST_START_TEST (test_every_mode)
{
  GstClockTimeDiff shift = BASE + jitter (0, 50);
  guint ran = 0;

  for (guint i = 0; i < mode_cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (mode_cases, i);
    Outputs plain = run_mode (c, FALSE, NULL, G_MININT64);
    Outputs jit = run_mode (c, TRUE, "perfect", TOLERANT);

    GST_INFO ("%s", c->name);
    fail_unless (plain.data->len > 0, "%s: no output", c->name);
    fail_unless_equals_int (jit.data->len, plain.data->len);
    fail_unless (memcmp (jit.data->data, plain.data->data,
            plain.data->len) == 0, "%s: jittered outputs differ", c->name);
    fail_unless_equals_int (jit.times->len, plain.times->len);
    for (guint k = 0; k < plain.times->len; k += 2) {
      fail_unless_equals_uint64 (g_array_index (jit.times, GstClockTime, k),
          g_array_index (plain.times, GstClockTime, k) + shift);
      fail_unless_equals_uint64 (g_array_index (jit.times, GstClockTime,
              k + 1), g_array_index (plain.times, GstClockTime, k + 1));
    }
    outputs_free (&jit);
    outputs_free (&plain);
    ran++;
  }
  fail_unless (ran > 0);
}

GST_END_TEST;

/* perfect stamps buffers that come without a PTS from the count at the
 * last one that had one: the n-to-n output, and in n-to-1 the passing
 * buffer and its results; strict leaves them unstamped. */
GST_START_TEST (test_no_pts)
{
  const RnnTestCase *c = jitter_case ();
  const RnnModeCase *m = n1_case ();

  for (guint strict = 0; strict < 2; strict++) {
    const gchar *policy = strict ? "strict" : "perfect";
    GstHarness *h = harness_case (rnn_with_policy (make_case_rnn (c),
            policy, G_MININT64), c);
    GstHarness *h1 = harness_mode (rnn_with_policy (make_mode_rnn (m),
            policy, G_MININT64), m);
    guint windows = 0;

    for (guint t0 = 0; t0 < 40; t0 += BLOCK) {
      GstBuffer *in = jittered (c->input, c->T, c->B, c->F, FALSE, t0, BLOCK,
          0, 0), *out;

      if (t0 > 0)
        GST_BUFFER_PTS (in) = GST_CLOCK_TIME_NONE;
      out = push_pull (h, in);
      check_case_output (out, c, t0, BLOCK, "no PTS");
      fail_unless_equals_uint64 (GST_BUFFER_PTS (out), t0 == 0 || !strict ?
          BASE + FRAME_TIME (t0) : GST_CLOCK_TIME_NONE);
      gst_buffer_unref (out);
    }
    for (guint t0 = 0; t0 + BLOCK <= m->T; t0 += BLOCK) {
      GstBuffer *in = jittered (m->input, m->T, m->B, m->F, FALSE, t0, BLOCK,
          0, 0), *out;
      GArray *r;

      if (t0 > 0)
        GST_BUFFER_PTS (in) = GST_CLOCK_TIME_NONE;
      out = push_pull (h1, in);
      fail_unless_equals_uint64 (GST_BUFFER_PTS (out), t0 == 0 || !strict ?
          BASE + FRAME_TIME (t0) : GST_CLOCK_TIME_NONE);
      r = buffer_results (out);
      for (guint i = 0; i < r->len; i++, windows++)
        if (!strict)
          fail_unless_equals_uint64 (g_array_index (r, Result, i).ts, BASE +
              FRAME_TIME (m->starts[windows / m->B]));
      g_array_unref (r);
      gst_buffer_unref (out);
    }
    fail_unless (windows > 0);
    harness_done (h1);
    harness_done (h);
  }
}

GST_END_TEST;

/* ------------------------------------------------------------ warning */

/* The WARNING names the jump, the tolerance and what to set; its details
 * carry the numbers; in perfect mode it says to raise the tolerance. */
GST_START_TEST (test_warning_text)
{
  const RnnTestCase *c = jitter_case ();
  const gchar *strict_needles[] = { "was expected", "more than "
        "timestamp-tolerance (0:00:00.040000000, timestamp-policy=strict)",
    "set timestamp-policy=perfect timestamp-tolerance=", NULL
  };
  const gchar *perfect_needles[] = { "timestamp-policy=perfect",
    "an overlap of 0:00:00.070000000", "raise timestamp-tolerance", NULL
  };
  GstStructure *d;
  GstHarness *h;
  gint64 jump, tol, suggest;
  const gchar *policy;
  gchar *want;

  h = harness_case (make_case_rnn (c), c);
  gst_buffer_unref (push_pull (h, case_frames (c, 0, 10)));
  /* 70 ms late: "a gap of 0:00:00.070000000" */
  {
    GstBuffer *in = case_frames (c, 10, 10);

    GST_BUFFER_PTS (in) += 70 * GST_MSECOND;
    gst_buffer_unref (push_pull (h, in));
  }
  d = expect_one_warning (harness_bus (h), strict_needles);
  fail_unless (d != NULL);
  fail_unless (gst_structure_get_int64 (d, "jump", &jump));
  fail_unless (gst_structure_get_int64 (d, "tolerance", &tol));
  fail_unless (gst_structure_get_int64 (d, "suggested-tolerance", &suggest));
  policy = gst_structure_get_string (d, "policy");
  fail_unless_equals_int64 (jump, 70 * GST_MSECOND);
  fail_unless_equals_int64 (tol, 40 * GST_MSECOND);
  /* twice the jump, rounded up to 10 ms */
  fail_unless_equals_int64 (suggest, 140 * GST_MSECOND);
  fail_unless_equals_string (policy, "strict");
  want = g_strdup_printf ("timestamp-tolerance=%" G_GINT64_FORMAT, suggest);
  gst_structure_free (d);
  harness_done (h);

  /* an early buffer: an overlap */
  h = harness_case (rnn_with_policy (make_case_rnn (c), "perfect",
          G_MININT64), c);
  gst_buffer_unref (push_pull (h, case_frames (c, 0, 10)));
  {
    GstBuffer *in = case_frames (c, 10, 10);

    GST_BUFFER_PTS (in) -= 70 * GST_MSECOND;
    gst_buffer_unref (push_pull (h, in));
    check_one_warning (harness_bus (h), perfect_needles);
  }
  harness_done (h);

  h = harness_case (make_case_rnn (c), c);
  gst_buffer_unref (push_pull (h, case_frames (c, 0, 10)));
  {
    GstBuffer *in = case_frames (c, 10, 10);
    const gchar *n2[] = { "an overlap of 0:00:00.070000000", want, NULL };

    GST_BUFFER_PTS (in) -= 70 * GST_MSECOND;
    gst_buffer_unref (push_pull (h, in));
    check_one_warning (harness_bus (h), n2);
  }
  harness_done (h);
  g_free (want);
}

GST_END_TEST;

static Suite *
rnn_jitter_suite (void)
{
  Suite *s = suite_create ("rnn-jitter");
  TCase *tc = tcase_create ("policy");

  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_n_to_n_perfect);
  tcase_add_test (tc, test_n_to_n_strict);
  tcase_add_test (tc, test_perfect_resets_on_gap);
  tcase_add_test (tc, test_perfect_resets_on_discont);
  tcase_add_test (tc, test_below_a_frame);
  tcase_add_test (tc, test_n_to_1_windows);
  tcase_add_test (tc, test_every_mode);
  tcase_add_test (tc, test_no_pts);
  tcase_add_test (tc, test_warning_text);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_jitter);
