/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* non-finite: what the rnn element does with NaN and Inf input (and a
 * state that overflows from finite input), per policy: reset-stream (the
 * default: that stream restarts from zero, one WARNING per event naming
 * stream and time), propagate, zero, error; in n-to-n, both layouts,
 * n-to-1 with carry-state, 1-to-n, and windows.  References come from the
 * core (rnn_state_process) on the same frames; models are written by the
 * test itself. */
#include <math.h>
#include <string.h>

#include "rnn-test-gst.h"

/* RNN relu, 1 input, 2 hidden, no bias, h' = relu (W x + U h): a finite
 * input of 3e38 overflows unit 0 to +inf, which then stays (U[0][0] = 2):
 * a state poisoned by finite input. */
static gchar *
relu_model (void)
{
  static const float w_ih[2] = { 2.0f, 1.0f };
  static const float w_hh[4] = { 2.0f, 0.0f, 0.0f, 0.5f };
  gsize s_ih[2] = { 2, 1 }, s_hh[2] = { 2, 2 };
  const gsize *shapes[] = { s_ih, s_hh };
  guint ndims[] = { 2, 2 };
  const gchar *names[] = { "weight_ih_l0", "weight_hh_l0", NULL };
  const float *data[] = { w_ih, w_hh };
  const gchar *meta[] = { "rnn.nonlinearity", "relu", NULL };
  gchar *path = tmp_model ("relu-overflow");

  rnn_test_write_safetensors (path, names, shapes, ndims, data, meta);
  return path;
}

#define NF_F 2
#define NF_H 5
#define NF_B 3
#define NF_T 60

/* Reference for non-finite=reset-stream: frame by frame, from the core,
 * resetting stream b after any frame whose input in b is non-finite. */
static float *
reference_reset_stream (const gchar * model, const float *x, guint T)
{
  RnnModel *m = load_model (model);
  RnnState *s = rnn_state_new (m, NF_B, 16, NULL);
  guint O = rnn_model_get_output_size (m);
  float *out = g_new (float, (gsize) T * NF_B * O);
  guint t, b, f;

  for (t = 0; t < T; t++) {
    float *o = core_run (s, x + (gsize) t * NF_B * NF_F, 1);

    memcpy (out + (gsize) t * NF_B * O, o, NF_B * O * sizeof (float));
    g_free (o);
    for (b = 0; b < NF_B; b++)
      for (f = 0; f < NF_F; f++)
        if (!isfinite (x[((gsize) t * NF_B + b) * NF_F + f])) {
          rnn_state_reset_stream (s, b);
          break;
        }
  }
  rnn_state_free (s);
  rnn_model_unref (m);
  return out;
}

static void
check_nonfinite_details (const GstStructure * d, guint stream, guint frame,
    const gchar * policy)
{
  guint s;
  guint64 ts;

  fail_unless (d != NULL, "warning without details");
  fail_unless (gst_structure_get_uint (d, "stream", &s));
  fail_unless_equals_int (s, stream);
  fail_unless (gst_structure_get_uint64 (d, "timestamp", &ts));
  fail_unless_equals_uint64 (ts, FRAME_TIME (frame));
  fail_unless_equals_string (gst_structure_get_string (d, "reason"), "input");
  fail_unless_equals_string (gst_structure_get_string (d, "policy"), policy);
}

/* reset-stream (the default): a NaN in stream 1 at frame 13 and an Inf in
 * stream 2 at frame 25; buffers [0, 20), [20, 40), [40, 60).  Stream 1's
 * output at frame 13 is NaN, after it a fresh run; stream 2 likewise at
 * 25; stream 0 never notices; every stream is finite in the last buffer;
 * one warning per event with stream and time. */
