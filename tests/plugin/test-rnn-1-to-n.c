/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mode=1-to-n: every input frame generates `steps` output frames (the
 * output rate is steps times the input rate), fed by repeating the frame,
 * the frame then zeros, or the model's own output; checked against
 * PyTorch's fixtures of tests/conformance/gen_modes.py ($RNN_MODES_DIR);
 * the models the mode refuses.  (Tensors: test-rnn-caps.c.) */
#include <string.h>

#include "rnn-test-gst.h"

static void
run_1n_case (const RnnModeCase * c, gboolean frame_by_frame)
{
  GstHarness *h = harness_mode (make_mode_rnn (c), c);
  guint S = c->steps, t0 = 0, s = 0;
  GstCaps *caps;
  const GstStructure *st;
  gint rate, channels;

  while (t0 < c->T) {
    guint k = frame_by_frame ? 1 : MIN (split_size (s++), c->T - t0);
    GstBuffer *out = gst_harness_push_and_pull (h, case_frames (c, t0, k));
    float *exp = rnn_test_slice (c->output, c->T * S, c->B, c->O,
        c->batch_first, t0 * S, k * S);
    double e = buffer_error (out, exp, (gsize) k * S * c->B * c->O);

    fail_unless (e <= RNN_TEST_TOLERANCE, "%s: frames [%u, %u): max error "
        "%g", c->name, t0, t0 + k, e);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (t0));
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (out),
        FRAME_TIME (t0 + k) - FRAME_TIME (t0));
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), (guint64) t0 * S);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (out),
        (guint64) (t0 + k) * S);
    fail_unless_equals_int (GST_BUFFER_IS_DISCONT (out), t0 == 0);
    gst_buffer_unref (out);
    g_free (exp);
    t0 += k;
  }

  caps = gst_pad_get_current_caps (h->sinkpad);
  st = gst_caps_get_structure (caps, 0);
  if (c->batch_first) {
    /* (B, T, F) travels as tensors: F:1:B in, O:S:B out */
    gchar *dims = g_strdup_printf ("%u:%u:%u", c->O, S, c->B);

    fail_unless_equals_string (gst_structure_get_string (st, "dimensions"),
        dims);
    g_free (dims);
  } else {
    fail_unless (gst_structure_get_int (st, "rate", &rate));
    fail_unless (gst_structure_get_int (st, "channels", &channels));
    fail_unless_equals_int (rate, RATE * S);
    fail_unless_equals_int (channels, c->B * c->O);
  }
  gst_caps_unref (caps);
  harness_done (h);
}

/* Every 1-to-n fixture in uneven blocks and frame by frame; they cover
 * every feed, with and without carry-state, both layouts. */
GST_START_TEST (test_fixtures)
{
  guint i, ran = 0;
  gboolean feed[3] = { FALSE, }, carry[2] = { FALSE, }, bf = FALSE;

  for (i = 0; i < mode_cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (mode_cases, i);

    if (!is_mode (c, "1-to-n"))
      continue;
    GST_INFO ("%s", c->name);
    run_1n_case (c, FALSE);
    run_1n_case (c, TRUE);
    feed[0] |= g_str_equal (c->feed, "repeat");
    feed[1] |= g_str_equal (c->feed, "first");
    feed[2] |= g_str_equal (c->feed, "feedback");
    carry[c->carry] = TRUE;
    bf |= c->batch_first;
    ran++;
  }
  fail_unless (ran > 0);
  fail_unless (feed[0] && feed[1] && feed[2] && carry[0] && carry[1] && bf);
}

GST_END_TEST;

/* feed=auto is repeat in 1-to-n. */
GST_START_TEST (test_feed_auto)
{
  const RnnModeCase *c = NULL;
  guint i;

  for (i = 0; i < mode_cases->len && !c; i++) {
    const RnnModeCase *x = g_ptr_array_index (mode_cases, i);
    if (is_mode (x, "1-to-n") && g_str_equal (x->feed, "repeat"))
      c = x;
  }
  fail_unless (c != NULL);
  {
    RnnModeCase copy = *c;
    copy.feed = "auto";
    run_1n_case (&copy, FALSE);
  }
}

GST_END_TEST;

/* feed=feedback needs the output size to equal the input size. */
GST_START_TEST (test_feedback_size_mismatch)
{
  gchar *path = tmp_model ("gru-1-2");
  GstElement *rnn;
  const gchar *needles[] = { "feedback", "output size (2)",
    "input size (1)", NULL
  };

  rnn_test_write_tiny_gru (path, 1, 2);
  rnn = make_plain_rnn (path, "1-to-n");
  gst_util_set_object_arg (G_OBJECT (rnn), "feed", "feedback");
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      needles);
  g_free (path);
}

GST_END_TEST;

/* A bidirectional model cannot generate frame by frame. */
GST_START_TEST (test_bidirectional_refused)
{
  guint i;
  const RnnModeCase *c = NULL;
  const gchar *needles[] = { "bidirectional", "1-to-n", NULL };

  for (i = 0; i < mode_cases->len && !c; i++) {
    const RnnModeCase *x = g_ptr_array_index (mode_cases, i);
    if (strstr (x->name, "_bi_"))
      c = x;
  }
  fail_unless (c != NULL);
  check_start_error (make_plain_rnn (c->model_path, "1-to-n"),
      GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS, needles);
}

GST_END_TEST;

static Suite *
rnn_1_to_n_suite (void)
{
  Suite *s = suite_create ("rnn-1-to-n");
  TCase *tc = tcase_create ("pytorch");

  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_fixtures);
  tcase_add_test (tc, test_feed_auto);
  tcase_add_test (tc, test_feedback_size_mismatch);
  tcase_add_test (tc, test_bidirectional_refused);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_1_to_n);
