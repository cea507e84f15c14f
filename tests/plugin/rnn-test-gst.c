/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one harness of the rnn element tests (see rnn-test-gst.h). */
#include "rnn-test-gst.h"

#include <string.h>

/* ------------------------------------------------------------ fixtures */

GPtrArray *cases;
GPtrArray *mode_cases;

void
load_cases (void)
{
  cases = rnn_test_cases_load ();
  mode_cases = rnn_test_mode_cases_load ();
}

void
free_cases (void)
{
  g_clear_pointer (&cases, g_ptr_array_unref);
  g_clear_pointer (&mode_cases, g_ptr_array_unref);
}

const RnnTestCase *
need_case (guint B, gboolean batch_first, guint min_T)
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
  fail_unless (any != NULL, "no streamable fixture with T >= %u in %s",
      min_T, rnn_test_fixture_dir ());
  return any;
}

const RnnTestCase *
need_bidi_case (void)
{
  guint i;

  for (i = 0; cases && i < cases->len; i++) {
    const RnnTestCase *c = g_ptr_array_index (cases, i);

    if (c->bidirectional && !c->has_h0)
      return c;
  }
  fail ("no bidirectional fixture without h0");
  return NULL;
}

gboolean
is_mode (const RnnModeCase * c, const gchar * mode)
{
  return g_str_equal (c->mode, mode);
}

const RnnModeCase *
need_mode_case (const gchar * mode, guint B, gboolean batch_first)
{
  guint i;

  for (i = 0; mode_cases && i < mode_cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (mode_cases, i);

    if (is_mode (c, mode) && (B == 0 || c->B == B)
        && c->batch_first == batch_first)
      return c;
  }
  fail ("no %s fixture with B=%u %s in %s", mode, B,
      batch_first ? "batch-first" : "time-major", rnn_test_modes_dir ());
  return NULL;
}

/* ---------------------------------------------------- models and element */

gchar *
tmp_model (const gchar * name)
{
  return g_strdup_printf ("%s/%s.safetensors", rnn_test_tmpdir (), name);
}

gchar *
tiny_model (guint F, guint H)
{
  gchar *name = g_strdup_printf ("tiny-gru-%u-%u", F, H);
  gchar *path = tmp_model (name);

  rnn_test_write_tiny_gru (path, F, H);
  g_free (name);
  return path;
}

gchar *
gru_model (guint F, guint H, float phase)
{
  gchar *name = g_strdup_printf ("gru-%u-%u-%g", F, H, phase);
  gchar *path = tmp_model (name);

  rnn_test_write_gru_phase (path, F, H, phase);
  g_free (name);
  return path;
}

gchar *
bigru_model (guint F, guint H)
{
  gchar *path = tmp_model ("bigru");

  rnn_test_write_bigru (path, F, H);
  return path;
}

GstElement *
make_rnn (const gchar * model)
{
  GstElement *e = gst_element_factory_make ("rnn", NULL);

  fail_unless (e != NULL, "rnn element not found (GST_PLUGIN_PATH?)");
  if (model)
    g_object_set (e, "model", model, NULL);
  return e;
}

GstElement *
make_case_rnn (const RnnTestCase * c)
{
  GstElement *e = make_rnn (c->model_path);

  g_object_set (e, "batch-first", c->batch_first, NULL);
  return e;
}

GstElement *
make_mode_rnn (const RnnModeCase * c)
{
  GstElement *e = make_rnn (c->model_path);

  g_object_set (e, "batch-first", c->batch_first, "carry-state", c->carry,
      NULL);
  gst_util_set_object_arg (G_OBJECT (e), "mode", c->mode);
  if (c->window)
    g_object_set (e, "window", c->window, "hop", c->hop, NULL);
  if (c->steps)
    g_object_set (e, "steps", c->steps, NULL);
  if (c->feed && *c->feed)
    gst_util_set_object_arg (G_OBJECT (e), "feed", c->feed);
  return e;
}

GstElement *
make_plain_rnn (const gchar * model, const gchar * mode)
{
  GstElement *e = make_rnn (model);

  gst_util_set_object_arg (G_OBJECT (e), "mode", mode);
  return e;
}

gchar *
audio_caps (guint channels, gint rate)
{
  return g_strdup_printf ("audio/x-raw, format=F32LE, layout=interleaved, "
      "rate=%d, channels=%u", rate, channels);
}

