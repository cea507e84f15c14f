/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnn and melspec agree on stream continuity (one helper,
 * plugin/common/gstrnncontinuity.c): the same buffer times, flags,
 * timestamp-policy and timestamp-tolerance make the same buffers
 * discontinuities (their outputs DISCONT) in both, and the first jump is
 * posted by both with the same numbers.  Each stream is 100 ms buffers:
 * 10 frames at 100 frames/s into rnn, 1600 samples at 16 kHz into
 * melspec. */
#include "rnn-test-gst.h"

#define BASE GST_SECOND
#define NBUF 6
#define NONE_TOL G_MININT64     /* the default, 40 ms */

typedef struct
{
  const gchar *what;
  const gchar *policy;
  gint64 tolerance;
  gint offset_ms[NBUF];         /* buffer i at BASE + i * 100 ms + offset */
  gint discont_flag;            /* this buffer flagged DISCONT (0: none) */
  gboolean expect[NBUF];        /* output i DISCONT (after the first) */
} Row;

static const Row rows[] = {
  /* strict: against the previous buffer's end; perfect: against the
   * count from the first PTS */
  {"steady drift, strict", "strict", NONE_TOL, {0, 30, 60, 90, 120, 150}, 0,
      {1, 0, 0, 0, 0, 0}},
  {"steady drift, perfect", "perfect", NONE_TOL, {0, 30, 60, 90, 120, 150},
        0,
      {1, 0, 1, 0, 1, 0}},
  {"+-35 ms jitter, strict", "strict", NONE_TOL, {0, 35, -35, 35, -35, 0}, 0,
      {1, 0, 1, 1, 1, 0}},
  {"+-35 ms jitter, perfect", "perfect", NONE_TOL, {0, 35, -35, 35, -35, 0},
        0,
      {1, 0, 0, 0, 0, 0}},
  {"a jump, then back, strict", "strict", NONE_TOL, {0, 30, 30, 75, 75, 0}, 0,
      {1, 0, 0, 1, 0, 1}},
  {"a jump, then back, perfect", "perfect", NONE_TOL, {0, 30, 30, 75, 75, 0},
        0,
      {1, 0, 0, 1, 0, 1}},
  {"tolerance 100 ms, perfect", "perfect", 100 * GST_MSECOND,
        {0, 60, -40, 90, -90, 0}, 0,
      {1, 0, 0, 0, 0, 0}},
  {"tolerance 100 ms, strict", "strict", 100 * GST_MSECOND,
        {0, 60, -40, 90, -90, 0}, 0,
      {1, 0, 0, 1, 1, 0}},
  {"DISCONT flag, strict", "strict", NONE_TOL, {0, 0, 0, 0, 0, 0}, 3,
      {1, 0, 0, 1, 0, 0}},
  {"DISCONT flag, perfect", "perfect", NONE_TOL, {0, 10, 0, 20, 20, 20}, 3,
      {1, 0, 0, 1, 0, 0}},
  {"check off", "strict", G_MAXINT64, {0, 500, -300, 900, 0, 0}, 0,
      {1, 0, 0, 0, 0, 0}},
};

static GstBuffer *
stamp (GstBuffer * b, const Row * r, guint i)
{
  GST_BUFFER_PTS (b) = BASE + i * 100 * GST_MSECOND +
      (GstClockTimeDiff) r->offset_ms[i] * GST_MSECOND;
  GST_BUFFER_DURATION (b) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_OFFSET (b) = GST_BUFFER_OFFSET_END (b) = GST_BUFFER_OFFSET_NONE;
  if (r->discont_flag && i == (guint) r->discont_flag)
    GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DISCONT);
  return b;
}

static void
configure (GstElement * e, const Row * r)
{
  gst_util_set_object_arg (G_OBJECT (e), "timestamp-policy", r->policy);
  if (r->tolerance != NONE_TOL)
    g_object_set (e, "timestamp-tolerance", r->tolerance, NULL);
}

/* Push the row into @h (buffers from @make), note each output's DISCONT
 * flag, and return the first jump's WARNING details (or NULL). */
