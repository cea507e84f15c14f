/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where rnn's output is not the input audio (n-to-n and 1-to-n output
 * frames, n-to-m forecasts), the audio's codec and bitrate tags no longer
 * describe it: they are dropped from the tag events passed on, as
 * melspec does (plugin/common/gstrnntags.c); the other tags (title) go on
 * with their scope, and a tag event left empty is not sent.  In n-to-1
 * the input passes through unchanged, and so do its tags. */
#include "rnn-test-gst.h"

/* The last TAG event waiting on @h (unref it), or NULL. */
static GstEvent *
pull_tags (GstHarness * h)
{
  GstEvent *ev, *tags = NULL;

  while ((ev = gst_harness_try_pull_event (h))) {
    if (GST_EVENT_TYPE (ev) == GST_EVENT_TAG) {
      if (tags)
        gst_event_unref (tags);
      tags = ev;
    } else {
      gst_event_unref (ev);
    }
  }
  return tags;
}

static void
drop_events (GstHarness * h)
{
  GstEvent *ev;

  while ((ev = gst_harness_try_pull_event (h)))
    gst_event_unref (ev);
}

/* Push the tags of an MP3 stream titled "hello" into @h, whose element
 * was made from a case of @B streams of @F inputs, and check what comes out: without
 * codec and bitrate if @stripped, else unchanged. */
static void
check_tags (GstHarness * h, guint B, guint F, gboolean stripped,
    const gchar * what)
{
  GstTagList *in = gst_tag_list_new (GST_TAG_AUDIO_CODEC, "MPEG-1 Layer 3",
      GST_TAG_BITRATE, 128000, GST_TAG_NOMINAL_BITRATE, 128000,
      GST_TAG_TITLE, "hello", NULL);
  GstTagList *out;
  GstEvent *ev;
  GstBuffer *buf;
  gchar *title = NULL;
  float zeros[64] = { 0 };

  gst_tag_list_set_scope (in, GST_TAG_SCOPE_STREAM);
  /* a first buffer negotiates and brings the sticky events out */
  fail_unless (B * F <= 64);
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (zeros, 1, B,
              F, FALSE, 0, 1)), GST_FLOW_OK);
  while ((buf = gst_harness_try_pull (h)))
    gst_buffer_unref (buf);
  drop_events (h);

  fail_unless (gst_harness_push_event (h, gst_event_new_tag (in)));
  ev = pull_tags (h);
  fail_unless (ev != NULL, "%s: no tag event", what);
  gst_event_parse_tag (ev, &out);
  fail_unless_equals_int (gst_tag_list_get_tag_size (out,
          GST_TAG_AUDIO_CODEC), stripped ? 0 : 1);
  fail_unless_equals_int (gst_tag_list_get_tag_size (out, GST_TAG_BITRATE),
      stripped ? 0 : 1);
  fail_unless_equals_int (gst_tag_list_get_tag_size (out,
          GST_TAG_NOMINAL_BITRATE), stripped ? 0 : 1);
  fail_unless (gst_tag_list_get_string (out, GST_TAG_TITLE, &title));
  fail_unless_equals_string (title, "hello");
  fail_unless_equals_int (gst_tag_list_get_scope (out), GST_TAG_SCOPE_STREAM);
  g_free (title);
  gst_event_unref (ev);

  /* codec tags alone: no tag event at all where they are dropped */
  fail_unless (gst_harness_push_event (h, gst_event_new_tag
          (gst_tag_list_new (GST_TAG_AUDIO_CODEC, "Vorbis", NULL))));
  ev = pull_tags (h);
  fail_unless ((ev == NULL) == stripped, "%s: codec-only tag event %s",
      what, ev ? "passed on" : "dropped");
  if (ev)
    gst_event_unref (ev);
}

GST_START_TEST (test_n_to_n_drops_audio_tags)
{
  const RnnTestCase *c = need_case (1, FALSE, 1);
  GstHarness *h = harness_case (make_case_rnn (c), c);

  check_tags (h, c->B, c->F, TRUE, "n-to-n");
  harness_done (h);
}

GST_END_TEST;

GST_START_TEST (test_1_to_n_drops_audio_tags)
{
  const RnnModeCase *c = need_mode_case ("1-to-n", 0, FALSE);
  GstHarness *h = harness_mode (make_mode_rnn (c), c);

  check_tags (h, c->B, c->F, TRUE, "1-to-n");
  harness_done (h);
}

GST_END_TEST;

GST_START_TEST (test_n_to_m_drops_audio_tags)
{
  const RnnModeCase *c = need_mode_case ("n-to-m", 0, FALSE);
  GstHarness *h = harness_mode (make_mode_rnn (c), c);

  check_tags (h, c->B, c->F, TRUE, "n-to-m");
  harness_done (h);
}

GST_END_TEST;

/* n-to-1: the audio itself goes on, its tags with it. */
GST_START_TEST (test_n_to_1_keeps_tags)
{
  const RnnModeCase *c = need_mode_case ("n-to-1", 0, FALSE);
  GstHarness *h = harness_mode (make_mode_rnn (c), c);

  check_tags (h, c->B, c->F, FALSE, "n-to-1");
  harness_done (h);
}

GST_END_TEST;

static Suite *
rnn_tags_suite (void)
{
  Suite *s = suite_create ("rnn-tags");
  TCase *tc = tcase_create ("general");

  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_n_to_n_drops_audio_tags);
  tcase_add_test (tc, test_1_to_n_drops_audio_tags);
  tcase_add_test (tc, test_n_to_m_drops_audio_tags);
  tcase_add_test (tc, test_n_to_1_keeps_tags);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_tags);
