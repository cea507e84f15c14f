/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mode=n-to-n (the default) with unidirectional models: one output frame
 * per input frame, the recurrent state carried across buffers, checked
 * against PyTorch's fixtures ($RNN_FIXTURE_DIR) in every blocking (one
 * buffer, the fixture's uneven splits, frame by frame, unaligned memory);
 * and what resets that state (flush, segment, DISCONT, the reset signal,
 * new caps, a stop) and what does not. */
#include "rnn-test-gst.h"

/* The fixtures cover every cell kind, both layouts with B=1 and B>1, and
 * a bidirectional model (for test-rnn-windowed.c); the core loads each. */
GST_START_TEST (test_fixture_coverage)
{
  gboolean cell[4] = { FALSE, }, b3[2] = { FALSE, }, b1[2] = { FALSE, };
  gboolean bidi = FALSE;
  guint i, streamable = 0;

  fail_unless (cases->len > 0, "no fixtures in %s", rnn_test_fixture_dir ());
  for (i = 0; i < cases->len; i++) {
    const RnnTestCase *c = g_ptr_array_index (cases, i);
    RnnModel *m = rnn_model_load (c->model_path, NULL, NULL);

    fail_unless (m != NULL, "%s: the core refuses the model", c->name);
    if (rnn_test_case_streamable (c)) {
      streamable++;
      cell[rnn_model_get_cell (m)] = TRUE;
      if (c->B == 1)
        b1[c->batch_first] = TRUE;
      if (c->B > 1)
        b3[c->batch_first] = TRUE;
    }
    if (c->bidirectional && !c->has_h0)
      bidi = TRUE;
    GST_INFO ("%s: %s T=%u B=%u F=%u O=%u%s%s%s", c->name,
        rnn_cell_name (rnn_model_get_cell (m)), c->T, c->B, c->F, c->O,
        c->batch_first ? " batch-first" : "",
        c->bidirectional ? " bidirectional" : "", c->has_h0 ? " h0" : "");
    rnn_model_unref (m);
  }
  fail_unless (streamable > 0);
  fail_unless (cell[RNN_CELL_RNN_TANH] && cell[RNN_CELL_RNN_RELU]
      && cell[RNN_CELL_LSTM] && cell[RNN_CELL_GRU],
      "fixtures lack a cell kind: tanh %d relu %d lstm %d gru %d",
      cell[0], cell[1], cell[2], cell[3]);
  fail_unless (b1[0] && b1[1], "fixtures lack B=1 in a layout");
  fail_unless (b3[0] && b3[1], "fixtures lack B>1 in a layout");
  fail_unless (bidi, "no bidirectional fixture without h0");
}

GST_END_TEST;

/* Every streamable case pushed as one buffer (row 0) and as the
 * fixture's uneven blocks (row 1): PyTorch's output, each buffer stamped
 * with its frames, only the first DISCONT. */
GST_START_TEST (test_fixtures)
{
  gboolean one_buffer = __i__ == 0;
  guint i, ran = 0;

  for (i = 0; i < cases->len; i++) {
    const RnnTestCase *c = g_ptr_array_index (cases, i);
    guint one[1] = { c->T };
    const guint *blocks = one_buffer ? one : c->splits;
    guint n_blocks = one_buffer ? 1 : c->n_splits;
    GstHarness *h;
    guint s, t0 = 0;

    if (!rnn_test_case_streamable (c))
      continue;
    h = harness_case (make_case_rnn (c), c);
    for (s = 0; s < n_blocks; s++) {
      guint k = blocks[s];
      GstBuffer *out = push_pull (h, case_frames (c, t0, k));

      check_case_output (out, c, t0, k, one_buffer ? "one buffer" : "split");
      check_frame_stamps (out, t0, k);
      fail_unless_equals_int (GST_BUFFER_IS_DISCONT (out), s == 0);
      gst_buffer_unref (out);
      t0 += k;
    }
    harness_done (h);
    ran++;
  }
  fail_unless (ran > 0, "no streamable fixture");
}

GST_END_TEST;