static GstStructure *
run_row (GstHarness * h, const Row * r, GstBuffer * (*make) (guint i),
    gboolean * got)
{
  GList *w;
  GstStructure *d = NULL;

  for (guint i = 0; i < NBUF; i++) {
    GstBuffer *out = push_pull (h, stamp (make (i), r, i));

    got[i] = GST_BUFFER_IS_DISCONT (out);
    gst_buffer_unref (out);
    /* melspec keeps no frame back after this buffer's */
    while ((out = gst_harness_try_pull (h))) {
      got[i] |= GST_BUFFER_IS_DISCONT (out);
      gst_buffer_unref (out);
    }
  }
  w = pop_warnings (harness_bus (h));
  if (w) {
    const GstStructure *details = NULL;

    fail_unless_equals_int (g_list_length (w), 1);
    gst_message_parse_warning_details (w->data, &details);
    d = details ? gst_structure_copy (details) : NULL;
    g_list_free_full (w, (GDestroyNotify) gst_message_unref);
  }
  return d;
}

static float rnn_in[NBUF * 10];

static GstBuffer *
rnn_buffer (guint i)
{
  return tm_frames (rnn_in, 1, 1, i * 10, 10);
}

static GstBuffer *
mel_buffer (guint i)
{
  GstBuffer *b = gst_buffer_new_allocate (NULL, 1600 * sizeof (float), NULL);
  GstMapInfo m;

  gst_buffer_map (b, &m, GST_MAP_WRITE);
  for (guint s = 0; s < 1600; s++)
    ((float *) m.data)[s] = 0.1f * (float) ((s * 7 + i * 13) % 17) - 0.8f;
  gst_buffer_unmap (b, &m);
  return b;
}

GST_START_TEST (test_rules_agree)
{
  const Row *r = &rows[__i__];
  gchar *model = tiny_model (1, 4);
  GstElement *rnn = make_rnn (model), *mel;
  GstHarness *hr, *hm;
  gboolean got_rnn[NBUF], got_mel[NBUF];
  GstStructure *wr, *wm;
  gboolean any_jump = FALSE;

  GST_INFO ("%s", r->what);
  for (guint i = 0; i < G_N_ELEMENTS (rnn_in); i++)
    rnn_in[i] = 0.05f * (float) (i % 11);
  configure (rnn, r);
  hr = harness_audio (rnn, 1);
  mel = gst_element_factory_make ("melspec", NULL);
  fail_unless (mel != NULL);
  g_object_set (mel, "n-fft", 400, "hop-length", 160, "n-mels", 8, NULL);
  configure (mel, r);
  hm = harness_new (mel, "audio/x-raw, format=F32LE, layout=interleaved, "
      "rate=16000, channels=1");

  wr = run_row (hr, r, rnn_buffer, got_rnn);
  wm = run_row (hm, r, mel_buffer, got_mel);
  for (guint i = 0; i < NBUF; i++) {
    fail_unless_equals_int (got_rnn[i], r->expect[i]);
    fail_unless_equals_int (got_mel[i], r->expect[i]);
    any_jump |= i > 0 && r->expect[i] && (guint) r->discont_flag != i;
  }

  /* the same first jump, posted by both */
  fail_unless_equals_int (wr != NULL, any_jump);
  fail_unless_equals_int (wm != NULL, any_jump);
  if (any_jump) {
    const gchar *fields[] = { "timestamp", "expected", "jump", "tolerance",
      "policy", "suggested-tolerance"
    };

    for (guint f = 0; f < G_N_ELEMENTS (fields); f++) {
      const GValue *a = gst_structure_get_value (wr, fields[f]);
      const GValue *b = gst_structure_get_value (wm, fields[f]);

      fail_unless (a && b, "no %s", fields[f]);
      fail_unless (gst_value_compare (a, b) == GST_VALUE_EQUAL,
          "%s: rnn and melspec disagree on %s", r->what, fields[f]);
    }
    gst_structure_free (wr);
    gst_structure_free (wm);
  }
  harness_done (hm);
  harness_done (hr);
  g_free (model);
}

GST_END_TEST;

static Suite *
continuity_suite (void)
{
  Suite *s = suite_create ("continuity-rules");
  TCase *tc = tcase_create ("rules");

  tcase_add_loop_test (tc, test_rules_agree, 0, G_N_ELEMENTS (rows));
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (continuity);
