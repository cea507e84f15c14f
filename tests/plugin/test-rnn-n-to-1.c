/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mode=n-to-1: the audio passes through untouched, and every window of
 * W frames (every hop frames) gives one result per stream: a
 * GstRnnResultMeta on the buffer where the window ends and an "rnn"
 * element message, both equal to PyTorch's scores (fixtures of
 * tests/conformance/gen_modes.py, $RNN_MODES_DIR); the tail at EOS; what
 * resets the window in progress; labels that do not fit the model.
 * (Caps and tensors: test-rnn-caps.c.) */
#include <math.h>
#include <string.h>

#include "rnn-test-gst.h"

/* Push the whole input in uneven blocks (or one buffer); every output
 * buffer must be the input buffer, bit-exact, with one meta per stream for
 * every window that ends in it; the bus carries the same results. */
static void
run_n1_case (const RnnModeCase * c, gboolean one_buffer)
{
  GstHarness *h = harness_mode (make_mode_rnn (c), c);
  GstBus *bus = harness_bus (h);
  RnnModel *model;
  const char *const *labels = case_labels (c, &model);
  guint t0 = 0, s = 0, w = 0, msg_w = 0;
  GArray *msgs;

  while (t0 < c->T) {
    guint k = one_buffer ? c->T : MIN (split_size (s++), c->T - t0);
    GstBuffer *in = case_frames (c, t0, k), *out;
    GstMapInfo inmap, outmap;
    GArray *metas;
    guint i, expected = 0;

    gst_buffer_ref (in);
    fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
    out = gst_harness_pull (h);

    /* the audio passes through untouched */
    fail_unless (gst_buffer_map (in, &inmap, GST_MAP_READ));
    fail_unless (gst_buffer_map (out, &outmap, GST_MAP_READ));
    fail_unless_equals_uint64 (outmap.size, inmap.size);
    fail_unless (memcmp (inmap.data, outmap.data, inmap.size) == 0,
        "%s: audio changed", c->name);
    gst_buffer_unmap (out, &outmap);
    gst_buffer_unmap (in, &inmap);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (t0));
    gst_buffer_unref (in);

    /* windows ending in [t0, t0 + k) */
    while (w + expected < c->n_windows
        && (guint) c->starts[w + expected] + c->window <= t0 + k)
      expected++;
    metas = buffer_results (out);
    fail_unless_equals_int (metas->len, expected * c->B);
    for (i = 0; i < metas->len; i++) {
      guint wi = w + i / c->B, b = i % c->B;
      check_result (c, &g_array_index (metas, Result, i),
          c->scores + ((gsize) wi * c->B + b) * c->O, b,
          (guint) c->starts[wi], c->window, labels, "meta");
    }
    w += expected;
    g_array_unref (metas);

    msgs = bus_results (bus);
    fail_unless_equals_int (msgs->len, expected * c->B);
    for (i = 0; i < msgs->len; i++) {
      const Result *r = &g_array_index (msgs, Result, i);
      guint wi = msg_w + i / c->B, b = i % c->B;

      check_result (c, r, c->scores + ((gsize) wi * c->B + b) * c->O, b,
          (guint) c->starts[wi], c->window, labels, "message");
      /* the harness segment starts at 0 */
      fail_unless_equals_uint64 (r->running_time, r->ts);
      fail_unless_equals_uint64 (r->stream_time, r->ts);
    }
    msg_w += msgs->len / c->B;
    g_array_unref (msgs);
    gst_buffer_unref (out);
    t0 += k;
  }
  fail_unless_equals_int (w, c->n_windows);

  /* EOS: partial-window defaults to drop in n-to-1 */
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  msgs = bus_results (bus);
  fail_unless_equals_int (msgs->len, 0);
  g_array_unref (msgs);
  rnn_model_unref (model);
  harness_done (h);
}

GST_START_TEST (test_fixtures)
{
  guint i, ran = 0;
  gboolean bidi = FALSE, overlap = FALSE, bf = FALSE, b3 = FALSE;
  gboolean pool[3] = { FALSE, };

  fail_unless (mode_cases->len > 0, "no fixtures in %s",
      rnn_test_modes_dir ());
  for (i = 0; i < mode_cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (mode_cases, i);

    if (!is_mode (c, "n-to-1"))
      continue;
    GST_INFO ("%s", c->name);
    run_n1_case (c, FALSE);
    run_n1_case (c, TRUE);
    bidi |= strstr (c->name, "_bi_") != NULL;
    overlap |= c->hop < c->window;
    bf |= c->batch_first;
    b3 |= c->B == 3;
    pool[0] |= g_str_equal (c->pooling, "last");
    pool[1] |= g_str_equal (c->pooling, "final-state");
    pool[2] |= g_str_equal (c->pooling, "mean");
    ran++;
  }
  fail_unless (ran > 0);
  fail_unless (bidi && overlap && bf && b3 && pool[0] && pool[1] && pool[2],
      "n-to-1 fixtures do not cover bidirectional, overlap, layouts, B=3 "
      "and every pooling");
}

