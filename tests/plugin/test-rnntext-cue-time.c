/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext's cue timing as the rnn element feeds it (results carrying
 * their hop): cue-time (start, centre, end of the window; end by
 * default), each cue sent as soon as its result comes; GAPs up to the
 * end of every input buffer with cue-time=end, results or not, so a muxer
 * never waits on the text; merge bounded by max-hold; the latency it
 * reports (the hold it adds); SEGMENT_DONE sending a held cue. */
#include "rnntext-test.h"

#define WIN (1000 * MS)
#define HOP (100 * MS)

static const gchar *A = "a", *B = "b";

/* An input buffer [pts, pts + HOP) carrying the result of the window
 * that ends with it, [pts + HOP - WIN, pts + HOP), labelled @label, with
 * the hop field as the rnn element writes it. */
static GstBuffer *
hop_buffer (GstClockTime pts, const gchar * label)
{
  FakeResult r = { 0, pts + HOP - WIN, WIN, label, 0, 0.9f, TRUE, HOP };

  return results_buffer (pts, HOP, &r, label ? 1 : 0);
}

/* A harness with the element's own defaults (text_harness pins the
 * older ones). */
static GstHarness *
default_harness (void)
{
  GstHarness *h = text_harness ("newline", FALSE, NULL);

  gst_util_set_object_arg (G_OBJECT (h->element), "cue-time", "end");
  g_object_set (h->element, "max-hold", (gint64) 200 * MS, NULL);
  return h;
}

GST_START_TEST (test_defaults)
{
  GstElement *e = gst_element_factory_make ("rnntext", NULL);
  gint cue_time;
  gint64 hold;

  g_object_get (e, "cue-time", &cue_time, "max-hold", &hold, NULL);
  fail_unless_equals_int (cue_time, 2); /* end */
  fail_unless_equals_int64 (hold, 200 * MS);
  gst_object_unref (e);
}

GST_END_TEST;

/* The window [0, 1 s) every 100 ms: its cue starts at 0, 0.5 or 1 s,
 * lasts one hop, and leaves with the buffer that brings the result (no
 * second window needed: the result says the hop). */
static const struct
{
  const gchar *cue_time;
  GstClockTime start;
} shifts[] = {
  {"start", 0}, {"centre", 500 * MS}, {"end", 1000 * MS},
};

