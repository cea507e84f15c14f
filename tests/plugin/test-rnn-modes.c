/* GstHarness tests of the rnn element's streaming modes n-to-1, 1-to-n and
 * n-to-m against the PyTorch fixtures of tests/conformance/gen_modes.py
 * ($RNN_MODES_DIR), plus their errors, resets, end-of-stream and latency.
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
#define META_NAME "GstRnnResultMeta"

static GPtrArray *cases;

static void
load_cases (void)
{
  cases = rnn_test_mode_cases_load ();
}

static void
free_cases (void)
{
  g_clear_pointer (&cases, g_ptr_array_unref);
}

/* ------------------------------------------------------------ helpers */

static gboolean
is_mode (const RnnModeCase * c, const gchar * mode)
{
  return g_str_equal (c->mode, mode);
}

static GstElement *
make_rnn (const RnnModeCase * c)
{
  GstElement *e = gst_element_factory_make ("rnn", NULL);

  fail_unless (e != NULL, "rnn element not found (GST_PLUGIN_PATH?)");
  g_object_set (e, "model", c->model_path, "batch-first", c->batch_first,
      "carry-state", c->carry, NULL);
  gst_util_set_object_arg (G_OBJECT (e), "mode", c->mode);
  if (c->window)
    g_object_set (e, "window", c->window, "hop", c->hop, NULL);
  if (c->steps)
    g_object_set (e, "steps", c->steps, NULL);
  if (c->feed && *c->feed)
    gst_util_set_object_arg (G_OBJECT (e), "feed", c->feed);
  return e;
}

static gchar *
audio_caps (guint channels, gint rate)
{
  return g_strdup_printf ("audio/x-raw, format=F32LE, layout=interleaved, "
      "rate=%d, channels=%u", rate, channels);
}

/* A harness around @rnn (reference taken) with a bus, audio caps set. */
static GstHarness *
harness_for (GstElement * rnn, const RnnModeCase * c, GstBus ** bus)
{
  GstHarness *h = gst_harness_new_with_element (rnn, "sink", "src");
  gchar *caps = audio_caps (c->B * c->F, RATE);

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

/* Frames [t0, t0 + k) of the case input, in the case's layout. */
static GstBuffer *
frames_buffer (const RnnModeCase * c, guint t0, guint k)
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

/* Uneven block sizes: 7, 1, 13, 2, 30, 5, 1, 11, ... */
static guint
split_size (guint i)
{
  static const guint sizes[] = { 7, 1, 13, 2, 30, 5, 1, 11, 3, 17 };

  return sizes[i % G_N_ELEMENTS (sizes)];
}

static const RnnModeCase *
find_case (const gchar * mode, guint B, gboolean batch_first)
{
  guint i;

  for (i = 0; cases && i < cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (cases, i);

    if (is_mode (c, mode) && (B == 0 || c->B == B)
        && c->batch_first == batch_first)
      return c;
  }
  return NULL;
}

static const RnnModeCase *
need_case (const gchar * mode, guint B, gboolean batch_first)
{
  const RnnModeCase *c = find_case (mode, B, batch_first);

  fail_unless (c != NULL, "no %s fixture with B=%u %s in %s", mode, B,
      batch_first ? "batch-first" : "time-major", g_getenv ("RNN_MODES_DIR"));
  return c;
}

static GstElement *
plain_rnn (const gchar * model, const gchar * mode)
{
  GstElement *e = gst_element_factory_make ("rnn", NULL);

  g_object_set (e, "model", model, NULL);
  gst_util_set_object_arg (G_OBJECT (e), "mode", mode);
  return e;
}

/* -------------------------------------------------------- n-to-1 results */

/* A result as found in a meta or a message. */
typedef struct
{
  guint stream, frames, cls;
  GstClockTime ts, duration, running_time, stream_time;
  float scores[64];
  guint n_scores;
  gchar *label;
  float confidence;
} Result;

static void
result_from_structure (const GstStructure * s, Result * r)
{
  const GValue *arr;
  guint i;

  memset (r, 0, sizeof (*r));
  fail_unless (gst_structure_get (s, "stream", G_TYPE_UINT, &r->stream,
          "timestamp", G_TYPE_UINT64, &r->ts, "duration", G_TYPE_UINT64,
          &r->duration, "frames", G_TYPE_UINT, &r->frames, "class",
          G_TYPE_UINT, &r->cls, "label", G_TYPE_STRING, &r->label,
          "confidence", G_TYPE_FLOAT, &r->confidence, NULL),
      "result fields missing: %" GST_PTR_FORMAT, s);
  arr = gst_structure_get_value (s, "scores");
  fail_unless (arr != NULL && GST_VALUE_HOLDS_ARRAY (arr));
  r->n_scores = gst_value_array_get_size (arr);
  fail_unless (r->n_scores <= G_N_ELEMENTS (r->scores));
  for (i = 0; i < r->n_scores; i++) {
    const GValue *v = gst_value_array_get_value (arr, i);

    fail_unless (G_VALUE_HOLDS_FLOAT (v));
    r->scores[i] = g_value_get_float (v);
  }
  r->running_time = r->stream_time = GST_CLOCK_TIME_NONE;
  gst_structure_get_uint64 (s, "running-time", &r->running_time);
  gst_structure_get_uint64 (s, "stream-time", &r->stream_time);
}

static gint
result_cmp (gconstpointer a, gconstpointer b)
{
  const Result *x = a, *y = b;

  if (x->ts != y->ts)
    return x->ts < y->ts ? -1 : 1;
  return (gint) x->stream - (gint) y->stream;
}

static void
result_clear (gpointer p)
{
  g_free (((Result *) p)->label);
}

/* All result metas of @buf, sorted by (timestamp, stream). */
static GArray *
buffer_results (GstBuffer * buf)
{
  GArray *a = g_array_new (FALSE, TRUE, sizeof (Result));
  const GstMetaInfo *info = gst_meta_get_info (META_NAME);
  gpointer state = NULL;
  GstMeta *m;

  g_array_set_clear_func (a, result_clear);
  fail_unless (info != NULL, "meta %s not registered", META_NAME);
  while ((m = gst_buffer_iterate_meta_filtered (buf, &state, info->api))) {
    GstCustomMeta *cm = (GstCustomMeta *) m;
    Result r;

    fail_unless (gst_custom_meta_has_name (cm, META_NAME));
    result_from_structure (gst_custom_meta_get_structure (cm), &r);
    g_array_append_val (a, r);
  }
  g_array_sort (a, result_cmp);
  return a;
}

/* All "rnn" element messages waiting on @bus, in posting order. */
static GArray *
bus_results (GstBus * bus)
{
  GArray *a = g_array_new (FALSE, TRUE, sizeof (Result));
  GstMessage *msg;

  g_array_set_clear_func (a, result_clear);
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (msg);
    Result r;

    if (gst_structure_has_name (s, "rnn")) {
      result_from_structure (s, &r);
      fail_unless (GST_CLOCK_TIME_IS_VALID (r.running_time));
      g_array_append_val (a, r);
    }
    gst_message_unref (msg);
  }
  return a;
}

