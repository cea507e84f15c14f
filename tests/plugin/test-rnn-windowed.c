/* mode=n-to-n with window=W: bidirectional models run on windows of W
 * frames, each an independent sequence, the partial last window run or
 * dropped at EOS; checked against PyTorch's fixtures ($RNN_FIXTURE_DIR)
 * and the core.  (Without a window they are refused: test-rnn-errors.c;
 * the window's latency: test-rnn-timestamps.c.) */
#include "rnn-test-gst.h"

/* window=T: the blocks are collected and run as one sequence; every
 * bidirectional case without h0. */
GST_START_TEST (test_whole_sequence_window)
{
  guint i, ran = 0;

  for (i = 0; i < cases->len; i++) {
    const RnnTestCase *c = g_ptr_array_index (cases, i);
    GstElement *rnn;
    GstHarness *h;
    GstBuffer *out;
    guint s, t0 = 0;

    if (!c->bidirectional || c->has_h0)
      continue;
    rnn = make_case_rnn (c);
    g_object_set (rnn, "window", c->T, NULL);
    h = harness_case (rnn, c);
    for (s = 0; s < c->n_splits; s++) {
      fail_unless_equals_int (gst_harness_push (h,
              case_frames (c, t0, c->splits[s])), GST_FLOW_OK);
      t0 += c->splits[s];
      if (t0 < c->T)
        fail_unless (gst_harness_try_pull (h) == NULL,
            "output before the window is full");
    }
    out = gst_harness_pull (h);
    check_case_output (out, c, 0, c->T, "window");
    check_frame_stamps (out, 0, c->T);
    fail_unless (GST_BUFFER_IS_DISCONT (out));
    gst_buffer_unref (out);
    harness_done (h);
    ran++;
  }
  fail_unless (ran > 0, "no bidirectional fixture without h0");
}

GST_END_TEST;

/* Windows shorter than the sequence: each window is an independent
 * sequence (checked against the core run on the same frames), the last,
 * partial one comes out at EOS. */
GST_START_TEST (test_small_windows)
{
  const RnnTestCase *c = need_bidi_case ();
  guint W = c->T / 3 + 1, n_win = (c->T + W - 1) / W, w, s, t0 = 0;
  GstElement *rnn = make_case_rnn (c);
  RnnModel *model = load_model (c->model_path);
  RnnState *state = rnn_state_new (model, c->B, W, NULL);
  GstHarness *h;

  g_object_set (rnn, "window", W, NULL);
  h = harness_case (rnn, c);
  for (s = 0; s < c->n_splits; s++) {
    fail_unless_equals_int (gst_harness_push (h,
            case_frames (c, t0, c->splits[s])), GST_FLOW_OK);
    t0 += c->splits[s];
  }
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), n_win);

  for (w = 0; w < n_win; w++) {
    guint k = MIN (W, c->T - w * W);
    float *in = rnn_test_slice (c->input, c->T, c->B, c->F, c->batch_first,
        w * W, k);
    float *exp = g_new (float, (gsize) k * c->B * c->O);
    gchar *what = g_strdup_printf ("%s: window %u", c->name, w);
    GstBuffer *out;

    rnn_state_reset (state);
    fail_unless (rnn_state_process_window (state, in, k,
            c->batch_first ? RNN_RUN_BATCH_FIRST : RNN_RUN_NONE, exp, NULL));
    out = pull_checked (h, exp, (gsize) k * c->B * c->O, RNN_TEST_TOLERANCE,
        what);
    check_frame_stamps (out, w * W, k);
    fail_unless_equals_int (GST_BUFFER_IS_DISCONT (out), w == 0);
    gst_buffer_unref (out);
    g_free (what);
    g_free (in);
    g_free (exp);
  }
  harness_done (h);
  rnn_state_free (state);
  rnn_model_unref (model);
}

GST_END_TEST;

/* A window longer than the stream: at EOS the partial window is run
 * (partial-window=auto, row 0) or dropped (partial-window=drop, row 1). */
GST_START_TEST (test_partial_window_at_eos)
{
  gboolean drop = __i__ == 1;
  const RnnTestCase *c = need_bidi_case ();
  GstElement *rnn = make_case_rnn (c);
  GstHarness *h;
  GstBuffer *out;

  g_object_set (rnn, "window", c->T + 7, NULL);
  if (drop)
    gst_util_set_object_arg (G_OBJECT (rnn), "partial-window", "drop");
  h = harness_case (rnn, c);
  fail_unless_equals_int (gst_harness_push (h, case_frames (c, 0, c->T)),
      GST_FLOW_OK);
  fail_unless (gst_harness_try_pull (h) == NULL);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  if (drop) {
    fail_unless (gst_harness_try_pull (h) == NULL);
  } else {
    out = gst_harness_pull (h);
    check_case_output (out, c, 0, c->T, "partial window at EOS");
    gst_buffer_unref (out);
  }
  harness_done (h);
}

GST_END_TEST;

static Suite *
rnn_windowed_suite (void)
{
  Suite *s = suite_create ("rnn-windowed");
  TCase *tc = tcase_create ("bidirectional");

  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_whole_sequence_window);
  tcase_add_test (tc, test_small_windows);
  tcase_add_loop_test (tc, test_partial_window_at_eos, 0, 2);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_windowed);
