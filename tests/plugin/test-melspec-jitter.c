/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melspec's timestamp-policy and timestamp-tolerance (the rules it shares
 * with rnn, gstrnncontinuity.h): audio pushed in 20 ms buffers stamped
 * at push time (+-50 ms of jitter).  perfect (the default) with a
 * tolerance above the jitter gives the frames of the unjittered run
 * (torchaudio's), stamped from the sample count; at the default 40 ms the
 * jitter resets framing and the WARNING says to raise the tolerance;
 * strict stamps each frame from the buffer holding its first sample. */
#include <string.h>

#include "melspec-test.h"

#define BASE GST_SECOND
#define CHUNK 320               /* samples per buffer: 20 ms at 16 kHz */

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

static GstClockTimeDiff
jitter (guint i)
{
  guint32 s = 2166136261u ^ (i * 16777619u);

  s = s * 1103515245u + 12345u;
  s = s * 1103515245u + 12345u;
  return ((GstClockTimeDiff) ((s >> 8) % 101) - 50) * GST_MSECOND;
}

/* The case's waveform in CHUNK buffers stamped BASE + time + jitter (no
 * duration), through melspec with @policy (NULL: default) and
 * @tolerance (G_MININT64: default); every output buffer, in order, and
 * the details of the one WARNING, if any, in *@warning (free them). */
static GPtrArray *
run_jittered (const gchar * policy, gint64 tolerance, gboolean jitter_on,
    GstStructure ** warning)
{
  GstElement *e = make_case_melspec (c);
  GstHarness *h;
  GPtrArray *outs = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_buffer_unref);
  GstBuffer *out;
  GList *w;

  if (policy)
    gst_util_set_object_arg (G_OBJECT (e), "timestamp-policy", policy);
  if (tolerance != G_MININT64)
    g_object_set (e, "timestamp-tolerance", tolerance, NULL);
  h = mel_harness (e, c);
  for (guint s0 = 0, i = 0; s0 < c->N; s0 += CHUNK, i++) {
    GstBuffer *in = mel_case_samples (c, s0, MIN (CHUNK, c->N - s0));

    GST_BUFFER_PTS (in) = BASE + SAMPLE_TIME (c, s0) +
        (jitter_on ? jitter (i) : 0);
    GST_BUFFER_DURATION (in) = GST_CLOCK_TIME_NONE;
    fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
    while ((out = gst_harness_try_pull (h)))
      g_ptr_array_add (outs, out);
  }
  w = pop_warnings (harness_bus (h));
  *warning = NULL;
  if (w) {
    const GstStructure *d = NULL;

    fail_unless_equals_int (g_list_length (w), 1);
    gst_message_parse_warning_details (w->data, &d);
    fail_unless (d != NULL);
    *warning = gst_structure_copy (d);
    g_list_free_full (w, (GDestroyNotify) gst_message_unref);
  }
  harness_done (h);
  return outs;
}

/* The frames of @outs, concatenated; *@T frames. */
static float *
frames_of (GPtrArray * outs, guint * T)
{
  GByteArray *all = g_byte_array_new ();

  for (guint i = 0; i < outs->len; i++) {
    GstMapInfo m;

    gst_buffer_map (g_ptr_array_index (outs, i), &m, GST_MAP_READ);
    g_byte_array_append (all, m.data, m.size);
    gst_buffer_unmap (g_ptr_array_index (outs, i), &m);
  }
  *T = all->len / (c->B * c->F * sizeof (float));
  return (float *) g_byte_array_free (all, FALSE);
}