GST_START_TEST (test_nonfinite_reset_stream)
{
  gchar *model = gru_model (NF_F, NF_H, 1.0f);
  float *x = rnn_test_make_input (NF_T, NF_B, NF_F, 0.5f);
  float *ref, *clean_ref;
  guint O = NF_H, i;
  GstHarness *h;
  GstBus *bus;
  GstStructure *d;
  const gchar *nan_needles[] = { "Stream 1", "0:00:00.130000000",
    "reset", NULL
  };
  const gchar *inf_needles[] = { "Stream 2", "0:00:00.250000000", NULL };

  x[(13 * NF_B + 1) * NF_F + 0] = NAN;
  x[(25 * NF_B + 2) * NF_F + 1] = INFINITY;
  ref = reference_reset_stream (model, x, NF_T);

  /* the reference itself: NaN at (13, stream 1), fresh after it */
  for (i = 0; i < O; i++)
    fail_unless (isnan (ref[(13 * NF_B + 1) * O + i]));
  {
    RnnModel *m = load_model (model);
    RnnState *s = rnn_state_new (m, NF_B, 64, NULL);
    float *x2 = g_memdup2 (x, sizeof (float) * NF_T * NF_B * NF_F);

    /* stream 0 is the clean run */
    x2[(13 * NF_B + 1) * NF_F + 0] = 0.0f;
    x2[(25 * NF_B + 2) * NF_F + 1] = 0.0f;
    clean_ref = core_run (s, x2, NF_T);
    for (i = 0; i < NF_T; i++)
      fail_unless (rnn_test_max_err (ref + (gsize) i * NF_B * O,
              clean_ref + (gsize) i * NF_B * O, O) <= RNN_TEST_TOLERANCE);
    rnn_state_free (s);
    rnn_model_unref (m);
    g_free (x2);
    g_free (clean_ref);
  }

  h = harness_audio (make_rnn (model), NF_B * NF_F);
  bus = harness_bus (h);
  for (i = 0; i < 3; i++) {
    GstBuffer *out = push_pull (h, tm_frames (x, NF_B, NF_F, 20 * i, 20));
    gchar *what = g_strdup_printf ("buffer %u", i);

    check_buffer (out, ref + (gsize) 20 * i * NF_B * O, 20 * NF_B * O, RNN_TEST_TOLERANCE,
        what);
    fail_unless_equals_int (GST_BUFFER_IS_DISCONT (out), i == 0);
    g_free (what);
    gst_buffer_unref (out);

    if (i == 0) {
      d = expect_one_warning (bus, nan_needles);
      check_nonfinite_details (d, 1, 13, "reset-stream");
      gst_structure_free (d);
    } else if (i == 1) {
      d = expect_one_warning (bus, inf_needles);
      check_nonfinite_details (d, 2, 25, "reset-stream");
      gst_structure_free (d);
    } else {
      expect_no_warning (bus);
    }
  }

  harness_done (h);
  g_free (ref);
  g_free (x);
  g_free (model);
}

GST_END_TEST;

/* The same in the batch-first layout (the block is cut per stream). */
GST_START_TEST (test_nonfinite_reset_stream_batch_first)
{
  gchar *model = gru_model (NF_F, NF_H, 1.0f);
  float *x = rnn_test_make_input (NF_T, NF_B, NF_F, 0.5f);
  float *ref;
  guint O = NF_H, T = 30;
  GstElement *rnn;
  GstHarness *h;
  GstBuffer *in, *out;
  float *bf_in, *bf_ref;

  x[(7 * NF_B + 0) * NF_F + 1] = -INFINITY;
  x[(7 * NF_B + 2) * NF_F + 0] = NAN;
  x[(19 * NF_B + 2) * NF_F + 0] = NAN;
  ref = reference_reset_stream (model, x, T);

  rnn = make_rnn (model);
  g_object_set (rnn, "batch-first", TRUE, NULL);
  h = harness_streams (rnn, NF_B, NF_F, TRUE);
  bf_in = rnn_test_to_batch_first (x, T, NF_B, NF_F);
  bf_ref = rnn_test_to_batch_first (ref, T, NF_B, O);
  in = gst_buffer_new_wrapped (bf_in, (gsize) T * NF_B * NF_F * 4);
  GST_BUFFER_PTS (in) = 0;
  out = push_pull (h, in);
  check_buffer (out, bf_ref, (gsize) T * NF_B * O, RNN_TEST_TOLERANCE,
      "batch-first");
  gst_buffer_unref (out);

  harness_done (h);
  g_free (bf_ref);
  g_free (ref);
  g_free (x);
  g_free (model);
}