/* One frame per buffer, and an empty buffer in between. */
GST_START_TEST (test_frame_by_frame)
{
  const RnnTestCase *c = need_case (3, FALSE, 2);
  GstHarness *h = harness_case (make_case_rnn (c), c);
  guint t;

  for (t = 0; t < c->T; t++) {
    GstBuffer *out = push_pull (h, case_frames (c, t, 1));

    check_case_output (out, c, t, 1, "frame by frame");
    gst_buffer_unref (out);
    if (t == 0) {
      out = push_pull (h, case_frames (c, 1, 0));
      fail_unless_equals_uint64 (gst_buffer_get_size (out), 0);
      gst_buffer_unref (out);
    }
  }
  harness_done (h);
}

GST_END_TEST;

/* Input memory that is not float-aligned goes through the scratch path
 * and gives the same numbers, in both layouts. */
static GstBuffer *
unaligned_copy (GstBuffer * buf)
{
  gsize size = gst_buffer_get_size (buf);
  GstMemory *mem = gst_allocator_alloc (NULL, size + 1, NULL);
  GstBuffer *out = gst_buffer_new ();
  GstMapInfo in;

  gst_memory_resize (mem, 1, size);
  gst_buffer_append_memory (out, mem);
  gst_buffer_fill (out, 0, NULL, 0);
  gst_buffer_map (buf, &in, GST_MAP_READ);
  gst_buffer_fill (out, 0, in.data, in.size);
  gst_buffer_unmap (buf, &in);
  gst_buffer_copy_into (out, buf, GST_BUFFER_COPY_METADATA, 0, -1);
  gst_buffer_unref (buf);
  return out;
}

GST_START_TEST (test_unaligned_memory)
{
  gboolean bf;

  for (bf = FALSE; bf <= TRUE; bf++) {
    const RnnTestCase *c = need_case (3, bf, 2);
    GstHarness *h = harness_case (make_case_rnn (c), c);
    guint s, t0 = 0;

    for (s = 0; s < c->n_splits; s++) {
      GstBuffer *in = unaligned_copy (case_frames (c, t0, c->splits[s]));
      GstMapInfo map;
      GstBuffer *out;

      gst_buffer_map (in, &map, GST_MAP_READ);
      fail_unless (((guintptr) map.data) % 4 != 0 || c->splits[s] == 0);
      gst_buffer_unmap (in, &map);
      out = push_pull (h, in);
      check_case_output (out, c, t0, c->splits[s], "unaligned");
      gst_buffer_unref (out);
      t0 += c->splits[s];
    }
    harness_done (h);
  }
}

GST_END_TEST;

/* ------------------------------------------------------------ resets */

typedef enum
{
  TRIGGER_NONE,
  TRIGGER_FLUSH,
  TRIGGER_SEGMENT,
  TRIGGER_DISCONT,
  TRIGGER_SIGNAL,
  TRIGGER_CAPS,
  TRIGGER_STOP
} Trigger;

static const struct
{
  const gchar *name;
  Trigger trigger;
  gboolean reset_on_discont, expect_reset;
} resets[] = {
  {"no trigger: the state is carried", TRIGGER_NONE, TRUE, FALSE},
  {"flush", TRIGGER_FLUSH, TRUE, TRUE},
  {"segment", TRIGGER_SEGMENT, TRUE, TRUE},
  {"DISCONT", TRIGGER_DISCONT, TRUE, TRUE},
  {"DISCONT kept with reset-on-discont=false", TRIGGER_DISCONT, FALSE, FALSE},
  {"reset signal", TRIGGER_SIGNAL, TRUE, TRUE},
  {"caps change", TRIGGER_CAPS, TRUE, TRUE},
  {"stop and restart", TRIGGER_STOP, TRUE, TRUE},
};

static gpointer
emit_reset (gpointer element)
{
  g_signal_emit_by_name (element, "reset");
  return NULL;
}

/* Push frames [0, a), fire the trigger, then push frames [0, b) again.
 * With a reset the second output equals a fresh run on [0, b) and is
 * DISCONT; without one it differs. */
