/* GstHarness (and appsrc ! rnn ! appsink) tests of the rnn element against
 * hostile input and changes while playing: the non-finite policies,
 * timestamp gaps, hot model swap (with a stress test), and state snapshots
 * across a restart.
 *
 * References come from the core (rnn_state_process) on the same frames,
 * or from the PyTorch fixtures ($RNN_FIXTURE_DIR) for the snapshot tests.
 * Models are written by the test itself.
 */
#include <math.h>
#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include "rnn.h"
#include "rnn-test-util.h"

#define TOL RNN_TEST_TOLERANCE
#define RATE 100
#define FRAME_TIME(t) gst_util_uint64_scale ((t), GST_SECOND, RATE)

/* ------------------------------------------------------------ helpers */

static gchar *
model_path (const gchar * name)
{
  return g_strdup_printf ("%s/%s.safetensors", rnn_test_tmpdir (), name);
}

/* GRU, F inputs, H hidden, weights set by @phase. */
static gchar *
gru_model (guint F, guint H, float phase)
{
  gchar *name = g_strdup_printf ("gru-%u-%u-%g", F, H, phase);
  gchar *path = model_path (name);

  rnn_test_write_gru_phase (path, F, H, phase);
  g_free (name);
  return path;
}

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
  gchar *path = model_path ("relu-overflow");

  rnn_test_write_safetensors (path, names, shapes, ndims, data, meta);
  return path;
}

static gchar *
garbage_model (void)
{
  gchar *path = model_path ("garbage");

  fail_unless (g_file_set_contents (path, "this is not a safetensors file",
          -1, NULL));
  return path;
}

static GstElement *
make_rnn (const gchar * model)
{
  GstElement *e = gst_element_factory_make ("rnn", NULL);

  fail_unless (e != NULL, "rnn element not found (GST_PLUGIN_PATH?)");
  g_object_set (e, "model", model, NULL);
  return e;
}

static gchar *
audio_caps (guint channels)
{
  return g_strdup_printf ("audio/x-raw, format=F32LE, layout=interleaved, "
      "rate=%d, channels=%u", RATE, channels);
}

/* Harness around @rnn (reference taken), a bus of its own, audio caps of
 * @channels set. */
static GstHarness *
harness_new (GstElement * rnn, guint channels, GstBus ** bus)
{
  GstHarness *h = gst_harness_new_with_element (rnn, "sink", "src");
  gchar *caps = audio_caps (channels);

  *bus = gst_bus_new ();
  gst_element_set_bus (rnn, *bus);
  gst_harness_set_src_caps_str (h, caps);
  g_free (caps);
  gst_object_unref (rnn);
  return h;
}

static void
harness_done (GstHarness * h, GstBus * bus)
{
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

/* Deterministic input (T, B, F), time-major. */
static float *
make_input (guint T, guint B, guint F, float seed)
{
  float *x = g_new (float, (gsize) T * B * F);
  guint t, b, f;

  for (t = 0; t < T; t++)
    for (b = 0; b < B; b++)
      for (f = 0; f < F; f++)
        x[((gsize) t * B + b) * F + f] = sinf (seed + 0.13f * t * (f + 1) +
            1.7f * b) + 0.3f * cosf (0.05f * t + f);
  return x;
}

/* Frames [t0, t0 + k) of a time-major (T, B, F) block as a buffer stamped
 * at frame @t0. */
static GstBuffer *
frames_buffer (const float *x, guint B, guint F, guint t0, guint k)
{
  gsize n = (gsize) k * B * F;
  GstBuffer *buf = gst_buffer_new_wrapped (g_memdup2 (x + (gsize) t0 * B * F,
          n * sizeof (float)), n * sizeof (float));

  GST_BUFFER_PTS (buf) = FRAME_TIME (t0);
  GST_BUFFER_DURATION (buf) = FRAME_TIME (t0 + k) - FRAME_TIME (t0);
  GST_BUFFER_OFFSET (buf) = t0;
  GST_BUFFER_OFFSET_END (buf) = t0 + k;
  return buf;
}

static GstBuffer *
push_pull (GstHarness * h, GstBuffer * in)
{
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  return gst_harness_pull (h);
}

static RnnModel *
load_model (const gchar * path)
{
  GError *err = NULL;
  RnnModel *m = rnn_model_load (path, NULL, &err);

  fail_unless (m != NULL, "%s: %s", path, err ? err->message : "");
  return m;
}

/* The core on @T frames (T, B, F) from the state @s (time-major). */
static float *
core_run (RnnState * s, const float *in, gsize T)
{
  RnnModel *m = rnn_state_get_model (s);
  guint B = rnn_state_get_batch (s);
  float *out = g_new (float, T * B * rnn_model_get_output_size (m));
  GError *err = NULL;

  fail_unless (rnn_state_process (s, in, T, RNN_RUN_NONE, out, &err),
      "core: %s", err ? err->message : "");
  return out;
}

/* Compare an output buffer with @ref (k frames, B * O floats each). */
static void
check_buffer (GstBuffer * out, const float *ref, gsize n, double tol,
    const gchar * what)
{
  GstMapInfo map;
  double e;

  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  fail_unless_equals_uint64 (map.size, n * sizeof (float));
  e = rnn_test_max_err ((const float *) map.data, ref, n);
  gst_buffer_unmap (out, &map);
  fail_unless (e <= tol, "%s: max error %g > %g", what, e, tol);
}

/* All WARNING messages on @bus, oldest first (caller unrefs). */
static GList *
pop_warnings (GstBus * bus)
{
  GList *l = NULL;
  GstMessage *msg;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING)))
    l = g_list_append (l, msg);
  return l;
}

static gchar *
warning_text (GstMessage * msg)
{
  GError *err = NULL;
  gchar *dbg = NULL, *text;

  gst_message_parse_warning (msg, &err, &dbg);
  text = g_strdup_printf ("%s (%s)", err->message, dbg ? dbg : "");
  GST_INFO ("warning: %s", text);
  g_error_free (err);
  g_free (dbg);
  return text;
}

/* The one WARNING on @bus must mention every needle; returns its details
 * structure (copy, or NULL). */
static GstStructure *
expect_one_warning (GstBus * bus, const gchar * const *needles)
{
  GList *w = pop_warnings (bus);
  const GstStructure *details = NULL;
  GstStructure *ret;
  gchar *text;
  guint i;

  fail_unless_equals_int (g_list_length (w), 1);
  text = warning_text (w->data);
  for (i = 0; needles && needles[i]; i++)
    fail_unless (strstr (text, needles[i]) != NULL,
        "warning \"%s\" does not mention \"%s\"", text, needles[i]);
  gst_message_parse_warning_details (w->data, &details);
  ret = details ? gst_structure_copy (details) : NULL;
  g_free (text);
  g_list_free_full (w, (GDestroyNotify) gst_message_unref);
  return ret;
}

static void
expect_no_warning (GstBus * bus)
{
  GList *w = pop_warnings (bus);

  if (w) {
    gchar *text = warning_text (w->data);
    fail ("unexpected warning: %s", text);
  }
}