GST_END_TEST;

/* One warning per run of buffers with non-finite values in a stream. */
GST_START_TEST (test_nonfinite_warn_once)
{
  gchar *model = gru_model (NF_F, NF_H, 1.0f);
  float *x = rnn_test_make_input (NF_T, NF_B, NF_F, 0.5f);
  /* buffers of 10: NaN in stream 0 in buffers 1, 2 (one warning), clean
   * 3, NaN again in 4 (a second warning) */
  const guint bad[] = { 1, 2, 4 };
  const gchar *needles[] = { "Stream 0", NULL };
  GstHarness *h;
  GstBus *bus;
  GList *w;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    x[((bad[i] * 10 + 3) * NF_B + 0) * NF_F] = NAN;

  h = harness_audio (make_rnn (model), NF_B * NF_F);
  bus = harness_bus (h);
  for (i = 0; i < 6; i++) {
    gst_buffer_unref (push_pull (h, tm_frames (x, NF_B, NF_F, 10 * i,
                10)));
    if (i == 1 || i == 4) {
      GstStructure *d = expect_one_warning (bus, needles);
      gst_structure_free (d);
    } else {
      w = pop_warnings (bus);
      fail_unless (w == NULL, "buffer %u: a warning for a stream already "
          "warned about (or a clean one)", i);
    }
  }
  harness_done (h);
  g_free (x);
  g_free (model);
}

GST_END_TEST;

/* propagate: no check, the NaN stays in stream 1 until a reset; the other
 * streams are untouched; no warning. */
GST_START_TEST (test_nonfinite_propagate)
{
  gchar *model = gru_model (NF_F, NF_H, 1.0f);
  float *x = rnn_test_make_input (NF_T, NF_B, NF_F, 0.5f);
  float *clean;
  guint O = NF_H, i, t, b;
  GstElement *rnn;
  GstHarness *h;
  GstBus *bus;

  {
    RnnModel *m = load_model (model);
    RnnState *s = rnn_state_new (m, NF_B, 64, NULL);

    clean = core_run (s, x, NF_T);
    rnn_state_free (s);
    rnn_model_unref (m);
  }
  x[(13 * NF_B + 1) * NF_F + 0] = NAN;

  rnn = make_rnn (model);
  gst_util_set_object_arg (G_OBJECT (rnn), "non-finite", "propagate");
  h = harness_audio (rnn, NF_B * NF_F);
  bus = harness_bus (h);
  for (i = 0; i < 2; i++) {
    GstBuffer *out = push_pull (h, tm_frames (x, NF_B, NF_F, 20 * i, 20));
    GstMapInfo map;
    const float *o;

    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    o = (const float *) map.data;
    for (t = 0; t < 20; t++)
      for (b = 0; b < NF_B; b++) {
        const float *got = o + ((gsize) t * NF_B + b) * O;
        const float *exp = clean + ((gsize) (20 * i + t) * NF_B + b) * O;
        guint k;

        if (b == 1 && 20 * i + t >= 13) {
          for (k = 0; k < O; k++)
            fail_unless (isnan (got[k]), "frame %u: stream 1 not NaN",
                20 * i + t);
        } else {
          fail_unless (rnn_test_max_err (got, exp, O) <= RNN_TEST_TOLERANCE, "frame %u stream %u",
              20 * i + t, b);
        }
      }
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
  }
  expect_no_warning (bus);

  /* a DISCONT buffer resets: finite again */
  {
    GstBuffer *in = tm_frames (x, NF_B, NF_F, 40, 20), *out;
    GstMapInfo map;

    GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DISCONT);
    out = push_pull (h, in);
    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    for (i = 0; i < map.size / 4; i++)
      fail_unless (isfinite (((const float *) map.data)[i]));
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
  }

  harness_done (h);
  g_free (clean);
  g_free (x);
  g_free (model);
}

