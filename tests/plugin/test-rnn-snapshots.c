/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* State snapshots: the "snapshot" action signal gives the recurrent
 * state as bytes, "restore" sets it again, in another element (after a
 * stop, in READY, or in another pipeline): the run then continues as if
 * never interrupted (PyTorch's fixtures, $RNN_FIXTURE_DIR).  Snapshots of
 * another model, weights or number of streams are refused with a WARNING
 * and leave the state untouched. */
#include <string.h>

#include "rnn-test-gst.h"

/* A streamable time-major fixture, an LSTM with B > 1 if there is one
 * (h and c in the snapshot). */
static const RnnTestCase *
snapshot_case (void)
{
  const RnnTestCase *any = NULL;
  guint i;

  for (i = 0; cases && i < cases->len; i++) {
    const RnnTestCase *c = g_ptr_array_index (cases, i);

    if (!rnn_test_case_streamable (c) || c->batch_first || c->T < 8)
      continue;
    if (g_str_has_prefix (c->name, "lstm") && c->B > 1)
      return c;
    if (!any)
      any = c;
  }
  fail_unless (any != NULL, "no streamable fixture in %s",
      rnn_test_fixture_dir ());
  return any;
}

static GBytes *
snapshot (GstElement * rnn)
{
  GBytes *b = NULL;

  g_signal_emit_by_name (rnn, "snapshot", &b);
  return b;
}

static gboolean
restore (GstElement * rnn, GBytes * b)
{
  gboolean ok = FALSE;

  g_signal_emit_by_name (rnn, "restore", b, &ok);
  return ok;
}

/* Frames [t0, T) pushed in uneven buffers; outputs collected. */
static float *
run_from (GstHarness * h, const RnnTestCase * c, guint t0, gboolean discont)
{
  float *out = g_new (float, (gsize) (c->T - t0) * c->B * c->O);
  guint t = t0, k = 0;

  while (t < c->T) {
    guint step = 1 + (k++ * 3) % 5;
    guint n = MIN (c->T - t, step);
    GstBuffer *in = case_frames (c, t, n), *o;
    GstMapInfo map;

    if (discont && t == t0)
      GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DISCONT);
    o = push_pull (h, in);
    fail_unless (gst_buffer_map (o, &map, GST_MAP_READ));
    memcpy (out + (gsize) (t - t0) * c->B * c->O, map.data, map.size);
    gst_buffer_unmap (o, &map);
    gst_buffer_unref (o);
    t += n;
  }
  return out;
}

/* Half a sequence, snapshot, element gone (NULL), a new element restores
 * and runs the second half: the outputs equal PyTorch's whole-sequence
 * run and the element's uninterrupted run.  The first buffer after the
 * restart is flagged DISCONT (as a source's first buffer is): the restore
 * is applied after that reset. */