gchar *
tensor_caps (const gchar * dims, gint rate)
{
  return g_strdup_printf ("other/tensors, format=static, num_tensors=1, "
      "types=float32, dimensions=(string)%s, framerate=%d/1", dims, rate);
}

GstHarness *
harness_new (GstElement * rnn, const gchar * caps)
{
  GstHarness *h = gst_harness_new_with_element (rnn, "sink", "src");
  GstBus *bus = gst_bus_new ();

  gst_element_set_bus (rnn, bus);
  gst_object_unref (bus);
  if (caps)
    gst_harness_set_src_caps_str (h, caps);
  gst_object_unref (rnn);
  return h;
}

GstHarness *
harness_audio (GstElement * rnn, guint channels)
{
  gchar *caps = audio_caps (channels, RATE);
  GstHarness *h = harness_new (rnn, caps);

  g_free (caps);
  return h;
}

GstHarness *
harness_streams (GstElement * rnn, guint B, guint F, gboolean batch_first)
{
  gchar *dims, *caps;
  GstHarness *h;

  if (!batch_first)
    return harness_audio (rnn, B * F);
  dims = g_strdup_printf ("%u:1:%u", F, B);
  caps = tensor_caps (dims, RATE);
  h = harness_new (rnn, caps);
  g_free (caps);
  g_free (dims);
  return h;
}

GstHarness *
harness_mode (GstElement * rnn, const RnnModeCase * c)
{
  gchar *dims, *caps;
  GstHarness *h;

  if (c->batch_first || !is_mode (c, "n-to-m") || c->steps == c->hop)
    return harness_streams (rnn, c->B, c->F, c->batch_first);
  dims = g_strdup_printf ("%u:1", c->B * c->F);
  caps = tensor_caps (dims, RATE);
  h = harness_new (rnn, caps);
  g_free (caps);
  g_free (dims);
  return h;
}

GstBus *
harness_bus (GstHarness * h)
{
  GstBus *bus = gst_element_get_bus (h->element);

  fail_unless (bus != NULL);
  /* the element keeps its reference until harness_done() */
  gst_object_unref (bus);
  return bus;
}

void
harness_done (GstHarness * h)
{
  gst_element_set_bus (h->element, NULL);
  gst_harness_teardown (h);
}

/* ------------------------------------------------------------ buffers */

GstBuffer *
frames_buffer (const float *x, guint T, guint B, guint F,
    gboolean batch_first, guint t0, guint k)
{
  float *s = rnn_test_slice (x, T, B, F, batch_first, t0, k);
  GstBuffer *buf = gst_buffer_new_wrapped (s,
      (gsize) k * B * F * sizeof (float));

  GST_BUFFER_PTS (buf) = FRAME_TIME (t0);
  GST_BUFFER_DURATION (buf) = FRAME_TIME (t0 + k) - FRAME_TIME (t0);
  GST_BUFFER_OFFSET (buf) = t0;
  GST_BUFFER_OFFSET_END (buf) = t0 + k;
  return buf;
}

guint
split_size (guint i)
{
  static const guint sizes[] = { 7, 1, 13, 2, 30, 5, 1, 11, 3, 17 };

  return sizes[i % G_N_ELEMENTS (sizes)];
}

GstBuffer *
push_pull (GstHarness * h, GstBuffer * in)
{
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  return gst_harness_pull (h);
}

gboolean
push_caps_str (GstHarness * h, const gchar * str)
{
  GstCaps *caps = gst_caps_from_string (str);
  gboolean ret = gst_harness_push_event (h, gst_event_new_caps (caps));

  gst_caps_unref (caps);
  return ret;
}

void
check_frame_stamps (GstBuffer * out, guint t0, guint k)
{
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (t0));
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (out),
      FRAME_TIME (t0 + k) - FRAME_TIME (t0));
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), t0);
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (out), t0 + k);
}

/* -------------------------------------------------------- comparisons */

double
buffer_error (GstBuffer * out, const float *ref, gsize n)
{
  GstMapInfo map;
  double e;

  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  fail_unless_equals_uint64 (map.size, n * sizeof (float));
  e = rnn_test_max_err ((const float *) map.data, ref, n);
  gst_buffer_unmap (out, &map);
  return e;
}

void
check_buffer (GstBuffer * out, const float *ref, gsize n, double tol,
    const gchar * what)
{
  double e = buffer_error (out, ref, n);

  fail_unless (e <= tol, "%s: max error %g > %g", what, e, tol);
}