GST_START_TEST (test_cue_time)
{
  GstHarness *h = default_harness ();

  gst_util_set_object_arg (G_OBJECT (h->element), "cue-time",
      shifts[__i__].cue_time);
  gst_harness_push (h, hop_buffer (900 * MS, A));
  expect_cue (h, "a", shifts[__i__].start, shifts[__i__].start + HOP);
  gst_harness_push (h, hop_buffer (1000 * MS, B));
  expect_cue (h, "b", shifts[__i__].start + HOP,
      shifts[__i__].start + 2 * HOP);
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* cue-time=end: before any result (the first window is not full yet)
 * and between results without text, every buffer's end is announced. */
GST_START_TEST (test_gaps_keep_up)
{
  GstHarness *h = default_harness ();
  GstClockTime t;

  for (t = 0; t < 900 * MS; t += HOP) {
    gst_harness_push (h, hop_buffer (t, NULL));
    fail_unless_equals_uint64 (drain_gaps (h, GST_CLOCK_TIME_NONE), t + HOP);
  }
  gst_harness_push (h, hop_buffer (900 * MS, A));
  expect_cue (h, "a", WIN, WIN + HOP);
  drain_gaps (h, GST_CLOCK_TIME_NONE);
  /* the cue covers [1 s, 1.1 s): from there on, results without text */
  g_object_set (h->element, "ignore-labels", "a", NULL);
  for (t = WIN + HOP; t < 2 * WIN; t += HOP) {
    gst_harness_push (h, hop_buffer (t, A));
    fail_unless_equals_uint64 (drain_gaps (h, t), t + HOP);
  }
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* merge: a run of 15 equal windows leaves in cues of max-hold (300 ms),
 * each sent once it is that long; the run's last piece when the text
 * changes.  No cue is held longer than max-hold past its start. */
GST_START_TEST (test_merge_max_hold)
{
  GstHarness *h = default_harness ();
  GstClockTime t, sent = WIN;
  GstBuffer *cue;
  guint k;

  g_object_set (h->element, "merge", TRUE, "max-hold", (gint64) 300 * MS,
      NULL);
  for (k = 0; k < 15; k++) {
    t = 900 * MS + k * HOP;     /* its cue starts at t + HOP */
    gst_harness_push (h, hop_buffer (t, A));
    while ((cue = gst_harness_try_pull (h))) {
      fail_unless_equals_uint64 (GST_BUFFER_PTS (cue), sent);
      fail_unless_equals_uint64 (GST_BUFFER_DURATION (cue), 300 * MS);
      sent += 300 * MS;
      gst_buffer_unref (cue);
    }
    /* everything that started max-hold ago has left */
    fail_unless (sent + 300 * MS > t + 2 * HOP, "held since %"
        GST_TIME_FORMAT " at %" GST_TIME_FORMAT, GST_TIME_ARGS (sent),
        GST_TIME_ARGS (t + 2 * HOP));
  }
  fail_unless_equals_uint64 (sent, WIN + 1500 * MS);
  gst_harness_push (h, hop_buffer (2400 * MS, B));
  expect_no_cue (h);
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "b", 2500 * MS, 2600 * MS);
  harness_done (h);
}

GST_END_TEST;

/* With max-hold=-1 a run is one cue, sent at SEGMENT_DONE (the end of a
 * segment's data) without waiting for EOS. */
GST_START_TEST (test_segment_done)
{
  GstHarness *h = default_harness ();
  guint k;

  g_object_set (h->element, "merge", TRUE, "max-hold", (gint64) - 1, NULL);
  for (k = 0; k < 5; k++)
    gst_harness_push (h, hop_buffer (900 * MS + k * HOP, A));
  expect_no_cue (h);
  gst_harness_push_event (h, gst_event_new_segment_done (GST_FORMAT_TIME,
          1400 * MS));
  expect_cue (h, "a", WIN, WIN + 5 * HOP);
  harness_done (h);
}

GST_END_TEST;

static guint
latency_messages (GstBus * bus)
{
  GstMessage *m;
  guint n = 0;

  while ((m = gst_bus_pop_filtered (bus, GST_MESSAGE_LATENCY))) {
    n++;
    gst_message_unref (m);
  }
  return n;
}

/* Upstream's latency (the rnn element's window included) passes; merge
 * adds max-hold; changing either posts LATENCY. */
GST_START_TEST (test_latency)
{
  GstHarness *h = default_harness ();
  GstBus *bus = harness_bus (h);

  gst_harness_set_upstream_latency (h, 1020 * MS);
  fail_unless_equals_uint64 (gst_harness_query_latency (h), 1020 * MS);
  fail_unless_equals_int (latency_messages (bus), 0);

  g_object_set (h->element, "merge", TRUE, NULL);
  fail_unless_equals_int (latency_messages (bus), 1);
  fail_unless_equals_uint64 (gst_harness_query_latency (h), 1220 * MS);

  g_object_set (h->element, "max-hold", (gint64) 500 * MS, NULL);
  fail_unless_equals_int (latency_messages (bus), 1);
  fail_unless_equals_uint64 (gst_harness_query_latency (h), 1520 * MS);

  g_object_set (h->element, "template", "{label}!", NULL);
  fail_unless_equals_int (latency_messages (bus), 0);
  harness_done (h);
}

GST_END_TEST;

static Suite *
rnntext_cue_time_suite (void)
{
  Suite *s = suite_create ("rnntext-cue-time");
  TCase *tc = tcase_create ("cue-time");

  tcase_add_test (tc, test_defaults);
  tcase_add_loop_test (tc, test_cue_time, 0, G_N_ELEMENTS (shifts));
  tcase_add_test (tc, test_gaps_keep_up);
  tcase_add_test (tc, test_merge_max_hold);
  tcase_add_test (tc, test_segment_done);
  tcase_add_test (tc, test_latency);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_cue_time);
