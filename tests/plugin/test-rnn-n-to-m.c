/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mode=n-to-m: an encoder-decoder pair; every window of W frames (every
 * hop frames) is encoded and the decoder forecasts `steps` frames, stamped
 * at the window's end; checked against PyTorch's fixtures of
 * tests/conformance/gen_modes.py ($RNN_MODES_DIR), the tail at EOS, a
 * DISCONT dropping the window in progress, and the models the mode
 * refuses.  (Tensors: test-rnn-caps.c.) */
#include <string.h>

#include "rnn-test-gst.h"

static void
run_nm_case (const RnnModeCase * c, gboolean one_buffer, gboolean run_tail)
{
  GstElement *rnn = make_mode_rnn (c);
  GstHarness *h;
  guint t0 = 0, s = 0, w = 0;
  gsize n = (gsize) c->steps * c->B * c->O;
  GstCaps *caps;
  const GstStructure *st;
  gint rate, channels;

  if (run_tail)
    gst_util_set_object_arg (G_OBJECT (rnn), "partial-window", "run");
  h = harness_mode (rnn, c);
  while (t0 < c->T) {
    guint k = one_buffer ? c->T : MIN (split_size (s++), c->T - t0);

    fail_unless_equals_int (gst_harness_push (h, case_frames (c, t0, k)),
        GST_FLOW_OK);
    t0 += k;
    /* a forecast for every window that has ended */
    while (w < c->n_windows && (guint) c->starts[w] + c->window <= t0) {
      GstBuffer *out = gst_harness_pull (h);

      check_forecast (c, out, c->output + w * n,
          (guint) c->starts[w] + c->window, "window");
      fail_unless_equals_int (GST_BUFFER_IS_DISCONT (out), w == 0);
      gst_buffer_unref (out);
      w++;
    }
    fail_unless (gst_harness_try_pull (h) == NULL, "%s: early output",
        c->name);
  }
  fail_unless_equals_int (w, c->n_windows);

  caps = gst_pad_get_current_caps (h->sinkpad);
  st = gst_caps_get_structure (caps, 0);
  if (gst_structure_has_name (st, "other/tensors")) {
    /* (B, T, F), or forecasts that do not tile the time line, travel as
     * tensors: one O:steps:B or B*O:steps tensor per forecast */
    gchar *dims = c->batch_first ?
        g_strdup_printf ("%u:%u:%u", c->O, c->steps, c->B) :
        g_strdup_printf ("%u:%u", c->B * c->O, c->steps);

    fail_unless_equals_string (gst_structure_get_string (st, "dimensions"),
        dims);
    g_free (dims);
  } else {
    fail_unless (gst_structure_get_int (st, "rate", &rate));
    fail_unless (gst_structure_get_int (st, "channels", &channels));
    fail_unless_equals_int (rate, RATE);
    fail_unless_equals_int (channels, c->B * c->O);
  }
  gst_caps_unref (caps);

  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  if (run_tail && c->tail) {
    GstBuffer *out = gst_harness_pull (h);

    check_forecast (c, out, c->tail, c->T, "tail");
    gst_buffer_unref (out);
  }
  fail_unless (gst_harness_try_pull (h) == NULL, "%s: output after EOS",
      c->name);
  harness_done (h);
}

/* Every n-to-m fixture in uneven blocks and as one buffer; they cover
 * both feeds, LSTM and GRU, B=3, both layouts. */
GST_START_TEST (test_fixtures)
{
  guint i, ran = 0;
  gboolean feed[2] = { FALSE, }, lstm = FALSE, gru = FALSE, b3 = FALSE;
  gboolean bf = FALSE;

  for (i = 0; i < mode_cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (mode_cases, i);

    if (!is_mode (c, "n-to-m"))
      continue;
    GST_INFO ("%s", c->name);
    run_nm_case (c, FALSE, FALSE);
    run_nm_case (c, TRUE, FALSE);
    feed[0] |= g_str_equal (c->feed, "context");
    feed[1] |= g_str_equal (c->feed, "feedback");
    lstm |= strstr (c->name, "lstm") != NULL;
    gru |= strstr (c->name, "gru") != NULL;
    b3 |= c->B == 3;
    bf |= c->batch_first;
    ran++;
  }
  fail_unless (ran > 0);
  fail_unless (feed[0] && feed[1] && lstm && gru && b3 && bf);
}

GST_END_TEST;

/* partial-window=run: the tail's forecast at EOS. */
GST_START_TEST (test_partial_window_run)
{
  guint i, ran = 0;

  for (i = 0; i < mode_cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (mode_cases, i);

    if (!is_mode (c, "n-to-m") || !c->tail)
      continue;
    run_nm_case (c, FALSE, TRUE);
    ran++;
  }
  fail_unless (ran > 0);
}

GST_END_TEST;

/* A DISCONT drops the pending frames: the next window is PyTorch's
 * window 0. */
GST_START_TEST (test_reset_discont)
{
  const RnnModeCase *c = need_mode_case ("n-to-m", 0, FALSE);
  GstHarness *h = harness_mode (make_mode_rnn (c), c);
  GstBuffer *in, *out;

  fail_unless_equals_int (gst_harness_push (h, case_frames (c,
              c->T - c->window / 2, c->window / 2)), GST_FLOW_OK);
  fail_unless (gst_harness_try_pull (h) == NULL);
  in = case_frames (c, 0, c->window);
  GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DISCONT);
  out = gst_harness_push_and_pull (h, in);
  check_forecast (c, out, c->output, c->window, "after discont");
  fail_unless (GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);
  harness_done (h);
}

GST_END_TEST;

/* --------------------------------------------------- refused models */