/* Bidirectional GRU, F inputs, H hidden per direction (output 2H). */
static gchar *
bigru_model (guint F, guint H)
{
  gsize s_ih[2] = { 3 * H, F }, s_hh[2] = { 3 * H, H };
  const gsize *shapes[] = { s_ih, s_hh, s_ih, s_hh };
  guint ndims[] = { 2, 2, 2, 2 };
  const gchar *names[] = { "weight_ih_l0", "weight_hh_l0",
    "weight_ih_l0_reverse", "weight_hh_l0_reverse", NULL
  };
  float *w[4];
  gchar *path = model_path ("bigru");
  guint i, j;

  for (i = 0; i < 4; i++) {
    gsize n = shapes[i][0] * shapes[i][1];

    w[i] = g_new (float, n);
    for (j = 0; j < n; j++)
      w[i][j] = 0.5f * sinf (0.3f + i + 0.71f * j);
  }
  rnn_test_write_safetensors (path, names, shapes, ndims,
      (const float *const *) w, NULL);
  for (i = 0; i < 4; i++)
    g_free (w[i]);
  return path;
}

/* ------------------------------------------------------ non-finite input */

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
  float *x = make_input (NF_T, NF_B, NF_F, 0.5f);
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
              clean_ref + (gsize) i * NF_B * O, O) <= TOL);
    rnn_state_free (s);
    rnn_model_unref (m);
    g_free (x2);
    g_free (clean_ref);
  }

  h = harness_new (make_rnn (model), NF_B * NF_F, &bus);
  for (i = 0; i < 3; i++) {
    GstBuffer *out = push_pull (h, frames_buffer (x, NF_B, NF_F, 20 * i, 20));
    gchar *what = g_strdup_printf ("buffer %u", i);

    check_buffer (out, ref + (gsize) 20 * i * NF_B * O, 20 * NF_B * O, TOL,
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

  harness_done (h, bus);
  g_free (ref);
  g_free (x);
  g_free (model);
}

GST_END_TEST;

/* The same in the batch-first layout (the block is cut per stream). */
GST_START_TEST (test_nonfinite_reset_stream_batch_first)
{
  gchar *model = gru_model (NF_F, NF_H, 1.0f);
  float *x = make_input (NF_T, NF_B, NF_F, 0.5f);
  float *ref;
  guint O = NF_H, T = 30;
  GstElement *rnn;
  GstHarness *h;
  GstBus *bus;
  GstBuffer *in, *out;
  float *bf_in, *bf_ref;

  x[(7 * NF_B + 0) * NF_F + 1] = -INFINITY;
  x[(7 * NF_B + 2) * NF_F + 0] = NAN;
  x[(19 * NF_B + 2) * NF_F + 0] = NAN;
  ref = reference_reset_stream (model, x, T);

  rnn = make_rnn (model);
  g_object_set (rnn, "batch-first", TRUE, NULL);
  h = harness_new (rnn, NF_B * NF_F, &bus);
  /* (T, B, F) -> (B, T, F) */
  bf_in = g_new (float, (gsize) T * NF_B * NF_F);
  {
    guint t, b;

    for (t = 0; t < T; t++)
      for (b = 0; b < NF_B; b++)
        memcpy (bf_in + ((gsize) b * T + t) * NF_F,
            x + ((gsize) t * NF_B + b) * NF_F, NF_F * sizeof (float));
  }
  bf_ref = g_new (float, (gsize) T * NF_B * O);
  {
    guint t, b;

    for (t = 0; t < T; t++)
      for (b = 0; b < NF_B; b++)
        memcpy (bf_ref + ((gsize) b * T + t) * O,
            ref + ((gsize) t * NF_B + b) * O, O * sizeof (float));
  }
  in = gst_buffer_new_wrapped (bf_in, (gsize) T * NF_B * NF_F * 4);
  GST_BUFFER_PTS (in) = 0;
  out = push_pull (h, in);
  check_buffer (out, bf_ref, (gsize) T * NF_B * O, TOL, "batch-first");
  gst_buffer_unref (out);

  harness_done (h, bus);
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
  float *x = make_input (NF_T, NF_B, NF_F, 0.5f);
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

  h = harness_new (make_rnn (model), NF_B * NF_F, &bus);
  for (i = 0; i < 6; i++) {
    gst_buffer_unref (push_pull (h, frames_buffer (x, NF_B, NF_F, 10 * i,
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
  harness_done (h, bus);
  g_free (x);
  g_free (model);
}

GST_END_TEST;

/* propagate: no check, the NaN stays in stream 1 until a reset; the other
 * streams are untouched; no warning. */
GST_START_TEST (test_nonfinite_propagate)
{
  gchar *model = gru_model (NF_F, NF_H, 1.0f);
  float *x = make_input (NF_T, NF_B, NF_F, 0.5f);
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
  h = harness_new (rnn, NF_B * NF_F, &bus);
  for (i = 0; i < 2; i++) {
    GstBuffer *out = push_pull (h, frames_buffer (x, NF_B, NF_F, 20 * i, 20));
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
          fail_unless (rnn_test_max_err (got, exp, O) <= TOL, "frame %u stream %u",
              20 * i + t, b);
        }
      }
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
  }
  expect_no_warning (bus);

  /* a DISCONT buffer resets: finite again */
  {
    GstBuffer *in = frames_buffer (x, NF_B, NF_F, 40, 20), *out;
    GstMapInfo map;

    GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DISCONT);
    out = push_pull (h, in);
    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    for (i = 0; i < map.size / 4; i++)
      fail_unless (isfinite (((const float *) map.data)[i]));
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
  }

  harness_done (h, bus);
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
  float *x = make_input (NF_T, NF_B, NF_F, 0.5f);
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
  h = harness_new (rnn, NF_B * NF_F, &bus);
  for (i = 0; i < 3; i++) {
    GstBuffer *out = push_pull (h, frames_buffer (x, NF_B, NF_F, 20 * i, 20));

    check_buffer (out, ref + (gsize) 20 * i * NF_B * O, 20 * NF_B * O, TOL,
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
  harness_done (h, bus);
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
  float *x = make_input (NF_T, NF_B, NF_F, 0.5f);
  GstElement *rnn;
  GstHarness *h;
  GstBus *bus;
  GstMessage *msg;
  GError *err = NULL;

  x[(27 * NF_B + 1) * NF_F + 1] = NAN;
  rnn = make_rnn (model);
  gst_util_set_object_arg (G_OBJECT (rnn), "non-finite", "error");
  h = harness_new (rnn, NF_B * NF_F, &bus);
  gst_buffer_unref (push_pull (h, frames_buffer (x, NF_B, NF_F, 0, 20)));
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (x, NF_B, NF_F,
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
  harness_done (h, bus);
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
  h = harness_new (rnn, 1, &bus);

  out = push_pull (h, frames_buffer (x, 1, 1, 0, 10));
  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  /* unit 0 overflows to +inf at frame 6 and stays non-finite in this buffer
   * (inf, or NaN once inf - inf appears: relu keeps NaN, as PyTorch) */
  fail_unless (isfinite (((float *) map.data)[2 * 5]));
  fail_unless (isinf (((float *) map.data)[2 * 6]));
  fail_unless (!isfinite (((float *) map.data)[2 * 9]));
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);

  out = push_pull (h, frames_buffer (x, 1, 1, 10, 10));
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

    check_buffer (out, fresh, 20, TOL, "after the overflow");
    d = expect_one_warning (bus, needles);
    fail_unless_equals_string (gst_structure_get_string (d, "reason"),
        "state");
    gst_structure_free (d);
  }
  gst_buffer_unref (out);
  harness_done (h, bus);
  g_free (fresh);
  g_free (model);
}

GST_START_TEST (test_state_overflow_reset)
{
  run_state_overflow ("reset-stream");
}

GST_END_TEST;

GST_START_TEST (test_state_overflow_zero)
{
  run_state_overflow ("zero");
}

GST_END_TEST;

GST_START_TEST (test_state_overflow_propagate)
{
  run_state_overflow ("propagate");
}

GST_END_TEST;

/* n-to-1 with carry-state: a window holding a NaN gives NaN scores for
 * that stream, but the next window starts that stream from zero. */
GST_START_TEST (test_nonfinite_n_to_1_carry)
{
  gchar *model = gru_model (NF_F, NF_H, 2.0f);
  float *x = make_input (NF_T, NF_B, NF_F, 0.1f);
  GstElement *rnn;
  GstHarness *h;
  GstBus *bus;
  GstBuffer *out;
  const GstMetaInfo *info;
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
  h = harness_new (rnn, NF_B * NF_F, &bus);
  info = gst_meta_get_info ("GstRnnResultMeta");
  fail_unless (info != NULL);

  for (i = 0; i < 2; i++) {
    gpointer state = NULL;
    GstMeta *meta;
    guint b = 0;

    out = push_pull (h, frames_buffer (x, NF_B, NF_F, W * i, W));
    while ((meta = gst_buffer_iterate_meta_filtered (out, &state,
                info->api))) {
      const GstStructure *st =
          gst_custom_meta_get_structure ((GstCustomMeta *) meta);
      const GValue *scores = gst_structure_get_value (st, "scores");
      guint k;

      for (k = 0; k < O; k++) {
        float v = g_value_get_float (gst_value_array_get_value (scores, k));
        /* no head: scores = the top layer's last output */
        if (i == 0 && b == 1)
          fail_unless (isnan (v));
        else if (i == 1 && b == 1)
          fail_unless (fabsf (v - fresh[((W - 1) * NF_B + b) * O + k]) <
              1e-5, "window 1, stream 1: not from a zero state");
        else
          fail_unless (fabsf (v - carried[((gsize) (i * W + W - 1) * NF_B +
                          b) * O + k]) < 1e-5, "window %u stream %u", i, b);
      }
      b++;
    }
    fail_unless_equals_int (b, NF_B);
    gst_buffer_unref (out);
  }
  harness_done (h, bus);
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
  float *x = make_input (10, 1, NF_F, 0.3f);
  gboolean propagate = g_str_equal (policy, "propagate");
  guint steps = 3, O = NF_H, k;
  GstElement *rnn;
  GstHarness *h;
  GstBus *bus;
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
  h = harness_new (rnn, NF_F, &bus);
  out = push_pull (h, frames_buffer (x, 1, NF_F, 0, 5));
  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  o = (const float *) map.data;
  for (k = 0; k < steps * O; k++) {
    fail_unless (isfinite (o[1 * steps * O + k]));
    fail_unless (isnan (o[2 * steps * O + k]));
    if (propagate)
      fail_unless (isnan (o[3 * steps * O + k]));
  }
  if (!propagate)
    fail_unless (rnn_test_max_err (o + 3 * steps * O, fresh, steps * O) <= TOL,
        "1-to-n: the frame after the NaN is not from a zero state");
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);
  harness_done (h, bus);
  g_free (fresh);
  g_free (x);
  g_free (model);
}

GST_START_TEST (test_nonfinite_1_to_n)
{
  run_nonfinite_1_to_n ("reset-stream");
  run_nonfinite_1_to_n ("propagate");
}

GST_END_TEST;

/* A bidirectional model on windows with non-finite=zero: each window is
 * the run on the input with the bad values zeroed. */
GST_START_TEST (test_nonfinite_windowed_zero)
{
  gchar *bi = bigru_model (NF_F, 3);
  float *x = make_input (8, 1, NF_F, 0.3f), *x0;
  float win[8 * 6];
  GstElement *rnn;
  GstHarness *h;
  GstBus *bus;
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
  h = harness_new (rnn, NF_F, &bus);
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (x, 1, NF_F, 0,
              8)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  out = gst_harness_pull (h);
  check_buffer (out, win, 4 * 6, 1e-6, "second window, Inf zeroed");
  gst_buffer_unref (out);
  harness_done (h, bus);
  rnn_state_free (st);
  rnn_model_unref (m);
  g_free (x0);
  g_free (x);
  g_free (bi);
}

GST_END_TEST;

/* -------------------------------------------------------- timestamps */

#define TS_F 2
#define TS_H 4

typedef struct
{
  gchar *model;
  float *x;                     /* (80, 1, TS_F) */
  RnnModel *m;
} TsFixture;

static void
ts_setup (TsFixture * f)
{
  f->model = gru_model (TS_F, TS_H, 3.0f);
  f->x = make_input (80, 1, TS_F, 0.2f);
  f->m = load_model (f->model);
}

static void
ts_teardown (TsFixture * f)
{
  rnn_model_unref (f->m);
  g_free (f->x);
  g_free (f->model);
}

/* Core output of frames [t0, t0 + k), from zero state at frame @from. */
static float *
ts_ref (TsFixture * f, guint from, guint t0, guint k)
{
  RnnState *s = rnn_state_new (f->m, 1, 128, NULL);
  float *all = core_run (s, f->x + (gsize) from * TS_F, t0 + k - from);
  float *out = g_memdup2 (all + (gsize) (t0 - from) * TS_H,
      (gsize) k * TS_H * sizeof (float));

  g_free (all);
  rnn_state_free (s);
  return out;
}

/* Push [0, 20) at its time, then frames [20, 40) stamped @pts (and
 * without a duration when @no_duration); the second output must be a
 * fresh run of [20, 40) when @expect_reset, else the continuation. */
static void
run_timestamp (GstElement * rnn, TsFixture * f, GstClockTime pts,
    gboolean no_duration, gboolean gap_flag, gboolean expect_reset,
    gboolean expect_discont)
{
  GstHarness *h;
  GstBus *bus;
  GstBuffer *in, *out;
  float *ref;

  h = harness_new (rnn, TS_F, &bus);
  in = frames_buffer (f->x, 1, TS_F, 0, 20);
  if (no_duration)
    GST_BUFFER_DURATION (in) = GST_CLOCK_TIME_NONE;
  out = push_pull (h, in);
  gst_buffer_unref (out);

  in = frames_buffer (f->x, 1, TS_F, 20, 20);
  GST_BUFFER_PTS (in) = pts;
  if (no_duration)
    GST_BUFFER_DURATION (in) = GST_CLOCK_TIME_NONE;
  if (gap_flag)
    GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_GAP);
  out = push_pull (h, in);
  ref = ts_ref (f, expect_reset ? 20 : 0, 20, 20);
  check_buffer (out, ref, 20 * TS_H, 1e-6, expect_reset ?
      "second buffer should start from a zero state" :
      "second buffer should continue the state");
  fail_unless_equals_int (GST_BUFFER_IS_DISCONT (out), expect_discont);
  gst_buffer_unref (out);
  g_free (ref);
  harness_done (h, bus);
}

GST_START_TEST (test_timestamp_contiguous)
{
  TsFixture f;

  ts_setup (&f);
  run_timestamp (make_rnn (f.model), &f, FRAME_TIME (20), FALSE, FALSE,
      FALSE, FALSE);
  /* no durations: the end comes from the frame count and the rate */
  run_timestamp (make_rnn (f.model), &f, FRAME_TIME (20), TRUE, FALSE,
      FALSE, FALSE);
  ts_teardown (&f);
}

GST_END_TEST;

GST_START_TEST (test_timestamp_gap_resets)
{
  TsFixture f;

  ts_setup (&f);
  /* 5 frames dropped */
  run_timestamp (make_rnn (f.model), &f, FRAME_TIME (25), FALSE, FALSE,
      TRUE, TRUE);
  run_timestamp (make_rnn (f.model), &f, FRAME_TIME (25), TRUE, FALSE,
      TRUE, TRUE);
  /* overlapping (late, re-sent) data */
  run_timestamp (make_rnn (f.model), &f, FRAME_TIME (17), FALSE, FALSE,
      TRUE, TRUE);
  ts_teardown (&f);
}

GST_END_TEST;

GST_START_TEST (test_timestamp_jitter)
{
  TsFixture f;
  GstClockTime frame = FRAME_TIME (1);

  ts_setup (&f);
  /* within half a frame: continuous */
  run_timestamp (make_rnn (f.model), &f, FRAME_TIME (20) + frame * 4 / 10,
      FALSE, FALSE, FALSE, FALSE);
  run_timestamp (make_rnn (f.model), &f, FRAME_TIME (20) - frame * 4 / 10,
      FALSE, FALSE, FALSE, FALSE);
  /* beyond: a gap */
  run_timestamp (make_rnn (f.model), &f, FRAME_TIME (20) + frame * 6 / 10,
      FALSE, FALSE, TRUE, TRUE);
  ts_teardown (&f);
}

GST_END_TEST;

GST_START_TEST (test_timestamp_tolerance)
{
  TsFixture f;
  GstElement *rnn;

  ts_setup (&f);
  /* 5 frames = 50 ms <= 60 ms: not a gap */
  rnn = make_rnn (f.model);
  g_object_set (rnn, "timestamp-tolerance", (gint64) 60 * GST_MSECOND, NULL);
  run_timestamp (rnn, &f, FRAME_TIME (25), FALSE, FALSE, FALSE, FALSE);
  /* 0.3 frame > 1 ms: a gap */
  rnn = make_rnn (f.model);
  g_object_set (rnn, "timestamp-tolerance", (gint64) GST_MSECOND, NULL);
  run_timestamp (rnn, &f, FRAME_TIME (20) + 3 * GST_MSECOND, FALSE, FALSE,
      TRUE, TRUE);
  /* off */
  rnn = make_rnn (f.model);
  g_object_set (rnn, "timestamp-tolerance", G_MAXINT64, NULL);
  run_timestamp (rnn, &f, FRAME_TIME (70), FALSE, FALSE, FALSE, FALSE);
  ts_teardown (&f);
}

GST_END_TEST;

/* reset-on-discont=false: a gap keeps the state but the output still says
 * DISCONT. */
GST_START_TEST (test_timestamp_gap_kept_when_disabled)
{
  TsFixture f;
  GstElement *rnn;

  ts_setup (&f);
  rnn = make_rnn (f.model);
  g_object_set (rnn, "reset-on-discont", FALSE, NULL);
  run_timestamp (rnn, &f, FRAME_TIME (25), FALSE, FALSE, FALSE, TRUE);
  ts_teardown (&f);
}

GST_END_TEST;

/* A GAP buffer is a discontinuity at both ends: reset before it, and
 * before the first real buffer after it. */
GST_START_TEST (test_gap_buffer)
{
  TsFixture f;
  GstHarness *h;
  GstBus *bus;
  GstBuffer *in, *out;
  float *ref;

  ts_setup (&f);
  run_timestamp (make_rnn (f.model), &f, FRAME_TIME (20), FALSE, TRUE, TRUE,
      TRUE);

  h = harness_new (make_rnn (f.model), TS_F, &bus);
  gst_buffer_unref (push_pull (h, frames_buffer (f.x, 1, TS_F, 0, 20)));
  in = frames_buffer (f.x, 1, TS_F, 20, 20);
  GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_GAP);
  gst_buffer_unref (push_pull (h, in));
  out = push_pull (h, frames_buffer (f.x, 1, TS_F, 40, 20));
  ref = ts_ref (&f, 40, 40, 20);
  check_buffer (out, ref, 20 * TS_H, 1e-6, "first buffer after a GAP");
  fail_unless (GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);
  g_free (ref);
  harness_done (h, bus);
  ts_teardown (&f);
}

