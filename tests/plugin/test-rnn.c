/* GstHarness tests of the rnn element against the PyTorch fixtures.
 *
 * Fixtures come from $RNN_FIXTURE_DIR (tests/conformance/fixtures); the
 * tiny models for error and live tests are written by the test itself.
 */
#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include "rnn.h"
#include "rnn-test-util.h"
#include "rnn-test-gst.h"

#define TOL RNN_TEST_TOLERANCE
#define RATE 100
#define FRAME_TIME(t) gst_util_uint64_scale ((t), GST_SECOND, RATE)

static GPtrArray *cases;

static void
load_cases (void)
{
  cases = rnn_test_cases_load ();
}

static void
free_cases (void)
{
  g_clear_pointer (&cases, g_ptr_array_unref);
}

/* ------------------------------------------------------------ helpers */

static GstElement *
make_rnn (const gchar * model, gboolean batch_first)
{
  GstElement *e = gst_element_factory_make ("rnn", NULL);

  fail_unless (e != NULL, "rnn element not found (GST_PLUGIN_PATH?)");
  g_object_set (e, "model", model, "batch-first", batch_first, NULL);
  return e;
}

static gchar *
audio_caps (guint channels, gint rate)
{
  return g_strdup_printf ("audio/x-raw, format=F32LE, layout=interleaved, "
      "rate=%d, channels=%u", rate, channels);
}

/* Harness around a configured element, caps set: audio with B*F channels. */
static GstHarness *
harness_for (GstElement * rnn, const RnnTestCase * c)
{
  GstHarness *h = gst_harness_new_with_element (rnn, "sink", "src");
  gchar *caps = audio_caps (c->B * c->F, RATE);

  gst_harness_set_src_caps_str (h, caps);
  g_free (caps);
  gst_object_unref (rnn);
  return h;
}

static GstHarness *
harness_for_case (const RnnTestCase * c)
{
  return harness_for (make_rnn (c->model_path, c->batch_first), c);
}

/* Frames [t0, t0 + k) of the case input, in the case's layout. */
static GstBuffer *
frames_buffer (const RnnTestCase * c, guint t0, guint k)
{
  float *s = rnn_test_slice (c->input, c->T, c->B, c->F, c->batch_first,
      t0, k);
  GstBuffer *buf = gst_buffer_new_wrapped (s,
      (gsize) k * c->B * c->F * sizeof (float));

  GST_BUFFER_PTS (buf) = FRAME_TIME (t0);
  GST_BUFFER_DURATION (buf) = FRAME_TIME (t0 + k) - FRAME_TIME (t0);
  GST_BUFFER_OFFSET (buf) = t0;
  GST_BUFFER_OFFSET_END (buf) = t0 + k;
  return buf;
}

/* Largest error of @out against PyTorch's output frames [t0, t0 + k). */
static double
output_error (GstBuffer * out, const RnnTestCase * c, guint t0, guint k)
{
  float *exp = rnn_test_slice (c->output, c->T, c->B, c->O, c->batch_first,
      t0, k);
  GstMapInfo map;
  double e;

  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  fail_unless_equals_uint64 (map.size, (gsize) k * c->B * c->O * 4);
  e = rnn_test_max_err ((const float *) map.data, exp, (gsize) k * c->B * c->O);
  gst_buffer_unmap (out, &map);
  g_free (exp);
  return e;
}

static void
check_output (GstBuffer * out, const RnnTestCase * c, guint t0, guint k,
    const gchar * what)
{
  double e = output_error (out, c, t0, k);

  fail_unless (e <= TOL, "%s: %s, frames [%u, %u): max error %g > %g",
      c->name, what, t0, t0 + k, e, TOL);
}

/* Push a caps event without asserting it is accepted. */
static gboolean
push_caps_str (GstHarness * h, const gchar * str)
{
  GstCaps *caps = gst_caps_from_string (str);
  gboolean ret = gst_harness_push_event (h, gst_event_new_caps (caps));

  gst_caps_unref (caps);
  return ret;
}

