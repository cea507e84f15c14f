/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext: when cues start and end.  A cue starts at its window's start
 * and lasts one hop (the time to the next window's start), or its whole
 * window when windows do not overlap, so cues never overlap; the first
 * window is held until the second tells the hop; merge=true makes one cue
 * of consecutive windows with the same text; GAP events cover what has
 * no text, up to the earliest start of a window still to come; EOS, a new
 * segment and a GAP event send a held cue, a flush drops it; stream tags
 * of the input stay behind. */
#include "rnntext-test.h"

static const gchar *A[] = { "a" }, *B[] = { "b" };

/* A buffer [pts, pts + dur) ending the window [ts, ts + wdur) with
 * @label. */
static GstBuffer *
win (GstClockTime pts, GstClockTime dur, GstClockTime ts, GstClockTime wdur,
    const gchar ** label)
{
  return window_buffer (pts, dur, ts, wdur, label, 1);
}

/* window 1 s, hop 250 ms: every cue lasts 250 ms, the last too. */
GST_START_TEST (test_overlap)
{
  GstHarness *h = text_harness (NULL, NULL);
  guint k;

  gst_harness_push (h, win (0, 1000 * MS, 0, 1000 * MS, A));
  expect_no_cue (h);
  for (k = 1; k < 5; k++)
    gst_harness_push (h, win ((750 + 250 * k) * MS, 250 * MS, 250 * k * MS,
            1000 * MS, k % 2 ? B : A));
  /* the hop is known from the second window on: nothing is held */
  for (k = 0; k < 5; k++)
    expect_cue (h, k % 2 ? "b\n" : "a\n", 250 * k * MS, 250 * (k + 1) * MS);
  expect_no_cue (h);
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* window 200 ms every 500 ms: cues of 200 ms, GAPs between them. */
GST_START_TEST (test_hop_beyond_window)
{
  GstHarness *h = text_harness (NULL, NULL);
  GstClockTime gap;

  gst_harness_push (h, win (0, 200 * MS, 0, 200 * MS, A));
  gst_harness_push (h, win (200 * MS, 300 * MS, 0, 0, B));     /* none */
  gst_harness_push (h, win (500 * MS, 200 * MS, 500 * MS, 200 * MS, B));
  expect_cue (h, "a\n", 0, 200 * MS);
  expect_cue (h, "b\n", 500 * MS, 700 * MS);
  gap = drain_gaps (h, GST_CLOCK_TIME_NONE);
  /* [200, 500) has no text: the GAP before "b" covers it */
  fail_unless_equals_uint64 (gap, 500 * MS);
  harness_done (h);
}

GST_END_TEST;

/* The first window alone: held until EOS, then its whole window. */
GST_START_TEST (test_eos_sends_held)
{
  GstHarness *h = text_harness (NULL, NULL);

  gst_harness_push (h, win (0, 500 * MS, 100 * MS, 400 * MS, A));
  expect_no_cue (h);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  expect_cue (h, "a\n", 100 * MS, 500 * MS);
  harness_done (h);
}

GST_END_TEST;

/* merge: a a a b b a (window 1 s, hop 500 ms) gives a [0, 1.5), b [1.5,
 * 2.5), a [2.5, 3.0); without merge six cues. */
GST_START_TEST (test_merge)
{
  const gchar **seq[] = { A, A, A, B, B, A };
  gboolean merge = __i__;
  GstHarness *h = text_harness ("merge", merge, NULL);
  guint k;

  for (k = 0; k < G_N_ELEMENTS (seq); k++)
    gst_harness_push (h, win ((500 + 500 * k) * MS, 500 * MS,
            500 * k * MS, 1000 * MS, seq[k]));
  if (merge) {
    expect_cue (h, "a\n", 0, 1500 * MS);
    expect_cue (h, "b\n", 1500 * MS, 2500 * MS);
    expect_no_cue (h);          /* the last may still grow */
  }
  gst_harness_push_event (h, gst_event_new_eos ());
  if (merge) {
    expect_cue (h, "a\n", 2500 * MS, 3000 * MS);
  } else {
    for (k = 0; k < G_N_ELEMENTS (seq); k++)
      expect_cue (h, seq[k] == A ? "a\n" : "b\n", 500 * k * MS,
          500 * (k + 1) * MS);
  }
  expect_no_cue (h);
  harness_done (h);
}

GST_END_TEST;

/* merge does not join windows that do not touch (hop > window). */
GST_START_TEST (test_merge_needs_contact)
{
  GstHarness *h = text_harness ("merge", TRUE, NULL);

  gst_harness_push (h, win (0, 200 * MS, 0, 200 * MS, A));
  gst_harness_push (h, win (500 * MS, 200 * MS, 500 * MS, 200 * MS, A));
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "a\n", 0, 200 * MS);
  expect_cue (h, "a\n", 500 * MS, 700 * MS);
  harness_done (h);
}

GST_END_TEST;

/* Results that give no text: GAPs follow the input, a window's length
 * behind it (a window ending later may start that early); a held cue
 * stops them at its start. */
GST_START_TEST (test_gaps)
{
  GstHarness *h = text_harness ("min-confidence", 0.95f, NULL);
  FakeResult strong = { 0, 1000 * MS, 500 * MS, "s", 0, 0.99f, TRUE };
  GstClockTime t;

  /* nothing known about the windows yet: no GAP */
  gst_harness_push (h, results_buffer (0, 100 * MS, NULL, 0));
  fail_unless_equals_uint64 (drain_gaps (h, 0), GST_CLOCK_TIME_NONE);
  /* a window [0, 500 ms) without text ends at 500 ms: the next may start
   * at 0 still */
  gst_harness_push (h, win (400 * MS, 100 * MS, 0, 500 * MS, A));
  fail_unless_equals_uint64 (drain_gaps (h, 0), GST_CLOCK_TIME_NONE);
  for (t = 500 * MS; t < 1500 * MS; t += 100 * MS) {
    if (t == 1400 * MS)
      break;
    gst_harness_push (h, win (t, 100 * MS, t - 400 * MS, 500 * MS, A));
    /* the segment starts at 0: GAPs from there, contiguous */
    fail_unless_equals_uint64 (drain_gaps (h, GST_CLOCK_TIME_NONE),
        t + 100 * MS - 500 * MS);
  }
  /* a held cue at 1000 ms (hop is known, so it is sent at once) */
  gst_harness_push (h, results_buffer (1400 * MS, 100 * MS, &strong, 1));
  expect_cue (h, "s\n", 1000 * MS, 1100 * MS);
  drain_gaps (h, GST_CLOCK_TIME_NONE);
  /* the cue covers up to 1100 ms: the next GAP starts there */
  gst_harness_push (h, win (1500 * MS, 100 * MS, 1100 * MS, 500 * MS, A));
  gst_harness_push (h, win (1600 * MS, 100 * MS, 1200 * MS, 500 * MS, A));
  fail_unless_equals_uint64 (drain_gaps (h, 1100 * MS), 1200 * MS);
  harness_done (h);
}

GST_END_TEST;

/* With merge, a held cue stops the GAPs at its start. */
GST_START_TEST (test_gaps_stop_at_held)
{
  GstHarness *h = text_harness ("merge", TRUE, NULL);
  guint k;

  for (k = 0; k < 4; k++)
    gst_harness_push (h, win ((500 + 500 * k) * MS, 500 * MS,
            500 * k * MS, 500 * MS, A));
  expect_no_cue (h);
  fail_unless_equals_uint64 (drain_gaps (h, GST_CLOCK_TIME_NONE),
      GST_CLOCK_TIME_NONE);
  gst_harness_push (h, win (2500 * MS, 500 * MS, 2000 * MS, 500 * MS, B));
  expect_cue (h, "a\n", 0, 2000 * MS);
  harness_done (h);
}

GST_END_TEST;

/* A flush drops the held cue; the segment after it is forwarded. */
GST_START_TEST (test_flush)
{
  GstHarness *h = text_harness (NULL, NULL);
  GstSegment seg;
  GstEvent *ev;
  const GstSegment *out;
  guint64 start = 0;

  gst_harness_push (h, win (0, 500 * MS, 0, 500 * MS, A));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&seg, GST_FORMAT_TIME);
  seg.start = seg.time = 10 * GST_SECOND;
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
  expect_no_cue (h);
  while ((ev = gst_harness_try_pull_event (h))) {
    /* the last segment is the new one */
    if (GST_EVENT_TYPE (ev) == GST_EVENT_SEGMENT) {
      gst_event_parse_segment (ev, &out);
      fail_unless_equals_int (out->format, GST_FORMAT_TIME);
      start = out->start;
    }
    gst_event_unref (ev);
  }
  fail_unless_equals_uint64 (start, 10 * GST_SECOND);
  gst_harness_push (h, win (10 * GST_SECOND, 500 * MS, 10 * GST_SECOND,
          500 * MS, B));
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "b\n", 10 * GST_SECOND, 10500 * MS);
  /* the GAP before it starts at the segment start: none needed */
  fail_unless_equals_uint64 (drain_gaps (h, GST_CLOCK_TIME_NONE),
      GST_CLOCK_TIME_NONE);
  harness_done (h);
}