GST_END_TEST;

/* --------------------------------------------------------- hot swap */

#define SW_F 2
#define SW_B 2

typedef struct
{
  gchar *a, *b, *c, *d, *bad;   /* a, b: H 4; c: H 6; d: F 3; bad: junk */
} SwapModels;

static void
swap_models (SwapModels * s)
{
  s->a = gru_model (SW_F, 4, 1.0f);
  s->b = gru_model (SW_F, 4, 2.0f);
  s->c = gru_model (SW_F, 6, 3.0f);
  s->d = gru_model (3, 4, 4.0f);
  s->bad = garbage_model ();
}

static void
swap_models_free (SwapModels * s)
{
  g_free (s->a);
  g_free (s->b);
  g_free (s->c);
  g_free (s->d);
  g_free (s->bad);
}

/* Output of @model on frames [t0, t0 + k) of @x (SW_B streams), from a
 * zero state at frame @from. */
static float *
model_ref (const gchar * model, const float *x, guint from, guint t0, guint k)
{
  RnnModel *m = load_model (model);
  RnnState *s = rnn_state_new (m, SW_B, 256, NULL);
  guint O = rnn_model_get_output_size (m);
  float *all = core_run (s, x + (gsize) from * SW_B * SW_F, t0 + k - from);
  float *out = g_memdup2 (all + (gsize) (t0 - from) * SW_B * O,
      (gsize) k * SW_B * O * sizeof (float));

  g_free (all);
  rnn_state_free (s);
  rnn_model_unref (m);
  return out;
}