static GstBuffer *
push_pull (GstHarness * h, GstBuffer * in)
{
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  return gst_harness_pull (h);
}

/* First streamable case matching the wishes, else any streamable one. */
static const RnnTestCase *
pick_case (guint B, gboolean batch_first, guint min_T)
{
  const RnnTestCase *any = NULL;
  guint i;

  for (i = 0; cases && i < cases->len; i++) {
    const RnnTestCase *c = g_ptr_array_index (cases, i);

    if (!rnn_test_case_streamable (c) || c->T < min_T)
      continue;
    if (c->B == B && c->batch_first == batch_first)
      return c;
    if (!any)
      any = c;
  }
  return any;
}

static const RnnTestCase *
need_case (guint B, gboolean batch_first, guint min_T)
{
  const RnnTestCase *c = pick_case (B, batch_first, min_T);

  fail_unless (c != NULL, "no streamable fixture with T >= %u in %s", min_T,
      g_getenv ("RNN_FIXTURE_DIR"));
  return c;
}

static gchar *
tiny_model (guint F, guint H)
{
  gchar *path = g_strdup_printf ("%s/tiny-gru-%u-%u.safetensors",
      rnn_test_tmpdir (), F, H);

  rnn_test_write_tiny_gru (path, F, H);
  return path;
}

/* ------------------------------------------------------ conformance */

GST_START_TEST (test_fixture_coverage)
{
  gboolean cell[4] = { FALSE, }, b3[2] = { FALSE, }, b1[2] = { FALSE, };
  gboolean bidi = FALSE;
  guint i, streamable = 0;

  fail_unless (cases->len > 0, "no fixtures in %s",
      g_getenv ("RNN_FIXTURE_DIR"));
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

/* Every streamable case pushed as one buffer. */
GST_START_TEST (test_fixtures_one_buffer)
{
  guint i, ran = 0;

  for (i = 0; i < cases->len; i++) {
    const RnnTestCase *c = g_ptr_array_index (cases, i);
    GstHarness *h;
    GstBuffer *out;

    if (!rnn_test_case_streamable (c))
      continue;
    h = harness_for_case (c);
    out = push_pull (h, frames_buffer (c, 0, c->T));
    check_output (out, c, 0, c->T, "one buffer");
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 0);
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), FRAME_TIME (c->T));
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), 0);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (out), c->T);
    fail_unless (GST_BUFFER_IS_DISCONT (out), "first output not DISCONT");
    gst_buffer_unref (out);
    gst_harness_teardown (h);
    ran++;
  }
  fail_unless (ran > 0, "no streamable fixture");
}

GST_END_TEST;

/* Every streamable case pushed as the fixture's uneven blocks. */
GST_START_TEST (test_fixtures_splits)
{
  guint i, ran = 0;

  for (i = 0; i < cases->len; i++) {
    const RnnTestCase *c = g_ptr_array_index (cases, i);
    GstHarness *h;
    guint s, t0 = 0;

    if (!rnn_test_case_streamable (c))
      continue;
    h = harness_for_case (c);
    for (s = 0; s < c->n_splits; s++) {
      guint k = c->splits[s];
      GstBuffer *out = push_pull (h, frames_buffer (c, t0, k));

      check_output (out, c, t0, k, "split");
      fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (t0));
      fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), t0);
      fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (out), t0 + k);
      fail_unless_equals_int (GST_BUFFER_IS_DISCONT (out), s == 0);
      gst_buffer_unref (out);
      t0 += k;
    }
    gst_harness_teardown (h);
    ran++;
  }
  fail_unless (ran > 0, "no streamable fixture");
}

GST_END_TEST;