GST_END_TEST;

/* A new segment sends the held cue; a non-TIME one becomes TIME from 0. */
GST_START_TEST (test_segment)
{
  GstHarness *h = text_harness (NULL, NULL);
  GstSegment seg;
  GstEvent *ev;
  const GstSegment *out = NULL;
  gboolean seen = FALSE;

  gst_harness_push (h, win (0, 500 * MS, 0, 500 * MS, A));
  while ((ev = gst_harness_try_pull_event (h)))
    gst_event_unref (ev);
  gst_segment_init (&seg, GST_FORMAT_BYTES);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
  expect_cue (h, "a\n", 0, 500 * MS);
  while ((ev = gst_harness_try_pull_event (h))) {
    if (GST_EVENT_TYPE (ev) == GST_EVENT_SEGMENT) {
      gst_event_parse_segment (ev, &out);
      fail_unless_equals_int (out->format, GST_FORMAT_TIME);
      fail_unless_equals_uint64 (out->start, 0);
      seen = TRUE;
    }
    gst_event_unref (ev);
  }
  fail_unless (seen);
  harness_done (h);
}

GST_END_TEST;

/* A GAP event upstream (silence): the held cue ends at its start, and the
 * GAP goes on downstream. */
GST_START_TEST (test_gap_event)
{
  GstHarness *h = text_harness (NULL, NULL);

  gst_harness_push (h, win (0, 1000 * MS, 0, 1000 * MS, A));
  fail_unless (gst_harness_push_event (h, gst_event_new_gap (600 * MS,
              2 * GST_SECOND)));
  expect_cue (h, "a\n", 0, 600 * MS);
  fail_unless_equals_uint64 (drain_gaps (h, GST_CLOCK_TIME_NONE),
      2600 * MS);
  harness_done (h);
}