GST_END_TEST;

/* zero: NaN and Inf inputs count as 0: the output equals the run on the
 * input with those values zeroed. */
GST_START_TEST (test_nonfinite_zero)
{
  gchar *model = gru_model (NF_F, NF_H, 1.0f);
  float *x = rnn_test_make_input (NF_T, NF_B, NF_F, 0.5f);
  float *x0, *ref;
  guint O = NF_H, i;
  GstElement *rnn;
  GstHarness *h;
  GstBus *bus;
  GstStructure *d;
  const gchar *needles[] = { "Stream 2", "replaced by 0", NULL };

  /* buffers of 20: bad values in buffers 0 and 2, each warned about */
  x[(5 * NF_B + 2) * NF_F + 1] = NAN;
  x[(6 * NF_B + 2) * NF_F + 0] = INFINITY;
  x[(45 * NF_B + 2) * NF_F + 0] = -INFINITY;
  x0 = g_memdup2 (x, sizeof (float) * NF_T * NF_B * NF_F);
  for (i = 0; i < NF_T * NF_B * NF_F; i++)
    if (!isfinite (x0[i]))
      x0[i] = 0.0f;
  {
    RnnModel *m = load_model (model);
    RnnState *s = rnn_state_new (m, NF_B, 256, NULL);

    ref = core_run (s, x0, NF_T);
    rnn_state_free (s);
    rnn_model_unref (m);
  }

  rnn = make_rnn (model);
  gst_util_set_object_arg (G_OBJECT (rnn), "non-finite", "zero");
  h = harness_audio (rnn, NF_B * NF_F);
  bus = harness_bus (h);
  for (i = 0; i < 3; i++) {
    GstBuffer *out = push_pull (h, tm_frames (x, NF_B, NF_F, 20 * i, 20));

    check_buffer (out, ref + (gsize) 20 * i * NF_B * O, 20 * NF_B * O, RNN_TEST_TOLERANCE,
        "zero");
    gst_buffer_unref (out);
    if (i == 1) {
      expect_no_warning (bus);
      continue;
    }
    d = expect_one_warning (bus, needles);
    check_nonfinite_details (d, 2, i ? 45 : 5, "zero");
    gst_structure_free (d);
  }
  harness_done (h);
  g_free (ref);
  g_free (x0);
  g_free (x);
  g_free (model);
}

GST_END_TEST;

/* error: the buffer is refused with an error naming the stream and time. */
GST_START_TEST (test_nonfinite_error)
{
  gchar *model = gru_model (NF_F, NF_H, 1.0f);
  float *x = rnn_test_make_input (NF_T, NF_B, NF_F, 0.5f);
  GstElement *rnn;
  GstHarness *h;
  GstBus *bus;
  GstMessage *msg;
  GError *err = NULL;

  x[(27 * NF_B + 1) * NF_F + 1] = NAN;
  rnn = make_rnn (model);
  gst_util_set_object_arg (G_OBJECT (rnn), "non-finite", "error");
  h = harness_audio (rnn, NF_B * NF_F);
  bus = harness_bus (h);
  gst_buffer_unref (push_pull (h, tm_frames (x, NF_B, NF_F, 0, 20)));
  fail_unless_equals_int (gst_harness_push (h, tm_frames (x, NF_B, NF_F,
              20, 20)), GST_FLOW_ERROR);
  fail_unless (gst_harness_try_pull (h) == NULL);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, NULL);
  GST_INFO ("error: %s", err->message);
  fail_unless (err->domain == GST_STREAM_ERROR);
  fail_unless (strstr (err->message, "Stream 1") != NULL, "%s", err->message);
  fail_unless (strstr (err->message, "0:00:00.270000000") != NULL, "%s",
      err->message);
  fail_unless (strstr (err->message, "non-finite=error") != NULL, "%s",
      err->message);
  g_error_free (err);
  gst_message_unref (msg);
  harness_done (h);
  g_free (x);
  g_free (model);
}