/* One frame per buffer, and an empty buffer in between. */
GST_START_TEST (test_frame_by_frame)
{
  const RnnTestCase *c = need_case (3, FALSE, 2);
  GstHarness *h = harness_for_case (c);
  guint t;

  for (t = 0; t < c->T; t++) {
    GstBuffer *out = push_pull (h, frames_buffer (c, t, 1));

    check_output (out, c, t, 1, "frame by frame");
    gst_buffer_unref (out);
    if (t == 0) {
      out = push_pull (h, frames_buffer (c, 1, 0));
      fail_unless_equals_uint64 (gst_buffer_get_size (out), 0);
      gst_buffer_unref (out);
    }
  }
  gst_harness_teardown (h);
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

  gst_memory_resize (mem, 1, size);
  gst_buffer_append_memory (out, mem);
  gst_buffer_fill (out, 0, NULL, 0);
  {
    GstMapInfo in;

    gst_buffer_map (buf, &in, GST_MAP_READ);
    gst_buffer_fill (out, 0, in.data, in.size);
    gst_buffer_unmap (buf, &in);
  }
  gst_buffer_copy_into (out, buf, GST_BUFFER_COPY_METADATA, 0, -1);
  gst_buffer_unref (buf);
  return out;
}

GST_START_TEST (test_unaligned_memory)
{
  gboolean bf;

  for (bf = FALSE; bf <= TRUE; bf++) {
    const RnnTestCase *c = need_case (3, bf, 2);
    GstHarness *h = harness_for_case (c);
    guint s, t0 = 0;

    for (s = 0; s < c->n_splits; s++) {
      GstBuffer *in = unaligned_copy (frames_buffer (c, t0, c->splits[s]));
      GstMapInfo map;
      GstBuffer *out;

      gst_buffer_map (in, &map, GST_MAP_READ);
      fail_unless (((guintptr) map.data) % 4 != 0 || c->splits[s] == 0);
      gst_buffer_unmap (in, &map);
      out = push_pull (h, in);
      check_output (out, c, t0, c->splits[s], "unaligned");
      gst_buffer_unref (out);
      t0 += c->splits[s];
    }
    gst_harness_teardown (h);
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

static gpointer
emit_reset (gpointer element)
{
  g_signal_emit_by_name (element, "reset");
  return NULL;
}

/* Push frames [0, a), fire @trigger, then push frames [0, b) again.
 * With a reset the second output equals a fresh run on [0, b) and is
 * DISCONT; without one it differs. */
static void
run_reset (Trigger trigger, gboolean reset_on_discont, gboolean expect_reset)
{
  const RnnTestCase *c = need_case (1, FALSE, 6);
  GstElement *rnn = make_rnn (c->model_path, c->batch_first);
  guint a = c->T / 3, b = c->T / 2;
  GstHarness *h;
  GstBuffer *in, *out;
  GstSegment segment;
  gchar *caps;
  double e;

  g_object_set (rnn, "reset-on-discont", reset_on_discont, NULL);
  h = harness_for (rnn, c);

  out = push_pull (h, frames_buffer (c, 0, a));
  check_output (out, c, 0, a, "before the trigger");
  fail_unless (GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);

  in = frames_buffer (c, 0, b);
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
  e = output_error (out, c, 0, b);
  if (expect_reset) {
    fail_unless (e <= TOL, "%s: output after the reset is not a fresh run "
        "(max error %g)", c->name, e);
    fail_unless (GST_BUFFER_IS_DISCONT (out),
        "first output after a reset is not DISCONT");
  } else {
    fail_unless (e > 1e-4, "%s: output without a reset equals a fresh run: "
        "the state is not carried (or the model ignores it)", c->name);
    fail_unless_equals_int (GST_BUFFER_IS_DISCONT (out),
        trigger == TRIGGER_DISCONT);
  }
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_START_TEST (test_no_reset_carries)
{
  run_reset (TRIGGER_NONE, TRUE, FALSE);
}

GST_END_TEST;

GST_START_TEST (test_reset_flush)
{
  run_reset (TRIGGER_FLUSH, TRUE, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_reset_segment)
{
  run_reset (TRIGGER_SEGMENT, TRUE, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_reset_discont)
{
  run_reset (TRIGGER_DISCONT, TRUE, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_discont_kept_when_disabled)
{
  run_reset (TRIGGER_DISCONT, FALSE, FALSE);
}

GST_END_TEST;

GST_START_TEST (test_reset_signal)
{
  run_reset (TRIGGER_SIGNAL, TRUE, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_reset_caps_change)
{
  run_reset (TRIGGER_CAPS, TRUE, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_reset_stop)
{
  run_reset (TRIGGER_STOP, TRUE, TRUE);
}

GST_END_TEST;

/* A DISCONT buffer with reset-on-discont=false continues the sequence. */
GST_START_TEST (test_discont_carry_matches)
{
  const RnnTestCase *c = need_case (3, TRUE, 4);
  GstElement *rnn = make_rnn (c->model_path, c->batch_first);
  guint a = c->T / 2;
  GstHarness *h;
  GstBuffer *in, *out;

  g_object_set (rnn, "reset-on-discont", FALSE, NULL);
  h = harness_for (rnn, c);
  out = push_pull (h, frames_buffer (c, 0, a));
  check_output (out, c, 0, a, "first half");
  gst_buffer_unref (out);
  in = frames_buffer (c, a, c->T - a);
  GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DISCONT);
  out = push_pull (h, in);
  check_output (out, c, a, c->T - a, "second half after a kept DISCONT");
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ------------------------------------------------------------ errors */

GST_START_TEST (test_caps_not_multiple)
{
  gchar *model = tiny_model (2, 3);
  GstElement *rnn = make_rnn (model, FALSE);
  GstHarness *h = gst_harness_new_with_element (rnn, "sink", "src");
  GstBus *bus = gst_bus_new ();
  const gchar *needles[] = { "3 channels", "input size 2", NULL };
  GstSegment segment;
  GstBuffer *buf;

  gst_object_unref (rnn);
  gst_element_set_bus (h->element, bus);
  push_caps_str (h, "audio/x-raw, format=F32LE, layout=interleaved, "
      "rate=100, channels=3");
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_harness_push_event (h, gst_event_new_segment (&segment));
  buf = gst_buffer_new_allocate (NULL, 3 * sizeof (float), NULL);
  gst_buffer_memset (buf, 0, 0, 3 * sizeof (float));
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_NOT_NEGOTIATED);
  check_bus_error (bus, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, needles);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  g_free (model);
}

GST_END_TEST;

GST_START_TEST (test_tensor_caps_not_multiple)
{
  gchar *model = tiny_model (2, 3);
  GstElement *rnn = make_rnn (model, FALSE);
  GstHarness *h = gst_harness_new_with_element (rnn, "sink", "src");
  GstBus *bus = gst_bus_new ();
  const gchar *needles[] = { "5", "input size 2", NULL };
  GstSegment segment;
  GstBuffer *buf;

  gst_object_unref (rnn);
  gst_element_set_bus (h->element, bus);
  push_caps_str (h, "other/tensors, format=static, num_tensors=1, "
      "types=float32, dimensions=(string)5:1, framerate=10/1");
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_harness_push_event (h, gst_event_new_segment (&segment));
  buf = gst_buffer_new_allocate (NULL, 5 * sizeof (float), NULL);
  gst_buffer_memset (buf, 0, 0, 5 * sizeof (float));
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_NOT_NEGOTIATED);
  check_bus_error (bus, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, needles);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  g_free (model);
}

GST_END_TEST;

GST_START_TEST (test_partial_frame_buffer)
{
  gchar *model = tiny_model (2, 3);
  GstElement *rnn = make_rnn (model, FALSE);
  GstHarness *h = gst_harness_new_with_element (rnn, "sink", "src");
  GstBus *bus = gst_bus_new ();
  const gchar *needles[] = { "12 bytes", "whole number of frames", NULL };
  GstBuffer *buf;

  gst_object_unref (rnn);
  gst_element_set_bus (h->element, bus);
  gst_harness_set_src_caps_str (h, "audio/x-raw, format=F32LE, "
      "layout=interleaved, rate=100, channels=2");
  /* 1.5 frames of 2 floats */
  buf = gst_buffer_new_allocate (NULL, 12, NULL);
  gst_buffer_memset (buf, 0, 0, 12);
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_ERROR);
  check_bus_error (bus, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT, needles);
  fail_unless (gst_harness_try_pull (h) == NULL);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  g_free (model);
}

GST_END_TEST;

GST_START_TEST (test_missing_model)
{
  gchar *path = g_strdup_printf ("%s/does-not-exist.safetensors",
      rnn_test_tmpdir ());
  const gchar *needles[] = { path, NULL };

  check_start_error (make_rnn (path, FALSE), GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_FOUND, needles);
  g_free (path);
}

GST_END_TEST;

GST_START_TEST (test_no_model)
{
  GstElement *rnn = gst_element_factory_make ("rnn", NULL);
  const gchar *needles[] = { "model", NULL };

  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
      needles);
}

GST_END_TEST;

GST_START_TEST (test_garbage_model)
{
  gchar *path = g_strdup_printf ("%s/garbage.safetensors", rnn_test_tmpdir ());
  guint8 junk[100];
  GError *core_err = NULL;
  RnnModel *m;
  guint i;

  for (i = 0; i < sizeof (junk); i++)
    junk[i] = (guint8) (i * 37 + 11);
  fail_unless (g_file_set_contents (path, (const gchar *) junk, sizeof (junk),
          NULL));
  /* the element's message carries the core's reason */
  m = rnn_model_load (path, NULL, &core_err);
  fail_unless (m == NULL && core_err != NULL);
  {
    const gchar *needles[] = { path, core_err->message, NULL };

    check_start_error (make_rnn (path, FALSE), GST_RESOURCE_ERROR,
        GST_RESOURCE_ERROR_FAILED, needles);
  }
  g_error_free (core_err);
  g_free (path);
}

GST_END_TEST;

/* A valid safetensors file that is not a recurrent model. */
GST_START_TEST (test_not_a_model)
{
  gchar *path = g_strdup_printf ("%s/not-a-model.safetensors",
      rnn_test_tmpdir ());
  gsize shape[1] = { 4 };
  const gsize *shapes[] = { shape };
  guint ndims[] = { 1 };
  float v[4] = { 1, 2, 3, 4 };
  const float *data[] = { v };
  const gchar *names[] = { "fc.weight", NULL };
  const gchar *needles[] = { path, NULL };

  rnn_test_write_safetensors (path, names, shapes, ndims, data, NULL);
  check_start_error (make_rnn (path, FALSE), GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_FAILED, needles);
  g_free (path);
}

GST_END_TEST;

/* The windowed modes need a window (the other modes are tested in
 * test-rnn-modes.c). */
GST_START_TEST (test_mode_needs_window)
{
  gchar *model = tiny_model (1, 2);
  GstElement *rnn = make_rnn (model, FALSE);
  const gchar *needles[] = { "n-to-1", "'window'", NULL };

  gst_util_set_object_arg (G_OBJECT (rnn), "mode", "n-to-1");
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      needles);
  g_free (model);
}

GST_END_TEST;

GST_START_TEST (test_properties)
{
  GstElement *rnn = gst_element_factory_make ("rnn", NULL);
  gchar *model = NULL;
  gboolean bf, rod;
  guint window;
  gint mode;
  GParamSpec *pspec;

  g_object_get (rnn, "model", &model, "batch-first", &bf, "reset-on-discont",
      &rod, "window", &window, "mode", &mode, NULL);
  fail_unless (model == NULL);
  fail_unless (!bf);
  fail_unless (rod);
  fail_unless_equals_int (window, 0);
  fail_unless_equals_int (mode, 0);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (rnn), "mode");
  fail_unless (g_enum_get_value_by_nick (G_PARAM_SPEC_ENUM (pspec)->enum_class,
          "n-to-n") != NULL);
  fail_unless (g_enum_get_value_by_nick (G_PARAM_SPEC_ENUM (pspec)->enum_class,
          "n-to-m") != NULL);
  fail_unless (g_signal_lookup ("reset", G_OBJECT_TYPE (rnn)) != 0);
  gst_object_unref (rnn);
}

GST_END_TEST;

/* ---------------------------------------------------- bidirectional */

static const RnnTestCase *
need_bidi_case (void)
{
  guint i;

  for (i = 0; i < cases->len; i++) {
    const RnnTestCase *c = g_ptr_array_index (cases, i);

    if (c->bidirectional && !c->has_h0)
      return c;
  }
  fail ("no bidirectional fixture without h0");
  return NULL;
}

GST_START_TEST (test_bidirectional_refused)
{
  const RnnTestCase *c = need_bidi_case ();
  const gchar *needles[] = { "bidirectional", "window", c->model_path, NULL };

  check_start_error (make_rnn (c->model_path, c->batch_first),
      GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS, needles);
}

GST_END_TEST;

/* window=T: the blocks are collected and run as one sequence; every
 * bidirectional case without h0. */
GST_START_TEST (test_bidirectional_window)
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
    rnn = make_rnn (c->model_path, c->batch_first);
    g_object_set (rnn, "window", c->T, NULL);
    h = harness_for (rnn, c);
    fail_unless_equals_uint64 (gst_harness_query_latency (h),
        FRAME_TIME (c->T));
    for (s = 0; s < c->n_splits; s++) {
      fail_unless_equals_int (gst_harness_push (h,
              frames_buffer (c, t0, c->splits[s])), GST_FLOW_OK);
      t0 += c->splits[s];
      if (t0 < c->T)
        fail_unless (gst_harness_try_pull (h) == NULL,
            "output before the window is full");
    }
    out = gst_harness_pull (h);
    check_output (out, c, 0, c->T, "window");
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 0);
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), FRAME_TIME (c->T));
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), 0);
    fail_unless (GST_BUFFER_IS_DISCONT (out));
    gst_buffer_unref (out);
    gst_harness_teardown (h);
    ran++;
  }
  fail_unless (ran > 0, "no bidirectional fixture without h0");
}