/* Check @r against PyTorch's scores @exp (O floats) of stream @b of the
 * window starting at @start with @len frames. */
static void
check_result (const RnnModeCase * c, const Result * r, const float *exp,
    guint b, guint start, guint len, const char *const *labels,
    const gchar * what)
{
  double e;
  guint i, top = 0;

  fail_unless_equals_int (r->stream, b);
  fail_unless_equals_uint64 (r->ts, FRAME_TIME (start));
  fail_unless_equals_uint64 (r->duration, FRAME_TIME (len));
  fail_unless_equals_int (r->frames, len);
  fail_unless_equals_int (r->n_scores, c->O);
  e = rnn_test_max_err (r->scores, exp, c->O);
  fail_unless (e <= TOL, "%s: %s, window at %u stream %u: max error %g",
      c->name, what, start, b, e);
  for (i = 1; i < c->O; i++)
    if (r->scores[i] > r->scores[top])
      top = i;
  fail_unless_equals_int (r->cls, top);
  fail_unless (r->confidence == r->scores[top]);
  /* PyTorch's best class scores the same within the tolerance */
  for (i = 0; i < c->O; i++)
    fail_unless (exp[top] >= exp[i] - 2 * TOL);
  if (labels) {
    fail_unless_equals_string (r->label, labels[top]);
  } else {
    gchar *s = g_strdup_printf ("%u", top);
    fail_unless_equals_string (r->label, s);
    g_free (s);
  }
}

static const char *const *
case_labels (const RnnModeCase * c, RnnModel ** model)
{
  *model = rnn_model_load (c->model_path, NULL, NULL);
  fail_unless (*model != NULL);
  return rnn_model_get_labels (*model);
}

/* Push the whole input in uneven blocks; every output buffer must be the
 * input buffer, bit-exact, with one meta per stream for every window that
 * ends in it; the bus carries the same results. */