GST_START_TEST (test_perfect_keeps_framing)
{
  GstStructure *w;
  GPtrArray *plain = run_jittered (NULL, G_MININT64, FALSE, &w);
  GPtrArray *jit;
  guint T0, T1;
  float *f0, *f1;
  GstClockTime anchor = BASE + jitter (0);

  fail_unless (w == NULL);
  jit = run_jittered ("perfect", 150 * GST_MSECOND, TRUE, &w);
  fail_unless (w == NULL, "a reset within the tolerance");
  f0 = frames_of (plain, &T0);
  f1 = frames_of (jit, &T1);
  fail_unless_equals_int (T0, c->T);
  fail_unless (mel_error (c, f0) <= MEL_REL_TOLERANCE);
  fail_unless_equals_int (T1, T0);
  fail_unless (memcmp (f0, f1, (gsize) T0 * c->B * c->F * 4) == 0);
  /* stamped from the sample count at the first PTS */
  for (guint i = 0; i < jit->len; i++) {
    GstBuffer *b = g_ptr_array_index (jit, i);

    fail_unless_equals_uint64 (GST_BUFFER_PTS (b), anchor +
        SAMPLE_TIME (c, GST_BUFFER_OFFSET (b) * c->hop));
    fail_unless_equals_int (GST_BUFFER_IS_DISCONT (b), i == 0);
  }
  g_free (f0);
  g_free (f1);
  g_ptr_array_unref (jit);
  g_ptr_array_unref (plain);
}

GST_END_TEST;

/* At the default 40 ms such jitter resets framing (frames lost), and the
 * one WARNING gives the tolerance to set. */
GST_START_TEST (test_default_tolerance_resets)
{
  GstStructure *w;
  GPtrArray *jit = run_jittered (NULL, G_MININT64, TRUE, &w);
  guint T, resets = 0;
  float *f = frames_of (jit, &T);
  gint64 tol, suggest;

  for (guint i = 1; i < jit->len; i++)
    resets += GST_BUFFER_IS_DISCONT (g_ptr_array_index (jit, i));
  fail_unless (resets > 0);
  fail_unless (T < c->T, "%u frames of %u", T, c->T);
  fail_unless (w != NULL);
  fail_unless_equals_string (gst_structure_get_string (w, "policy"),
      "perfect");
  fail_unless (gst_structure_get_int64 (w, "tolerance", &tol));
  fail_unless_equals_int64 (tol, 40 * GST_MSECOND);
  fail_unless (gst_structure_get_int64 (w, "suggested-tolerance", &suggest));
  fail_unless (suggest > 80 * GST_MSECOND);
  gst_structure_free (w);
  g_free (f);
  g_ptr_array_unref (jit);
}

GST_END_TEST;

/* strict: a buffer 20 ms late (within the tolerance) keeps framing, and
 * the frames computed from it carry its timestamps; perfect ignores it. */
GST_START_TEST (test_strict_follows_input)
{
  for (guint strict = 0; strict < 2; strict++) {
    GstElement *e = make_case_melspec (c);
    GstHarness *h;
    GstBuffer *in, *out;
    const guint cut = 1600;     /* 100 ms: frames 8.. start after it */

    gst_util_set_object_arg (G_OBJECT (e), "timestamp-policy",
        strict ? "strict" : "perfect");
    h = mel_harness (e, c);
    fail_unless_equals_int (gst_harness_push (h, mel_case_samples (c, 0,
                cut)), GST_FLOW_OK);
    while ((out = gst_harness_try_pull (h)))
      gst_buffer_unref (out);
    in = mel_case_samples (c, cut, 1600);
    GST_BUFFER_PTS (in) += 20 * GST_MSECOND;
    out = push_pull (h, in);
    fail_if (GST_BUFFER_IS_DISCONT (out));
    /* frame 8 starts at sample 1280, 320 samples (20 ms) before the
     * buffer: strict, 20 ms later than its sample time */
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), 8);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), SAMPLE_TIME (c,
            8 * c->hop) + (strict ? 20 * GST_MSECOND : 0));
    gst_buffer_unref (out);
    expect_no_warning (harness_bus (h));
    harness_done (h);
  }
}

GST_END_TEST;

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-jitter");
  TCase *tc = tcase_create ("general");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_perfect_keeps_framing);
  tcase_add_test (tc, test_default_tolerance_resets);
  tcase_add_test (tc, test_strict_follows_input);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);