GST_END_TEST;

/* partial-window=run: at EOS the tail is run as a shorter window and
 * posted on the bus (no buffer is left to carry a meta). */
GST_START_TEST (test_partial_window_run)
{
  guint i, ran = 0;

  for (i = 0; i < mode_cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (mode_cases, i);
    GstElement *rnn;
    GstHarness *h;
    GstBus *bus;
    RnnModel *model;
    const char *const *labels;
    GArray *msgs;
    guint b;

    if (!is_mode (c, "n-to-1") || c->tail == NULL)
      continue;
    labels = case_labels (c, &model);
    rnn = make_mode_rnn (c);
    gst_util_set_object_arg (G_OBJECT (rnn), "partial-window", "run");
    h = harness_case (rnn, c);
    bus = harness_bus (h);
    gst_buffer_unref (gst_harness_push_and_pull (h, case_frames (c, 0,
                c->T)));
    msgs = bus_results (bus);
    fail_unless_equals_int (msgs->len, c->n_windows * c->B);
    g_array_unref (msgs);

    fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
    msgs = bus_results (bus);
    fail_unless_equals_int (msgs->len, c->B);
    for (b = 0; b < c->B; b++)
      check_result (c, &g_array_index (msgs, Result, b),
          c->tail + (gsize) b * c->O, b, c->tail_start, c->tail_frames,
          labels, "tail");
    g_array_unref (msgs);
    rnn_model_unref (model);
    harness_done (h);
    ran++;
  }
  fail_unless (ran > 0, "no n-to-1 fixture with a tail");
}

GST_END_TEST;

/* post-messages=false: metas only. */
GST_START_TEST (test_no_messages)
{
  const RnnModeCase *c = need_mode_case ("n-to-1", 3, FALSE);
  GstElement *rnn = make_mode_rnn (c);
  GstHarness *h;
  GstBuffer *out;
  GArray *a;

  g_object_set (rnn, "post-messages", FALSE, NULL);
  h = harness_case (rnn, c);
  out = gst_harness_push_and_pull (h, case_frames (c, 0, c->T));
  a = buffer_results (out);
  fail_unless_equals_int (a->len, c->n_windows * c->B);
  g_array_unref (a);
  a = bus_results (harness_bus (h));
  fail_unless_equals_int (a->len, 0);
  g_array_unref (a);
  gst_buffer_unref (out);
  harness_done (h);
}

GST_END_TEST;

/* Labels that do not match the head's width are refused at start. */
GST_START_TEST (test_labels_mismatch)
{
  gchar *path = tmp_model ("labels");
  gsize s_ih[2] = { 9, 2 }, s_hh[2] = { 9, 3 };
  const gsize *shapes[] = { s_ih, s_hh };
  guint ndims[] = { 2, 2 };
  const gchar *names[] = { "weight_ih_l0", "weight_hh_l0", NULL };
  float w_ih[18] = { 0.1f, }, w_hh[27] = { 0.2f, };
  const float *data[] = { w_ih, w_hh };
  const gchar *meta[] = { "rnn.labels", "a,b", NULL };
  const gchar *needles[] = { "rnn.labels", "2 label", "3", NULL };
  GstElement *rnn;

  rnn_test_write_safetensors (path, names, shapes, ndims, data, meta);
  rnn = make_plain_rnn (path, "n-to-1");
  g_object_set (rnn, "window", 4, NULL);
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
      needles);
  g_free (path);
}

GST_END_TEST;

/* ------------------------------------------------------------ resets */

static const gchar *const reset_kinds[] = {
  "discont", "flush", "segment", "signal"
};

/* A partial window of other frames, then a reset of each kind: the first
 * window after it must equal PyTorch's first window (zero state). */