GstBuffer *
pull_checked (GstHarness * h, const float *ref, gsize n, double tol,
    const gchar * what)
{
  GstBuffer *out = gst_harness_pull (h);

  fail_unless (out != NULL, "%s: no output", what);
  check_buffer (out, ref, n, tol, what);
  return out;
}

double
case_output_error (GstBuffer * out, const RnnTestCase * c, guint t0, guint k)
{
  float *exp = rnn_test_slice (c->output, c->T, c->B, c->O, c->batch_first,
      t0, k);
  double e = buffer_error (out, exp, (gsize) k * c->B * c->O);

  g_free (exp);
  return e;
}

void
check_case_output (GstBuffer * out, const RnnTestCase * c, guint t0,
    guint k, const gchar * what)
{
  double e = case_output_error (out, c, t0, k);

  fail_unless (e <= RNN_TEST_TOLERANCE, "%s: %s, frames [%u, %u): max error "
      "%g > %g", c->name, what, t0, t0 + k, e, RNN_TEST_TOLERANCE);
}

/* --------------------------------------------------- errors, warnings */

void
check_bus_error (GstBus * bus, GQuark domain, gint code,
    const gchar * const *needles)
{
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  GError *err = NULL;
  gchar *dbg = NULL;
  guint i;

  fail_unless (msg != NULL, "no ERROR message on the bus");
  gst_message_parse_error (msg, &err, &dbg);
  GST_INFO ("error: %s (%s)", err->message, dbg);
  fail_unless (err->domain == domain && err->code == code,
      "unexpected error %s:%d: %s", g_quark_to_string (err->domain),
      err->code, err->message);
  for (i = 0; needles && needles[i]; i++)
    fail_unless (strstr (err->message, needles[i]) != NULL,
        "error \"%s\" does not mention \"%s\"", err->message, needles[i]);
  g_error_free (err);
  g_free (dbg);
  gst_message_unref (msg);
}

gchar *
pipeline_first_error (const gchar * desc, gchar ** src)
{
  GError *perr = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &perr);
  GstBus *bus;
  GstMessage *msg;
  gchar *ret = NULL;

  fail_unless (pipeline != NULL && perr == NULL, "%s: %s", desc,
      perr ? perr->message : "");
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "%s: neither ERROR nor EOS in 30 s", desc);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err = NULL;

    gst_message_parse_error (msg, &err, NULL);
    ret = g_strdup (err->message);
    if (src)
      *src = g_strdup (GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)));
    g_error_free (err);
  } else if (src) {
    *src = NULL;
  }
  gst_message_unref (msg);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return ret;
}