static gchar *
get_model (GstHarness * h)
{
  gchar *p = NULL;

  g_object_get (h->element, "model", &p, NULL);
  return p;
}

/* Setting model=B in PLAYING: the next buffer runs B from a zero state,
 * flagged DISCONT; an element message says so. */
GST_START_TEST (test_swap_resets_and_switches)
{
  SwapModels s;
  float *x = make_input (60, SW_B, SW_F, 0.7f);
  GstHarness *h;
  GstBus *bus;
  GstBuffer *out;
  GstMessage *msg;
  const GstStructure *st;
  float *ref;
  gchar *p;

  swap_models (&s);
  h = harness_new (make_rnn (s.a), SW_B * SW_F, &bus);
  gst_buffer_unref (push_pull (h, frames_buffer (x, SW_B, SW_F, 0, 20)));

  g_object_set (h->element, "model", s.b, NULL);
  p = get_model (h);
  fail_unless_equals_string (p, s.b);
  g_free (p);
  expect_no_warning (bus);

  out = push_pull (h, frames_buffer (x, SW_B, SW_F, 20, 20));
  ref = model_ref (s.b, x, 20, 20, 20);
  check_buffer (out, ref, 20 * SW_B * 4, 0.0, "first buffer after the swap");
  fail_unless (GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);
  g_free (ref);

  /* and it carries on with B */
  out = push_pull (h, frames_buffer (x, SW_B, SW_F, 40, 20));
  ref = model_ref (s.b, x, 20, 40, 20);
  check_buffer (out, ref, 20 * SW_B * 4, 1e-6, "second buffer after");
  fail_unless (!GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);
  g_free (ref);

  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
  fail_unless (msg != NULL, "no rnn-model-changed message");
  st = gst_message_get_structure (msg);
  fail_unless (gst_structure_has_name (st, "rnn-model-changed"));
  fail_unless_equals_string (gst_structure_get_string (st, "model"), s.b);
  fail_unless_equals_string (gst_structure_get_string (st, "previous-model"),
      s.a);
  gst_message_unref (msg);

  harness_done (h, bus);
  swap_models_free (&s);
  g_free (x);
}