GST_END_TEST;

/* A state poisoned by finite input (relu overflowing to +inf): reset at
 * the end of the buffer under reset-stream (with a warning saying so), kept
 * forever under propagate. */
static void
run_state_overflow (const gchar * policy)
{
  gchar *model = relu_model ();
  gboolean propagate = g_str_equal (policy, "propagate");
  float x[20], *fresh;
  GstElement *rnn;
  GstHarness *h;
  GstBus *bus;
  GstBuffer *out;
  GstMapInfo map;
  guint t;

  for (t = 0; t < 20; t++)
    x[t] = 0.25f + 0.01f * t;
  x[6] = 3e38f;                 /* finite */
  {
    RnnModel *m = load_model (model);
    RnnState *s = rnn_state_new (m, 1, 16, NULL);

    fresh = core_run (s, x + 10, 10);
    rnn_state_free (s);
    rnn_model_unref (m);
  }

  rnn = make_rnn (model);
  gst_util_set_object_arg (G_OBJECT (rnn), "non-finite", policy);
  h = harness_audio (rnn, 1);
  bus = harness_bus (h);

  out = push_pull (h, tm_frames (x, 1, 1, 0, 10));
  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  /* unit 0 overflows to +inf at frame 6 and stays non-finite in this buffer
   * (inf, or NaN once inf - inf appears: relu keeps NaN, as PyTorch) */
  fail_unless (isfinite (((float *) map.data)[2 * 5]));
  fail_unless (isinf (((float *) map.data)[2 * 6]));
  fail_unless (!isfinite (((float *) map.data)[2 * 9]));
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);

  out = push_pull (h, tm_frames (x, 1, 1, 10, 10));
  if (propagate) {
    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    for (t = 0; t < 10; t++)
      fail_unless (!isfinite (((float *) map.data)[2 * t]),
          "propagate: the state recovered by itself");
    gst_buffer_unmap (out, &map);
    expect_no_warning (bus);
  } else {
    const gchar *needles[] = { "state of stream 0", "reset", NULL };
    GstStructure *d;

    check_buffer (out, fresh, 20, RNN_TEST_TOLERANCE, "after the overflow");
    d = expect_one_warning (bus, needles);
    fail_unless_equals_string (gst_structure_get_string (d, "reason"),
        "state");
    gst_structure_free (d);
  }
  gst_buffer_unref (out);
  harness_done (h);
  g_free (fresh);
  g_free (model);
}

static const gchar *const overflow_policies[] = {
  "reset-stream", "zero", "propagate"
};

GST_START_TEST (test_state_overflow)
{
  run_state_overflow (overflow_policies[__i__]);
}

GST_END_TEST;

/* n-to-1 with carry-state: a window holding a NaN gives NaN scores for
 * that stream, but the next window starts that stream from zero. */