GST_START_TEST (test_reset_drops_window)
{
  const gchar *how = reset_kinds[__i__];
  const RnnModeCase *c = NULL;
  GstHarness *h;
  GstBuffer *in;
  GArray *a;
  RnnModel *model;
  const char *const *labels;
  guint i;

  for (i = 0; i < mode_cases->len && !c; i++) {
    const RnnModeCase *x = g_ptr_array_index (mode_cases, i);
    if (is_mode (x, "n-to-1") && !x->carry && x->window >= 4)
      c = x;
  }
  fail_unless (c != NULL);
  labels = case_labels (c, &model);
  h = harness_mode (make_mode_rnn (c), c);

  gst_buffer_unref (gst_harness_push_and_pull (h,
          case_frames (c, c->T - c->window / 2, c->window / 2)));
  in = case_frames (c, 0, c->window);
  if (g_str_equal (how, "flush")) {
    GstSegment seg;

    fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
    fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
    gst_segment_init (&seg, GST_FORMAT_TIME);
    fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
  } else if (g_str_equal (how, "segment")) {
    GstSegment seg;

    gst_segment_init (&seg, GST_FORMAT_TIME);
    fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
  } else if (g_str_equal (how, "signal")) {
    g_signal_emit_by_name (h->element, "reset");
  } else {
    GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DISCONT);
  }
  gst_buffer_unref (gst_harness_push_and_pull (h, in));
  a = bus_results (harness_bus (h));
  fail_unless (a->len == c->B, "%s: %u results", how, a->len);
  for (i = 0; i < c->B; i++)
    check_result (c, &g_array_index (a, Result, i),
        c->scores + (gsize) i * c->O, i, 0, c->window, labels, how);
  g_array_unref (a);
  rnn_model_unref (model);
  harness_done (h);
}

GST_END_TEST;

/* A DISCONT with reset-on-discont=false keeps the pending frames: the
 * first result then covers them (and differs from PyTorch's window 0). */
GST_START_TEST (test_discont_kept)
{
  const RnnModeCase *c = need_mode_case ("n-to-1", 1, FALSE);
  GstElement *rnn = make_mode_rnn (c);
  GstHarness *h;
  GstBuffer *in;
  GArray *a;

  g_object_set (rnn, "reset-on-discont", FALSE, NULL);
  h = harness_case (rnn, c);
  gst_buffer_unref (gst_harness_push_and_pull (h,
          case_frames (c, c->T - 3, 3)));
  in = case_frames (c, 0, c->window);
  GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DISCONT);
  gst_buffer_unref (gst_harness_push_and_pull (h, in));
  a = bus_results (harness_bus (h));
  fail_unless_equals_int (a->len, c->B);
  fail_unless_equals_int (g_array_index (a, Result, 0).frames, c->window);
  fail_unless (rnn_test_max_err (g_array_index (a, Result, 0).scores,
          c->scores, c->O) > RNN_TEST_TOLERANCE,
      "the pending frames were dropped");
  g_array_unref (a);
  harness_done (h);
}

GST_END_TEST;

/* Two n-to-1 elements in one pipeline: every result says which element
 * (and model) it comes from, on the buffer and on the bus. */