GST_END_TEST;

/* Unusable files in PLAYING: a WARNING naming the file and the reason,
 * the property keeps its value, and model A runs on undisturbed (no
 * reset). */
GST_START_TEST (test_swap_bad_file_keeps_old)
{
  SwapModels s;
  float *x = make_input (80, SW_B, SW_F, 0.7f);
  gchar *missing = model_path ("does-not-exist");
  GstHarness *h;
  GstBus *bus;
  GstBuffer *out;
  GstStructure *d;
  float *ref;
  gchar *p;
  guint i;

  swap_models (&s);
  h = harness_new (make_rnn (s.a), SW_B * SW_F, &bus);
  gst_buffer_unref (push_pull (h, frames_buffer (x, SW_B, SW_F, 0, 20)));

  {
    const gchar *needles[] = { s.bad, "Keeping the running model", s.a, NULL };
    g_object_set (h->element, "model", s.bad, NULL);
    d = expect_one_warning (bus, needles);
    g_clear_pointer (&d, gst_structure_free);
  }
  {
    const gchar *needles[] = { missing, "Keeping", NULL };
    g_object_set (h->element, "model", missing, NULL);
    d = expect_one_warning (bus, needles);
    g_clear_pointer (&d, gst_structure_free);
  }
  {
    /* input size 3 vs 2: both sizes named */
    const gchar *needles[] = { s.d, "reads 3 values", "reads 2",
      "Keeping", NULL
    };
    g_object_set (h->element, "model", s.d, NULL);
    d = expect_one_warning (bus, needles);
    g_clear_pointer (&d, gst_structure_free);
  }
  p = get_model (h);
  fail_unless_equals_string (p, s.a);
  g_free (p);

  for (i = 1; i < 4; i++) {
    out = push_pull (h, frames_buffer (x, SW_B, SW_F, 20 * i, 20));
    ref = model_ref (s.a, x, 0, 20 * i, 20);
    check_buffer (out, ref, 20 * SW_B * 4, 1e-6, "model A, state carried");
    fail_unless (!GST_BUFFER_IS_DISCONT (out));
    gst_buffer_unref (out);
    g_free (ref);
  }
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT) == NULL);

  harness_done (h, bus);
  swap_models_free (&s);
  g_free (missing);
  g_free (x);
}

GST_END_TEST;

/* A new output width renegotiates: the caps downstream change with the
 * first buffer of the new model. */
GST_START_TEST (test_swap_output_width)
{
  SwapModels s;
  float *x = make_input (40, SW_B, SW_F, 0.7f);
  GstHarness *h;
  GstBus *bus;
  GstBuffer *out;
  GstCaps *caps;
  gint channels = 0;
  float *ref;

  swap_models (&s);
  h = harness_new (make_rnn (s.a), SW_B * SW_F, &bus);
  gst_buffer_unref (push_pull (h, frames_buffer (x, SW_B, SW_F, 0, 20)));
  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_structure_get_int (gst_caps_get_structure (caps, 0),
          "channels", &channels));
  fail_unless_equals_int (channels, SW_B * 4);
  gst_caps_unref (caps);

  g_object_set (h->element, "model", s.c, NULL);
  out = push_pull (h, frames_buffer (x, SW_B, SW_F, 20, 20));
  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_structure_get_int (gst_caps_get_structure (caps, 0),
          "channels", &channels));
  fail_unless_equals_int (channels, SW_B * 6);
  gst_caps_unref (caps);
  ref = model_ref (s.c, x, 20, 20, 20);
  check_buffer (out, ref, 20 * SW_B * 6, 0.0, "model C after the swap");
  fail_unless (GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);
  g_free (ref);
  expect_no_warning (bus);

  harness_done (h, bus);
  swap_models_free (&s);
  g_free (x);
}

GST_END_TEST;

/* Downstream that only takes the old width: the new model is refused with
 * a WARNING, the old one runs on. */
GST_START_TEST (test_swap_refused_by_downstream)
{
  SwapModels s;
  float *x = make_input (40, SW_B, SW_F, 0.7f);
  GstHarness *h;
  GstBus *bus;
  GstBuffer *out;
  GstStructure *d;
  float *ref;
  gchar *caps, *p;
  const gchar *needles[] = { "downstream does not accept", NULL };

  swap_models (&s);
  h = harness_new (make_rnn (s.a), SW_B * SW_F, &bus);
  caps = audio_caps (SW_B * 4);
  gst_harness_set_sink_caps_str (h, caps);
  g_free (caps);
  gst_buffer_unref (push_pull (h, frames_buffer (x, SW_B, SW_F, 0, 20)));

  g_object_set (h->element, "model", s.c, NULL);
  out = push_pull (h, frames_buffer (x, SW_B, SW_F, 20, 20));
  d = expect_one_warning (bus, needles);
  g_clear_pointer (&d, gst_structure_free);
  ref = model_ref (s.a, x, 0, 20, 20);
  check_buffer (out, ref, 20 * SW_B * 4, 1e-6, "model A kept");
  gst_buffer_unref (out);
  g_free (ref);
  p = get_model (h);
  fail_unless_equals_string (p, s.a);
  g_free (p);

  harness_done (h, bus);
  swap_models_free (&s);
  g_free (x);
}

GST_END_TEST;

typedef struct
{
  GstElement *rnn;
  SwapModels *models;
  gint stop;
  guint sets;
} Setter;

static gpointer
setter_thread (gpointer data)
{
  Setter *st = data;
  const gchar *seq[] = { st->models->a, st->models->bad, st->models->b,
    st->models->b, st->models->a, st->models->d
  };
  guint i = 0;

  while (!g_atomic_int_get (&st->stop)) {
    g_object_set (st->rnn, "model", seq[i % G_N_ELEMENTS (seq)], NULL);
    i++;
    g_usleep (10 + 23 * (i % 5));
  }
  st->sets = i;
  return NULL;
}

/* Another thread sets model A, junk, B, A, a model of another input size
 * ... while buffers flow, every one flagged DISCONT: each output buffer
 * must be, bit for bit, model A's or model B's output for that buffer
 * from a zero state; none is lost or doubled. */