GST_START_TEST (test_nonfinite_n_to_1_carry)
{
  gchar *model = gru_model (NF_F, NF_H, 2.0f);
  float *x = rnn_test_make_input (NF_T, NF_B, NF_F, 0.1f);
  GstElement *rnn;
  GstHarness *h;
  GstBuffer *out;
  guint W = 10, O = NF_H, i;
  float *fresh, *carried;
  RnnModel *m = load_model (model);
  RnnState *s = rnn_state_new (m, NF_B, W, NULL);

  x[(4 * NF_B + 1) * NF_F] = NAN;       /* window 0, stream 1 */

  /* window 1 from zero (stream 1) and carried (stream 0) */
  fresh = g_new (float, (gsize) W * NF_B * O);
  fail_unless (rnn_state_process_window (s, x + (gsize) W * NF_B * NF_F, W,
          RNN_RUN_NONE, fresh, NULL));
  rnn_state_reset (s);
  carried = g_new (float, (gsize) 2 * W * NF_B * O);
  fail_unless (rnn_state_process_window (s, x, W, RNN_RUN_NONE, carried,
          NULL));
  fail_unless (rnn_state_process_window (s, x + (gsize) W * NF_B * NF_F, W,
          RNN_RUN_NONE, carried + (gsize) W * NF_B * O, NULL));

  rnn = make_rnn (model);
  g_object_set (rnn, "window", W, "carry-state", TRUE, "post-messages",
      FALSE, NULL);
  gst_util_set_object_arg (G_OBJECT (rnn), "mode", "n-to-1");
  h = harness_audio (rnn, NF_B * NF_F);
  fail_unless (gst_rnn_result_meta_get_info () != NULL);

  for (i = 0; i < 2; i++) {
    GstCustomMeta *meta;
    guint b = 0;

    out = push_pull (h, tm_frames (x, NF_B, NF_F, W * i, W));
    meta = gst_rnn_buffer_get_result_meta (out);
    for (b = 0; b < gst_rnn_result_meta_get_n_results (meta); b++) {
      const GstStructure *st = gst_rnn_result_meta_get_result (meta, b);
      const GValue *scores = gst_structure_get_value (st, "scores");
      guint k;

      for (k = 0; k < O; k++) {
        double v = g_value_get_double (gst_value_array_get_value (scores, k));
        /* no head: scores = the top layer's last output */
        if (i == 0 && b == 1)
          fail_unless (isnan (v));
        else if (i == 1 && b == 1)
          fail_unless (fabs (v - fresh[((W - 1) * NF_B + b) * O + k]) <
              1e-5, "window 1, stream 1: not from a zero state");
        else
          fail_unless (fabs (v - carried[((gsize) (i * W + W - 1) * NF_B +
                          b) * O + k]) < 1e-5, "window %u stream %u", i, b);
      }
    }
    fail_unless_equals_int (b, NF_B);
    gst_buffer_unref (out);
  }
  harness_done (h);
  rnn_state_free (s);
  rnn_model_unref (m);
  g_free (fresh);
  g_free (carried);
  g_free (x);
  g_free (model);
}

GST_END_TEST;

/* 1-to-n with carry-state: a NaN input frame in stream 0 gives NaN steps
 * for that frame; under reset-stream the next frame's steps start from
 * zero (finite), under propagate they stay NaN. */
static void
run_nonfinite_1_to_n (const gchar * policy)
{
  gchar *model = gru_model (NF_F, NF_H, 2.0f);
  float *x = rnn_test_make_input (10, 1, NF_F, 0.3f);
  gboolean propagate = g_str_equal (policy, "propagate");
  guint steps = 3, O = NF_H, k;
  GstElement *rnn;
  GstHarness *h;
  GstBuffer *out;
  GstMapInfo map;
  const float *o;
  float *fresh;

  x[2 * NF_F] = NAN;
  {
    /* frame 3 repeated 3 times from a zero state */
    float rep3[3 * NF_F];
    RnnModel *m = load_model (model);
    RnnState *st = rnn_state_new (m, 1, 8, NULL);

    for (k = 0; k < steps; k++)
      memcpy (rep3 + k * NF_F, x + 3 * NF_F, NF_F * sizeof (float));
    fresh = core_run (st, rep3, steps);
    rnn_state_free (st);
    rnn_model_unref (m);
  }
  rnn = make_rnn (model);
  g_object_set (rnn, "steps", steps, "carry-state", TRUE, NULL);
  gst_util_set_object_arg (G_OBJECT (rnn), "mode", "1-to-n");
  gst_util_set_object_arg (G_OBJECT (rnn), "non-finite", policy);
  h = harness_audio (rnn, NF_F);
  out = push_pull (h, tm_frames (x, 1, NF_F, 0, 5));
  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  o = (const float *) map.data;
  for (k = 0; k < steps * O; k++) {
    fail_unless (isfinite (o[1 * steps * O + k]));
    fail_unless (isnan (o[2 * steps * O + k]));
    if (propagate)
      fail_unless (isnan (o[3 * steps * O + k]));
  }
  if (!propagate)
    fail_unless (rnn_test_max_err (o + 3 * steps * O, fresh, steps * O) <= RNN_TEST_TOLERANCE,
        "1-to-n: the frame after the NaN is not from a zero state");
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);
  harness_done (h);
  g_free (fresh);
  g_free (x);
  g_free (model);
}