GST_START_TEST (test_results_name_element)
{
  const RnnModeCase *c = need_mode_case ("n-to-1", 0, FALSE);
  gchar *launch = g_strdup_printf ("rnn name=first mode=n-to-1 window=%u "
      "model=\"%s\" ! rnn name=second mode=n-to-1 window=%u model=\"%s\"",
      c->window, c->model_path, c->window, c->model_path);
  GstHarness *h = gst_harness_new_parse (launch);
  gchar *caps = audio_caps (c->B * c->F, RATE);
  GstBus *bus = gst_bus_new ();
  guint i, n_first = 0, n_second = 0;
  GstBuffer *out;
  GArray *res;

  gst_element_set_bus (h->element, bus);
  gst_harness_set_src_caps_str (h, caps);
  fail_unless_equals_int (gst_harness_push (h, case_frames (c, 0,
              c->window)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  res = buffer_results (out);
  fail_unless_equals_int (res->len, 2 * c->B);
  for (i = 0; i < res->len; i++) {
    const Result *r = &g_array_index (res, Result, i);

    n_first += g_strcmp0 (r->element, "first") == 0;
    n_second += g_strcmp0 (r->element, "second") == 0;
    fail_unless_equals_string (r->model, c->model_path);
    fail_unless (r->valid);
  }
  fail_unless_equals_int (n_first, c->B);
  fail_unless_equals_int (n_second, c->B);
  g_array_unref (res);
  res = bus_results (bus);
  fail_unless_equals_int (res->len, 2 * c->B);
  g_array_unref (res);
  gst_buffer_unref (out);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  g_free (caps);
  g_free (launch);
}

GST_END_TEST;

/* A window whose scores are not finite (a NaN let through with
 * non-finite=propagate) is marked valid=false and names no class; the
 * other streams' results are valid. */
GST_START_TEST (test_non_finite_scores)
{
  const RnnModeCase *c = need_mode_case ("n-to-1", 3, FALSE);
  GstElement *rnn = make_mode_rnn (c);
  float *x = g_memdup2 (c->input, (gsize) c->T * c->B * c->F * sizeof (float));
  GstHarness *h;
  GstBuffer *out;
  GArray *res;
  guint i;

  gst_util_set_object_arg (G_OBJECT (rnn), "non-finite", "propagate");
  h = harness_case (rnn, c);
  x[1 * c->F] = NAN;            /* frame 0, stream 1 */
  out = push_pull (h, frames_buffer (x, c->T, c->B, c->F, FALSE, 0,
          c->window));
  res = buffer_results (out);
  fail_unless_equals_int (res->len, c->B);
  for (i = 0; i < res->len; i++) {
    const Result *r = &g_array_index (res, Result, i);

    fail_unless_equals_int (r->valid, r->stream != 1);
  }
  g_array_unref (res);
  gst_buffer_unref (out);
  harness_done (h);
  g_free (x);
}

GST_END_TEST;

/* Nobody reads the bus: 50 streams, a result every 2 frames, 20,000
 * results; at most 4096 messages wait unread (then one WARNING), memory
 * stays bounded, and the metas still carry every result. */
GST_START_TEST (test_unread_bus_bounded)
{
  gchar *model = tiny_model (1, 2);
  GstElement *rnn = make_plain_rnn (model, "n-to-1");
  float *x = rnn_test_make_input (10, 50, 1, 0.3f);
  const gchar *needles[] = { "4096", "unread", "post-messages", NULL };
  guint i, n_messages = 0, n_warnings = 0;
  GstHarness *h;
  GstMessage *msg;
  GstBuffer *out;
  GArray *res;

  g_object_set (rnn, "window", 2, NULL);
  h = harness_audio (rnn, 50);
  for (i = 0; i < 80; i++) {
    GstBuffer *in = tm_frames (x, 50, 1, 0, 10);

    GST_BUFFER_PTS (in) = FRAME_TIME (10 * i);
    out = push_pull (h, in);
    if (i == 79) {
      res = buffer_results (out);
      fail_unless_equals_int (res->len, 5 * 50);
      g_array_unref (res);
    }
    gst_buffer_unref (out);
  }
  while ((msg = gst_bus_pop (harness_bus (h)))) {
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT)
      n_messages++;
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING) {
      GError *err = NULL;

      gst_message_parse_warning (msg, &err, NULL);
      for (guint k = 0; needles[k]; k++)
        fail_unless (strstr (err->message, needles[k]), "%s", err->message);
      g_error_free (err);
      n_warnings++;
    }
    gst_message_unref (msg);
  }
  fail_unless_equals_int (n_messages, 4096);
  fail_unless_equals_int (n_warnings, 1);
  /* read again: results are posted again */
  out = push_pull (h, tm_frames (x, 50, 1, 0, 10));
  gst_buffer_unref (out);
  res = bus_results (harness_bus (h));
  fail_unless_equals_int (res->len, 5 * 50);
  g_array_unref (res);
  harness_done (h);
  g_free (x);
  g_free (model);
}

GST_END_TEST;

/* Silence as GAP buffers passes through with its own flags: no DISCONT is
 * added, time goes on. */
GST_START_TEST (test_gap_not_discont)
{
  const RnnModeCase *c = need_mode_case ("n-to-1", 0, FALSE);
  GstHarness *h = harness_mode (make_mode_rnn (c), c);
  GstBuffer *in, *out;

  gst_buffer_unref (push_pull (h, case_frames (c, 0, 10)));
  in = case_frames (c, 10, 10);
  GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_GAP);
  out = push_pull (h, in);
  fail_if (GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);
  out = push_pull (h, case_frames (c, 20, 10));
  fail_if (GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);
  harness_done (h);
}

GST_END_TEST;

static Suite *
rnn_n_to_1_suite (void)
{
  Suite *s = suite_create ("rnn-n-to-1");
  TCase *tc;

  tc = tcase_create ("pytorch");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_fixtures);
  tcase_add_test (tc, test_partial_window_run);
  tcase_add_test (tc, test_no_messages);
  tcase_add_test (tc, test_labels_mismatch);
  tcase_add_test (tc, test_results_name_element);
  tcase_add_test (tc, test_non_finite_scores);
  tcase_add_test (tc, test_gap_not_discont);
  tcase_add_test (tc, test_unread_bus_bounded);
  suite_add_tcase (s, tc);

  tc = tcase_create ("state");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_loop_test (tc, test_reset_drops_window, 0,
      G_N_ELEMENTS (reset_kinds));
  tcase_add_test (tc, test_discont_kept);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_n_to_1);