GST_START_TEST (test_swap_stress)
{
  SwapModels s;
  const guint n_buffers = 2000;
  float *x;
  guint T = 0, i, from_a = 0, from_b = 0, t0 = 0;
  guint *sizes = g_new (guint, n_buffers);
  GRand *rand = g_rand_new_with_seed (7);
  RnnModel *ma, *mb;
  RnnState *sa, *sb;
  GstHarness *h;
  GstBus *bus;
  GstMessage *msg;
  Setter st = { 0 };
  GThread *thread;
  guint warnings = 0;

  swap_models (&s);
  for (i = 0; i < n_buffers; i++)
    T += sizes[i] = g_rand_int_range (rand, 1, 48);
  x = make_input (T, SW_B, SW_F, 0.3f);
  ma = load_model (s.a);
  mb = load_model (s.b);
  sa = rnn_state_new (ma, SW_B, 256, NULL);
  sb = rnn_state_new (mb, SW_B, 256, NULL);

  h = harness_new (make_rnn (s.a), SW_B * SW_F, &bus);
  st.rnn = h->element;
  st.models = &s;
  thread = g_thread_new ("setter", setter_thread, &st);

  for (i = 0; i < n_buffers; i++) {
    GstBuffer *in = frames_buffer (x, SW_B, SW_F, t0, sizes[i]), *out;
    gsize n = (gsize) sizes[i] * SW_B * 4;
    float *ra, *rb;
    GstMapInfo map;
    gboolean is_a, is_b;

    GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DISCONT);
    fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
    out = gst_harness_try_pull (h);
    fail_unless (out != NULL, "buffer %u: no output", i);
    fail_unless (gst_harness_try_pull (h) == NULL, "buffer %u: two outputs",
        i);

    rnn_state_reset (sa);
    rnn_state_reset (sb);
    ra = core_run (sa, x + (gsize) t0 * SW_B * SW_F, sizes[i]);
    rb = core_run (sb, x + (gsize) t0 * SW_B * SW_F, sizes[i]);
    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    fail_unless_equals_uint64 (map.size, n * sizeof (float));
    is_a = memcmp (map.data, ra, n * sizeof (float)) == 0;
    is_b = memcmp (map.data, rb, n * sizeof (float)) == 0;
    fail_unless (is_a || is_b, "buffer %u (%u frames): neither model A's "
        "nor model B's output (errors %g, %g)", i, sizes[i],
        rnn_test_max_err ((const float *) map.data, ra, n),
        rnn_test_max_err ((const float *) map.data, rb, n));
    from_a += is_a;
    from_b += is_b && !is_a;
    fail_unless (GST_BUFFER_IS_DISCONT (out));
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
    g_free (ra);
    g_free (rb);
    t0 += sizes[i];
  }
  g_atomic_int_set (&st.stop, 1);
  g_thread_join (thread);
  GST_INFO ("%u property sets; %u buffers from A, %u from B", st.sets,
      from_a, from_b);
  fail_unless_equals_int (gst_harness_buffers_received (h), n_buffers);

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING))) {
    warnings++;
    gst_message_unref (msg);
  }
  fail_unless (warnings > 0, "no warning for the junk file");
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) == NULL);

  /* both models were used (when the machine is so loaded that the setter
   * never ran between two buffers, force it) */
  g_object_set (h->element, "model", s.b, NULL);
  {
    GstBuffer *in = frames_buffer (x, SW_B, SW_F, 0, 10), *out;
    float *rb;

    out = push_pull (h, in);
    rnn_state_reset (sb);
    rb = core_run (sb, x, 10);
    check_buffer (out, rb, 10 * SW_B * 4, 0.0, "model B at the end");
    gst_buffer_unref (out);
    g_free (rb);
  }

  harness_done (h, bus);
  rnn_state_free (sa);
  rnn_state_free (sb);
  rnn_model_unref (ma);
  rnn_model_unref (mb);
  g_rand_free (rand);
  g_free (sizes);
  g_free (x);
  swap_models_free (&s);
}

GST_END_TEST;

/* n-to-n, bidirectional model run on windows of 4 -> unidirectional model
 * of the same output width: the frames collected for the old model are
 * run (as a shorter window) before the switch, the latency changes. */
GST_START_TEST (test_swap_windowed)
{
  gchar *bi = bigru_model (SW_F, 3), *uni = gru_model (SW_F, 6, 5.0f);
  float *x = make_input (20, SW_B, SW_F, 0.9f);
  GstElement *rnn;
  GstHarness *h;
  GstBus *bus;
  GstBuffer *out;
  GstMessage *msg;
  RnnModel *m = load_model (bi);
  RnnState *s = rnn_state_new (m, SW_B, 4, NULL);
  float win[4 * SW_B * 6], *ref;

  rnn = make_rnn (bi);
  g_object_set (rnn, "window", 4, NULL);
  h = harness_new (rnn, SW_B * SW_F, &bus);

  /* 6 frames: one window out, 2 frames pending */
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (x, SW_B, SW_F,
              0, 6)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_uint64 (gst_buffer_get_size (out), 4 * SW_B * 6 * 4);
  fail_unless (rnn_state_process_window (s, x, 4, RNN_RUN_NONE, win, NULL));
  check_buffer (out, win, 4 * SW_B * 6, 1e-6, "first window");
  gst_buffer_unref (out);
  fail_unless (gst_harness_try_pull (h) == NULL);

  g_object_set (h->element, "model", uni, NULL);
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (x, SW_B, SW_F,
              6, 5)), GST_FLOW_OK);
  /* the pending 2 frames, run with the bidirectional model */
  out = gst_harness_pull (h);
  rnn_state_reset (s);
  fail_unless (rnn_state_process_window (s, x + 4 * SW_B * SW_F, 2,
          RNN_RUN_NONE, win, NULL));
  check_buffer (out, win, 2 * SW_B * 6, 1e-6, "partial window at the swap");
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (4));
  gst_buffer_unref (out);
  /* then the unidirectional model, frame by frame, from zero */
  out = gst_harness_pull (h);
  ref = model_ref (uni, x, 6, 6, 5);
  check_buffer (out, ref, 5 * SW_B * 6, 0.0, "unidirectional after");
  fail_unless (GST_BUFFER_IS_DISCONT (out));
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (6));
  gst_buffer_unref (out);
  g_free (ref);

  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_LATENCY);
  fail_unless (msg != NULL, "no LATENCY message after the latency changed");
  gst_message_unref (msg);
  expect_no_warning (bus);

  harness_done (h, bus);
  rnn_state_free (s);
  rnn_model_unref (m);
  g_free (x);
  g_free (bi);
  g_free (uni);
}

GST_END_TEST;

/* n-to-1: the window in progress is dropped at the swap (a reset), the
 * next window is the new model's, from a zero state. */
GST_START_TEST (test_swap_n_to_1)
{
  SwapModels sm;
  float *x = make_input (20, SW_B, SW_F, 0.9f);
  const GstMetaInfo *info;
  GstElement *rnn;
  GstHarness *h;
  GstBus *bus;
  GstBuffer *out;
  float *ref;
  gpointer state = NULL;
  GstMeta *meta;
  guint n = 0, k;

  swap_models (&sm);
  rnn = make_rnn (sm.a);
  g_object_set (rnn, "window", 5, "post-messages", FALSE, NULL);
  gst_util_set_object_arg (G_OBJECT (rnn), "mode", "n-to-1");
  h = harness_new (rnn, SW_B * SW_F, &bus);
  info = gst_meta_get_info ("GstRnnResultMeta");
  fail_unless (info != NULL);
  gst_buffer_unref (push_pull (h, frames_buffer (x, SW_B, SW_F, 0, 7)));

  g_object_set (h->element, "model", sm.b, NULL);
  out = push_pull (h, frames_buffer (x, SW_B, SW_F, 7, 5));
  ref = model_ref (sm.b, x, 7, 7, 5);   /* (5, B, 4) */
  while ((meta = gst_buffer_iterate_meta_filtered (out, &state,
              info->api))) {
    const GstStructure *st =
        gst_custom_meta_get_structure ((GstCustomMeta *) meta);
    const GValue *scores = gst_structure_get_value (st, "scores");
    guint64 ts;

    fail_unless (gst_structure_get_uint64 (st, "timestamp", &ts));
    fail_unless_equals_uint64 (ts, FRAME_TIME (7));
    for (k = 0; k < 4; k++)
      fail_unless (fabsf (g_value_get_float (gst_value_array_get_value
                  (scores, k)) - ref[(4 * SW_B + n) * 4 + k]) < 1e-6);
    n++;
  }
  fail_unless_equals_int (n, SW_B);
  gst_buffer_unref (out);
  g_free (ref);
  expect_no_warning (bus);
  harness_done (h, bus);
  swap_models_free (&sm);
  g_free (x);
}