void
check_start_error (GstElement * rnn, GQuark domain, gint code,
    const gchar * const *needles)
{
  GstBus *bus = gst_bus_new ();

  gst_element_set_bus (rnn, bus);
  fail_unless_equals_int (gst_element_set_state (rnn, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  check_bus_error (bus, domain, code, needles);
  gst_element_set_state (rnn, GST_STATE_NULL);
  gst_element_set_bus (rnn, NULL);
  gst_object_unref (bus);
  gst_object_unref (rnn);
}

GList *
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

GstStructure *
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

void
check_one_warning (GstBus * bus, const gchar * const *needles)
{
  GstStructure *d = expect_one_warning (bus, needles);

  if (d)
    gst_structure_free (d);
}

void
expect_no_warning (GstBus * bus)
{
  GList *w = pop_warnings (bus);

  if (w) {
    gchar *text = warning_text (w->data);
    fail ("unexpected warning: %s", text);
  }
}

/* ----------------------------------------------------- n-to-1 results */

static void
result_from_structure (const GstStructure * s, Result * r)
{
  const GValue *arr;
  guint i;

  memset (r, 0, sizeof (*r));
  fail_unless (gst_structure_get (s, "element", G_TYPE_STRING, &r->element,
          "model", G_TYPE_STRING, &r->model, "stream", G_TYPE_UINT,
          &r->stream, "timestamp", G_TYPE_UINT64, &r->ts, "duration",
          G_TYPE_UINT64, &r->duration, "hop", G_TYPE_UINT64, &r->hop,
          "frames", G_TYPE_UINT, &r->frames,
          "valid", G_TYPE_BOOLEAN, &r->valid, NULL),
      "result fields missing: %" GST_PTR_FORMAT, s);
  if (r->valid)
    fail_unless (gst_structure_get (s, "class", G_TYPE_UINT, &r->cls,
            "label", G_TYPE_STRING, &r->label, "confidence", G_TYPE_DOUBLE,
            &r->confidence, NULL), "valid result without a class: %"
        GST_PTR_FORMAT, s);
  else
    fail_if (gst_structure_has_field (s, "class")
        || gst_structure_has_field (s, "label"),
        "invalid result names a class: %" GST_PTR_FORMAT, s);
  arr = gst_structure_get_value (s, "scores");
  fail_unless (arr != NULL && GST_VALUE_HOLDS_ARRAY (arr));
  r->n_scores = gst_value_array_get_size (arr);
  fail_unless (r->n_scores <= G_N_ELEMENTS (r->scores));
  for (i = 0; i < r->n_scores; i++) {
    const GValue *v = gst_value_array_get_value (arr, i);

    fail_unless (G_VALUE_HOLDS_DOUBLE (v));
    r->scores[i] = (float) g_value_get_double (v);
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
  Result *r = p;

  g_free (r->label);
  g_free (r->element);
  g_free (r->model);
}

GArray *
buffer_results (GstBuffer * buf)
{
  GArray *a = g_array_new (FALSE, TRUE, sizeof (Result));
  const GstMetaInfo *info = gst_rnn_result_meta_get_info ();
  GstCustomMeta *cm = gst_rnn_buffer_get_result_meta (buf);
  guint i, n = gst_rnn_result_meta_get_n_results (cm), metas = 0;
  gpointer state = NULL;

  g_array_set_clear_func (a, result_clear);
  fail_unless (info != NULL, "meta %s not registered", META_NAME);
  /* one meta per buffer, however many results */
  while (gst_buffer_iterate_meta_filtered (buf, &state, info->api))
    metas++;
  fail_unless (metas <= 1, "%u result metas on one buffer", metas);
  fail_unless (cm == NULL || n > 0, "a results meta with no results");
  for (i = 0; i < n; i++) {
    const GstStructure *s = gst_rnn_result_meta_get_result (cm, i);
    Result r;

    fail_unless (s != NULL && gst_structure_has_name (s,
            GST_RNN_RESULT_STRUCTURE_NAME), "result %u of %u", i, n);
    result_from_structure (s, &r);
    g_array_append_val (a, r);
  }
  fail_unless (gst_rnn_result_meta_get_result (cm, n) == NULL);
  g_array_sort (a, result_cmp);
  return a;
}

GArray *
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

const char *const *
case_labels (const RnnModeCase * c, RnnModel ** model)
{
  *model = rnn_model_load (c->model_path, NULL, NULL);
  fail_unless (*model != NULL);
  return rnn_model_get_labels (*model);
}

void
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
  if (c->hop > 0)
    fail_unless_equals_uint64 (r->hop, FRAME_TIME (c->hop));
  fail_unless_equals_int (r->n_scores, c->O);
  e = rnn_test_max_err (r->scores, exp, c->O);
  fail_unless (e <= RNN_TEST_TOLERANCE, "%s: %s, window at %u stream %u: "
      "max error %g", c->name, what, start, b, e);
  for (i = 1; i < c->O; i++)
    if (r->scores[i] > r->scores[top])
      top = i;
  fail_unless_equals_int (r->cls, top);
  fail_unless (r->confidence == r->scores[top]);
  /* PyTorch's best class scores the same within the tolerance */
  for (i = 0; i < c->O; i++)
    fail_unless (exp[top] >= exp[i] - 2 * RNN_TEST_TOLERANCE);
  if (labels) {
    fail_unless_equals_string (r->label, labels[top]);
  } else {
    gchar *s = g_strdup_printf ("%u", top);
    fail_unless_equals_string (r->label, s);
    g_free (s);
  }
}

/* ---------------------------------------------------- n-to-m forecasts */

void
check_forecast (const RnnModeCase * c, GstBuffer * out, const float *exp,
    guint end, const gchar * what)
{
  gsize n = (gsize) c->steps * c->B * c->O;
  double e = buffer_error (out, exp, n);

  fail_unless (e <= RNN_TEST_TOLERANCE, "%s: %s forecast after frame %u: "
      "max error %g", c->name, what, end, e);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (end));
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (out),
      FRAME_TIME (c->steps));
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), end);
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (out), end + c->steps);
}

/* --------------------------------------------------- core references */

RnnModel *
load_model (const gchar * path)
{
  GError *err = NULL;
  RnnModel *m = rnn_model_load (path, NULL, &err);

  fail_unless (m != NULL, "%s: %s", path, err ? err->message : "");
  return m;
}

float *
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