GST_START_TEST (test_snapshot_restore_restart)
{
  const RnnTestCase *c = snapshot_case ();
  guint half = c->T / 2;
  GstHarness *h;
  GstBus *bus;
  GBytes *snap;
  float *whole, *rest, *pytorch;
  double e;

  /* uninterrupted */
  h = harness_audio (make_rnn (c->model_path), c->B * c->F);
  bus = harness_bus (h);
  whole = run_from (h, c, 0, FALSE);
  harness_done (h);

  /* first half, snapshot, stop */
  h = harness_audio (make_rnn (c->model_path), c->B * c->F);
  bus = harness_bus (h);
  {
    guint t = 0, k = 0;

    while (t < half) {
      guint step = 1 + (k++ * 3) % 5;
      guint n = MIN (half - t, step);
      gst_buffer_unref (push_pull (h, case_frames (c, t, n)));
      t += n;
    }
  }
  snap = snapshot (h->element);
  fail_unless (snap != NULL);
  fail_unless (g_bytes_get_size (snap) > 64);
  fail_unless_equals_int (gst_element_set_state (h->element, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  harness_done (h);

  /* a new element with the same model */
  h = harness_audio (make_rnn (c->model_path), c->B * c->F);
  bus = harness_bus (h);
  fail_unless (restore (h->element, snap));
  expect_no_warning (bus);
  rest = run_from (h, c, half, TRUE);
  expect_no_warning (bus);
  harness_done (h);

  pytorch = rnn_test_slice (c->output, c->T, c->B, c->O, FALSE, half,
      c->T - half);
  e = rnn_test_max_err (rest, pytorch, (gsize) (c->T - half) * c->B * c->O);
  fail_unless (e <= RNN_TEST_TOLERANCE, "%s: after restore vs PyTorch: %g", c->name, e);
  e = rnn_test_max_err (rest, whole + (gsize) half * c->B * c->O,
      (gsize) (c->T - half) * c->B * c->O);
  fail_unless (e <= 1e-6, "%s: after restore vs uninterrupted: %g", c->name,
      e);
  GST_INFO ("%s: restored run differs from the uninterrupted one by %g",
      c->name, e);

  g_bytes_unref (snap);
  g_free (pytorch);
  g_free (rest);
  g_free (whole);
}

GST_END_TEST;

/* Restore in READY: kept, and applied at the first buffer. */
GST_START_TEST (test_restore_in_ready)
{
  const RnnTestCase *c = snapshot_case ();
  guint half = c->T / 2;
  GstHarness *h;
  GstBus *bus;
  GstElement *rnn;
  GBytes *snap;
  float *rest, *pytorch;
  double e;

  h = harness_audio (make_rnn (c->model_path), c->B * c->F);
  bus = harness_bus (h);
  gst_buffer_unref (push_pull (h, case_frames (c, 0, half)));
  snap = snapshot (h->element);
  harness_done (h);

  rnn = make_rnn (c->model_path);
  fail_unless (snapshot (rnn) == NULL);
  fail_unless (restore (rnn, snap));
  h = harness_audio (rnn, c->B * c->F);
  bus = harness_bus (h);
  rest = run_from (h, c, half, FALSE);
  expect_no_warning (bus);
  pytorch = rnn_test_slice (c->output, c->T, c->B, c->O, FALSE, half,
      c->T - half);
  e = rnn_test_max_err (rest, pytorch, (gsize) (c->T - half) * c->B * c->O);
  fail_unless (e <= RNN_TEST_TOLERANCE, "%s: restored in READY: %g", c->name, e);
  harness_done (h);
  g_bytes_unref (snap);
  g_free (pytorch);
  g_free (rest);
}

GST_END_TEST;

/* Refused: another model (other shapes), the same shapes with other
 * weights, another number of streams.  A WARNING gives the core's reason,
 * FALSE is returned and the running state is untouched. */
GST_START_TEST (test_restore_refused)
{
  gchar *m1 = gru_model (2, 4, 1.0f), *m2 = gru_model (2, 4, 2.0f);
  gchar *m3 = gru_model (2, 5, 1.0f);
  float *x = rnn_test_make_input (40, 3, 2, 0.4f);
  GstHarness *h;
  GstBus *bus;
  GBytes *snap_b3, *snap_b2;
  GstBuffer *out;
  GstStructure *d;
  float *ref;

  /* snapshots of m1 with 3 and with 2 streams */
  h = harness_audio (make_rnn (m1), 3 * 2);
  bus = harness_bus (h);
  gst_buffer_unref (push_pull (h, tm_frames (x, 3, 2, 0, 10)));
  snap_b3 = snapshot (h->element);
  harness_done (h);
  h = harness_audio (make_rnn (m1), 2 * 2);
  bus = harness_bus (h);
  gst_buffer_unref (push_pull (h, tm_frames (x, 2, 2, 0, 10)));
  snap_b2 = snapshot (h->element);
  harness_done (h);

  /* same shapes, other weights */
  h = harness_audio (make_rnn (m2), 3 * 2);
  bus = harness_bus (h);
  gst_buffer_unref (push_pull (h, tm_frames (x, 3, 2, 0, 10)));
  fail_if (restore (h->element, snap_b3));
  {
    const gchar *needles[] = { "Could not restore", "other weights", NULL };
    d = expect_one_warning (bus, needles);
    g_clear_pointer (&d, gst_structure_free);
  }
  /* untouched: m2 carries on */
  out = push_pull (h, tm_frames (x, 3, 2, 10, 10));
  {
    RnnModel *m = load_model (m2);
    RnnState *s = rnn_state_new (m, 3, 64, NULL);
    float *all = core_run (s, x, 20);

    ref = g_memdup2 (all + 10 * 3 * 4, 10 * 3 * 4 * sizeof (float));
    g_free (all);
    rnn_state_free (s);
    rnn_model_unref (m);
  }
  check_buffer (out, ref, 10 * 3 * 4, CORE_TOLERANCE, "after a refused restore");
  gst_buffer_unref (out);
  g_free (ref);
  harness_done (h);

  /* other shapes */
  h = harness_audio (make_rnn (m3), 3 * 2);
  bus = harness_bus (h);
  fail_if (restore (h->element, snap_b3));
  {
    const gchar *needles[] = { "Could not restore", "hidden size is 4", "5",
      NULL
    };
    d = expect_one_warning (bus, needles);
    g_clear_pointer (&d, gst_structure_free);
  }
  harness_done (h);

  /* other batch */
  h = harness_audio (make_rnn (m1), 3 * 2);
  bus = harness_bus (h);
  fail_if (restore (h->element, snap_b2));
  {
    const gchar *needles[] = { "Could not restore", "batch is 2", "3", NULL };
    d = expect_one_warning (bus, needles);
    g_clear_pointer (&d, gst_structure_free);
  }
  /* not a snapshot at all */
  {
    GBytes *junk = g_bytes_new_static ("nonsense", 8);
    const gchar *needles[] = { "Could not restore", "not a state snapshot",
      NULL
    };

    fail_if (restore (h->element, junk));
    d = expect_one_warning (bus, needles);
    g_clear_pointer (&d, gst_structure_free);
    g_bytes_unref (junk);
  }
  harness_done (h);

  g_bytes_unref (snap_b3);
  g_bytes_unref (snap_b2);
  g_free (x);
  g_free (m1);
  g_free (m2);
  g_free (m3);
}

GST_END_TEST;

/* The same across two real pipelines, appsrc ! rnn ! appsink: the first
 * is stopped (NULL) and destroyed after half the sequence, the rest
 * restores the snapshot before its first buffer. */
static GstElement *
app_pipeline (const RnnTestCase * c, GstElement ** src, GstElement ** rnn,
    GstElement ** sink)
{
  gchar *caps = audio_caps (c->B * c->F, RATE);
  gchar *desc = g_strdup_printf ("appsrc name=src format=time caps=\"%s\" ! "
      "rnn name=rnn model=\"%s\" ! appsink name=sink sync=false", caps,
      c->model_path);
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);

  fail_unless (p != NULL, "%s: %s", desc, err ? err->message : "");
  *src = gst_bin_get_by_name (GST_BIN (p), "src");
  *rnn = gst_bin_get_by_name (GST_BIN (p), "rnn");
  *sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  g_free (desc);
  g_free (caps);
  return p;
}

/* Push frames [t0, t1) in buffers of 3, pull all outputs into @out. */
static void
app_run (GstElement * src, GstElement * sink, const RnnTestCase * c,
    guint t0, guint t1, float *out)
{
  guint t, got = 0;
  GstFlowReturn ret;

  for (t = t0; t < t1; t += 3) {
    GstBuffer *b = case_frames (c, t, MIN (3, t1 - t));

    g_signal_emit_by_name (src, "push-buffer", b, &ret);
    gst_buffer_unref (b);
    fail_unless_equals_int (ret, GST_FLOW_OK);
  }
  while (got < (t1 - t0) * c->B * c->O) {
    GstSample *s = NULL;
    GstMapInfo map;
    GstBuffer *b;

    g_signal_emit_by_name (sink, "try-pull-sample", 10 * GST_SECOND, &s);
    fail_unless (s != NULL, "no output after %u floats", got);
    b = gst_sample_get_buffer (s);
    fail_unless (gst_buffer_map (b, &map, GST_MAP_READ));
    fail_unless (got + map.size / 4 <= (t1 - t0) * c->B * c->O);
    memcpy (out + got, map.data, map.size);
    got += map.size / 4;
    gst_buffer_unmap (b, &map);
    gst_sample_unref (s);
  }
}

GST_START_TEST (test_snapshot_restore_pipelines)
{
  const RnnTestCase *c = snapshot_case ();
  guint half = c->T / 2;
  GstElement *p, *src, *rnn, *sink;
  float *out = g_new (float, (gsize) c->T * c->B * c->O);
  GBytes *snap;
  gboolean ok = FALSE;
  double e;

  p = app_pipeline (c, &src, &rnn, &sink);
  fail_unless (gst_element_set_state (p, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  app_run (src, sink, c, 0, half, out);
  g_signal_emit_by_name (rnn, "snapshot", &snap);
  fail_unless (snap != NULL);
  fail_unless_equals_int (gst_element_set_state (p, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (src);
  gst_object_unref (rnn);
  gst_object_unref (sink);
  gst_object_unref (p);

  p = app_pipeline (c, &src, &rnn, &sink);
  fail_unless (gst_element_set_state (p, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  g_signal_emit_by_name (rnn, "restore", snap, &ok);
  fail_unless (ok);
  app_run (src, sink, c, half, c->T, out + (gsize) half * c->B * c->O);
  fail_unless_equals_int (gst_element_set_state (p, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (src);
  gst_object_unref (rnn);
  gst_object_unref (sink);
  gst_object_unref (p);

  e = rnn_test_max_err (out, c->output, (gsize) c->T * c->B * c->O);
  fail_unless (e <= RNN_TEST_TOLERANCE, "%s: stopped and restored run vs PyTorch: %g",
      c->name, e);
  g_bytes_unref (snap);
  g_free (out);
}

GST_END_TEST;

static Suite *
rnn_snapshots_suite (void)
{
  Suite *s = suite_create ("rnn-snapshots");
  TCase *tc = tcase_create ("snapshot");

  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_snapshot_restore_restart);
  tcase_add_test (tc, test_restore_in_ready);
  tcase_add_test (tc, test_restore_refused);
  tcase_add_test (tc, test_snapshot_restore_pipelines);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_snapshots);