GST_END_TEST;

/* The input's stream tags do not reach the text; global ones do. */
GST_START_TEST (test_tags)
{
  GstHarness *h = text_harness (NULL, NULL);
  GstTagList *stream = gst_tag_list_new (GST_TAG_AUDIO_CODEC, "raw", NULL);
  GstTagList *global = gst_tag_list_new (GST_TAG_TITLE, "talk", NULL);
  GstEvent *ev;
  guint n_stream = 0, n_global = 0;

  gst_tag_list_set_scope (global, GST_TAG_SCOPE_GLOBAL);
  while ((ev = gst_harness_try_pull_event (h)))
    gst_event_unref (ev);
  fail_unless (gst_harness_push_event (h, gst_event_new_tag (stream)));
  fail_unless (gst_harness_push_event (h, gst_event_new_tag (global)));
  gst_harness_push (h, win (0, 500 * MS, 0, 500 * MS, A));
  while ((ev = gst_harness_try_pull_event (h))) {
    if (GST_EVENT_TYPE (ev) == GST_EVENT_TAG) {
      GstTagList *t;

      gst_event_parse_tag (ev, &t);
      if (gst_tag_list_get_scope (t) == GST_TAG_SCOPE_STREAM)
        n_stream++;
      else
        n_global++;
    }
    gst_event_unref (ev);
  }
  fail_unless_equals_int (n_stream, 0);
  fail_unless_equals_int (n_global, 1);
  harness_done (h);
}

GST_END_TEST;

static Suite *
rnntext_timing_suite (void)
{
  Suite *s = suite_create ("rnntext-timing");
  TCase *tc = tcase_create ("timing");

  tcase_add_test (tc, test_overlap);
  tcase_add_test (tc, test_hop_beyond_window);
  tcase_add_test (tc, test_eos_sends_held);
  tcase_add_loop_test (tc, test_merge, 0, 2);
  tcase_add_test (tc, test_merge_needs_contact);
  tcase_add_test (tc, test_gaps);
  tcase_add_test (tc, test_gaps_stop_at_held);
  tcase_add_test (tc, test_flush);
  tcase_add_test (tc, test_segment);
  tcase_add_test (tc, test_gap_event);
  tcase_add_test (tc, test_tags);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_timing);