GST_END_TEST;

/* Windows shorter than the sequence: each window is an independent
 * sequence (checked against the core run on the same frames), the last,
 * partial one comes out at EOS. */
GST_START_TEST (test_bidirectional_small_windows)
{
  const RnnTestCase *c = need_bidi_case ();
  guint W = c->T / 3 + 1, n_win = (c->T + W - 1) / W, w, s, t0 = 0;
  GstElement *rnn = make_rnn (c->model_path, c->batch_first);
  RnnModel *model = rnn_model_load (c->model_path, NULL, NULL);
  RnnState *state = rnn_state_new (model, c->B, W, NULL);
  GstHarness *h;

  g_object_set (rnn, "window", W, NULL);
  h = harness_for (rnn, c);
  for (s = 0; s < c->n_splits; s++) {
    fail_unless_equals_int (gst_harness_push (h,
            frames_buffer (c, t0, c->splits[s])), GST_FLOW_OK);
    t0 += c->splits[s];
  }
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), n_win);

  for (w = 0; w < n_win; w++) {
    guint k = MIN (W, c->T - w * W);
    float *in = rnn_test_slice (c->input, c->T, c->B, c->F, c->batch_first,
        w * W, k);
    float *exp = g_new (float, (gsize) k * c->B * c->O);
    GstBuffer *out = gst_harness_pull (h);
    GstMapInfo map;
    double e;

    rnn_state_reset (state);
    fail_unless (rnn_state_process_window (state, in, k,
            c->batch_first ? RNN_RUN_BATCH_FIRST : RNN_RUN_NONE, exp, NULL));
    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    fail_unless_equals_uint64 (map.size, (gsize) k * c->B * c->O * 4);
    e = rnn_test_max_err ((const float *) map.data, exp,
        (gsize) k * c->B * c->O);
    gst_buffer_unmap (out, &map);
    fail_unless (e <= TOL, "%s: window %u differs by %g", c->name, w, e);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (w * W));
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), FRAME_TIME (k));
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), w * W);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (out), w * W + k);
    fail_unless_equals_int (GST_BUFFER_IS_DISCONT (out), w == 0);
    gst_buffer_unref (out);
    g_free (in);
    g_free (exp);
  }
  gst_harness_teardown (h);
  rnn_state_free (state);
  rnn_model_unref (model);
}