GST_END_TEST;

/* 1-to-n and n-to-m: a swap while playing gives output of the new widths
 * (renegotiated) and no error. */
GST_START_TEST (test_swap_generating_modes)
{
  gchar *a = gru_model (SW_F, 4, 1.0f), *c = gru_model (SW_F, 6, 3.0f);
  gchar *s2s_a = model_path ("s2s-a"), *s2s_b = model_path ("s2s-b");
  float *x = make_input (40, SW_B, SW_F, 0.9f);
  GstElement *rnn;
  GstHarness *h;
  GstBus *bus;
  GstBuffer *out;

  /* 1-to-n, 3 steps: 4 -> 6 outputs per step */
  rnn = make_rnn (a);
  g_object_set (rnn, "steps", 3, "carry-state", TRUE, NULL);
  gst_util_set_object_arg (G_OBJECT (rnn), "mode", "1-to-n");
  h = harness_new (rnn, SW_B * SW_F, &bus);
  out = push_pull (h, frames_buffer (x, SW_B, SW_F, 0, 5));
  fail_unless_equals_uint64 (gst_buffer_get_size (out), 5 * 3 * SW_B * 4 * 4);
  gst_buffer_unref (out);
  g_object_set (h->element, "model", c, NULL);
  out = push_pull (h, frames_buffer (x, SW_B, SW_F, 5, 5));
  fail_unless_equals_uint64 (gst_buffer_get_size (out), 5 * 3 * SW_B * 6 * 4);
  fail_unless (GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);
  expect_no_warning (bus);
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) == NULL);
  harness_done (h, bus);

  /* n-to-m: encoder 2 -> 4, decoder (context) 4 -> 4, then 2 -> 5, 5 -> 5 */
  rnn_test_write_gru_seq2seq (s2s_a, SW_F, 4, 4, 4);
  rnn_test_write_gru_seq2seq (s2s_b, SW_F, 5, 5, 5);
  rnn = make_rnn (s2s_a);
  g_object_set (rnn, "window", 4, "steps", 2, NULL);
  gst_util_set_object_arg (G_OBJECT (rnn), "mode", "n-to-m");
  h = harness_new (rnn, SW_B * SW_F, &bus);
  out = push_pull (h, frames_buffer (x, SW_B, SW_F, 0, 4));
  fail_unless_equals_uint64 (gst_buffer_get_size (out), 2 * SW_B * 4 * 4);
  gst_buffer_unref (out);
  g_object_set (h->element, "model", s2s_b, NULL);
  out = push_pull (h, frames_buffer (x, SW_B, SW_F, 4, 4));
  fail_unless_equals_uint64 (gst_buffer_get_size (out), 2 * SW_B * 5 * 4);
  fail_unless (GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);
  /* a plain GRU is no encoder-decoder: refused, the pair keeps running */
  {
    const gchar *needles[] = { a, "encoder", "Keeping", NULL };
    GstStructure *d;

    g_object_set (h->element, "model", a, NULL);
    d = expect_one_warning (bus, needles);
    g_clear_pointer (&d, gst_structure_free);
  }
  out = push_pull (h, frames_buffer (x, SW_B, SW_F, 8, 4));
  fail_unless_equals_uint64 (gst_buffer_get_size (out), 2 * SW_B * 5 * 4);
  gst_buffer_unref (out);
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) == NULL);
  harness_done (h, bus);

  g_free (x);
  g_free (a);
  g_free (c);
  g_free (s2s_a);
  g_free (s2s_b);
}

GST_END_TEST;

/* ----------------------------------------------------- state snapshots */

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
      g_getenv ("RNN_FIXTURE_DIR"));
  return any;
}