static void
run_n1_case (const RnnModeCase * c, gboolean one_buffer)
{
  GstBus *bus;
  GstHarness *h = harness_for (make_rnn (c), c, &bus);
  RnnModel *model;
  const char *const *labels = case_labels (c, &model);
  guint t0 = 0, s = 0, w = 0, msg_w = 0;

  fail_unless_equals_uint64 (gst_harness_query_latency (h), 0);
  while (t0 < c->T) {
    guint k = one_buffer ? c->T : MIN (split_size (s++), c->T - t0);
    GstBuffer *in = frames_buffer (c, t0, k), *out;
    GstMapInfo inmap, outmap;
    GArray *metas, *msgs;
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
  {
    GArray *msgs = bus_results (bus);
    fail_unless_equals_int (msgs->len, 0);
    g_array_unref (msgs);
  }
  rnn_model_unref (model);
  harness_done (h, bus);
}

GST_START_TEST (test_n1_fixtures)
{
  guint i, ran = 0;
  gboolean bidi = FALSE, overlap = FALSE, bf = FALSE, b3 = FALSE;
  gboolean pool[3] = { FALSE, };

  fail_unless (cases->len > 0, "no fixtures in %s", g_getenv
      ("RNN_MODES_DIR"));
  for (i = 0; i < cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (cases, i);

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
GST_START_TEST (test_n1_partial_window_run)
{
  guint i, ran = 0;

  for (i = 0; i < cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (cases, i);
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
    rnn = make_rnn (c);
    gst_util_set_object_arg (G_OBJECT (rnn), "partial-window", "run");
    h = harness_for (rnn, c, &bus);
    gst_buffer_unref (gst_harness_push_and_pull (h,
            frames_buffer (c, 0, c->T)));
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
    harness_done (h, bus);
    ran++;
  }
  fail_unless (ran > 0, "no n-to-1 fixture with a tail");
}

GST_END_TEST;

/* post-messages=false: metas only. */
GST_START_TEST (test_n1_no_messages)
{
  const RnnModeCase *c = need_case ("n-to-1", 3, FALSE);
  GstElement *rnn = make_rnn (c);
  GstHarness *h;
  GstBus *bus;
  GstBuffer *out;
  GArray *a;

  g_object_set (rnn, "post-messages", FALSE, NULL);
  h = harness_for (rnn, c, &bus);
  out = gst_harness_push_and_pull (h, frames_buffer (c, 0, c->T));
  a = buffer_results (out);
  fail_unless_equals_int (a->len, c->n_windows * c->B);
  g_array_unref (a);
  a = bus_results (bus);
  fail_unless_equals_int (a->len, 0);
  g_array_unref (a);
  gst_buffer_unref (out);
  harness_done (h, bus);
}

GST_END_TEST;

/* n-to-1 caps: the output caps are the input caps. */
GST_START_TEST (test_n1_caps)
{
  const RnnModeCase *c = need_case ("n-to-1", 3, FALSE);
  GstBus *bus;
  GstHarness *h = harness_for (make_rnn (c), c, &bus);
  GstCaps *in, *out;

  gst_buffer_unref (gst_harness_push_and_pull (h, frames_buffer (c, 0, 1)));
  in = gst_pad_get_current_caps (h->srcpad);
  out = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_caps_is_equal (in, out), "%" GST_PTR_FORMAT " vs %"
      GST_PTR_FORMAT, in, out);
  gst_caps_unref (in);
  gst_caps_unref (out);
  harness_done (h, bus);
}

GST_END_TEST;

/* Result of the first window after @prefix frames were pushed and then a
 * reset of kind @how; must equal PyTorch's first window (zero state). */
static void
check_reset_drops_window (const gchar * how)
{
  const RnnModeCase *c = NULL;
  GstElement *rnn;
  GstHarness *h;
  GstBus *bus;
  GstBuffer *in;
  GArray *a;
  RnnModel *model;
  const char *const *labels;
  guint i;

  for (i = 0; i < cases->len && !c; i++) {
    const RnnModeCase *x = g_ptr_array_index (cases, i);
    if (is_mode (x, "n-to-1") && !x->carry && x->window >= 4)
      c = x;
  }
  fail_unless (c != NULL);
  labels = case_labels (c, &model);
  rnn = make_rnn (c);
  h = harness_for (rnn, c, &bus);

  /* a partial window of other frames, then a reset */
  gst_buffer_unref (gst_harness_push_and_pull (h,
          frames_buffer (c, c->T - c->window / 2, c->window / 2)));
  if (g_str_equal (how, "flush")) {
    GstSegment seg;

    fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
    fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
    gst_segment_init (&seg, GST_FORMAT_TIME);
    fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
    in = frames_buffer (c, 0, c->window);
  } else if (g_str_equal (how, "segment")) {
    GstSegment seg;

    gst_segment_init (&seg, GST_FORMAT_TIME);
    fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
    in = frames_buffer (c, 0, c->window);
  } else if (g_str_equal (how, "signal")) {
    g_signal_emit_by_name (h->element, "reset");
    in = frames_buffer (c, 0, c->window);
  } else {
    in = frames_buffer (c, 0, c->window);
    GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DISCONT);
  }
  gst_buffer_unref (gst_harness_push_and_pull (h, in));
  a = bus_results (bus);
  fail_unless (a->len == c->B, "%s: %u results", how, a->len);
  for (i = 0; i < c->B; i++)
    check_result (c, &g_array_index (a, Result, i),
        c->scores + (gsize) i * c->O, i, 0, c->window, labels, how);
  g_array_unref (a);
  rnn_model_unref (model);
  harness_done (h, bus);
}

GST_START_TEST (test_n1_reset_discont)
{
  check_reset_drops_window ("discont");
}

GST_END_TEST;

GST_START_TEST (test_n1_reset_flush)
{
  check_reset_drops_window ("flush");
}

GST_END_TEST;

GST_START_TEST (test_n1_reset_segment)
{
  check_reset_drops_window ("segment");
}

GST_END_TEST;

GST_START_TEST (test_n1_reset_signal)
{
  check_reset_drops_window ("signal");
}

GST_END_TEST;

/* A DISCONT with reset-on-discont=false keeps the pending frames: the
 * first result then covers them (and differs from PyTorch's window 0). */
GST_START_TEST (test_n1_discont_kept)
{
  const RnnModeCase *c = need_case ("n-to-1", 1, FALSE);
  GstElement *rnn = make_rnn (c);
  GstHarness *h;
  GstBus *bus;
  GstBuffer *in;
  GArray *a;

  g_object_set (rnn, "reset-on-discont", FALSE, NULL);
  h = harness_for (rnn, c, &bus);
  gst_buffer_unref (gst_harness_push_and_pull (h,
          frames_buffer (c, c->T - 3, 3)));
  in = frames_buffer (c, 0, c->window);
  GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DISCONT);
  gst_buffer_unref (gst_harness_push_and_pull (h, in));
  a = bus_results (bus);
  fail_unless_equals_int (a->len, c->B);
  fail_unless_equals_int (g_array_index (a, Result, 0).frames, c->window);
  fail_unless (rnn_test_max_err (g_array_index (a, Result, 0).scores,
          c->scores, c->O) > TOL, "the pending frames were dropped");
  g_array_unref (a);
  harness_done (h, bus);
}