GST_END_TEST;

/* A window longer than the stream: EOS runs the partial window. */
GST_START_TEST (test_bidirectional_window_eos)
{
  const RnnTestCase *c = need_bidi_case ();
  GstElement *rnn = make_rnn (c->model_path, c->batch_first);
  GstHarness *h;
  GstBuffer *out;

  g_object_set (rnn, "window", c->T + 7, NULL);
  h = harness_for (rnn, c);
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (c, 0, c->T)),
      GST_FLOW_OK);
  fail_unless (gst_harness_try_pull (h) == NULL);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  out = gst_harness_pull (h);
  check_output (out, c, 0, c->T, "partial window at EOS");
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* partial-window=drop: the partial window is dropped at EOS. */
GST_START_TEST (test_bidirectional_window_eos_drop)
{
  const RnnTestCase *c = need_bidi_case ();
  GstElement *rnn = make_rnn (c->model_path, c->batch_first);
  GstHarness *h;

  g_object_set (rnn, "window", c->T + 7, NULL);
  gst_util_set_object_arg (G_OBJECT (rnn), "partial-window", "drop");
  h = harness_for (rnn, c);
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (c, 0, c->T)),
      GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless (gst_harness_try_pull (h) == NULL);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ----------------------------------------------------------- latency */

GST_START_TEST (test_latency)
{
  const RnnTestCase *c = need_case (1, FALSE, 1);
  GstHarness *h = harness_for_case (c);

  fail_unless_equals_uint64 (gst_harness_query_latency (h), 0);
  gst_harness_set_upstream_latency (h, 20 * GST_MSECOND);
  fail_unless_equals_uint64 (gst_harness_query_latency (h), 20 * GST_MSECOND);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ------------------------------------------------------ NNStreamer */

static GstHarness *
tensor_harness (const RnnTestCase * c, const gchar * dims)
{
  GstElement *rnn = make_rnn (c->model_path, c->batch_first);
  GstHarness *h = gst_harness_new_with_element (rnn, "sink", "src");
  gchar *caps = g_strdup_printf ("other/tensors, format=static, "
      "num_tensors=1, types=float32, dimensions=(string)%s, framerate=%d/1", dims,
      RATE);

  gst_object_unref (rnn);
  gst_harness_set_src_caps_str (h, caps);
  g_free (caps);
  return h;
}

static void
check_tensor_caps (GstHarness * h, const gchar * dims)
{
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  const GstStructure *s;

  fail_unless (caps != NULL);
  s = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_has_name (s, "other/tensors"),
      "output caps %" GST_PTR_FORMAT, caps);
  fail_unless_equals_string (gst_structure_get_string (s, "dimensions"), dims);
  fail_unless_equals_string (gst_structure_get_string (s, "types"),
      "float32");
  gst_caps_unref (caps);
}

