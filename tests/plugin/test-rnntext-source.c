/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext behind two rnn elements in n-to-1 on one path (the same
 * PyTorch fixture model twice, named "first-rnn" and "second-rnn"): both
 * attach their results to the same buffers, each result naming its
 * element.  Without the source property the cues are the first element's
 * only (one per window, at the fixture's window starts), with one
 * WARNING naming both elements and the property; with source=second-rnn
 * they are the second's, with no warning; a source no result comes from
 * gives no text and one WARNING at EOS naming it and the element seen. */
#include <string.h>

#include "rnntext-test.h"

/* first-rnn ! second-rnn ! rnntext (template {element}, cue-time=start,
 * then @source if not NULL) in a bin, for the case @c. */
static GstHarness *
two_rnn_harness (const RnnModeCase * c, const gchar * source)
{
  GstElement *bin = gst_bin_new (NULL);
  GstElement *a = make_mode_rnn (c), *b = make_mode_rnn (c);
  GstElement *text = gst_element_factory_make ("rnntext", NULL);
  GstPad *pad;

  fail_unless (text != NULL);
  g_object_set (a, "name", "first-rnn", NULL);
  g_object_set (b, "name", "second-rnn", NULL);
  g_object_set (text, "template", "{element}", "newline", FALSE, NULL);
  if (source)
    g_object_set (text, "source", source, NULL);
  gst_util_set_object_arg (G_OBJECT (text), "cue-time", "start");
  gst_bin_add_many (GST_BIN (bin), a, b, text, NULL);
  fail_unless (gst_element_link_many (a, b, text, NULL));
  pad = gst_element_get_static_pad (a, "sink");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", pad));
  gst_object_unref (pad);
  pad = gst_element_get_static_pad (text, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", pad));
  gst_object_unref (pad);
  return harness_streams (bin, c->B, c->F, c->batch_first);
}

/* Push the case's frames in uneven buffers, then EOS. */
static void
push_case (GstHarness * h, const RnnModeCase * c)
{
  guint t0 = 0, s = 0;

  while (t0 < c->T) {
    guint k = MIN (split_size (s++), c->T - t0);

    fail_unless_equals_int (gst_harness_push (h, case_frames (c, t0, k)),
        GST_FLOW_OK);
    t0 += k;
  }
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
}

/* One cue per window of the fixture, at its start, saying @element. */
static void
expect_cues_of (GstHarness * h, const RnnModeCase * c, const gchar * element)
{
  guint w;

  fail_unless_equals_int (gst_harness_buffers_in_queue (h), c->n_windows);
  for (w = 0; w < c->n_windows; w++) {
    GstBuffer *buf = gst_harness_pull (h);
    GstMapInfo map;

    fail_unless_equals_uint64 (GST_BUFFER_PTS (buf),
        FRAME_TIME ((guint) c->starts[w]));
    fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
    fail_unless (map.size == strlen (element)
        && memcmp (map.data, element, map.size) == 0,
        "window %u: cue '%.*s', expected '%s'", w, (int) map.size, map.data,
        element);
    gst_buffer_unmap (buf, &map);
    gst_buffer_unref (buf);
  }
}

GST_START_TEST (test_first_seen)
{
  const RnnModeCase *c = need_mode_case ("n-to-1", 1, FALSE);
  GstHarness *h = two_rnn_harness (c, NULL);
  const gchar *needles[] = { "first-rnn", "second-rnn", "source=second-rnn",
    NULL
  };
  GstStructure *d;

  fail_unless (c->n_windows > 1);
  push_case (h, c);
  expect_cues_of (h, c, "first-rnn");
  d = expect_one_warning (harness_bus (h), needles);
  fail_unless (d != NULL);
  fail_unless_equals_string (gst_structure_get_string (d, "rendered"),
      "first-rnn");
  fail_unless_equals_string (gst_structure_get_string (d, "ignored"),
      "second-rnn");
  gst_structure_free (d);
  harness_done (h);
}

GST_END_TEST;

GST_START_TEST (test_chosen)
{
  const RnnModeCase *c = need_mode_case ("n-to-1", 1, FALSE);
  GstHarness *h = two_rnn_harness (c, "second-rnn");

  push_case (h, c);
  expect_cues_of (h, c, "second-rnn");
  expect_no_warning (harness_bus (h));
  harness_done (h);
}

GST_END_TEST;

GST_START_TEST (test_unknown_source)
{
  const RnnModeCase *c = need_mode_case ("n-to-1", 1, FALSE);
  GstHarness *h = two_rnn_harness (c, "third-rnn");
  const gchar *needles[] = { "source=third-rnn", "first-rnn", NULL };

  push_case (h, c);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);
  check_one_warning (harness_bus (h), needles);
  harness_done (h);
}

GST_END_TEST;

static Suite *
rnntext_source_suite (void)
{
  Suite *s = suite_create ("rnntext-source");
  TCase *tc = tcase_create ("source");

  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_first_seen);
  tcase_add_test (tc, test_chosen);
  tcase_add_test (tc, test_unknown_source);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_source);