static const gchar *const policies_1_to_n[] = { "reset-stream", "propagate" };

GST_START_TEST (test_nonfinite_1_to_n)
{
  run_nonfinite_1_to_n (policies_1_to_n[__i__]);
}

GST_END_TEST;

/* A bidirectional model on windows with non-finite=zero: each window is
 * the run on the input with the bad values zeroed. */
GST_START_TEST (test_nonfinite_windowed_zero)
{
  gchar *bi = bigru_model (NF_F, 3);
  float *x = rnn_test_make_input (8, 1, NF_F, 0.3f), *x0;
  float win[8 * 6];
  GstElement *rnn;
  GstHarness *h;
  GstBuffer *out;
  RnnModel *m = load_model (bi);
  RnnState *st = rnn_state_new (m, 1, 8, NULL);

  x[5 * NF_F + 1] = INFINITY;
  x0 = g_memdup2 (x, 8 * NF_F * sizeof (float));
  x0[5 * NF_F + 1] = 0.0f;
  fail_unless (rnn_state_process_window (st, x0 + 4 * NF_F, 4, RNN_RUN_NONE,
          win, NULL));

  rnn = make_rnn (bi);
  g_object_set (rnn, "window", 4, NULL);
  gst_util_set_object_arg (G_OBJECT (rnn), "non-finite", "zero");
  h = harness_audio (rnn, NF_F);
  fail_unless_equals_int (gst_harness_push (h, tm_frames (x, 1, NF_F, 0,
              8)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  out = gst_harness_pull (h);
  check_buffer (out, win, 4 * 6, CORE_TOLERANCE, "second window, Inf zeroed");
  gst_buffer_unref (out);
  harness_done (h);
  rnn_state_free (st);
  rnn_model_unref (m);
  g_free (x0);
  g_free (x);
  g_free (bi);
}

GST_END_TEST;

static Suite *
rnn_non_finite_suite (void)
{
  Suite *s = suite_create ("rnn-non-finite");
  TCase *tc;

  tc = tcase_create ("input");
  tcase_add_test (tc, test_nonfinite_reset_stream);
  tcase_add_test (tc, test_nonfinite_reset_stream_batch_first);
  tcase_add_test (tc, test_nonfinite_warn_once);
  tcase_add_test (tc, test_nonfinite_propagate);
  tcase_add_test (tc, test_nonfinite_zero);
  tcase_add_test (tc, test_nonfinite_error);
  suite_add_tcase (s, tc);

  tc = tcase_create ("state");
  tcase_add_loop_test (tc, test_state_overflow, 0,
      G_N_ELEMENTS (overflow_policies));
  suite_add_tcase (s, tc);

  tc = tcase_create ("modes");
  tcase_add_test (tc, test_nonfinite_n_to_1_carry);
  tcase_add_loop_test (tc, test_nonfinite_1_to_n, 0,
      G_N_ELEMENTS (policies_1_to_n));
  tcase_add_test (tc, test_nonfinite_windowed_zero);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_non_finite);