GST_END_TEST;

/* Labels that do not match the head's width are refused at start. */
GST_START_TEST (test_n1_labels_mismatch)
{
  gchar *path = g_strdup_printf ("%s/labels.safetensors", rnn_test_tmpdir ());
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
  rnn = plain_rnn (path, "n-to-1");
  g_object_set (rnn, "window", 4, NULL);
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
      needles);
  g_free (path);
}

GST_END_TEST;

/* ------------------------------------------------------------- 1-to-n */

static void
run_1n_case (const RnnModeCase * c, gboolean frame_by_frame)
{
  GstBus *bus;
  GstHarness *h = harness_for (make_rnn (c), c, &bus);
  guint S = c->steps, t0 = 0, s = 0;
  GstCaps *caps;
  const GstStructure *st;
  gint rate, channels;

  fail_unless_equals_uint64 (gst_harness_query_latency (h), 0);
  while (t0 < c->T) {
    guint k = frame_by_frame ? 1 : MIN (split_size (s++), c->T - t0);
    GstBuffer *out = gst_harness_push_and_pull (h, frames_buffer (c, t0, k));
    float *exp = rnn_test_slice (c->output, c->T * S, c->B, c->O,
        c->batch_first, t0 * S, k * S);
    GstMapInfo map;
    double e;

    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    fail_unless_equals_uint64 (map.size, (gsize) k * S * c->B * c->O * 4);
    e = rnn_test_max_err ((const float *) map.data, exp,
        (gsize) k * S * c->B * c->O);
    gst_buffer_unmap (out, &map);
    fail_unless (e <= TOL, "%s: frames [%u, %u): max error %g", c->name, t0,
        t0 + k, e);
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
  fail_unless (gst_structure_get_int (st, "rate", &rate));
  fail_unless (gst_structure_get_int (st, "channels", &channels));
  fail_unless_equals_int (rate, RATE * S);
  fail_unless_equals_int (channels, c->B * c->O);
  gst_caps_unref (caps);
  harness_done (h, bus);
}

GST_START_TEST (test_1n_fixtures)
{
  guint i, ran = 0;
  gboolean feed[3] = { FALSE, }, carry[2] = { FALSE, }, bf = FALSE;

  for (i = 0; i < cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (cases, i);

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
GST_START_TEST (test_1n_feed_auto)
{
  const RnnModeCase *c = NULL;
  guint i;

  for (i = 0; i < cases->len && !c; i++) {
    const RnnModeCase *x = g_ptr_array_index (cases, i);
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

GST_START_TEST (test_1n_feedback_size_mismatch)
{
  gchar *path = g_strdup_printf ("%s/gru-1-2.safetensors", rnn_test_tmpdir ());
  GstElement *rnn;
  const gchar *needles[] = { "feedback", "output size (2)",
    "input size (1)", NULL
  };

  rnn_test_write_tiny_gru (path, 1, 2);
  rnn = plain_rnn (path, "1-to-n");
  gst_util_set_object_arg (G_OBJECT (rnn), "feed", "feedback");
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      needles);
  g_free (path);
}

GST_END_TEST;

GST_START_TEST (test_1n_bidirectional_refused)
{
  guint i;
  const RnnModeCase *c = NULL;
  const gchar *needles[] = { "bidirectional", "1-to-n", NULL };

  for (i = 0; i < cases->len && !c; i++) {
    const RnnModeCase *x = g_ptr_array_index (cases, i);
    if (strstr (x->name, "_bi_"))
      c = x;
  }
  fail_unless (c != NULL);
  check_start_error (plain_rnn (c->model_path, "1-to-n"),
      GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS, needles);
}

GST_END_TEST;

/* feed values the mode does not take fail at start naming 'feed'. */
GST_START_TEST (test_bad_feed)
{
  const RnnModeCase *c1 = need_case ("1-to-n", 0, FALSE);
  const RnnModeCase *cm = need_case ("n-to-m", 0, FALSE);
  const RnnModeCase *cn = need_case ("n-to-1", 0, FALSE);
  const gchar *needles_ctx[] = { "'feed'", "context", "1-to-n", NULL };
  const gchar *needles_rep[] = { "'feed'", "repeat", "n-to-m", NULL };
  const gchar *needles_n1[] = { "'feed'", "first", "n-to-1", NULL };
  GstElement *rnn;

  rnn = plain_rnn (c1->model_path, "1-to-n");
  gst_util_set_object_arg (G_OBJECT (rnn), "feed", "context");
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      needles_ctx);

  rnn = plain_rnn (cm->model_path, "n-to-m");
  g_object_set (rnn, "window", 4, NULL);
  gst_util_set_object_arg (G_OBJECT (rnn), "feed", "repeat");
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      needles_rep);

  rnn = plain_rnn (cn->model_path, "n-to-1");
  g_object_set (rnn, "window", 4, NULL);
  gst_util_set_object_arg (G_OBJECT (rnn), "feed", "first");
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      needles_n1);
}

GST_END_TEST;

/* ------------------------------------------------------------- n-to-m */

static void
check_forecast (const RnnModeCase * c, GstBuffer * out, const float *exp,
    guint end, const gchar * what)
{
  gsize n = (gsize) c->steps * c->B * c->O;
  GstMapInfo map;
  double e;

  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  fail_unless_equals_uint64 (map.size, n * 4);
  e = rnn_test_max_err ((const float *) map.data, exp, n);
  gst_buffer_unmap (out, &map);
  fail_unless (e <= TOL, "%s: %s forecast after frame %u: max error %g",
      c->name, what, end, e);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (end));
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (out),
      FRAME_TIME (c->steps));
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), end);
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (out), end + c->steps);
}

