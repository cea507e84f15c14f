/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The run settings a model file carries (rnn.mode, rnn.window, rnn.hop,
 * rnn.steps, rnn.feed, rnn.carry_state): the element runs from the file
 * alone (against PyTorch's fixtures of tests/conformance/gen_modes.py
 * made with settings=True), properties the application sets override
 * them with a WARNING where the model was trained otherwise, reading a
 * property back gives the value in force, a hot swap keeps the
 * configuration, and bad values, unknown keys and torch.save() files
 * (tests/core/malformed, $RNN_MALFORMED_DIR) get errors or warnings that
 * name them. */
#include <string.h>

#include "rnn-test-gst.h"

/* The fixture case of @mode whose model carries its settings. */
static const RnnModeCase *
settings_case (const gchar * mode)
{
  for (guint i = 0; i < mode_cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (mode_cases, i);

    if (is_mode (c, mode) && g_str_has_suffix (c->name, "_settings"))
      return c;
  }
  fail ("no %s fixture with settings in %s", mode, rnn_test_modes_dir ());
  return NULL;
}

static gchar *
malformed (const gchar * name)
{
  const gchar *dir = g_getenv ("RNN_MALFORMED_DIR");

  fail_unless (dir != NULL, "RNN_MALFORMED_DIR is not set");
  return g_build_filename (dir, name, NULL);
}

/* An element for @c set up with the layout only (the file says the
 * rest), with a bus of our own that sees what start() posts. */
static GstHarness *
harness_from_file (const RnnModeCase * c, const gchar * model, GstBus ** bus)
{
  GstElement *e = make_rnn (model ? model : c->model_path);

  g_object_set (e, "batch-first", c->batch_first, NULL);
  *bus = gst_bus_new ();
  gst_element_set_bus (e, *bus);
  return harness_mode (e, c);
}

static guint
get_uint (GstHarness * h, const gchar * prop)
{
  guint v;

  g_object_get (h->element, prop, &v, NULL);
  return v;
}

static gint
get_enum (GstHarness * h, const gchar * prop)
{
  gint v;

  g_object_get (h->element, prop, &v, NULL);
  return v;
}

/* n-to-1 from the file: every window's scores equal PyTorch's. */
static void
run_n1_from_file (const RnnModeCase * c)
{
  GstBus *bus;
  GstHarness *h = harness_from_file (c, NULL, &bus);
  RnnModel *model;
  const char *const *labels = case_labels (c, &model);
  GstBuffer *out = gst_harness_push_and_pull (h, case_frames (c, 0, c->T));
  GArray *metas = buffer_results (out);
  gboolean carry;

  fail_unless_equals_int (metas->len, c->n_windows * c->B);
  for (guint i = 0; i < metas->len; i++) {
    guint wi = i / c->B, b = i % c->B;

    check_result (c, &g_array_index (metas, Result, i),
        c->scores + ((gsize) wi * c->B + b) * c->O, b,
        (guint) c->starts[wi], c->window, labels, "meta");
  }
  /* the values in force read back */
  fail_unless_equals_int (get_enum (h, "mode"), RNN_MODE_N_TO_1);
  fail_unless_equals_int (get_uint (h, "window"), c->window);
  fail_unless_equals_int (get_uint (h, "hop"), c->hop);
  g_object_get (h->element, "carry-state", &carry, NULL);
  fail_unless_equals_int (carry, c->carry);
  expect_no_warning (bus);
  g_array_unref (metas);
  gst_buffer_unref (out);
  rnn_model_unref (model);
  gst_object_unref (bus);
  harness_done (h);
}

static void
run_1n_from_file (const RnnModeCase * c)
{
  GstBus *bus;
  GstHarness *h = harness_from_file (c, NULL, &bus);
  GstBuffer *out = gst_harness_push_and_pull (h, case_frames (c, 0, c->T));
  gsize n = (gsize) c->T * c->steps * c->B * c->O;
  double e = buffer_error (out, c->output, n);

  fail_unless (e <= RNN_TEST_TOLERANCE, "%s: max error %g", c->name, e);
  fail_unless_equals_int (get_enum (h, "mode"), RNN_MODE_1_TO_N);
  fail_unless_equals_int (get_uint (h, "steps"), c->steps);
  expect_no_warning (bus);
  gst_buffer_unref (out);
  gst_object_unref (bus);
  harness_done (h);
}