static GstBuffer *
case_buffer (const RnnTestCase * c, guint t0, guint k)
{
  return frames_buffer (c->input, c->B, c->F, t0, k);
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
    GstBuffer *in = case_buffer (c, t, n), *o;
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
  h = harness_new (make_rnn (c->model_path), c->B * c->F, &bus);
  whole = run_from (h, c, 0, FALSE);
  harness_done (h, bus);

  /* first half, snapshot, stop */
  h = harness_new (make_rnn (c->model_path), c->B * c->F, &bus);
  {
    guint t = 0, k = 0;

    while (t < half) {
      guint step = 1 + (k++ * 3) % 5;
      guint n = MIN (half - t, step);
      gst_buffer_unref (push_pull (h, case_buffer (c, t, n)));
      t += n;
    }
  }
  snap = snapshot (h->element);
  fail_unless (snap != NULL);
  fail_unless (g_bytes_get_size (snap) > 64);
  fail_unless_equals_int (gst_element_set_state (h->element, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  harness_done (h, bus);

  /* a new element with the same model */
  h = harness_new (make_rnn (c->model_path), c->B * c->F, &bus);
  fail_unless (restore (h->element, snap));
  expect_no_warning (bus);
  rest = run_from (h, c, half, TRUE);
  expect_no_warning (bus);
  harness_done (h, bus);

  pytorch = rnn_test_slice (c->output, c->T, c->B, c->O, FALSE, half,
      c->T - half);
  e = rnn_test_max_err (rest, pytorch, (gsize) (c->T - half) * c->B * c->O);
  fail_unless (e <= TOL, "%s: after restore vs PyTorch: %g", c->name, e);
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

  h = harness_new (make_rnn (c->model_path), c->B * c->F, &bus);
  gst_buffer_unref (push_pull (h, case_buffer (c, 0, half)));
  snap = snapshot (h->element);
  harness_done (h, bus);

  rnn = make_rnn (c->model_path);
  fail_unless (snapshot (rnn) == NULL);
  fail_unless (restore (rnn, snap));
  h = harness_new (rnn, c->B * c->F, &bus);
  rest = run_from (h, c, half, FALSE);
  expect_no_warning (bus);
  pytorch = rnn_test_slice (c->output, c->T, c->B, c->O, FALSE, half,
      c->T - half);
  e = rnn_test_max_err (rest, pytorch, (gsize) (c->T - half) * c->B * c->O);
  fail_unless (e <= TOL, "%s: restored in READY: %g", c->name, e);
  harness_done (h, bus);
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
  float *x = make_input (40, 3, 2, 0.4f);
  GstHarness *h;
  GstBus *bus;
  GBytes *snap_b3, *snap_b2;
  GstBuffer *out;
  GstStructure *d;
  float *ref;

  /* snapshots of m1 with 3 and with 2 streams */
  h = harness_new (make_rnn (m1), 3 * 2, &bus);
  gst_buffer_unref (push_pull (h, frames_buffer (x, 3, 2, 0, 10)));
  snap_b3 = snapshot (h->element);
  harness_done (h, bus);
  h = harness_new (make_rnn (m1), 2 * 2, &bus);
  gst_buffer_unref (push_pull (h, frames_buffer (x, 2, 2, 0, 10)));
  snap_b2 = snapshot (h->element);
  harness_done (h, bus);

  /* same shapes, other weights */
  h = harness_new (make_rnn (m2), 3 * 2, &bus);
  gst_buffer_unref (push_pull (h, frames_buffer (x, 3, 2, 0, 10)));
  fail_if (restore (h->element, snap_b3));
  {
    const gchar *needles[] = { "Could not restore", "other weights", NULL };
    d = expect_one_warning (bus, needles);
    g_clear_pointer (&d, gst_structure_free);
  }
  /* untouched: m2 carries on */
  out = push_pull (h, frames_buffer (x, 3, 2, 10, 10));
  {
    RnnModel *m = load_model (m2);
    RnnState *s = rnn_state_new (m, 3, 64, NULL);
    float *all = core_run (s, x, 20);

    ref = g_memdup2 (all + 10 * 3 * 4, 10 * 3 * 4 * sizeof (float));
    g_free (all);
    rnn_state_free (s);
    rnn_model_unref (m);
  }
  check_buffer (out, ref, 10 * 3 * 4, 1e-6, "after a refused restore");
  gst_buffer_unref (out);
  g_free (ref);
  harness_done (h, bus);

  /* other shapes */
  h = harness_new (make_rnn (m3), 3 * 2, &bus);
  fail_if (restore (h->element, snap_b3));
  {
    const gchar *needles[] = { "Could not restore", "hidden size is 4", "5",
      NULL
    };
    d = expect_one_warning (bus, needles);
    g_clear_pointer (&d, gst_structure_free);
  }
  harness_done (h, bus);

  /* other batch */
  h = harness_new (make_rnn (m1), 3 * 2, &bus);
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
  harness_done (h, bus);

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
  gchar *caps = audio_caps (c->B * c->F);
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
    GstBuffer *b = case_buffer (c, t, MIN (3, t1 - t));

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
  fail_unless (e <= TOL, "%s: stopped and restored run vs PyTorch: %g",
      c->name, e);
  g_bytes_unref (snap);
  g_free (out);
}

GST_END_TEST;

/* ------------------------------------------------------------ properties */

GST_START_TEST (test_robust_properties)
{
  GstElement *rnn = gst_element_factory_make ("rnn", NULL);
  const gchar *props[] = { "model", "non-finite", "timestamp-tolerance",
    NULL
  };
  GParamSpec *pspec;
  gint64 tol;
  gint nf;
  guint i;

  for (i = 0; props[i]; i++) {
    pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (rnn),
        props[i]);
    fail_unless (pspec != NULL, "%s", props[i]);
    fail_unless (g_param_spec_get_blurb (pspec) != NULL
        && strlen (g_param_spec_get_blurb (pspec)) > 20, "%s", props[i]);
    fail_unless (pspec->flags & GST_PARAM_MUTABLE_PLAYING, "%s", props[i]);
  }
  g_object_get (rnn, "non-finite", &nf, "timestamp-tolerance", &tol, NULL);
  fail_unless_equals_int (nf, 0);
  fail_unless_equals_int64 (tol, -1);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (rnn),
      "non-finite");
  for (i = 0; i < 4; i++) {
    const gchar *nicks[] = { "reset-stream", "propagate", "zero", "error" };
    fail_unless (g_enum_get_value_by_nick (G_PARAM_SPEC_ENUM (pspec)->
            enum_class, nicks[i]) != NULL, "%s", nicks[i]);
  }
  fail_unless (g_signal_lookup ("snapshot", G_OBJECT_TYPE (rnn)) != 0);
  fail_unless (g_signal_lookup ("restore", G_OBJECT_TYPE (rnn)) != 0);
  gst_object_unref (rnn);
}

GST_END_TEST;


/* threads=2 splits the products of a 64-unit GRU (192 rows of weights)
 * between two threads: the outputs are bit-identical to threads=1. */
GST_START_TEST (test_threads_identical)
{
  gchar *model = model_path ("gru64");
  float x[3 * 2 * 50];
  GstBuffer *out[2];
  GstMapInfo m0, m1;
  guint i;

  rnn_test_write_tiny_gru (model, 3, 64);
  for (i = 0; i < G_N_ELEMENTS (x); i++)
    x[i] = sinf (0.37f * i);
  for (i = 0; i < 2; i++) {
    GstElement *rnn = make_rnn (model);
    GstBus *bus;
    GstHarness *h;
    guint threads = 0;

    g_object_set (rnn, "threads", i + 1, NULL);
    g_object_get (rnn, "threads", &threads, NULL);
    fail_unless_equals_int (threads, i + 1);
    h = harness_new (rnn, 6, &bus);
    out[i] = push_pull (h, frames_buffer (x, 2, 3, 0, 50));
    harness_done (h, bus);
  }
  fail_unless (gst_buffer_map (out[0], &m0, GST_MAP_READ));
  fail_unless (gst_buffer_map (out[1], &m1, GST_MAP_READ));
  fail_unless_equals_int (m0.size, m1.size);
  fail_unless_equals_int (m0.size, 50 * 2 * 64 * sizeof (float));
  fail_unless (memcmp (m0.data, m1.data, m0.size) == 0);
  gst_buffer_unmap (out[0], &m0);
  gst_buffer_unmap (out[1], &m1);
  gst_buffer_unref (out[0]);
  gst_buffer_unref (out[1]);
  g_free (model);
}

GST_END_TEST;

static Suite *
rnn_robust_suite (void)
{
  Suite *s = suite_create ("rnn-robust");
  TCase *tc;

  tc = tcase_create ("non-finite");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_nonfinite_reset_stream);
  tcase_add_test (tc, test_nonfinite_reset_stream_batch_first);
  tcase_add_test (tc, test_nonfinite_warn_once);
  tcase_add_test (tc, test_nonfinite_propagate);
  tcase_add_test (tc, test_nonfinite_zero);
  tcase_add_test (tc, test_nonfinite_error);
  tcase_add_test (tc, test_state_overflow_reset);
  tcase_add_test (tc, test_state_overflow_zero);
  tcase_add_test (tc, test_state_overflow_propagate);
  tcase_add_test (tc, test_nonfinite_n_to_1_carry);
  tcase_add_test (tc, test_nonfinite_1_to_n);
  tcase_add_test (tc, test_nonfinite_windowed_zero);

  tc = tcase_create ("timestamps");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_timestamp_contiguous);
  tcase_add_test (tc, test_timestamp_gap_resets);
  tcase_add_test (tc, test_timestamp_jitter);
  tcase_add_test (tc, test_timestamp_tolerance);
  tcase_add_test (tc, test_timestamp_gap_kept_when_disabled);
  tcase_add_test (tc, test_gap_buffer);

  tc = tcase_create ("swap");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_swap_resets_and_switches);
  tcase_add_test (tc, test_swap_bad_file_keeps_old);
  tcase_add_test (tc, test_swap_output_width);
  tcase_add_test (tc, test_swap_refused_by_downstream);
  tcase_add_test (tc, test_swap_windowed);
  tcase_add_test (tc, test_swap_n_to_1);
  tcase_add_test (tc, test_swap_generating_modes);
  tcase_add_test (tc, test_swap_stress);

  tc = tcase_create ("snapshot");
  suite_add_tcase (s, tc);
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_snapshot_restore_restart);
  tcase_add_test (tc, test_restore_in_ready);
  tcase_add_test (tc, test_restore_refused);
  tcase_add_test (tc, test_snapshot_restore_pipelines);

  tc = tcase_create ("properties");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_threads_identical);
  tcase_add_test (tc, test_robust_properties);

  return s;
}

GST_CHECK_MAIN (rnn_robust);