static void
run_nm_case (const RnnModeCase * c, gboolean one_buffer, gboolean run_tail)
{
  GstElement *rnn = make_rnn (c);
  GstBus *bus;
  GstHarness *h;
  guint t0 = 0, s = 0, w = 0;
  gsize n = (gsize) c->steps * c->B * c->O;
  GstCaps *caps;
  const GstStructure *st;
  gint rate, channels;

  if (run_tail)
    gst_util_set_object_arg (G_OBJECT (rnn), "partial-window", "run");
  h = harness_for (rnn, c, &bus);
  fail_unless_equals_uint64 (gst_harness_query_latency (h), 0);
  while (t0 < c->T) {
    guint k = one_buffer ? c->T : MIN (split_size (s++), c->T - t0);

    fail_unless_equals_int (gst_harness_push (h, frames_buffer (c, t0, k)),
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
  fail_unless (gst_structure_get_int (st, "rate", &rate));
  fail_unless (gst_structure_get_int (st, "channels", &channels));
  fail_unless_equals_int (rate, RATE);
  fail_unless_equals_int (channels, c->B * c->O);
  gst_caps_unref (caps);

  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  if (run_tail && c->tail) {
    GstBuffer *out = gst_harness_pull (h);

    check_forecast (c, out, c->tail, c->T, "tail");
    gst_buffer_unref (out);
  }
  fail_unless (gst_harness_try_pull (h) == NULL, "%s: output after EOS",
      c->name);
  harness_done (h, bus);
}

GST_START_TEST (test_nm_fixtures)
{
  guint i, ran = 0;
  gboolean feed[2] = { FALSE, }, lstm = FALSE, gru = FALSE, b3 = FALSE;
  gboolean bf = FALSE;

  for (i = 0; i < cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (cases, i);

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

GST_START_TEST (test_nm_partial_window_run)
{
  guint i, ran = 0;

  for (i = 0; i < cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (cases, i);

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
GST_START_TEST (test_nm_reset_discont)
{
  const RnnModeCase *c = need_case ("n-to-m", 0, FALSE);
  GstBus *bus;
  GstHarness *h = harness_for (make_rnn (c), c, &bus);
  GstBuffer *in, *out;

  fail_unless_equals_int (gst_harness_push (h, frames_buffer (c,
              c->T - c->window / 2, c->window / 2)), GST_FLOW_OK);
  fail_unless (gst_harness_try_pull (h) == NULL);
  in = frames_buffer (c, 0, c->window);
  GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DISCONT);
  out = gst_harness_push_and_pull (h, in);
  check_forecast (c, out, c->output, c->window, "after discont");
  fail_unless (GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);
  harness_done (h, bus);
}

GST_END_TEST;

GST_START_TEST (test_nm_no_decoder)
{
  const RnnModeCase *c = need_case ("1-to-n", 0, FALSE);
  GstElement *rnn = plain_rnn (c->model_path, "n-to-m");
  const gchar *needles[] = { "n-to-m", "encoder", "decoder", NULL };

  g_object_set (rnn, "window", 4, NULL);
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
      needles);
}

GST_END_TEST;

/* An encoder without a decoder. */
GST_START_TEST (test_nm_encoder_only)
{
  gchar *path = g_strdup_printf ("%s/encoder-only.safetensors",
      rnn_test_tmpdir ());
  GstElement *rnn;
  const gchar *needles[] = { "n-to-m", "no usable decoder",
    "decoder.weight_ih_l0", NULL
  };

  rnn_test_write_gru_seq2seq (path, 2, 3, 0, 0);
  rnn = plain_rnn (path, "n-to-m");
  g_object_set (rnn, "window", 4, NULL);
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
      needles);
  g_free (path);
}

GST_END_TEST;

GST_START_TEST (test_nm_window_required)
{
  const RnnModeCase *c = need_case ("n-to-m", 0, FALSE);
  const gchar *needles[] = { "n-to-m", "'window'", NULL };

  check_start_error (plain_rnn (c->model_path, "n-to-m"),
      GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS, needles);
}

GST_END_TEST;

GST_START_TEST (test_nm_state_mismatch)
{
  gchar *path = g_strdup_printf ("%s/s2s-mismatch.safetensors",
      rnn_test_tmpdir ());
  GstElement *rnn;
  const gchar *needles[] = { "encoder", "decoder", "hidden 3", "hidden 4",
    NULL
  };

  rnn_test_write_gru_seq2seq (path, 2, 3, 3, 4);
  rnn = plain_rnn (path, "n-to-m");
  g_object_set (rnn, "window", 4, NULL);
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      needles);
  g_free (path);
}

GST_END_TEST;

GST_START_TEST (test_nm_feed_size_mismatch)
{
  gchar *path = g_strdup_printf ("%s/s2s.safetensors", rnn_test_tmpdir ());
  gchar *path2 = g_strdup_printf ("%s/s2s-ctx.safetensors",
      rnn_test_tmpdir ());
  GstElement *rnn;
  const gchar *needles_fb[] = { "feedback", "input size (3)",
    "output size (3)", "encoder's input size (2)", NULL
  };
  const gchar *needles_ctx[] = { "context", "(3 values)", "input size is 2",
    NULL
  };

  /* decoder input 3 = encoder output 3: context works, feedback not */
  rnn_test_write_gru_seq2seq (path, 2, 3, 3, 3);
  rnn = plain_rnn (path, "n-to-m");
  g_object_set (rnn, "window", 4, NULL);
  gst_util_set_object_arg (G_OBJECT (rnn), "feed", "feedback");
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      needles_fb);

  rnn_test_write_gru_seq2seq (path2, 2, 3, 2, 3);
  rnn = plain_rnn (path2, "n-to-m");
  g_object_set (rnn, "window", 4, NULL);
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      needles_ctx);
  g_free (path);
  g_free (path2);
}