static void
run_nm_from_file (const RnnModeCase * c)
{
  GstBus *bus;
  GstHarness *h = harness_from_file (c, NULL, &bus);
  gsize n = (gsize) c->steps * c->B * c->O;

  fail_unless_equals_int (gst_harness_push (h, case_frames (c, 0, c->T)),
      GST_FLOW_OK);
  for (guint w = 0; w < c->n_windows; w++) {
    GstBuffer *out = gst_harness_pull (h);

    check_forecast (c, out, c->output + w * n,
        (guint) c->starts[w] + c->window, "window");
    gst_buffer_unref (out);
  }
  fail_unless (gst_harness_try_pull (h) == NULL);
  fail_unless_equals_int (get_enum (h, "mode"), RNN_MODE_N_TO_M);
  fail_unless_equals_int (get_uint (h, "window"), c->window);
  fail_unless_equals_int (get_uint (h, "steps"), c->steps);
  expect_no_warning (bus);
  gst_object_unref (bus);
  harness_done (h);
}

GST_START_TEST (test_settings_from_file)
{
  run_n1_from_file (settings_case ("n-to-1"));
  run_1n_from_file (settings_case ("1-to-n"));
  run_nm_from_file (settings_case ("n-to-m"));
}

GST_END_TEST;

/* Windows of @c's input an element gives with window @W and hop @hop. */
static guint
count_results (const RnnModeCase * c, GstHarness * h)
{
  GstBuffer *out = gst_harness_push_and_pull (h, case_frames (c, 0, c->T));
  GArray *metas = buffer_results (out);
  guint n = metas->len;

  g_array_unref (metas);
  gst_buffer_unref (out);
  return n;
}

GST_START_TEST (test_property_overrides)
{
  const RnnModeCase *c = settings_case ("n-to-1");
  gchar *want = g_strdup_printf ("window=%u", c->window);
  const gchar *needles[] = { c->model_path, want, "rnn.window", "window=6",
    "may be wrong", NULL
  };
  GstElement *e;
  GstBus *bus;
  GstHarness *h;

  /* a window other than the trained one: used, with a WARNING */
  e = make_rnn (c->model_path);
  g_object_set (e, "window", 6, "hop", 6, NULL);
  bus = gst_bus_new ();
  gst_element_set_bus (e, bus);
  h = harness_mode (e, c);
  fail_unless_equals_int (count_results (c, h), ((c->T - 6) / 6 + 1) * c->B);
  fail_unless_equals_int (get_uint (h, "window"), 6);
  fail_unless_equals_int (get_enum (h, "mode"), RNN_MODE_N_TO_1);
  check_one_warning (bus, needles);
  gst_object_unref (bus);
  harness_done (h);

  /* another hop: only which frames it sees, no warning */
  e = make_rnn (c->model_path);
  g_object_set (e, "hop", c->window, NULL);
  bus = gst_bus_new ();
  gst_element_set_bus (e, bus);
  h = harness_mode (e, c);
  fail_unless_equals_int (count_results (c, h),
      ((c->T - c->window) / c->window + 1) * c->B);
  fail_unless_equals_int (get_uint (h, "hop"), c->window);
  fail_unless_equals_int (get_uint (h, "window"), c->window);
  expect_no_warning (bus);
  gst_object_unref (bus);
  harness_done (h);

  /* a state the model was not trained to carry, or not */
  {
    const gchar *carry[] = { "carry-state=true", "rnn.carry_state",
      "carry-state=false", NULL
    };
    e = make_rnn (c->model_path);
    g_object_set (e, "carry-state", FALSE, NULL);
    bus = gst_bus_new ();
    gst_element_set_bus (e, bus);
    h = harness_mode (e, c);
    fail_unless_equals_int (count_results (c, h), c->n_windows * c->B);
    check_one_warning (bus, carry);
    gst_object_unref (bus);
    harness_done (h);
  }
  g_free (want);
}