/* A plain (1-to-n) model has no encoder and decoder. */
GST_START_TEST (test_no_decoder)
{
  const RnnModeCase *c = need_mode_case ("1-to-n", 0, FALSE);
  GstElement *rnn = make_plain_rnn (c->model_path, "n-to-m");
  const gchar *needles[] = { "n-to-m", "encoder", "decoder", NULL };

  g_object_set (rnn, "window", 4, NULL);
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
      needles);
}

GST_END_TEST;

/* An encoder without a decoder. */
GST_START_TEST (test_encoder_only)
{
  gchar *path = tmp_model ("encoder-only");
  GstElement *rnn;
  const gchar *needles[] = { "n-to-m", "no usable decoder",
    "decoder.weight_ih_l0", NULL
  };

  rnn_test_write_gru_seq2seq (path, 2, 3, 0, 0);
  rnn = make_plain_rnn (path, "n-to-m");
  g_object_set (rnn, "window", 4, NULL);
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
      needles);
  g_free (path);
}

GST_END_TEST;

/* The decoder's state must have the encoder's size. */
GST_START_TEST (test_state_mismatch)
{
  gchar *path = tmp_model ("s2s-mismatch");
  GstElement *rnn;
  const gchar *needles[] = { "encoder", "decoder", "hidden 3", "hidden 4",
    NULL
  };

  rnn_test_write_gru_seq2seq (path, 2, 3, 3, 4);
  rnn = make_plain_rnn (path, "n-to-m");
  g_object_set (rnn, "window", 4, NULL);
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      needles);
  g_free (path);
}

GST_END_TEST;

/* The decoder's input must fit the feed: its output (feedback) or the
 * encoder's output (context). */
GST_START_TEST (test_feed_size_mismatch)
{
  gchar *path = tmp_model ("s2s");
  gchar *path2 = tmp_model ("s2s-ctx");
  GstElement *rnn;
  const gchar *needles_fb[] = { "feedback", "input size (3)",
    "output size (3)", "encoder's input size (2)", NULL
  };
  const gchar *needles_ctx[] = { "context", "(3 values)", "input size is 2",
    NULL
  };

  /* decoder input 3 = encoder output 3: context works, feedback not */
  rnn_test_write_gru_seq2seq (path, 2, 3, 3, 3);
  rnn = make_plain_rnn (path, "n-to-m");
  g_object_set (rnn, "window", 4, NULL);
  gst_util_set_object_arg (G_OBJECT (rnn), "feed", "feedback");
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      needles_fb);

  rnn_test_write_gru_seq2seq (path2, 2, 3, 2, 3);
  rnn = make_plain_rnn (path2, "n-to-m");
  g_object_set (rnn, "window", 4, NULL);
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      needles_ctx);
  g_free (path);
  g_free (path2);
}

GST_END_TEST;

/* The same context model works, and its output has the decoder's width. */
GST_START_TEST (test_written_model_runs)
{
  gchar *path = tmp_model ("s2s-ok");
  GstElement *rnn;
  GstHarness *h;
  GstBuffer *out;
  float in[2 * 4] = { 0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f, 0.7f, -0.8f };

  rnn_test_write_gru_seq2seq (path, 2, 3, 3, 3);
  rnn = make_plain_rnn (path, "n-to-m");
  g_object_set (rnn, "window", 4, "hop", 5, "steps", 5, NULL);
  h = harness_audio (rnn, 2);
  out = gst_harness_push_and_pull (h, gst_buffer_new_memdup (in,
          sizeof (in)));
  fail_unless_equals_uint64 (gst_buffer_get_size (out), 5 * 3 * 4);
  gst_buffer_unref (out);
  harness_done (h);
  g_free (path);
}

GST_END_TEST;

/* Forecasts of steps frames every hop frames with steps != hop do not
 * tile the time line: refused on audio caps (audio elements would misread
 * the stream), with the reason; tensors take them. */
GST_START_TEST (test_audio_needs_tiling)
{
  gchar *path = tmp_model ("s2s-tiling");
  const gchar *needles[] = { "steps=3", "hop=4", "leaves gaps",
    "other/tensors", NULL
  };
  GstElement *rnn;
  GstHarness *h;
  GstSegment segment;
  GstBuffer *buf;

  rnn_test_write_gru_seq2seq (path, 2, 3, 3, 3);
  rnn = make_plain_rnn (path, "n-to-m");
  g_object_set (rnn, "window", 4, "steps", 3, NULL);
  h = harness_new (rnn, NULL);
  push_caps_str (h, "audio/x-raw, format=F32LE, layout=interleaved, "
      "rate=100, channels=2");
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_harness_push_event (h, gst_event_new_segment (&segment));
  buf = gst_buffer_new_allocate (NULL, 8, NULL);
  gst_buffer_memset (buf, 0, 0, 8);
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_NOT_NEGOTIATED);
  check_bus_error (harness_bus (h), GST_CORE_ERROR,
      GST_CORE_ERROR_NEGOTIATION, needles);
  harness_done (h);
  g_free (path);
}

GST_END_TEST;

static Suite *
rnn_n_to_m_suite (void)
{
  Suite *s = suite_create ("rnn-n-to-m");
  TCase *tc;

  tc = tcase_create ("pytorch");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_fixtures);
  tcase_add_test (tc, test_partial_window_run);
  tcase_add_test (tc, test_reset_discont);
  suite_add_tcase (s, tc);

  tc = tcase_create ("models");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_no_decoder);
  tcase_add_test (tc, test_encoder_only);
  tcase_add_test (tc, test_state_mismatch);
  tcase_add_test (tc, test_feed_size_mismatch);
  tcase_add_test (tc, test_written_model_runs);
  tcase_add_test (tc, test_audio_needs_tiling);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_n_to_m);