GST_END_TEST;

/* The same context model works, and its output has the decoder's width. */
GST_START_TEST (test_nm_written_model_runs)
{
  gchar *path = g_strdup_printf ("%s/s2s-ok.safetensors", rnn_test_tmpdir ());
  GstElement *rnn;
  GstHarness *h;
  GstBuffer *out;
  float in[2 * 4] = { 0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f, 0.7f, -0.8f };

  rnn_test_write_gru_seq2seq (path, 2, 3, 3, 3);
  rnn = plain_rnn (path, "n-to-m");
  g_object_set (rnn, "window", 4, "steps", 5, NULL);
  h = gst_harness_new_with_element (rnn, "sink", "src");
  gst_object_unref (rnn);
  gst_harness_set_src_caps_str (h, "audio/x-raw, format=F32LE, "
      "layout=interleaved, rate=100, channels=2");
  out = gst_harness_push_and_pull (h, gst_buffer_new_memdup (in,
          sizeof (in)));
  fail_unless_equals_uint64 (gst_buffer_get_size (out), 5 * 3 * 4);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
  g_free (path);
}

GST_END_TEST;

/* ------------------------------------------------------ NNStreamer */

static GstHarness *
tensor_harness (const RnnModeCase * c, const gchar * dims)
{
  GstElement *rnn = make_rnn (c);
  GstHarness *h = gst_harness_new_with_element (rnn, "sink", "src");
  gchar *caps = g_strdup_printf ("other/tensors, format=static, "
      "num_tensors=1, types=float32, dimensions=(string)%s, framerate=%d/1",
      dims, RATE);

  gst_object_unref (rnn);
  gst_harness_set_src_caps_str (h, caps);
  g_free (caps);
  return h;
}