GST_END_TEST;

/* A bidirectional model made for windows of 20 frames runs n-to-n on
 * them from the file alone (no 'window': refused before), and another
 * window warns. */
GST_START_TEST (test_bidirectional_window)
{
  gchar *path = malformed ("run-settings-bidirectional-window.safetensors");
  const gchar *needles[] = { "window=20", "rnn.window", "window=10", NULL };
  gfloat zeros[3 * 20] = { 0 };
  GstElement *e;
  GstBus *bus;
  GstHarness *h;
  GstBuffer *out;

  e = make_rnn (path);
  bus = gst_bus_new ();
  gst_element_set_bus (e, bus);
  h = harness_streams (e, 1, 3, FALSE);
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (zeros, 20, 1,
              3, FALSE, 0, 20)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  /* one window of 20 frames x 2 directions x 4 hidden */
  fail_unless_equals_int (gst_buffer_get_size (out), 20 * 8 * sizeof (float));
  fail_unless_equals_int (get_uint (h, "window"), 20);
  gst_buffer_unref (out);
  expect_no_warning (bus);
  gst_object_unref (bus);
  harness_done (h);

  e = make_rnn (path);
  g_object_set (e, "window", 10, NULL);
  bus = gst_bus_new ();
  gst_element_set_bus (e, bus);
  h = harness_streams (e, 1, 3, FALSE);
  out = push_pull (h, frames_buffer (zeros, 10, 1, 3, FALSE, 0, 10));
  fail_unless_equals_int (gst_buffer_get_size (out), 10 * 8 * sizeof (float));
  gst_buffer_unref (out);
  check_one_warning (bus, needles);
  gst_object_unref (bus);
  harness_done (h);
  g_free (path);
}

GST_END_TEST;

/* Values taken from a file are not the application's: the next start
 * with another file takes that file's (or the defaults). */