/* (T, B, F) as C:1 tensors, one frame per buffer. */
GST_START_TEST (test_tensors_time_major)
{
  const RnnTestCase *c = need_case (3, FALSE, 2);
  gchar *in_dims = g_strdup_printf ("%u:1", c->B * c->F);
  gchar *out_dims = g_strdup_printf ("%u:1", c->B * c->O);
  GstHarness *h = tensor_harness (c, in_dims);
  guint t;

  for (t = 0; t < c->T; t++) {
    GstBuffer *out = push_pull (h, frames_buffer (c, t, 1));

    if (t == 0)
      check_tensor_caps (h, out_dims);
    check_output (out, c, t, 1, "tensor frame");
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
  g_free (in_dims);
  g_free (out_dims);
}

GST_END_TEST;

/* (B, T, F) as F:T:B tensors with batch-first=true. */
GST_START_TEST (test_tensors_batch_first)
{
  const RnnTestCase *c = need_case (3, TRUE, 1);
  gchar *in_dims, *out_dims;
  GstHarness *h;
  GstBuffer *out;

  fail_unless (c->batch_first, "no batch-first fixture");
  in_dims = g_strdup_printf ("%u:%u:%u", c->F, c->T, c->B);
  out_dims = g_strdup_printf ("%u:%u:%u", c->O, c->T, c->B);
  h = tensor_harness (c, in_dims);
  out = push_pull (h, frames_buffer (c, 0, c->T));
  check_tensor_caps (h, out_dims);
  check_output (out, c, 0, c->T, "batch-first tensor");
  gst_buffer_unref (out);
  gst_harness_teardown (h);
  g_free (in_dims);
  g_free (out_dims);
}

GST_END_TEST;

/* Caps queries map channels both ways once the model is loaded. */
GST_START_TEST (test_caps_query)
{
  const RnnTestCase *c = need_case (3, FALSE, 1);
  GstHarness *h = harness_for_case (c);
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  GstPad *sinkpad = gst_element_get_static_pad (h->element, "sink");
  GstCaps *filter, *res;
  gchar *str;
  gint channels;

  fail_unless (gst_structure_get_int (gst_caps_get_structure (caps, 0),
          "channels", &channels));
  fail_unless_equals_int (channels, c->B * c->O);
  gst_caps_unref (caps);

  /* which input channels give 2 x O output channels? */
  str = g_strdup_printf ("audio/x-raw, channels=%u", 2 * c->O);
  gst_harness_set_sink_caps_str (h, str);
  g_free (str);
  filter = gst_caps_from_string ("audio/x-raw, format=F32LE");
  res = gst_pad_query_caps (sinkpad, filter);
  fail_unless (!gst_caps_is_empty (res));
  fail_unless (gst_structure_get_int (gst_caps_get_structure (res, 0),
          "channels", &channels), "%" GST_PTR_FORMAT, res);
  fail_unless_equals_int (channels, 2 * c->F);
  gst_caps_unref (res);
  gst_caps_unref (filter);
  gst_object_unref (sinkpad);
  gst_harness_teardown (h);
}

GST_END_TEST;

static Suite *
rnn_suite (void)
{
  Suite *s = suite_create ("rnn");
  TCase *tc;

  tc = tcase_create ("conformance");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_fixture_coverage);
  tcase_add_test (tc, test_fixtures_one_buffer);
  tcase_add_test (tc, test_fixtures_splits);
  tcase_add_test (tc, test_frame_by_frame);
  tcase_add_test (tc, test_unaligned_memory);
  suite_add_tcase (s, tc);

  tc = tcase_create ("state");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_no_reset_carries);
  tcase_add_test (tc, test_reset_flush);
  tcase_add_test (tc, test_reset_segment);
  tcase_add_test (tc, test_reset_discont);
  tcase_add_test (tc, test_discont_kept_when_disabled);
  tcase_add_test (tc, test_discont_carry_matches);
  tcase_add_test (tc, test_reset_signal);
  tcase_add_test (tc, test_reset_caps_change);
  tcase_add_test (tc, test_reset_stop);
  suite_add_tcase (s, tc);

  tc = tcase_create ("errors");
  tcase_add_test (tc, test_properties);
  tcase_add_test (tc, test_caps_not_multiple);
  tcase_add_test (tc, test_tensor_caps_not_multiple);
  tcase_add_test (tc, test_partial_frame_buffer);
  tcase_add_test (tc, test_missing_model);
  tcase_add_test (tc, test_no_model);
  tcase_add_test (tc, test_garbage_model);
  tcase_add_test (tc, test_not_a_model);
  tcase_add_test (tc, test_mode_needs_window);
  suite_add_tcase (s, tc);

  tc = tcase_create ("bidirectional");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_bidirectional_refused);
  tcase_add_test (tc, test_bidirectional_window);
  tcase_add_test (tc, test_bidirectional_window_eos);
  tcase_add_test (tc, test_bidirectional_window_eos_drop);
  tcase_add_test (tc, test_bidirectional_small_windows);
  suite_add_tcase (s, tc);

  tc = tcase_create ("caps");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_latency);
  tcase_add_test (tc, test_tensors_time_major);
  tcase_add_test (tc, test_tensors_batch_first);
  tcase_add_test (tc, test_caps_query);
  suite_add_tcase (s, tc);

  return s;
}

GST_CHECK_MAIN (rnn);