static const GstStructure *
out_structure (GstHarness * h, GstCaps ** caps)
{
  *caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (*caps != NULL);
  return gst_caps_get_structure (*caps, 0);
}

/* 1-to-n on C:1 tensors: the output tensors are O*B:steps. */
GST_START_TEST (test_1n_tensors)
{
  const RnnModeCase *c = need_case ("1-to-n", 0, FALSE);
  gchar *dims = g_strdup_printf ("%u:1", c->B * c->F);
  gchar *out_dims = g_strdup_printf ("%u:%u", c->B * c->O, c->steps);
  GstHarness *h = tensor_harness (c, dims);
  guint t;

  for (t = 0; t < c->T; t++) {
    GstBuffer *out = gst_harness_push_and_pull (h, frames_buffer (c, t, 1));
    float *exp = rnn_test_slice (c->output, c->T * c->steps, c->B, c->O,
        FALSE, t * c->steps, c->steps);
    GstMapInfo map;

    if (t == 0) {
      GstCaps *caps;
      const GstStructure *s = out_structure (h, &caps);

      fail_unless (gst_structure_has_name (s, "other/tensors"));
      fail_unless_equals_string (gst_structure_get_string (s, "dimensions"),
          out_dims);
      gst_caps_unref (caps);
    }
    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    fail_unless (rnn_test_max_err ((const float *) map.data, exp,
            (gsize) c->steps * c->B * c->O) <= TOL);
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
    g_free (exp);
  }
  gst_harness_teardown (h);
  g_free (dims);
  g_free (out_dims);
}

GST_END_TEST;

/* n-to-m on tensors: one O*B:steps tensor per window, framerate 0/1. */
GST_START_TEST (test_nm_tensors)
{
  const RnnModeCase *c = need_case ("n-to-m", 0, FALSE);
  gchar *dims = g_strdup_printf ("%u:1", c->B * c->F);
  gchar *out_dims = g_strdup_printf ("%u:%u", c->B * c->O, c->steps);
  GstHarness *h = tensor_harness (c, dims);
  GstBuffer *out;
  GstCaps *caps;
  const GstStructure *s;
  gint fps_n, fps_d;
  guint t;

  for (t = 0; t < c->window; t++)
    fail_unless_equals_int (gst_harness_push (h, frames_buffer (c, t, 1)),
        GST_FLOW_OK);
  out = gst_harness_pull (h);
  check_forecast (c, out, c->output, c->window, "tensor");
  gst_buffer_unref (out);
  s = out_structure (h, &caps);
  fail_unless_equals_string (gst_structure_get_string (s, "dimensions"),
      out_dims);
  fail_unless (gst_structure_get_fraction (s, "framerate", &fps_n, &fps_d));
  fail_unless_equals_int (fps_n, 0);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
  g_free (dims);
  g_free (out_dims);
}

GST_END_TEST;

