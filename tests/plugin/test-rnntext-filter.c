/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext: which results give text.  Invalid results (non-finite
 * scores), results below min-confidence and results of streams other
 * than the selected one give none; with several streams, one window's
 * texts are joined by the separator in stream order; labels listed in
 * ignore-labels give none; a stream that no
 * result carries is named in one warning. */
#include <math.h>

#include "rnntext-test.h"

/* Three windows, tiling [0, 1.5 s), one result each: the middle one as
 * @mid, the others valid "a" (0.9) and "c" (0.9). */
static void
push_three (GstHarness * h, const FakeResult * mid)
{
  FakeResult a = { 0, 0, 500 * MS, "a", 0, 0.9f, TRUE };
  FakeResult c = { 0, 1000 * MS, 500 * MS, "c", 0, 0.9f, TRUE };

  gst_harness_push (h, results_buffer (0, 500 * MS, &a, 1));
  gst_harness_push (h, results_buffer (500 * MS, 500 * MS, mid, 1));
  gst_harness_push (h, results_buffer (1000 * MS, 500 * MS, &c, 1));
  gst_harness_push_event (h, gst_event_new_eos ());
}

GST_START_TEST (test_invalid)
{
  GstHarness *h = text_harness (NULL, NULL);
  FakeResult bad = { 0, 500 * MS, 500 * MS, NULL, 0, NAN, FALSE };

  push_three (h, &bad);
  expect_cue (h, "a\n", 0, 500 * MS);
  expect_cue (h, "c\n", 1000 * MS, 1500 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* valid, but a non-finite confidence (cannot come from the rnn element,
 * which marks such results invalid): no text either */
GST_START_TEST (test_non_finite_confidence)
{
  GstHarness *h = text_harness (NULL, NULL);
  FakeResult inf = { 0, 500 * MS, 500 * MS, "b", 1, INFINITY, TRUE };

  push_three (h, &inf);
  expect_cue (h, "a\n", 0, 500 * MS);
  expect_cue (h, "c\n", 1000 * MS, 1500 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

static const struct
{
  gfloat conf, threshold;
  gboolean text;
} thresholds[] = {
  {0.5f, 0.6f, FALSE},
  {0.6f, 0.6f, TRUE},           /* equal passes */
  {0.61f, 0.6f, TRUE},
  {-3.0f, -2.0f, FALSE},        /* logits: negative confidences */
  {-1.0f, -2.0f, TRUE},
};

GST_START_TEST (test_min_confidence)
{
  GstHarness *h = text_harness ("min-confidence", thresholds[__i__].threshold,
      NULL);
  FakeResult b = { 0, 500 * MS, 500 * MS, "b", 1, thresholds[__i__].conf,
    TRUE
  };

  /* the neighbours pass any threshold here but the first */
  g_object_set (h->element, "min-confidence", -10.0f, NULL);
  gst_harness_push (h, window_buffer (0, 500 * MS, 0, 500 * MS,
          (const gchar *[]) {
          "a"}, 1));
  g_object_set (h->element, "min-confidence", thresholds[__i__].threshold,
      NULL);
  gst_harness_push (h, results_buffer (500 * MS, 500 * MS, &b, 1));
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "a\n", 0, 500 * MS);
  if (thresholds[__i__].text)
    expect_cue (h, "b\n", 500 * MS, 1000 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* B = 3: all streams joined in stream order; a filtered stream drops out
 * of the text; stream=1 keeps only stream 1. */
GST_START_TEST (test_streams)
{
  GstHarness *h = text_harness ("template", "{stream}:{label}", "separator",
      ", ", "min-confidence", 0.5f, NULL);
  FakeResult w0[3] = {
    {0, 0, 500 * MS, "x", 0, 0.9f, TRUE},
    {1, 0, 500 * MS, "y", 1, 0.9f, TRUE},
    {2, 0, 500 * MS, "z", 2, 0.9f, TRUE},
  }, w1[3] = {
    {0, 500 * MS, 500 * MS, "x", 0, 0.9f, TRUE},
    {1, 500 * MS, 500 * MS, "y", 1, 0.1f, TRUE},
    {2, 500 * MS, 500 * MS, NULL, 2, NAN, FALSE},
  };

  gst_harness_push (h, results_buffer (0, 500 * MS, w0, 3));
  gst_harness_push (h, results_buffer (500 * MS, 500 * MS, w1, 3));
  expect_cue (h, "0:x, 1:y, 2:z\n", 0, 500 * MS);
  expect_cue (h, "0:x\n", 500 * MS, 1000 * MS);

  g_object_set (h->element, "stream", 1, NULL);
  w0[1].ts = 1000 * MS;
  w0[0].ts = w0[2].ts = 1000 * MS;
  gst_harness_push (h, results_buffer (1000 * MS, 500 * MS, w0, 3));
  expect_cue (h, "1:y\n", 1000 * MS, 1500 * MS);
  expect_no_cue (h);
  expect_no_warning (harness_bus (h));
  harness_done (h);
}

GST_END_TEST;

/* Two windows ending in one buffer (hop < buffer): two cues, each with
 * its streams. */
GST_START_TEST (test_two_windows_one_buffer)
{
  GstHarness *h = text_harness ("template", "{label}", "separator", "+",
      NULL);
  FakeResult r[4] = {
    {0, 0, 250 * MS, "a", 0, 0.9f, TRUE},
    {1, 0, 250 * MS, "b", 1, 0.9f, TRUE},
    {0, 250 * MS, 250 * MS, "c", 2, 0.9f, TRUE},
    {1, 250 * MS, 250 * MS, "d", 3, 0.9f, TRUE},
  };

  gst_harness_push (h, results_buffer (0, 500 * MS, r, 4));
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "a+b\n", 0, 250 * MS);
  expect_cue (h, "c+d\n", 250 * MS, 500 * MS);
  harness_done (h);
}

GST_END_TEST;

/* stream=2 with B = 2: no text, one warning naming both numbers. */
GST_START_TEST (test_missing_stream)
{
  GstHarness *h = text_harness ("stream", 2, NULL);
  const gchar *needles[] = { "stream=2", "0..1", NULL };
  const gchar *labels[] = { "a", "b" };

  gst_harness_push (h, window_buffer (0, 500 * MS, 0, 500 * MS, labels, 2));
  gst_harness_push (h, window_buffer (500 * MS, 500 * MS, 500 * MS,
          500 * MS, labels, 2));
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_no_cue (h);
  check_one_warning (harness_bus (h), needles);
  harness_done (h);
}

GST_END_TEST;

/* ignore-labels: exact labels, comma-separated. */
GST_START_TEST (test_ignore_labels)
{
  GstHarness *h = text_harness ("ignore-labels", "_silence_,no", NULL);
  const gchar *seq[] = { "yes", "_silence_", "no", "_silence_x", "nope" };
  guint k;

  for (k = 0; k < G_N_ELEMENTS (seq); k++)
    gst_harness_push (h, window_buffer (500 * k * MS, 500 * MS, 500 * k * MS,
            500 * MS, &seq[k], 1));
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "yes\n", 0, 500 * MS);
  expect_cue (h, "_silence_x\n", 1500 * MS, 2000 * MS);
  expect_cue (h, "nope\n", 2000 * MS, 2500 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* Buffers without results, or with metas of another name, give
 * nothing. */
GST_START_TEST (test_no_results)
{
  GstHarness *h = text_harness (NULL, NULL);
  GstBuffer *buf = results_buffer (0, 500 * MS, NULL, 0);
  const gchar *tags[] = { NULL };
  GstCustomMeta *m;

  if (gst_meta_get_info ("OtherMeta") == NULL)
    gst_meta_register_custom ("OtherMeta", tags, NULL, NULL, NULL);
  m = gst_buffer_add_custom_meta (buf, "OtherMeta");
  gst_structure_set (gst_custom_meta_get_structure (m), "label",
      G_TYPE_STRING, "no", NULL);
  gst_harness_push (h, buf);
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

static Suite *
rnntext_filter_suite (void)
{
  Suite *s = suite_create ("rnntext-filter");
  TCase *tc = tcase_create ("filter");

  tcase_add_test (tc, test_invalid);
  tcase_add_test (tc, test_non_finite_confidence);
  tcase_add_loop_test (tc, test_min_confidence, 0, G_N_ELEMENTS (thresholds));
  tcase_add_test (tc, test_streams);
  tcase_add_test (tc, test_two_windows_one_buffer);
  tcase_add_test (tc, test_missing_stream);
  tcase_add_test (tc, test_ignore_labels);
  tcase_add_test (tc, test_no_results);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_filter);
