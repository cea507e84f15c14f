/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext smoothing: with smoothing=N each window's label is decided by
 * the last N results of its stream (fewer at the start): the best mean
 * score (smoothing-mode=mean) or the label most of them name (majority,
 * ties to the better mean, then the lower class), scored by its mean; the
 * oldest result leaves once N are kept.  Expected cues worked out by hand
 * in the comments (scores are silence, yes, no). */
#include "rnntext-test.h"

static const gchar *const labels[] = { "silence", "yes", "no" };

/* Window @k: [k * 100 ms, + 100 ms), hop 100 ms. */
static void
push (GstHarness * h, guint k, gdouble s0, gdouble s1, gdouble s2)
{
  const gdouble sc[3] = { s0, s1, s2 };

  fail_unless_equals_int (gst_harness_push (h, scores_buffer (k * 100 * MS,
              100 * MS, 100 * MS, labels, sc, 3)), GST_FLOW_OK);
}

/* smoothing=3, mean; raw labels yes, no, yes, silence, silence.
 *   k0: 1 result seen (N larger): yes 0.70
 *   k1: k0-k1: silence .2, yes .4, no .4: a tie, the lower class: yes 0.40
 *   k2: k0-k2: yes (.7+.1+.7)/3 = 0.50
 *   k3: k1-k3: silence .333, yes .367, no .300: yes 0.37
 *   k4: k2-k4: silence .467, yes .433: silence, ignored: no text (with
 *       all five results yes .42 would win: k0 and k1 have left). */
GST_START_TEST (test_mean)
{
  GstHarness *h = text_harness ("smoothing", 3, "ignore-labels", "silence",
      "template", "{label} {confidence}", NULL);

  push (h, 0, 0.2, 0.7, 0.1);
  push (h, 1, 0.2, 0.1, 0.7);
  push (h, 2, 0.2, 0.7, 0.1);
  push (h, 3, 0.6, 0.3, 0.1);
  push (h, 4, 0.6, 0.3, 0.1);
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "yes 0.70\n", 0, 100 * MS);
  expect_cue (h, "yes 0.40\n", 100 * MS, 200 * MS);
  expect_cue (h, "yes 0.50\n", 200 * MS, 300 * MS);
  expect_cue (h, "yes 0.37\n", 300 * MS, 400 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* Raw yes (.9), no (.6), no (.6), with smoothing=3:
 *   k0: yes 0.90 either way
 *   k1: means yes .65, no .35; votes 1-1, a tie: the better mean, yes 0.65
 *   k2: means yes .567, no .433: mean gives yes 0.57; majority (no twice)
 *       gives no 0.43. */
GST_START_TEST (test_mean_or_majority)
{
  gboolean majority = __i__ == 1;
  GstHarness *h = text_harness ("smoothing", 3, "template",
      "{label} {class} {confidence}", NULL);

  if (majority)
    gst_util_set_object_arg (G_OBJECT (h->element), "smoothing-mode",
        "majority");
  push (h, 0, 0.0, 0.9, 0.1);
  push (h, 1, 0.0, 0.4, 0.6);
  push (h, 2, 0.0, 0.4, 0.6);
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "yes 1 0.90\n", 0, 100 * MS);
  expect_cue (h, "yes 1 0.65\n", 100 * MS, 200 * MS);
  expect_cue (h, majority ? "no 2 0.43\n" : "yes 1 0.57\n", 200 * MS,
      300 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* The smoothed label is one no window named: its label is learned from
 * an earlier result (k0 names "no"; at k2 the mean picks no while the
 * result names yes). */
GST_START_TEST (test_label_of_other_result)
{
  GstHarness *h = text_harness ("smoothing", 2, NULL);

  push (h, 0, 0.0, 0.1, 0.9);   /* no .9 */
  push (h, 1, 0.0, 0.1, 0.9);   /* no .9 */
  push (h, 2, 0.0, 0.6, 0.4);   /* k1-k2: yes .35, no .65: no */
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "no\n", 0, 100 * MS);
  expect_cue (h, "no\n", 100 * MS, 200 * MS);
  expect_cue (h, "no\n", 200 * MS, 300 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* smoothing=1 (the default) with another post property set gives the raw
 * labels: yes, no, yes. */
GST_START_TEST (test_depth_one)
{
  GstHarness *h = text_harness ("hold", (guint64) 0, "min-duration",
      (guint64) 1, NULL);

  push (h, 0, 0.2, 0.7, 0.1);
  push (h, 1, 0.2, 0.1, 0.7);
  push (h, 2, 0.2, 0.7, 0.1);
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "yes\n", 0, 100 * MS);
  expect_cue (h, "no\n", 100 * MS, 200 * MS);
  expect_cue (h, "yes\n", 200 * MS, 300 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* Window @k with stream 0's scores @a and stream 1's @b. */
static void
push_two (GstHarness * h, guint k, const gdouble * a, const gdouble * b)
{
  GstBuffer *buf = scores_buffer (k * 100 * MS, 100 * MS, 100 * MS, labels,
      a, 3);
  GstBuffer *other = scores_buffer (k * 100 * MS, 100 * MS, 100 * MS,
      labels, b, 3);
  const GValue *from = gst_structure_get_value (gst_custom_meta_get_structure
      (gst_rnn_buffer_get_result_meta (other)), GST_RNN_RESULT_FIELD_RESULTS);
  const GValue *to = gst_structure_get_value (gst_custom_meta_get_structure
      (gst_rnn_buffer_get_result_meta (buf)), GST_RNN_RESULT_FIELD_RESULTS);
  GValue item = G_VALUE_INIT;

  g_value_init (&item, GST_TYPE_STRUCTURE);
  g_value_copy (gst_value_array_get_value (from, 0), &item);
  gst_structure_set ((GstStructure *) gst_value_get_structure (&item),
      "stream", G_TYPE_UINT, 1, NULL);
  gst_value_array_append_and_take_value ((GValue *) to, &item);
  gst_buffer_unref (other);
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
}

/* Each stream has its own history: stream 0 says yes .9 then no .6, stream
 * 1 no .9 then yes .6; smoothing=2 gives 0:yes (.9+.2)/2 = .55 over no
 * .35, and 1:no .55 over yes .35, at the second window (one history of
 * the last 2 results across streams would give stream 1 the mean of
 * stream 0's n6 and its own y6: yes .4, no .4, a tie, yes). */
GST_START_TEST (test_streams)
{
  GstHarness *h = text_harness ("smoothing", 2, "template",
      "{stream}:{label} {confidence}", "separator", " ", NULL);
  const gdouble y9[3] = { 0.0, 0.9, 0.1 }, n9[3] = { 0.0, 0.1, 0.9 };
  const gdouble n6[3] = { 0.2, 0.2, 0.6 }, y6[3] = { 0.2, 0.6, 0.2 };

  push_two (h, 0, y9, n9);
  push_two (h, 1, n6, y6);
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "0:yes 0.90 1:no 0.90\n", 0, 100 * MS);
  expect_cue (h, "0:yes 0.55 1:no 0.55\n", 100 * MS, 200 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

static Suite *
rnntext_smoothing_suite (void)
{
  Suite *s = suite_create ("rnntext-smoothing");
  TCase *tc = tcase_create ("smoothing");

  tcase_add_test (tc, test_mean);
  tcase_add_loop_test (tc, test_mean_or_majority, 0, 2);
  tcase_add_test (tc, test_label_of_other_result);
  tcase_add_test (tc, test_depth_one);
  tcase_add_test (tc, test_streams);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_smoothing);