GST_START_TEST (test_read_back_and_restart)
{
  const RnnModeCase *c = settings_case ("n-to-1");
  gchar *plain = malformed ("valid-gru.safetensors");
  GstElement *e = make_rnn (c->model_path);
  guint window;
  gint mode;

  g_object_get (e, "window", &window, "mode", &mode, NULL);
  fail_unless_equals_int (window, 0);   /* the default until it loads */
  fail_unless_equals_int (gst_element_set_state (e, GST_STATE_PAUSED),
      GST_STATE_CHANGE_SUCCESS);
  g_object_get (e, "window", &window, "mode", &mode, NULL);
  fail_unless_equals_int (window, c->window);
  fail_unless_equals_int (mode, RNN_MODE_N_TO_1);
  fail_unless_equals_int (gst_element_set_state (e, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);

  /* a file without settings: back to the defaults */
  g_object_set (e, "model", plain, NULL);
  fail_unless_equals_int (gst_element_set_state (e, GST_STATE_PAUSED),
      GST_STATE_CHANGE_SUCCESS);
  g_object_get (e, "window", &window, "mode", &mode, NULL);
  fail_unless_equals_int (window, 0);
  fail_unless_equals_int (mode, RNN_MODE_N_TO_N);
  gst_element_set_state (e, GST_STATE_NULL);
  gst_object_unref (e);
  g_free (plain);
}

GST_END_TEST;

/* A model swapped in while playing runs with the configuration in force;
 * a WARNING names what its file asks for. */
GST_START_TEST (test_hot_swap_keeps_configuration)
{
  const RnnModeCase *c = settings_case ("n-to-1");
  /* a 3-input GRU whose file says n-to-1, window 100, hop 10 */
  gchar *other = malformed ("valid-run-settings.safetensors");
  const gchar *needles[] = { other, "window=100", "rnn.window",
    "swapped in while running keeps the configuration", NULL
  };
  GstBus *bus;
  GstHarness *h = harness_from_file (c, NULL, &bus);
  GstBus *hbus = harness_bus (h);
  GstBuffer *out;
  GArray *metas;

  fail_unless_equals_int (c->F, 3);
  gst_buffer_unref (gst_harness_push_and_pull (h, case_frames (c, 0,
              c->window)));
  g_object_set (h->element, "model", other, NULL);
  check_one_warning (hbus, needles);
  out = gst_harness_push_and_pull (h, case_frames (c, c->window,
          c->window));
  metas = buffer_results (out);
  /* window 12 still: a full window in the second buffer */
  fail_unless_equals_int (metas->len, c->B);
  fail_unless_equals_int (g_array_index (metas, Result, 0).frames,
      c->window);
  fail_unless_equals_int (get_uint (h, "window"), c->window);
  g_array_unref (metas);
  gst_buffer_unref (out);
  gst_object_unref (bus);
  harness_done (h);
  g_free (other);
}

GST_END_TEST;

GST_START_TEST (test_bad_values_and_files)
{
  struct
  {
    const gchar *file;
    gint code;
    const gchar *needles[4];
  } bad[] = {
    {"window-zero.safetensors", GST_RESOURCE_ERROR_FAILED,
        {"window-zero.safetensors", "rnn.window", "\"0\"", NULL}},
    {"bad-mode.safetensors", GST_RESOURCE_ERROR_FAILED,
        {"rnn.mode", "\"n-to-2\"", "n-to-1", NULL}},
    {"bad-carry-state.safetensors", GST_RESOURCE_ERROR_FAILED,
        {"rnn.carry_state", "\"yes\"", "true or false", NULL}},
    /* the file's n-to-1 with no window: the error says where n-to-1
     * came from */
    {"run-settings-mode-only.safetensors", GST_RESOURCE_ERROR_SETTINGS,
        {"needs a window", "run-settings-mode-only.safetensors",
              "mode=n-to-1 (rnn.mode)", NULL}},
    {"torch-save-zip.safetensors", GST_RESOURCE_ERROR_FAILED,
        {"torch-save-zip.safetensors", "is a PyTorch torch.save() file, "
              "not safetensors", "examples/export.py", NULL}},
    {"torch-save-legacy.safetensors", GST_RESOURCE_ERROR_FAILED,
        {"torch.save()", "examples/export.py", NULL}},
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    gchar *path = malformed (bad[i].file);

    check_start_error (make_rnn (path), GST_RESOURCE_ERROR, bad[i].code,
        bad[i].needles);
    g_free (path);
  }
}

GST_END_TEST;

/* An rnn.* key this version does not know: a WARNING pointing to the
 * key reference (docs/model-file.md), and it runs. */
GST_START_TEST (test_unknown_key_warns)
{
  gchar *path = malformed ("metadata-unknown-key.safetensors");
  const gchar *needles[] = { path, "'rnn.poolin'", "unknown", "ignored",
    "docs/model-file.md", NULL
  };
  GstElement *e = make_rnn (path);
  GstBus *bus = gst_bus_new ();
  GstHarness *h;
  GstBuffer *out;

  gst_element_set_bus (e, bus);
  h = harness_streams (e, 1, 3, FALSE);
  out = push_pull (h, frames_buffer ((const float[6]) {
            0}, 2, 1, 3, FALSE, 0, 2));
  fail_unless_equals_int (gst_buffer_get_size (out), 2 * 4 * sizeof (float));
  gst_buffer_unref (out);
  check_one_warning (bus, needles);
  gst_object_unref (bus);
  harness_done (h);
  g_free (path);
}

GST_END_TEST;

static Suite *
rnn_model_settings_suite (void)
{
  Suite *s = suite_create ("rnn-model-settings");
  TCase *tc = tcase_create ("settings");

  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_settings_from_file);
  tcase_add_test (tc, test_property_overrides);
  tcase_add_test (tc, test_bidirectional_window);
  tcase_add_test (tc, test_read_back_and_restart);
  tcase_add_test (tc, test_hot_swap_keeps_configuration);
  tcase_add_test (tc, test_bad_values_and_files);
  tcase_add_test (tc, test_unknown_key_warns);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_model_settings);
