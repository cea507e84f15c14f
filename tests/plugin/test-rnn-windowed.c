/* SPDX-License-Identifier: LGPL-2.1-or-later */
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

/* --------------------------------------- events in order with the data */

/* What reaches the harness's sink pad, in order: 'B' per buffer, 'G' per
 * GAP event, 'D' per SEGMENT_DONE. */
static GstPadProbeReturn
record_order (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  GString *order = user_data;

  if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_BUFFER) {
    g_string_append_c (order, 'B');
  } else if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);

    if (GST_EVENT_TYPE (ev) == GST_EVENT_GAP)
      g_string_append_c (order, 'G');
    else if (GST_EVENT_TYPE (ev) == GST_EVENT_SEGMENT_DONE)
      g_string_append_c (order, 'D');
  }
  return GST_PAD_PROBE_OK;
}

/* Half a window, then an event: a GAP event (row 0) or SEGMENT_DONE (row
 * 1) ends the sequence, so the held frames come out, as a partial window,
 * before the event reaches downstream; the same CAPS event again (row 2)
 * changes nothing: the window goes on and comes out whole. */
GST_START_TEST (test_event_in_order)
{
  const RnnTestCase *c = need_bidi_case ();
  GstElement *rnn = make_case_rnn (c);
  GString *order = g_string_new (NULL);
  guint half = c->T / 2;
  GstHarness *h;
  GstBuffer *out;
  GstEvent *ev;

  g_object_set (rnn, "window", c->T, NULL);
  h = harness_case (rnn, c);
  gst_pad_add_probe (h->sinkpad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, record_order, order, NULL);
  fail_unless_equals_int (gst_harness_push (h, case_frames (c, 0, half)),
      GST_FLOW_OK);
  fail_unless (gst_harness_try_pull (h) == NULL);
  switch (__i__) {
    case 0:
      ev = gst_event_new_gap (FRAME_TIME (half), FRAME_TIME (10));
      break;
    case 1:
      ev = gst_event_new_segment_done (GST_FORMAT_TIME, FRAME_TIME (half));
      break;
    default:{
      GstCaps *caps = gst_pad_get_current_caps (h->srcpad);

      ev = gst_event_new_caps (caps);
      gst_caps_unref (caps);
      break;
    }
  }
  fail_unless (gst_harness_push_event (h, ev));
  if (__i__ < 2) {
    float *in = rnn_test_slice (c->input, c->T, c->B, c->F, c->batch_first,
        0, half);
    RnnModel *model = load_model (c->model_path);
    RnnState *state = rnn_state_new (model, c->B, half, NULL);
    float *exp = g_new (float, (gsize) half * c->B * c->O);

    fail_unless_equals_string (order->str, __i__ == 0 ? "BG" : "BD");
    fail_unless (rnn_state_process_window (state, in, half,
            c->batch_first ? RNN_RUN_BATCH_FIRST : RNN_RUN_NONE, exp, NULL));
    out = pull_checked (h, exp, (gsize) half * c->B * c->O,
        RNN_TEST_TOLERANCE, "held frames before the event");
    check_frame_stamps (out, 0, half);
    gst_buffer_unref (out);
    g_free (exp);
    g_free (in);
    rnn_state_free (state);
    rnn_model_unref (model);
  } else {
    fail_unless (gst_harness_try_pull (h) == NULL,
        "the same caps again cut the window");
    fail_unless_equals_int (gst_harness_push (h,
            case_frames (c, half, c->T - half)), GST_FLOW_OK);
    out = gst_harness_pull (h);
    check_case_output (out, c, 0, c->T, "window across the same caps");
    gst_buffer_unref (out);
  }
  harness_done (h);
  g_string_free (order, TRUE);
}

GST_END_TEST;

/* Downstream refuses one output (NOT_LINKED): the rest of that input and
 * the next input buffer are still used (the base class queues the next
 * buffer without asking for the rest of the last one). */
static GstPadProbeReturn
refuse_first (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  gint *refused = user_data;

  if (*refused)
    return GST_PAD_PROBE_OK;
  *refused = 1;
  GST_PAD_PROBE_INFO_FLOW_RETURN (info) = GST_FLOW_NOT_LINKED;
  gst_buffer_unref (GST_PAD_PROBE_INFO_BUFFER (info));
  GST_PAD_PROBE_INFO_DATA (info) = NULL;
  return GST_PAD_PROBE_HANDLED;
}

GST_START_TEST (test_not_linked_keeps_input)
{
  const RnnTestCase *c = need_bidi_case ();
  guint W = c->T / 4, w;
  GstElement *rnn = make_case_rnn (c);
  GstPad *src = gst_element_get_static_pad (rnn, "src");
  RnnModel *model = load_model (c->model_path);
  RnnState *state = rnn_state_new (model, c->B, W, NULL);
  gint refused = 0;
  GstHarness *h;

  g_object_set (rnn, "window", W, NULL);
  h = harness_case (rnn, c);
  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, refuse_first, &refused,
      NULL);
  /* 1.5 windows: the first window's push is refused */
  fail_unless_equals_int (gst_harness_push (h, case_frames (c, 0, W + W / 2)),
      GST_FLOW_NOT_LINKED);
  /* 1.5 windows more: windows 1 and 2 complete with it */
  fail_unless_equals_int (gst_harness_push (h,
          case_frames (c, W + W / 2, W + W / 2)), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 2);
  for (w = 1; w < 3; w++) {
    float *in = rnn_test_slice (c->input, c->T, c->B, c->F, c->batch_first,
        w * W, W);
    float *exp = g_new (float, (gsize) W * c->B * c->O);
    GstBuffer *out;

    rnn_state_reset (state);
    fail_unless (rnn_state_process_window (state, in, W,
            c->batch_first ? RNN_RUN_BATCH_FIRST : RNN_RUN_NONE, exp, NULL));
    out = pull_checked (h, exp, (gsize) W * c->B * c->O, RNN_TEST_TOLERANCE,
        "window after a refused push");
    check_frame_stamps (out, w * W, W);
    gst_buffer_unref (out);
    g_free (in);
    g_free (exp);
  }
  harness_done (h);
  gst_object_unref (src);
  rnn_state_free (state);
  rnn_model_unref (model);
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
  tcase_add_loop_test (tc, test_event_in_order, 0, 3);
  tcase_add_test (tc, test_not_linked_keeps_input);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_windowed);