/* n-to-1 on tensors: passed through with the same caps. */
GST_START_TEST (test_n1_tensors)
{
  const RnnModeCase *c = need_case ("n-to-1", 0, FALSE);
  gchar *dims = g_strdup_printf ("%u:1", c->B * c->F);
  GstHarness *h = tensor_harness (c, dims);
  GstCaps *caps;
  const GstStructure *s;
  guint t, results = 0;

  for (t = 0; t < c->T; t++) {
    GstBuffer *out = gst_harness_push_and_pull (h, frames_buffer (c, t, 1));
    GArray *a = buffer_results (out);

    results += a->len;
    g_array_unref (a);
    gst_buffer_unref (out);
  }
  fail_unless_equals_int (results, c->n_windows * c->B);
  s = out_structure (h, &caps);
  fail_unless_equals_string (gst_structure_get_string (s, "dimensions"),
      dims);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
  g_free (dims);
}

GST_END_TEST;

/* ----------------------------------------------------------- latency */

/* n-to-1 holds no data (results ride on the buffer where the window
 * ends), 1-to-n answers each frame at once, n-to-m stamps its forecast at
 * the window end: none adds latency.  Upstream latency passes through. */
GST_START_TEST (test_latency)
{
  const gchar *modes[] = { "n-to-1", "1-to-n", "n-to-m" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (modes); i++) {
    const RnnModeCase *c = need_case (modes[i], 0, FALSE);
    GstBus *bus;
    GstHarness *h = harness_for (make_rnn (c), c, &bus);

    fail_unless_equals_uint64 (gst_harness_query_latency (h), 0);
    gst_harness_set_upstream_latency (h, 20 * GST_MSECOND);
    fail_unless_equals_uint64 (gst_harness_query_latency (h),
        20 * GST_MSECOND);
    harness_done (h, bus);
  }
}

GST_END_TEST;

GST_START_TEST (test_properties)
{
  GstElement *rnn = gst_element_factory_make ("rnn", NULL);
  guint hop, steps;
  gboolean carry, post;
  gint feed, partial;

  g_object_get (rnn, "hop", &hop, "steps", &steps, "carry-state", &carry,
      "post-messages", &post, "feed", &feed, "partial-window", &partial,
      NULL);
  fail_unless_equals_int (hop, 0);
  fail_unless_equals_int (steps, 1);
  fail_unless (!carry);
  fail_unless (post);
  fail_unless_equals_int (feed, 0);
  fail_unless_equals_int (partial, 0);
  gst_util_set_object_arg (G_OBJECT (rnn), "feed", "feedback");
  gst_util_set_object_arg (G_OBJECT (rnn), "partial-window", "run");
  g_object_get (rnn, "feed", &feed, "partial-window", &partial, NULL);
  fail_unless_equals_int (feed, 3);
  fail_unless_equals_int (partial, 2);
  gst_object_unref (rnn);
}

GST_END_TEST;

static Suite *
rnn_modes_suite (void)
{
  Suite *s = suite_create ("rnn-modes");
  TCase *tc;

  tc = tcase_create ("n-to-1");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_n1_fixtures);
  tcase_add_test (tc, test_n1_partial_window_run);
  tcase_add_test (tc, test_n1_no_messages);
  tcase_add_test (tc, test_n1_caps);
  tcase_add_test (tc, test_n1_reset_discont);
  tcase_add_test (tc, test_n1_reset_flush);
  tcase_add_test (tc, test_n1_reset_segment);
  tcase_add_test (tc, test_n1_reset_signal);
  tcase_add_test (tc, test_n1_discont_kept);
  tcase_add_test (tc, test_n1_labels_mismatch);
  suite_add_tcase (s, tc);

  tc = tcase_create ("1-to-n");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_1n_fixtures);
  tcase_add_test (tc, test_1n_feed_auto);
  tcase_add_test (tc, test_1n_feedback_size_mismatch);
  tcase_add_test (tc, test_1n_bidirectional_refused);
  tcase_add_test (tc, test_bad_feed);
  suite_add_tcase (s, tc);

  tc = tcase_create ("n-to-m");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_nm_fixtures);
  tcase_add_test (tc, test_nm_partial_window_run);
  tcase_add_test (tc, test_nm_reset_discont);
  tcase_add_test (tc, test_nm_no_decoder);
  tcase_add_test (tc, test_nm_encoder_only);
  tcase_add_test (tc, test_nm_window_required);
  tcase_add_test (tc, test_nm_state_mismatch);
  tcase_add_test (tc, test_nm_feed_size_mismatch);
  tcase_add_test (tc, test_nm_written_model_runs);
  suite_add_tcase (s, tc);

  tc = tcase_create ("shared");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_latency);
  tcase_add_test (tc, test_n1_tensors);
  tcase_add_test (tc, test_1n_tensors);
  tcase_add_test (tc, test_nm_tensors);
  tcase_add_test (tc, test_properties);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_modes);
