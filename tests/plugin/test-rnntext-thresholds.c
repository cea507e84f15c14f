/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext thresholds: "label=number,..." gives labels their own
 * threshold (a score equal to it passes); other labels keep
 * min-confidence; a malformed list is refused, before or while playing:
 * the thresholds in force stay (read back and used) and a WARNING names
 * the entry and the list kept (before the element runs, a g_warning
 * too); the stream goes on. */
#include "rnntext-test.h"

static const gchar *const labels[] = { "silence", "yes", "no", "up" };

/* Window @k ([k * 100 ms, + 100 ms)) naming class @c at @score, the rest
 * sharing what is left. */
static GstBuffer *
window (guint k, guint c, gdouble score)
{
  gdouble sc[4];
  guint i;

  for (i = 0; i < 4; i++)
    sc[i] = i == c ? score : (1.0 - score) / 3;
  return scores_buffer (k * 100 * MS, 100 * MS, 100 * MS, labels, sc, 4);
}

/* yes=0.8, no=0.6, others min-confidence=0.5:
 *   yes .8 (equal) passes, yes .79 not; no .6 passes, no .59 not; up .5
 *   (min-confidence, equal) passes, up .49 not.
 * Without thresholds every one of them but the last would pass. */
GST_START_TEST (test_per_label)
{
  GstHarness *h = text_harness ("thresholds", "yes=0.8, no = 0.6",
      "min-confidence", 0.5f, NULL);
  static const struct
  {
    guint cls;
    gdouble score;
  } w[] = { {1, 0.8}, {1, 0.79}, {2, 0.6}, {2, 0.59}, {3, 0.5}, {3, 0.49} };
  guint k;

  for (k = 0; k < G_N_ELEMENTS (w); k++)
    gst_harness_push (h, window (k, w[k].cls, w[k].score));
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "yes\n", 0, 100 * MS);
  expect_cue (h, "no\n", 200 * MS, 300 * MS);
  expect_cue (h, "up\n", 400 * MS, 500 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* A label's threshold may be below min-confidence too: no=0.3 lets a
 * no at .4 through while min-confidence=0.5 stops a yes at .45. */
GST_START_TEST (test_below_default)
{
  GstHarness *h = text_harness ("thresholds", "no=0.3",
      "min-confidence", 0.5f, NULL);

  gst_harness_push (h, window (0, 1, 0.45));
  gst_harness_push (h, window (1, 2, 0.4));
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "no\n", 100 * MS, 200 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

static const struct
{
  const gchar *str, *needle;
} bad[] = {
  {"yes=0.8,no", "entry 2 'no'"},
  {"yes=0.8,=0.3", "entry 2 '=0.3'"},
  {"yes=high", "'high' for label 'yes'"},
  {"yes=0.8x", "'0.8x' for label 'yes'"},
  {"yes=nan", "'nan' for label 'yes'"},
  {"yes=0.8,yes=0.7", "label 'yes' has a threshold already (entry 1)"},
};

GST_START_TEST (test_bad)
{
  GstElement *e = gst_element_factory_make ("rnntext", NULL);
  const gchar *needles[] = { "thresholds", bad[__i__].needle, "yes=0.5",
    NULL
  };
  GstBus *bus = gst_bus_new ();
  GstHarness *h;
  gchar *got = NULL;

  gst_element_set_bus (e, bus);
  g_object_set (e, "thresholds", "yes=0.5", NULL);
  ASSERT_WARNING (g_object_set (e, "thresholds", bad[__i__].str, NULL));
  g_object_get (e, "thresholds", &got, NULL);
  fail_unless_equals_string (got, "yes=0.5");
  g_free (got);
  check_one_warning (bus, needles);
  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);

  /* yes=0.5 is in force: a yes at .45 gives no text (with no thresholds
   * it would), one at .55 does (cue-time=end: at its window's end) */
  h = harness_audio (e, 1);
  gst_harness_push (h, window (0, 1, 0.45));
  gst_harness_push (h, window (1, 1, 0.55));
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "yes\n", 200 * MS, 300 * MS);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* Set while playing: refused with a WARNING, the stream goes on with the
 * thresholds in force. */
GST_START_TEST (test_bad_while_playing)
{
  GstHarness *h = text_harness ("thresholds", "yes=0.5", NULL);
  const gchar *needles[] = { "thresholds", "entry 1 'yes'", "yes=0.5", NULL };
  gchar *got = NULL;

  gst_harness_push (h, window (0, 1, 0.9));
  g_object_set (h->element, "thresholds", "yes", NULL);
  check_one_warning (harness_bus (h), needles);
  g_object_get (h->element, "thresholds", &got, NULL);
  fail_unless_equals_string (got, "yes=0.5");
  g_free (got);
  fail_unless_equals_int (gst_harness_push (h, window (1, 1, 0.45)),
      GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (h, window (2, 1, 0.9)),
      GST_FLOW_OK);
  expect_cue (h, "yes\n", 0, 100 * MS);
  expect_cue (h, "yes\n", 200 * MS, 300 * MS);
  expect_no_cue (h);
  fail_unless (gst_bus_pop_filtered (harness_bus (h), GST_MESSAGE_ERROR)
      == NULL, "an ERROR on the bus");
  harness_done (h);
}

GST_END_TEST;

static Suite *
rnntext_thresholds_suite (void)
{
  Suite *s = suite_create ("rnntext-thresholds");
  TCase *tc = tcase_create ("thresholds");

  tcase_add_test (tc, test_per_label);
  tcase_add_test (tc, test_below_default);
  tcase_add_loop_test (tc, test_bad, 0, G_N_ELEMENTS (bad));
  tcase_add_test (tc, test_bad_while_playing);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_thresholds);