GST_START_TEST (test_reset)
{
  Trigger trigger = resets[__i__].trigger;
  gboolean expect_reset = resets[__i__].expect_reset;
  const RnnTestCase *c = need_case (1, FALSE, 6);
  GstElement *rnn = make_case_rnn (c);
  guint a = c->T / 3, b = c->T / 2;
  GstHarness *h;
  GstBuffer *in, *out;
  GstSegment segment;
  gchar *caps;
  double e;

  GST_INFO ("%s", resets[__i__].name);
  g_object_set (rnn, "reset-on-discont", resets[__i__].reset_on_discont,
      NULL);
  h = harness_case (rnn, c);

  out = push_pull (h, case_frames (c, 0, a));
  check_case_output (out, c, 0, a, "before the trigger");
  fail_unless (GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);

  in = case_frames (c, 0, b);
  GST_BUFFER_PTS (in) = FRAME_TIME (a);
  switch (trigger) {
    case TRIGGER_NONE:
      break;
    case TRIGGER_FLUSH:
      fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
      fail_unless (gst_harness_push_event (h,
              gst_event_new_flush_stop (TRUE)));
      gst_segment_init (&segment, GST_FORMAT_TIME);
      fail_unless (gst_harness_push_event (h,
              gst_event_new_segment (&segment)));
      break;
    case TRIGGER_SEGMENT:
      gst_segment_init (&segment, GST_FORMAT_TIME);
      segment.start = FRAME_TIME (a);
      fail_unless (gst_harness_push_event (h,
              gst_event_new_segment (&segment)));
      break;
    case TRIGGER_DISCONT:
      GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DISCONT);
      break;
    case TRIGGER_SIGNAL:{
      /* from another thread, as an application would */
      GThread *t = g_thread_new ("reset", emit_reset, h->element);
      g_thread_join (t);
      break;
    }
    case TRIGGER_CAPS:
      caps = audio_caps (c->B * c->F, 2 * RATE);
      fail_unless (push_caps_str (h, caps));
      g_free (caps);
      break;
    case TRIGGER_STOP:
      fail_unless_equals_int (gst_element_set_state (h->element,
              GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
      gst_harness_play (h);
      fail_unless (gst_harness_push_event (h,
              gst_event_new_stream_start ("restart")));
      caps = audio_caps (c->B * c->F, RATE);
      gst_harness_set_src_caps_str (h, caps);
      g_free (caps);
      break;
  }

  out = push_pull (h, in);
  e = case_output_error (out, c, 0, b);
  if (expect_reset) {
    fail_unless (e <= RNN_TEST_TOLERANCE, "%s: output after the reset is "
        "not a fresh run (max error %g)", c->name, e);
    fail_unless (GST_BUFFER_IS_DISCONT (out),
        "first output after a reset is not DISCONT");
  } else {
    fail_unless (e > 1e-4, "%s: output without a reset equals a fresh run: "
        "the state is not carried (or the model ignores it)", c->name);
    fail_unless_equals_int (GST_BUFFER_IS_DISCONT (out),
        trigger == TRIGGER_DISCONT);
  }
  gst_buffer_unref (out);
  harness_done (h);
}

GST_END_TEST;

/* A DISCONT buffer with reset-on-discont=false continues the sequence. */
GST_START_TEST (test_discont_carry_matches)
{
  const RnnTestCase *c = need_case (3, TRUE, 4);
  GstElement *rnn = make_case_rnn (c);
  guint a = c->T / 2;
  GstHarness *h;
  GstBuffer *in, *out;

  g_object_set (rnn, "reset-on-discont", FALSE, NULL);
  h = harness_case (rnn, c);
  out = push_pull (h, case_frames (c, 0, a));
  check_case_output (out, c, 0, a, "first half");
  gst_buffer_unref (out);
  in = case_frames (c, a, c->T - a);
  GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DISCONT);
  out = push_pull (h, in);
  check_case_output (out, c, a, c->T - a, "second half after a kept DISCONT");
  gst_buffer_unref (out);
  harness_done (h);
}

GST_END_TEST;

static Suite *
rnn_n_to_n_suite (void)
{
  Suite *s = suite_create ("rnn-n-to-n");
  TCase *tc = tcase_create ("pytorch");

  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_fixture_coverage);
  tcase_add_loop_test (tc, test_fixtures, 0, 2);
  tcase_add_test (tc, test_frame_by_frame);
  tcase_add_test (tc, test_unaligned_memory);
  suite_add_tcase (s, tc);

  tc = tcase_create ("state");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_loop_test (tc, test_reset, 0, G_N_ELEMENTS (resets));
  tcase_add_test (tc, test_discont_carry_matches);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_n_to_n);
